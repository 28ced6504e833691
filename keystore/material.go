// Package keystore holds key and certificate material: reading and sniffing
// certificate and key files, generating keys, CSRs, JWKS, PKCS#8 and
// PKCS#12, importing, and writing files safely. Secrets (API keys,
// passphrases) are kept by package secretstore.
package keystore

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/limits"

	"github.com/youmark/pkcs8"
)

// Kind is what a file holds, as named in inspect --json.
type Kind string

const (
	KindCertificate         Kind = "certificate"
	KindCertificateChain    Kind = "certificate-chain"
	KindPrivateKey          Kind = "private-key"
	KindEncryptedPrivateKey Kind = "encrypted-private-key"
	KindCSR                 Kind = "csr"
	KindJWKS                Kind = "jwks"
	KindPKCS12              Kind = "pkcs12"
	KindSSHKey              Kind = "ssh-key"
	KindUnknown             Kind = "unknown"
)

// MaxFileSize bounds what is read from a material file: no certificate, key
// or bundle a provider sends comes near it, and a huge file is a mistake.
const MaxFileSize = 10 << 20

// Error is a problem with a material file. ID is a cause id from the
// catalog (../shared/CAUSES.md), so callers can report it without parsing
// the message.
type Error struct {
	ID   cause.ID
	Path string
	Msg  string
	Err  error
	// Holds is what a file of the wrong type holds instead (with
	// input-wrong-file-type); KindUnknown when it holds nothing recognised.
	Holds Kind
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// CauseID is the catalog id of the problem (see cause.Of).
func (e *Error) CauseID() cause.ID { return e.ID }

// ReadFile reads a material file, bounded by MaxFileSize.
// A FIFO, device or directory is refused before anything is read.
func ReadFile(path string) ([]byte, error) {
	data, err := limits.ReadRegular(path, MaxFileSize)
	var tooLarge *limits.TooLargeError
	var special *limits.NotRegularError
	switch {
	case err == nil:
		return data, nil
	case errors.As(err, &tooLarge):
		return nil, &Error{ID: cause.InputWrongFileType, Path: path, Msg: TooLargeMsg, Err: err}
	case errors.As(err, &special):
		return nil, &Error{ID: cause.InputFileUnreadable, Path: path, Msg: strings.TrimPrefix(err.Error(), path+" "), Err: err}
	case errors.Is(err, os.ErrNotExist), errors.Is(err, os.ErrPermission):
		return nil, &Error{ID: cause.InputFileUnreadable, Path: path, Msg: describeOpenError(err), Err: err}
	}
	return nil, &Error{ID: cause.InputFileUnreadable, Path: path, Msg: "cannot read: " + err.Error(), Err: err}
}

// TooLargeMsg is the one wording of MaxFileSize, wherever material is read
// (a file, stdin, a pasted text).
var TooLargeMsg = "over the " + limits.Format(MaxFileSize, "bytes") + " limit: not a certificate, key or CA bundle"

// MaxCertificates bounds a certificate file or CA bundle: public CA
// bundles hold about 150, so a file of thousands is not one.
const MaxCertificates = 1000

// NotRegular reports whether err refused a FIFO, device or directory.
func NotRegular(err error) bool {
	var nr *limits.NotRegularError
	return errors.As(err, &nr)
}

// TooLarge reports whether err is one of the size or count caps (a file
// over MaxFileSize, a bundle over MaxCertificates).
func TooLarge(err error) bool {
	var tl *limits.TooLargeError
	return errors.As(err, &tl)
}

func describeOpenError(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "no such file"
	case errors.Is(err, os.ErrPermission):
		return "permission denied"
	}
	return err.Error()
}

// Sniff says what data holds, looking at PEM block types, DER structure,
// JSON and OpenSSH headers.
func Sniff(data []byte) Kind {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return KindUnknown
	}
	if bytes.HasPrefix(trimmed, []byte("ssh-")) || bytes.HasPrefix(trimmed, []byte("ecdsa-sha2-")) ||
		bytes.HasPrefix(trimmed, []byte("-----BEGIN OPENSSH PRIVATE KEY-----")) ||
		bytes.HasPrefix(trimmed, []byte("---- BEGIN SSH2")) {
		return KindSSHKey
	}
	if trimmed[0] == '{' {
		var set struct {
			Keys []json.RawMessage `json:"keys"`
		}
		if json.Unmarshal(trimmed, &set) == nil && set.Keys != nil {
			return KindJWKS
		}
		var single struct {
			Kty string `json:"kty"`
		}
		if json.Unmarshal(trimmed, &single) == nil && single.Kty != "" {
			return KindJWKS
		}
		return KindUnknown
	}
	if bytes.Contains(data, []byte("-----BEGIN ")) {
		return sniffPEM(data)
	}
	return sniffDER(data)
}

