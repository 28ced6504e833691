package classify

import (
	"bytes"
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"syscall"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/idn"
)

// VerifyServer verifies a server's chain in full: to roots (nil: the
// system roots) at now, then the host name, in the order curl and OpenSSL
// report them. Go's own verification checks the name first; onramp's
// callers use this one (InsecureSkipVerify with VerifyConnection) so that
// every command names the same cause for the same chain.
func VerifyServer(peer []*x509.Certificate, roots *x509.CertPool, host string, now time.Time) error {
	if len(peer) == 0 {
		return errors.New("the server sent no certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range peer[1:] {
		inter.AddCert(c)
	}
	leaf := peer[0]
	_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now})
	if err == nil {
		err = leaf.VerifyHostname(host)
	}
	return err
}

func isVerifyError(err error) bool {
	var he x509.HostnameError
	var ce x509.CertificateInvalidError
	var ue x509.UnknownAuthorityError
	return errors.As(err, &he) || errors.As(err, &ce) || errors.As(err, &ue)
}

func (e *Evidence) now() time.Time {
	if e.Now.IsZero() {
		return time.Now()
	}
	return e.Now
}

// trust names what the server's chain was checked against, for details.
func (e *Evidence) trust() string {
	if e.Trust == "" {
		return "the system CA roots"
	}
	return e.Trust
}

// server names why the server's certificate did not verify.
func (e *Evidence) server() (cause.ID, string) {
	err, peer := e.VerifyErr, e.Peer
	var he x509.HostnameError
	var ce x509.CertificateInvalidError
	var ue x509.UnknownAuthorityError
	switch {
	case len(peer) == 0:
		return cause.TLSHandshakeFailed, err.Error()
	case errors.As(err, &he):
		return cause.ServerCertHostnameMismatch, fmt.Sprintf("the server's certificate is not for %s: %v", idn.Display(he.Host), err)
	case errors.As(err, &ce) && ce.Reason == x509.Expired:
		c := ce.Cert
		if e.now().Before(c.NotBefore) {
			return cause.ServerCertNotYetValid, fmt.Sprintf("server certificate %q is valid from %s; this machine's clock says %s", SubjectName(c.Subject), c.NotBefore.UTC().Format(time.RFC3339), e.now().UTC().Format(time.RFC3339))
		}
		return cause.ServerCertExpired, fmt.Sprintf("server certificate %q expired on %s", SubjectName(c.Subject), c.NotAfter.UTC().Format(time.RFC3339))
	case errors.As(err, &ue):
		if id, d, ok := intercepted(peer, e.Host, e.trust()); ok {
			return id, d
		}
		return e.unknownAuthority(peer)
	}
	return cause.ServerCertUntrusted, err.Error()
}

// unknownAuthority tells a self-signed certificate, a chain the server sent
// without its intermediate, and a chain to a root the CA bundle does not
// hold apart.
func (e *Evidence) unknownAuthority(peer []*x509.Certificate) (cause.ID, string) {
	trust := e.trust()
	leaf := peer[0]
	// CheckSignature, not CheckSignatureFrom: a self-signed leaf is usually
	// not a CA, and CheckSignatureFrom insists its parent be one.
	if SelfIssued(leaf) && leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature) == nil {
		return cause.ServerCertSelfSigned, fmt.Sprintf("server certificate %q is self-signed and not in %s", SubjectName(leaf.Subject), trust)
	}
	top := leaf
	for range peer {
		i := slices.IndexFunc(peer[1:], func(c *x509.Certificate) bool {
			return bytes.Equal(c.RawSubject, top.RawIssuer) && top.CheckSignatureFrom(c) == nil
		})
		if i < 0 || SelfIssued(top) {
			break
		}
		top = peer[1+i]
	}
	if SelfIssued(top) {
		return cause.ServerCertUntrusted, fmt.Sprintf("the server's chain ends at %q, which is not in %s (unable to get local issuer certificate)", SubjectName(top.Subject), trust)
	}
	if top == leaf && likelyIntermediate(leaf) {
		return cause.ServerChainIncomplete, fmt.Sprintf("server certificate %q is issued by %q, an intermediate CA the server did not send and %s does not hold (unable to verify the first certificate)", SubjectName(leaf.Subject), SubjectName(leaf.Issuer), trust)
	}
	return cause.ServerCertUntrusted, fmt.Sprintf("the server's certificate is issued by %q, which is not in %s (unable to get local issuer certificate)", SubjectName(top.Issuer), trust)
}

// likelyIntermediate guesses whether a leaf's unknown issuer is an
// intermediate (so the server's chain is incomplete) rather than a root the
// bundle lacks: the leaf says where to fetch its issuer (public CAs do), or
// the issuer's name says it is an intermediate.
func likelyIntermediate(leaf *x509.Certificate) bool {
	return len(leaf.IssuingCertificateURL) > 0 || !looksLikeRootIssued(leaf)
}

// SubjectName is a certificate name for people: its CN, or the whole name.
func SubjectName(n pkix.Name) string {
	if n.CommonName != "" {
		return n.CommonName
	}
	return n.String()
}

// DN renders a raw DER distinguished name as text.
func DN(raw []byte) string {
	var seq pkix.RDNSequence
	if rest, err := asn1.Unmarshal(raw, &seq); err != nil || len(rest) > 0 {
		return "(unparsable name " + hex.EncodeToString(raw) + ")"
	}
	var n pkix.Name
	n.FillFromRDNSequence(&seq)
	return n.String()
}

// IsTimeout says whether err is a deadline or a network timeout.
func IsTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// Net names a connection-level failure (refused, reset, timeout), or "".
func Net(err error) cause.ID {
	if id := Proxy(err); id != "" {
		return id
	}
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return cause.TCPRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return cause.TCPReset
	case IsTimeout(err):
		return cause.TCPTimeout
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return cause.TCPTimeout
	}
	return ""
}

// dnsError names a failed lookup, or "".
func dnsError(err error) cause.ID {
	var de *net.DNSError
	switch {
	case !errors.As(err, &de):
		return ""
	case de.IsNotFound:
		return cause.DNSNoSuchHost
	}
	return cause.DNSFailure
}
