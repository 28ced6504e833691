package diagnose

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/classify"
	"github.com/onramp-cli/onramp/keystore"
)

// ExpiryWarning is how close to its end a certificate's validity must be to
// warn (HMPPS starts its expiry alerts 30 days before).
const ExpiryWarning = 30 * 24 * time.Hour

// ClientCertFindings checks a client certificate file's contents (leaf
// first, then any chain) the way a server will: validity, clientAuth, and a
// missing intermediate. These pure checks are shared by diagnose's local
// step and by inspect.
func ClientCertFindings(chain []*x509.Certificate, now time.Time) []Finding {
	if len(chain) == 0 {
		return nil
	}
	leaf := chain[0]
	var out []Finding
	add := func(id cause.ID, format string, a ...any) {
		out = append(out, Finding{Cause: cause.Get(id), Detail: fmt.Sprintf(format, a...)})
	}
	switch {
	case now.After(leaf.NotAfter):
		add(cause.ClientCertExpired, "%s expired on %s (%s ago)", name(leaf), leaf.NotAfter.UTC().Format(time.RFC3339), days(now.Sub(leaf.NotAfter)))
	case now.Before(leaf.NotBefore):
		add(cause.ClientCertNotYetValid, "%s is valid from %s (in %s)", name(leaf), leaf.NotBefore.UTC().Format(time.RFC3339), days(leaf.NotBefore.Sub(now)))
	case leaf.NotAfter.Sub(now) < ExpiryWarning:
		left := leaf.NotAfter.Sub(now)
		out = append(out, Finding{Cause: ExpiringClientCert(left), Warning: true,
			Detail: fmt.Sprintf("%s expires on %s: %s left; renew it now", name(leaf), leaf.NotAfter.UTC().Format(time.RFC3339), days(left))})
	}
	if !allowsClientAuth(leaf) {
		add(cause.ClientCertNoClientAuth, "%s has extended key usage %s, without clientAuth", name(leaf), ekuNames(leaf))
	}
	if classify.MissingIntermediate(chain) {
		add(cause.ClientChainIncomplete, "%s is issued by %q, which is not in the certificate file", name(leaf), leaf.Issuer.String())
	}
	return out
}

// ExpiringClientCert is the cause of the early warning about a client
// certificate still valid for left: client-cert-expired's id and fix (the
// same remedy, in time), with a headline that says when it expires rather
// than that it has.
func ExpiringClientCert(left time.Duration) *cause.Cause {
	c := *cause.Get(cause.ClientCertExpired)
	c.Title = "The client certificate expires in " + days(left)
	c.Meaning = "It is still valid, but from then on servers refuse it (TLS alert certificate_expired), and a new certificate takes days to get."
	return &c
}

// IsExpiryWarning says whether f is the early warning of an expiry rather
// than an expired certificate: a warn, not a fail.
func IsExpiryWarning(f Finding, chain []*x509.Certificate, now time.Time) bool {
	return f.Cause.ID == cause.ClientCertExpired && len(chain) > 0 && now.Before(chain[0].NotAfter)
}

// KeyMatchFinding checks that key is the private key of cert.
func KeyMatchFinding(cert *x509.Certificate, key crypto.Signer) *Finding {
	if keystore.PublicKeysEqual(key.Public(), cert.PublicKey) {
		return nil
	}
	return &Finding{Cause: cause.Get(cause.KeyCertMismatch),
		Detail: fmt.Sprintf("the private key's public key is not the one in %s", name(cert))}
}

func name(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return fmt.Sprintf("certificate %q", c.Subject.CommonName)
	}
	return "the certificate"
}

// days says how long d is in whole days, or in hours below a day.
func days(d time.Duration) string {
	switch n, h := int(d.Hours()/24), int(d.Hours()); {
	case n > 1:
		return fmt.Sprintf("%d days", n)
	case n == 1:
		return "1 day"
	case h > 1:
		return fmt.Sprintf("%d hours", h)
	case h == 1:
		return "1 hour"
	default:
		return "less than an hour"
	}
}

func allowsClientAuth(c *x509.Certificate) bool {
	if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		return true // no EKU extension: any use is allowed
	}
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageClientAuth || u == x509.ExtKeyUsageAny {
			return true
		}
	}
	return false
}