func sniffPEM(data []byte) Kind {
	certs := 0
	var first Kind = KindUnknown
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		k := pemKind(block)
		if k == KindCertificate {
			certs++
		}
		if first == KindUnknown {
			first = k
		}
	}
	if certs > 1 {
		return KindCertificateChain
	}
	if certs == 1 && first == KindUnknown {
		return KindCertificate
	}
	return first
}

func pemKind(b *pem.Block) Kind {
	switch b.Type {
	case "CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE":
		return KindCertificate
	case "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST":
		return KindCSR
	case "ENCRYPTED PRIVATE KEY":
		return KindEncryptedPrivateKey
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY":
		if _, ok := b.Headers["DEK-Info"]; ok {
			return KindEncryptedPrivateKey
		}
		return KindPrivateKey
	case "OPENSSH PRIVATE KEY":
		return KindSSHKey
	case "PKCS12":
		return KindPKCS12
	}
	return KindUnknown
}

func sniffDER(data []byte) Kind {
	if len(data) < 4 || data[0] != 0x30 {
		return KindUnknown
	}
	if _, err := x509.ParseCertificate(data); err == nil {
		return KindCertificate
	}
	if certs, err := x509.ParseCertificates(data); err == nil && len(certs) > 1 {
		return KindCertificateChain
	}
	if _, err := x509.ParseCertificateRequest(data); err == nil {
		return KindCSR
	}
	if _, err := parseDERKey(data); err == nil {
		return KindPrivateKey
	}
	if isEncryptedPKCS8DER(data) {
		return KindEncryptedPrivateKey
	}
	if isPKCS12(data) {
		return KindPKCS12
	}
	return KindUnknown
}

// isEncryptedPKCS8DER recognises EncryptedPrivateKeyInfo by its PBES2 OID.
func isEncryptedPKCS8DER(data []byte) bool {
	pbes2 := []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d}
	return len(data) > 16 && bytes.Contains(data[:min(len(data), 32)], pbes2)
}

// isPKCS12 recognises a PFX: a SEQUENCE holding version 3 then PKCS#7 data.
func isPKCS12(data []byte) bool {
	pkcs7Data := []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01}
	head := data[:min(len(data), 40)]
	return bytes.Contains(head, []byte{0x02, 0x01, 0x03}) && bytes.Contains(head, pkcs7Data)
}

// ParseCertificates reads every certificate in data (PEM blocks or DER). It
// fails with input-wrong-file-type when data holds no certificate, naming
// what it holds instead.
func ParseCertificates(path string, data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	if bytes.Contains(data, []byte("-----BEGIN ")) {
		rest := data
		for {
			var block *pem.Block
			block, rest = pem.Decode(rest)
			if block == nil {
				break
			}
			if pemKind(block) != KindCertificate {
				continue
			}
			if len(certs) == MaxCertificates {
				return nil, tooManyCertificates(path)
			}
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, &Error{ID: cause.InputWrongFileType, Path: path, Msg: "a CERTIFICATE block does not parse: " + err.Error(), Err: err}
			}
			certs = append(certs, c)
		}
	} else if cs, err := x509.ParseCertificates(data); err == nil {
		if len(cs) > MaxCertificates {
			return nil, tooManyCertificates(path)
		}
		certs = cs
	}
	if len(certs) == 0 {
		k := Sniff(data)
		return nil, &Error{ID: cause.InputWrongFileType, Path: path, Msg: wrongKindMessage(k, "a certificate"), Holds: k}
	}
	return certs, nil
}

func tooManyCertificates(path string) error {
	tl := &limits.TooLargeError{What: path, Limit: MaxCertificates, Unit: "certificates"}
	return &Error{ID: cause.InputWrongFileType, Path: path, Err: tl,
		Msg: "over the " + limits.Format(MaxCertificates, "certificates") + " limit: not a certificate file or CA bundle onramp can use"}
}

// ReadCertificates reads and parses a certificate file (leaf first, then any
// chain).
func ReadCertificates(path string) ([]*x509.Certificate, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseCertificates(path, data)
}

