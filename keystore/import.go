package keystore

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/cause"
)

// ImportRequest is the step after a provider sends the certificate: the
// files received, the key it belongs to, and where the profile expects them.
type ImportRequest struct {
	CertFile   string // the certificate, possibly followed by its chain
	ChainFile  string // optional intermediates
	KeyFile    string
	KeyPass    []byte // opens an encrypted key; the written key keeps it
	CACertFile string // optional: the CA the certificate must chain to
	Dir, Name  string // writes DIR/NAME.crt and DIR/NAME.key
	Force      bool
	Now        time.Time
	// MessageKey says the pair is for signing or encrypting messages, not
	// for TLS (GOV.UK DCS's signing and encryption pairs): clientAuth is
	// not required.
	MessageKey bool
}

// ImportResult says what was checked and written.
type ImportResult struct {
	Leaf     *x509.Certificate
	Chain    []*x509.Certificate // intermediates, in issuing order
	Key      crypto.Signer
	DaysLeft int
	// VerifiedTo is the subject of the CA root the certificate chains to
	// (only with CACertFile).
	VerifiedTo string
	CertPath   string
	KeyPath    string
	// KeyWritten is false when KeyFile already is KeyPath.
	KeyWritten bool
}

// ImportName is the default NAME for an import: the key file's base name
// without its extension ("client" for keys/client.key), so the certificate
// lands beside the key keygen wrote.
func ImportName(keyFile string) string {
	base := filepath.Base(keyFile)
	if i := strings.Index(base, "."); i > 0 {
		base = base[:i]
	}
	if ValidateFileName(base) != nil {
		return "client"
	}
	return base
}

