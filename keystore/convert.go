package keystore

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"

	"github.com/onramp-cli/onramp/cause"
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

// ConvertRequest asks Convert for one file in another encoding.
type ConvertRequest struct {
	Path string // for messages
	Data []byte
	DER  bool // write DER, else PEM
	// Pass opens an encrypted key; NewPass encrypts the output key;
	// Decrypt allows writing an encrypted key out unencrypted.
	Pass, NewPass []byte
	Decrypt       bool
}

// Converted is Convert's output: the bytes, the mode they need (0600 for a
// key) and what they hold, for a person.
type Converted struct {
	Data []byte
	Perm os.FileMode
	What string
}

// RefusedError says the input cannot be converted as asked: a mistake in
// the request (a passphrase flag for a certificate, a PKCS#12 bundle given
// as a file to convert), not a problem with the file.
type RefusedError struct{ Msg string }

func (e *RefusedError) Error() string { return e.Msg }

// Convert re-encodes a key (always PKCS#8), certificate(s) or CSR as PEM or
// DER. Errors about the file carry their cause (cause.Of); refusals are
// RefusedError.
func Convert(req ConvertRequest) (Converted, error) {
	in := req.Path
	refuse := func(format string, a ...any) (Converted, error) {
		return Converted{}, &RefusedError{Msg: fmt.Sprintf(format, a...)}
	}
	kind := Sniff(req.Data)
	switch kind {
	case KindPrivateKey, KindEncryptedPrivateKey:
		if kind == KindEncryptedPrivateKey && req.NewPass == nil && !req.Decrypt {
			return refuse("%s is encrypted: add --new-pass-env VAR to keep the output encrypted, or --decrypt to write it unencrypted", in)
		}
		if kind == KindEncryptedPrivateKey && req.Pass == nil {
			return refuse("%s is encrypted: give its passphrase with --pass-env VAR", in)
		}
		key, err := ParsePrivateKey(in, req.Data, req.Pass)
		if err != nil {
			return Converted{}, err
		}
		out := Converted{Perm: 0o600, What: KeyDescription(key.Public()) + " private key, PKCS#8"}
		if req.DER {
			out.Data, err = MarshalPrivateKeyDER(key, req.NewPass)
		} else {
			out.Data, err = MarshalPrivateKeyPEM(key, req.NewPass)
		}
		if err != nil {
			return Converted{}, fmt.Errorf("encode key: %v", err)
		}
		if req.NewPass != nil {
			out.What += ", encrypted"
		}
		return out, nil
	case KindCertificate, KindCertificateChain:
		if req.NewPass != nil || req.Decrypt {
			return refuse("--new-pass-env and --decrypt apply to private keys; %s holds certificates", in)
		}
		certs, err := ParseCertificates(in, req.Data)
		if err != nil {
			return Converted{}, err
		}
		data, err := EncodeCertificates(certs, req.DER)
		if err != nil {
			return refuse("%s: %v", in, err)
		}
		return Converted{Data: data, Perm: 0o644, What: fmt.Sprintf("%d certificate(s)", len(certs))}, nil
	case KindCSR:
		if req.NewPass != nil || req.Decrypt {
			return refuse("--new-pass-env and --decrypt apply to private keys; %s is a CSR", in)
		}
		csr, err := ParseCSR(in, req.Data)
		if err != nil {
			return Converted{}, err
		}
		data := csr.Raw
		if !req.DER {
			data = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr.Raw})
		}
		return Converted{Data: data, Perm: 0o644, What: "certificate signing request"}, nil
	case KindPKCS12:
		return refuse("%s is a PKCS#12 bundle: split it with --from-p12 %s --out DIR", in, in)
	}
	return Converted{}, &Error{ID: cause.InputWrongFileType, Path: in, Msg: "not a key, certificate or CSR that convert can handle (it holds: " + string(kind) + ")"}
}
