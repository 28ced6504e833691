// Package inspect describes certificate, key, CSR, JWKS, PKCS#12 and SSH
// key files without ever showing key material: pure functions over
// keystore (parse) and diagnose (checks), rendered as text or JSON.
package inspect

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/revocation"
)

// Severity of a finding: a failure makes `onramp inspect` exit 1.
const (
	SeverityFail = "fail"
	SeverityWarn = "warn"
)

// Finding is a cause from the catalog with what led to it.
type Finding struct {
	ID       cause.ID `json:"id"`
	Title    string   `json:"title"`
	Fix      string   `json:"fix"`
	Detail   string   `json:"detail,omitempty"`
	Severity string   `json:"severity"`
}

// Certificate describes one certificate.
type Certificate struct {
	Subject            string    `json:"subject"`
	Issuer             string    `json:"issuer"`
	CommonName         string    `json:"common_name,omitempty"`
	IssuerCommonName   string    `json:"issuer_common_name,omitempty"`
	SANs               []string  `json:"sans,omitempty"`
	Serial             string    `json:"serial"`
	NotBefore          time.Time `json:"not_before"`
	NotAfter           time.Time `json:"not_after"`
	DaysLeft           int       `json:"days_left"`
	Expired            bool      `json:"expired"`
	Key                string    `json:"key"`
	SignatureAlgorithm string    `json:"signature_algorithm"`
	EKU                []string  `json:"eku,omitempty"`
	IsCA               bool      `json:"is_ca"`
	SelfSigned         bool      `json:"self_signed"`
	SHA256             string    `json:"sha256"`
	PublicKeySHA256    string    `json:"public_key_sha256"`
	// Where a checker learns about revocation: Authority Information
	// Access (OCSP responders, the issuer's certificate) and CRLs.
	OCSP      []string `json:"ocsp,omitempty"`
	CAIssuers []string `json:"ca_issuers,omitempty"`
	CRL       []string `json:"crl,omitempty"`
	// Revocation is the CA's answer, when asked (--check-revocation);
	// RevocationError says why there is none.
	Revocation      *revocation.Result `json:"revocation,omitempty"`
	RevocationError string             `json:"revocation_error,omitempty"`
}

// Key describes a private key: never its material.
type Key struct {
	Type      string `json:"type,omitempty"` // "RSA 4096"; empty while encrypted
	Format    string `json:"format"`         // PKCS#8, PKCS#1, SEC1, encrypted PKCS#8, legacy encrypted PEM
	Encrypted bool   `json:"encrypted"`
	// Decrypted is true when a passphrase was given and opened the key.
	Decrypted       bool   `json:"decrypted,omitempty"`
	PublicKeySHA256 string `json:"public_key_sha256,omitempty"`
	// Matches names the files whose certificate, CSR or JWKS holds this
	// key's public key (when inspected together).
	Matches []string `json:"matches,omitempty"`
}

// CSR describes a certificate signing request.
type CSR struct {
	Subject            string   `json:"subject"`
	SANs               []string `json:"sans,omitempty"`
	Key                string   `json:"key"`
	SignatureAlgorithm string   `json:"signature_algorithm"`
	SignatureValid     bool     `json:"signature_valid"`
	PublicKeySHA256    string   `json:"public_key_sha256"`
}

// JWK describes one entry of a JSON Web Key Set.
type JWK struct {
	KID             string `json:"kid,omitempty"`
	Kty             string `json:"kty"`
	Alg             string `json:"alg,omitempty"`
	Use             string `json:"use,omitempty"`
	Key             string `json:"key"`
	Private         bool   `json:"private,omitempty"`
	PublicKeySHA256 string `json:"public_key_sha256,omitempty"`
}

// SSHKey describes an SSH key file, recognised so the user can be told it
// is not TLS material.
type SSHKey struct {
	Type        string `json:"type"`
	Private     bool   `json:"private"`
	Fingerprint string `json:"fingerprint,omitempty"`
}