var ekuText = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageServerAuth: "serverAuth", x509.ExtKeyUsageClientAuth: "clientAuth",
	x509.ExtKeyUsageCodeSigning: "codeSigning", x509.ExtKeyUsageEmailProtection: "emailProtection",
	x509.ExtKeyUsageTimeStamping: "timeStamping", x509.ExtKeyUsageOCSPSigning: "OCSPSigning",
}

func ekuNames(c *x509.Certificate) string {
	var b bytes.Buffer
	for i, u := range c.ExtKeyUsage {
		if i > 0 {
			b.WriteString(", ")
		}
		if s, ok := ekuText[u]; ok {
			b.WriteString(s)
		} else {
			fmt.Fprintf(&b, "EKU(%d)", u)
		}
	}
	if b.Len() == 0 {
		return "(none)"
	}
	return b.String()
}

// MessageKey is a key pair that signs or encrypts messages (not TLS):
// Purpose names it ("signing", "encryption"); either file may be empty.
type MessageKey struct {
	Purpose  string
	CertFile string
	KeyFile  string
}

// MessageKeyFindings checks a message key pair on this machine: both files
// readable, the certificate in date (and not about to expire), the key the
// certificate's. pass opens an encrypted key; without it the match is not
// checked.
func MessageKeyFindings(m MessageKey, pass []byte, now time.Time) []Finding {
	var out []Finding
	var leaf *x509.Certificate
	if m.CertFile != "" {
		chain, err := keystore.ReadCertificates(m.CertFile)
		if err != nil {
			out = append(out, findingOf(err, m.Purpose+"_cert"))
		} else {
			leaf = chain[0]
			if f := messageCertValidity(m, leaf, now); f != nil {
				out = append(out, *f)
			}
		}
	}
	if m.KeyFile != "" {
		key, err := keystore.ReadPrivateKey(m.KeyFile, pass)
		var ke *keystore.Error
		switch {
		case err != nil && errors.As(err, &ke) && ke.ID == cause.KeyEncryptedNoPassphrase:
			// Encrypted: the match is checked where the key is used.
		case err != nil:
			out = append(out, findingOf(err, m.Purpose+"_key"))
		case leaf != nil:
			if f := KeyMatchFinding(leaf, key); f != nil {
				f.Detail = fmt.Sprintf("the %s key %s is not the key of the %s certificate %s", m.Purpose, m.KeyFile, m.Purpose, m.CertFile)
				out = append(out, *f)
			}
		}
	}
	return out
}

// messageCertValidity is the finding about a message certificate's dates:
// client-cert-expired's id and fix, in the words of its purpose.
func messageCertValidity(m MessageKey, leaf *x509.Certificate, now time.Time) *Finding {
	what := m.Purpose + " certificate"
	when := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	var c cause.Cause
	var detail string
	switch {
	case now.After(leaf.NotAfter):
		c = *cause.Get(cause.ClientCertExpired)
		c.Title = "The " + what + " has expired"
		detail = fmt.Sprintf("the %s %s expired on %s (%s ago)", what, m.CertFile, when(leaf.NotAfter), days(now.Sub(leaf.NotAfter)))
	case now.Before(leaf.NotBefore):
		c = *cause.Get(cause.ClientCertNotYetValid)
		c.Title = "The " + what + " is not valid yet"
		detail = fmt.Sprintf("the %s %s is valid from %s (in %s)", what, m.CertFile, when(leaf.NotBefore), days(leaf.NotBefore.Sub(now)))
	case leaf.NotAfter.Sub(now) < ExpiryWarning:
		left := leaf.NotAfter.Sub(now)
		c = *ExpiringClientCert(left)
		c.Title = "The " + what + " expires in " + days(left)
		detail = fmt.Sprintf("the %s %s expires on %s: %s left; renew it now", what, m.CertFile, when(leaf.NotAfter), days(left))
	default:
		return nil
	}
	c.Meaning = "A provider normally refuses message keys whose certificate is outside its validity; the TLS connection itself does not use this certificate, so the connection check can still pass."
	return &Finding{Cause: &c, Detail: detail}
}