func wrongKindMessage(k Kind, want string) string {
	switch k {
	case KindPrivateKey, KindEncryptedPrivateKey:
		return "holds a private key, not " + want
	case KindCSR:
		return "holds a certificate signing request (CSR), not " + want + ": send the CSR to the provider and use the certificate they return"
	case KindPKCS12:
		return "holds a PKCS#12 bundle, not " + want + ": split it with `onramp convert --from-p12 FILE --out DIR`"
	case KindSSHKey:
		return "holds an SSH key, not " + want + ": SSH keys cannot be used for TLS"
	case KindJWKS:
		return "holds a JWKS (public keys as JSON), not " + want
	case KindCertificate, KindCertificateChain:
		return "holds a certificate, not " + want
	}
	return "holds no PEM or DER " + want
}

// ParsePrivateKey parses a private key from data: PEM or DER; PKCS#1,
// PKCS#8 or SEC1; encrypted PKCS#8 or legacy encrypted PEM when pass is
// given.
func ParsePrivateKey(path string, data, pass []byte) (crypto.Signer, error) {
	k := Sniff(data)
	if hasPEMKey(data) {
		// A certificate and its key in one PEM file, given to both --cert
		// and --key (curl accepts it): the key is the block to read.
		k = KindPrivateKey
	}
	switch k {
	case KindPrivateKey, KindEncryptedPrivateKey:
	default:
		if k == KindUnknown && !bytes.Contains(data, []byte("-----BEGIN ")) && isEncryptedPKCS8DER(data) {
			k = KindEncryptedPrivateKey
			break
		}
		return nil, &Error{ID: cause.InputWrongFileType, Path: path, Msg: wrongKindMessage(k, "a private key"), Holds: k}
	}
	if !bytes.Contains(data, []byte("-----BEGIN ")) {
		if k == KindEncryptedPrivateKey {
			return decryptPKCS8(path, data, pass)
		}
		k, err := parseDERKey(data)
		return checkedKey(path, k, err)
	}
	var block *pem.Block
	rest := data
	for {
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, &Error{ID: cause.InputWrongFileType, Path: path, Msg: "no private key PEM block"}
		}
		if pk := pemKind(block); pk == KindPrivateKey || pk == KindEncryptedPrivateKey {
			break
		}
	}
	if block.Type == "DSA PRIVATE KEY" {
		return nil, &Error{ID: cause.KeyUnsupported, Path: path, Msg: "a DSA key: DSA cannot be used for TLS client authentication; make an RSA or ECDSA key (onramp keygen) and ask the provider for a certificate for it"}
	}
	if block.Type == "ENCRYPTED PRIVATE KEY" {
		return decryptPKCS8(path, block.Bytes, pass)
	}
	der := block.Bytes
	if _, ok := block.Headers["DEK-Info"]; ok {
		if len(pass) == 0 {
			return nil, &Error{ID: cause.KeyEncryptedNoPassphrase, Path: path, Msg: "the key is encrypted (legacy PEM, Proc-Type: 4,ENCRYPTED); give its passphrase with --key-pass-env VAR"}
		}
		//lint:ignore SA1019 legacy encrypted PEM is what older OpenSSL writes; we only read it.
		plain, err := x509.DecryptPEMBlock(block, pass) //nolint:staticcheck
		if err != nil {
			return nil, &Error{ID: cause.KeyPassphraseWrong, Path: path, Msg: "the passphrase does not decrypt the key", Err: err}
		}
		// Legacy PEM encryption has no integrity check: a wrong
		// passphrase passes the padding check about once in 256 tries
		// and yields garbage, which is the passphrase's fault too.
		key, err := parseDERKey(plain)
		if err != nil {
			return nil, &Error{ID: cause.KeyPassphraseWrong, Path: path, Msg: "the passphrase does not decrypt the key", Err: err}
		}
		return checkedKey(path, key, nil)
	}
	key, err := parseDERKey(der)
	return checkedKey(path, key, err)
}

// hasPEMKey says whether data holds a private key PEM block anywhere.
func hasPEMKey(data []byte) bool {
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return false
		}
		if k := pemKind(block); k == KindPrivateKey || k == KindEncryptedPrivateKey {
			return true
		}
	}
}

var errDamagedPKCS8 = errors.New("damaged encrypted PKCS#8 key")

// parsePKCS8 is pkcs8.ParsePKCS8PrivateKey, which panics on a ciphertext
// that is not whole cipher blocks (found by FuzzParse): a damaged or
// hostile file is an error, never a crash.
func parsePKCS8(der, pass []byte) (key any, err error) {
	defer func() {
		if recover() != nil {
			key, err = nil, errDamagedPKCS8
		}
	}()
	return pkcs8.ParsePKCS8PrivateKey(der, pass)
}