// ImportCertificate checks a certificate received from a provider against
// its key and CA (match, validity, clientAuth, chain) and writes
// DIR/NAME.crt (leaf then chain) and DIR/NAME.key (PKCS#8 PEM, 0600)
// atomically. A failed check returns an *Error whose ID is the cause
// (key-cert-mismatch, client-cert-expired, client-cert-no-client-auth,
// client-cert-wrong-issuer, client-chain-incomplete, ...), and nothing is
// written.
func ImportCertificate(req ImportRequest) (*ImportResult, error) {
	if req.Now.IsZero() {
		req.Now = time.Now()
	}
	if req.Name == "" {
		req.Name = ImportName(req.KeyFile)
	}
	if err := ValidateFileName(req.Name); err != nil {
		return nil, err
	}
	certs, err := ReadCertificates(req.CertFile)
	if err != nil {
		return nil, err
	}
	// The leaf is the certificate that is not a CA, wherever it is.
	li := 0
	for i, c := range certs {
		if !c.IsCA {
			li = i
			break
		}
	}
	leaf := certs[li]
	certs = append(append([]*x509.Certificate(nil), certs[:li]...), certs[li+1:]...)
	if req.ChainFile != "" {
		more, err := ReadCertificates(req.ChainFile)
		if err != nil {
			return nil, err
		}
		certs = append(certs, more...)
	}
	chain := orderChain(leaf, dedupe(certs))

	key, err := ReadPrivateKey(req.KeyFile, req.KeyPass)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{Leaf: leaf, Chain: chain, Key: key, DaysLeft: int(leaf.NotAfter.Sub(req.Now).Hours() / 24)}
	if !PublicKeysEqual(key.Public(), leaf.PublicKey) {
		return res, &Error{ID: cause.KeyCertMismatch, Path: req.CertFile,
			Msg: fmt.Sprintf("the certificate %s is not for the key in %s: nothing was written", FormatSubject(leaf.RawSubject), req.KeyFile)}
	}
	if err := checkClientCertificate(req, leaf, chain, res); err != nil {
		return res, err
	}

	res.CertPath = filepath.Join(req.Dir, req.Name+".crt")
	res.KeyPath = filepath.Join(req.Dir, req.Name+".key")
	var certPEM bytes.Buffer
	for _, c := range append([]*x509.Certificate{leaf}, chain...) {
		pem.Encode(&certPEM, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	files := []OutputFile{}
	if !sameFile(req.KeyFile, res.KeyPath) {
		keyPEM, err := MarshalPrivateKeyPEM(key, req.KeyPass)
		if err != nil {
			return res, err
		}
		files = append(files, OutputFile{Path: res.KeyPath, Data: keyPEM, Perm: 0o600})
		res.KeyWritten = true
	}
	files = append(files, OutputFile{Path: res.CertPath, Data: certPEM.Bytes(), Perm: 0o644})
	if err := WriteFiles(files, req.Force); err != nil {
		return res, err
	}
	return res, nil
}

func checkClientCertificate(req ImportRequest, leaf *x509.Certificate, chain []*x509.Certificate, res *ImportResult) error {
	when := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	switch {
	case req.Now.After(leaf.NotAfter):
		return &Error{ID: cause.ClientCertExpired, Path: req.CertFile, Msg: "the certificate expired on " + when(leaf.NotAfter)}
	case req.Now.Before(leaf.NotBefore):
		return &Error{ID: cause.ClientCertNotYetValid, Path: req.CertFile, Msg: "the certificate is valid only from " + when(leaf.NotBefore)}
	}
	usage := x509.ExtKeyUsageClientAuth
	if req.MessageKey {
		usage = x509.ExtKeyUsageAny
	} else if !allowsClientAuth(leaf) {
		return &Error{ID: cause.ClientCertNoClientAuth, Path: req.CertFile, Msg: "the certificate's extended key usage does not include clientAuth: servers refuse it for mutual TLS"}
	}
	if req.CACertFile == "" {
		return nil
	}
	data, err := ReadFile(req.CACertFile)
	if err != nil {
		return err
	}
	roots, err := ParseCertificates(req.CACertFile, data)
	if err != nil {
		var me *Error
		if errors.As(err, &me) {
			me.ID = cause.CABundleInvalid
		}
		return err
	}
	rootPool, inter := x509.NewCertPool(), x509.NewCertPool()
	for _, c := range roots {
		rootPool.AddCert(c)
	}
	for _, c := range chain {
		inter.AddCert(c)
	}
	chains, err := leaf.Verify(x509.VerifyOptions{
		Roots: rootPool, Intermediates: inter, CurrentTime: req.Now,
		KeyUsages: []x509.ExtKeyUsage{usage},
	})
	if err == nil {
		top := chains[0][len(chains[0])-1]
		res.VerifiedTo = FormatSubject(top.RawSubject)
		return nil
	}
	var inv x509.CertificateInvalidError
	if errors.As(err, &inv) {
		switch inv.Reason {
		case x509.Expired:
			return &Error{ID: cause.ClientCertExpired, Path: req.CertFile, Msg: "a certificate of the chain is outside its validity: " + err.Error(), Err: err}
		case x509.IncompatibleUsage:
			return &Error{ID: cause.ClientCertNoClientAuth, Path: req.CertFile, Msg: "a certificate of the chain does not allow clientAuth: " + err.Error(), Err: err}
		}
	}
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) {
		known := false
		for _, c := range append(append([]*x509.Certificate(nil), chain...), roots...) {
			if bytes.Equal(c.RawSubject, leaf.RawIssuer) {
				known = true
			}
		}
		if !known {
			return &Error{ID: cause.ClientChainIncomplete, Path: req.CertFile, Err: err,
				Msg: fmt.Sprintf("the certificate is issued by %s, which is in neither the certificate file, --chain nor %s: add the intermediate the provider sent with --chain", FormatSubject(leaf.RawIssuer), req.CACertFile)}
		}
		return &Error{ID: cause.ClientCertWrongIssuer, Path: req.CertFile, Err: err,
			Msg: fmt.Sprintf("the certificate does not chain to a CA in %s (issuer %s)", req.CACertFile, FormatSubject(leaf.RawIssuer))}
	}
	return &Error{ID: cause.ClientCertWrongIssuer, Path: req.CertFile, Msg: "the certificate does not verify against " + req.CACertFile + ": " + err.Error(), Err: err}
}

func allowsClientAuth(c *x509.Certificate) bool {
	if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		return true
	}
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageClientAuth || u == x509.ExtKeyUsageAny {
			return true
		}
	}
	return false
}

func dedupe(certs []*x509.Certificate) []*x509.Certificate {
	seen := map[string]bool{}
	var out []*x509.Certificate
	for _, c := range certs {
		if !seen[string(c.Raw)] {
			seen[string(c.Raw)] = true
			out = append(out, c)
		}
	}
	return out
}

func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}
