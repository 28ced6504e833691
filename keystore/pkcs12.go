package keystore

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/onramp-cli/onramp/cause"

	"software.sslmate.com/src/go-pkcs12"
)

// PKCS12Bundle is what a .p12/.pfx file holds: one key, its certificate and
// the chain above it.
type PKCS12Bundle struct {
	Key   crypto.Signer
	Leaf  *x509.Certificate
	Chain []*x509.Certificate
}

// DecodePKCS12 opens a PKCS#12 (.p12/.pfx) file: modern ones (PBES2,
// AES-256, as OpenSSL 3 writes) and legacy ones (RC2-40 and 3DES, as
// `openssl pkcs12 -export -legacy` and older tools write). A bundle with no
// passphrase opens with an empty pass.
func DecodePKCS12(path string, data, pass []byte) (*PKCS12Bundle, error) {
	if err := checkPKCS12WorkFactor(path, data, pass); err != nil {
		return nil, err
	}
	key, leaf, cas, err := pkcs12.DecodeChain(data, string(pass))
	if err != nil {
		wrongPass := errors.Is(err, pkcs12.ErrIncorrectPassword) || errors.Is(err, pkcs12.ErrDecryption)
		switch {
		case wrongPass && len(pass) == 0:
			return nil, &Error{ID: cause.KeyEncryptedNoPassphrase, Path: path, Msg: "the PKCS#12 bundle is protected by a passphrase; give it with --pass-env VAR", Err: err}
		case wrongPass:
			return nil, &Error{ID: cause.KeyPassphraseWrong, Path: path, Msg: "the passphrase does not open the PKCS#12 bundle", Err: err}
		}
		var nie pkcs12.NotImplementedError
		if errors.As(err, &nie) {
			return nil, &Error{ID: cause.KeyUnsupported, Path: path, Msg: "PKCS#12 bundle uses an unsupported algorithm: " + err.Error(), Err: err}
		}
		return nil, &Error{ID: cause.InputWrongFileType, Path: path, Msg: "not a usable PKCS#12 bundle: " + err.Error(), Err: err}
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, &Error{ID: cause.KeyUnsupported, Path: path, Msg: fmt.Sprintf("unsupported key type %T in the PKCS#12 bundle", key)}
	}
	if _, err := checkedKey(path, signer, nil); err != nil {
		return nil, err
	}
	// Tools disagree on bag order: the leaf is the certificate of the key.
	all := append([]*x509.Certificate{leaf}, cas...)
	for i, c := range all {
		if PublicKeysEqual(signer.Public(), c.PublicKey) {
			leaf = c
			all = append(all[:i:i], all[i+1:]...)
			break
		}
	}
	if !PublicKeysEqual(signer.Public(), leaf.PublicKey) {
		return nil, &Error{ID: cause.KeyCertMismatch, Path: path, Msg: "no certificate in the PKCS#12 bundle matches its private key"}
	}
	return &PKCS12Bundle{Key: signer, Leaf: leaf, Chain: orderChain(leaf, all)}, nil
}

// orderChain puts certs in issuing order above leaf (each issued by the
// next), leaving any that do not fit at the end.
func orderChain(leaf *x509.Certificate, certs []*x509.Certificate) []*x509.Certificate {
	rest := append([]*x509.Certificate(nil), certs...)
	var out []*x509.Certificate
	cur := leaf
	for len(rest) > 0 {
		found := -1
		for i, c := range rest {
			if string(cur.RawIssuer) == string(c.RawSubject) && cur.CheckSignatureFrom(c) == nil {
				found = i
				break
			}
		}
		if found < 0 {
			break
		}
		cur = rest[found]
		out = append(out, cur)
		rest = append(rest[:found], rest[found+1:]...)
		if string(cur.RawIssuer) == string(cur.RawSubject) {
			break
		}
	}
	return append(out, rest...)
}