func decryptPKCS8(path string, der, pass []byte) (crypto.Signer, error) {
	if len(pass) == 0 {
		return nil, &Error{ID: cause.KeyEncryptedNoPassphrase, Path: path, Msg: "the key is encrypted (ENCRYPTED PRIVATE KEY); give its passphrase with --key-pass-env VAR"}
	}
	if err := checkWorkFactor(path, der); err != nil {
		return nil, err
	}
	key, err := parsePKCS8(der, pass)
	if errors.Is(err, errDamagedPKCS8) {
		return nil, &Error{ID: cause.InputWrongFileType, Path: path, Msg: "the encrypted key is damaged (its ciphertext is not whole cipher blocks): restore it from where it came", Err: err}
	}
	if err != nil {
		return nil, &Error{ID: cause.KeyPassphraseWrong, Path: path, Msg: "the passphrase does not decrypt the key", Err: err}
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, &Error{ID: cause.KeyUnsupported, Path: path, Msg: fmt.Sprintf("unsupported key type %T", key)}
	}
	return checkedKey(path, signer, nil)
}

func checkedKey(path string, k crypto.Signer, err error) (crypto.Signer, error) {
	if err != nil {
		var me *Error
		if errors.As(err, &me) {
			me.Path = path
			return nil, me
		}
		return nil, &Error{ID: cause.InputWrongFileType, Path: path, Msg: "the private key does not parse: " + err.Error(), Err: err}
	}
	switch key := k.(type) {
	case *rsa.PrivateKey:
		if key.N.BitLen() < 2048 {
			return nil, &Error{ID: cause.KeyUnsupported, Path: path, Msg: fmt.Sprintf("RSA key of %d bits: at least 2048 are needed", key.N.BitLen())}
		}
	case *ecdsa.PrivateKey, ed25519.PrivateKey:
	default:
		return nil, &Error{ID: cause.KeyUnsupported, Path: path, Msg: fmt.Sprintf("unsupported key type %T", k)}
	}
	return k, nil
}

func parseDERKey(der []byte) (crypto.Signer, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		if s, ok := k.(crypto.Signer); ok {
			return s, nil
		}
		return nil, &Error{ID: cause.KeyUnsupported, Msg: fmt.Sprintf("unsupported key type %T", k)}
	} else if isPKCS8DSA(der) {
		return nil, &Error{ID: cause.KeyUnsupported, Msg: "a DSA key: DSA cannot be used for TLS client authentication; make an RSA or ECDSA key (onramp keygen) and ask the provider for a certificate for it"}
	} else if bytes.Contains([]byte(err.Error()), []byte("unknown public key algorithm")) ||
		bytes.Contains([]byte(err.Error()), []byte("unknown algorithm")) ||
		bytes.Contains([]byte(err.Error()), []byte("unsupported elliptic curve")) {
		return nil, &Error{ID: cause.KeyUnsupported, Msg: "unsupported key algorithm or curve: " + err.Error(), Err: err}
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	} else if bytes.Contains([]byte(err.Error()), []byte("unknown elliptic curve")) {
		return nil, &Error{ID: cause.KeyUnsupported, Msg: "unsupported elliptic curve", Err: err}
	}
	return nil, errors.New("not a PKCS#1, PKCS#8 or SEC1 private key")
}

// oidDSA is id-dsa (1.2.840.10040.4.1), as a PKCS#8 algorithm identifier.
var oidDSA = []byte{0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01}

// isPKCS8DSA recognises a PKCS#8 PrivateKeyInfo whose algorithm is DSA.
func isPKCS8DSA(der []byte) bool {
	return bytes.Contains(der[:min(len(der), 24)], oidDSA)
}

// ReadPrivateKey reads and parses a private key file.
func ReadPrivateKey(path string, pass []byte) (crypto.Signer, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParsePrivateKey(path, data, pass)
}

// PublicKeysEqual says whether a certificate's public key is pub.
func PublicKeysEqual(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := a.(equaler)
	return ok && e.Equal(b)
}

// ParseCSR reads a certificate signing request, PEM or DER; path names the
// file in errors and may be empty.
func ParseCSR(path string, data []byte) (*x509.CertificateRequest, error) {
	der := data
	if bytes.Contains(data, []byte("-----BEGIN ")) {
		rest := data
		der = nil
		for {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			if pemKind(b) == KindCSR {
				der = b.Bytes
				break
			}
		}
		if der == nil {
			return nil, &Error{ID: cause.InputWrongFileType, Path: path, Msg: fmt.Sprintf("not a certificate signing request: the file holds %s (make one with `onramp keygen --csr`)", Sniff(data))}
		}
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, &Error{ID: cause.InputWrongFileType, Path: path, Msg: fmt.Sprintf("not a certificate signing request (the file holds %s): %v", Sniff(data), err), Err: err}
	}
	return csr, nil
}