// Result is what one file holds.
type Result struct {
	File string        `json:"file"`
	Kind keystore.Kind `json:"kind"`
	// Role refines a certificate-chain: "chain" (a leaf and its issuers) or
	// "ca-bundle" (CA certificates only).
	Role         string        `json:"role,omitempty"`
	Certificates []Certificate `json:"certificates,omitempty"`
	Key          *Key          `json:"key,omitempty"`
	CSR          *CSR          `json:"csr,omitempty"`
	JWKS         []JWK         `json:"jwks,omitempty"`
	SSH          *SSHKey       `json:"ssh,omitempty"`
	// Holds lists what a file of two kinds holds: a certificate (or chain)
	// and a private key in one PEM ("certificate", "private-key").
	Holds []string `json:"holds,omitempty"`
	// KeyMatchesCertificate says, for such a file, whether the key is the
	// key of one of its certificates; absent when the key could not be
	// read (encrypted, no passphrase).
	KeyMatchesCertificate *bool `json:"key_matches_certificate,omitempty"`
	// Notes are plain remarks (not causes): "encrypted; give --pass-env".
	Notes    []string  `json:"notes,omitempty"`
	Findings []Finding `json:"findings"`

	certs   []*x509.Certificate
	pub     crypto.PublicKey // of a private key
	csrPub  crypto.PublicKey
	jwkPubs []crypto.PublicKey
}

// Options tune Inspect.
type Options struct {
	// Ctx ends slow work (a PKCS#12 bundle's key derivation) early: Ctrl+C.
	// Nil means context.Background().
	Ctx context.Context
	Now time.Time
	// Pass opens encrypted keys and PKCS#12 bundles. Without it they are
	// described as encrypted, never guessed at.
	Pass []byte
}

// Failed says whether any finding is a failure.
func (r *Result) Failed() bool {
	for _, f := range r.Findings {
		if f.Severity == SeverityFail {
			return true
		}
	}
	return false
}

func (r *Result) add(severity string, id cause.ID, format string, a ...any) {
	c := cause.Get(id)
	r.Findings = append(r.Findings, Finding{ID: c.ID, Title: c.Title, Fix: c.Fix, Detail: fmt.Sprintf(format, a...), Severity: severity})
}

func (r *Result) addError(err error) {
	id := cause.InputWrongFileType
	if c, ok := cause.Of(err); ok {
		id = c.ID
	}
	sev := SeverityFail
	if id == cause.KeyEncryptedNoPassphrase {
		sev = SeverityWarn
	}
	msg := err.Error()
	if r.File != "" {
		msg = strings.TrimPrefix(msg, r.File+": ")
	}
	r.add(sev, id, "%s", msg)
}

// Inspect describes data read from path (used only to name it).
func Inspect(path string, data []byte, now time.Time) *Result {
	return InspectWith(path, data, Options{Now: now})
}

// InspectWith is Inspect with a passphrase.
func InspectWith(path string, data []byte, o Options) *Result {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	r := &Result{File: path, Kind: keystore.Sniff(data), Findings: []Finding{}}
	if len(data) > keystore.MaxFileSize {
		r.Kind = keystore.KindUnknown
		r.add(SeverityFail, cause.InputWrongFileType, "%s", keystore.TooLargeMsg)
		return r
	}
	switch r.Kind {
	case keystore.KindCertificate, keystore.KindCertificateChain:
		inspectCertificates(r, data, o.Now, o.Pass)
	case keystore.KindPrivateKey, keystore.KindEncryptedPrivateKey:
		inspectKey(r, data, o.Pass, o.Now)
	case keystore.KindCSR:
		inspectCSR(r, data)
	case keystore.KindJWKS:
		inspectJWKS(r, data)
	case keystore.KindPKCS12:
		inspectPKCS12(r, data, o)
	case keystore.KindSSHKey:
		inspectSSH(r, data)
	default:
		r.add(SeverityFail, cause.InputWrongFileType, "%s", unknownDetail(data))
	}
	if r.Kind != keystore.KindPKCS12 && r.Key != nil && len(r.certs) > 0 {
		checkCombined(r)
	}
	return r
}

// checkCombined describes a file holding a certificate and a private key
// (a combined PEM, as curl and some servers take): whether the key is the
// key of one of its certificates.
func checkCombined(r *Result) {
	r.Holds = []string{"certificate", "private-key"}
	if r.pub == nil {
		return
	}
	match := false
	for _, c := range r.certs {
		if keystore.PublicKeysEqual(r.pub, c.PublicKey) {
			match = true
			break
		}
	}
	r.KeyMatchesCertificate = &match
	if !match {
		r.add(SeverityFail, cause.KeyCertMismatch, "the private key in this file (%s) is not the key of its certificate (%s)", r.Key.Type, r.Certificates[0].Subject)
	}
}

