package keystore

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"path/filepath"
)

// EncodeCertificates writes certs as PEM (any number) or DER (exactly one:
// DER has no way to hold a chain).
func EncodeCertificates(certs []*x509.Certificate, der bool) ([]byte, error) {
	if der {
		if len(certs) != 1 {
			return nil, fmt.Errorf("DER holds a single certificate and this file has %d: keep it as PEM, or split it first", len(certs))
		}
		return certs[0].Raw, nil
	}
	var b bytes.Buffer
	for _, c := range certs {
		pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.Bytes(), nil
}

// PKCS12Paths are the files SplitPKCS12 writes.
type PKCS12Paths struct {
	Cert, Chain, Key string
}

// SplitPKCS12 writes a PKCS#12 bundle's parts as PEM files:
// DIR/NAME.crt (the certificate), DIR/NAME.chain.pem (the CA certificates,
// when there are any) and DIR/NAME.key (PKCS#8, 0600; encrypted with pass
// when given). All or none are written (see WriteFiles).
func SplitPKCS12(b *PKCS12Bundle, dir, name string, pass []byte, force bool) (PKCS12Paths, error) {
	if err := ValidateFileName(name); err != nil {
		return PKCS12Paths{}, err
	}
	p := PKCS12Paths{
		Cert: filepath.Join(dir, name+".crt"),
		Key:  filepath.Join(dir, name+".key"),
	}
	keyPEM, err := MarshalPrivateKeyPEM(b.Key, pass)
	if err != nil {
		return p, err
	}
	leafPEM, _ := EncodeCertificates([]*x509.Certificate{b.Leaf}, false)
	files := []OutputFile{
		{Path: p.Key, Data: keyPEM, Perm: 0o600},
		{Path: p.Cert, Data: leafPEM, Perm: 0o644},
	}
	if len(b.Chain) > 0 {
		p.Chain = filepath.Join(dir, name+".chain.pem")
		chainPEM, _ := EncodeCertificates(b.Chain, false)
		files = append(files, OutputFile{Path: p.Chain, Data: chainPEM, Perm: 0o644})
	}
	return p, WriteFiles(files, force)
}