func unknownDetail(data []byte) string {
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return "the file is empty"
	case bytes.Contains(data, []byte("-----BEGIN ")):
		if block, _ := pem.Decode(data); block != nil {
			return fmt.Sprintf("a PEM block of type %q, which is not a certificate, key, CSR or PKCS#12 bundle", block.Type)
		}
		return "a PEM header without a complete block: the file looks truncated or damaged"
	case !isText(trimmed):
		return "binary data that is not a DER certificate, key, CSR or PKCS#12 bundle"
	}
	return "no PEM block, DER structure, JWKS or SSH key found"
}

func isText(b []byte) bool {
	for _, c := range b[:min(len(b), 512)] {
		if c < 0x09 || (c > 0x0d && c < 0x20) || c == 0x7f {
			return false
		}
	}
	return true
}

func fingerprint(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func publicKeyFingerprint(pub crypto.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return ""
	}
	return fingerprint(der)
}

// daysLeft counts whole days to notAfter, negative (toward zero) once it
// has passed: -1 is "expired a day ago".
func daysLeft(notAfter, now time.Time) int {
	return int(notAfter.Sub(now).Hours() / 24)
}

var ekuText = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageAny: "any", x509.ExtKeyUsageServerAuth: "serverAuth", x509.ExtKeyUsageClientAuth: "clientAuth",
	x509.ExtKeyUsageCodeSigning: "codeSigning", x509.ExtKeyUsageEmailProtection: "emailProtection",
	x509.ExtKeyUsageTimeStamping: "timeStamping", x509.ExtKeyUsageOCSPSigning: "OCSPSigning",
}

func describeCertificate(c *x509.Certificate, now time.Time) Certificate {
	d := Certificate{
		Subject:            keystore.FormatSubject(c.RawSubject),
		Issuer:             keystore.FormatSubject(c.RawIssuer),
		CommonName:         c.Subject.CommonName,
		IssuerCommonName:   c.Issuer.CommonName,
		SANs:               sans(c.DNSNames, c.EmailAddresses, c.IPAddresses, c.URIs),
		Serial:             hex.EncodeToString(c.SerialNumber.Bytes()),
		NotBefore:          c.NotBefore.UTC(),
		NotAfter:           c.NotAfter.UTC(),
		DaysLeft:           daysLeft(c.NotAfter, now),
		Expired:            now.After(c.NotAfter),
		Key:                keystore.KeyDescription(c.PublicKey),
		SignatureAlgorithm: c.SignatureAlgorithm.String(),
		IsCA:               c.IsCA,
		SelfSigned:         selfSigned(c),
		SHA256:             fingerprint(c.Raw),
		PublicKeySHA256:    publicKeyFingerprint(c.PublicKey),
		OCSP:               c.OCSPServer,
		CAIssuers:          c.IssuingCertificateURL,
		CRL:                c.CRLDistributionPoints,
	}
	for _, u := range c.ExtKeyUsage {
		if s, ok := ekuText[u]; ok {
			d.EKU = append(d.EKU, s)
		} else {
			d.EKU = append(d.EKU, fmt.Sprintf("EKU(%d)", u))
		}
	}
	for _, oid := range c.UnknownExtKeyUsage {
		d.EKU = append(d.EKU, oid.String())
	}
	return d
}

func sans(dns, emails []string, ips []net.IP, uris []*url.URL) []string {
	var out []string
	for _, n := range dns {
		out = append(out, "DNS:"+n)
	}
	for _, e := range emails {
		out = append(out, "email:"+e)
	}
	for _, ip := range ips {
		out = append(out, "IP:"+ip.String())
	}
	for _, u := range uris {
		out = append(out, "URI:"+u.String())
	}
	return out
}

// selfSigned judges by names and key ids, not by verifying the signature:
// inspecting a 200-certificate bundle must stay fast, and a root whose
// names match but whose signature does not is not a case users meet.
func selfSigned(c *x509.Certificate) bool {
	if !bytes.Equal(c.RawIssuer, c.RawSubject) {
		return false
	}
	return len(c.AuthorityKeyId) == 0 || bytes.Equal(c.AuthorityKeyId, c.SubjectKeyId)
}
