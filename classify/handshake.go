package classify

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/cause"
)

// Stage is how far a connection got when it failed, as far as the caller
// knows it.
type Stage int

const (
	// StageUnknown: somewhere in a request (connect, handshake or exchange).
	StageUnknown Stage = iota
	// StageConnect: the TCP connect (or the DNS lookup before it).
	StageConnect
	// StageHandshake: the TLS handshake, or the first read after a TLS 1.3
	// handshake, where the server's verdict on a client certificate arrives.
	StageHandshake
)

// Evidence is what a caller knows about a failed connection. Fill in what
// you have; every field but Err may be left empty.
type Evidence struct {
	Err   error
	Stage Stage
	// Requested: the server sent a CertificateRequest; Acceptable is its
	// list of CA names (raw DER distinguished names).
	Requested  bool
	Acceptable [][]byte
	// Sent: a client certificate answered the request.
	Sent bool
	// Version is the TLS version the handshake agreed, 0 when unknown.
	Version uint16
	// Chain is the client certificate we have, leaf first; nil when none.
	Chain []*x509.Certificate
	// Peer is the server's chain as sent, unverified. When the caller
	// verified it, VerifyErr is why it failed (nil when it verified). A
	// tls.CertificateVerificationError in Err fills both.
	Peer      []*x509.Certificate
	VerifyErr error
	// Host is the name the server's certificate was checked against; Now
	// the time it was checked at (zero: time.Now); Trust what it was checked
	// against, for details ("" means the system CA roots).
	Host  string
	Now   time.Time
	Trust string
	// CertSource is how the user names a client certificate, for details
	// ("--cert"); "" for a generic wording.
	CertSource string
	// MissingIssuer is the intermediate CA that issued the client
	// certificate when it is known (found in the CA bundle) and not sent
	// with it: then a refusal is client-chain-incomplete for certain.
	MissingIssuer *x509.Certificate
}

// AnswerRequest records a CertificateRequest and returns what to send
// (GetClientCertificate's answer): cert, or an empty certificate when there
// is none. cert is sent even when the server does not list its issuer, as
// curl does: some servers accept more than they list, and the server's
// answer confirms the diagnosis.
func (e *Evidence) AnswerRequest(cri *tls.CertificateRequestInfo, cert *tls.Certificate) *tls.Certificate {
	e.Requested = true
	e.Acceptable = cri.AcceptableCAs
	if cert == nil || len(cert.Certificate) == 0 {
		return &tls.Certificate{}
	}
	e.Sent = true
	return cert
}

// IssuerUnlisted says whether we sent a certificate whose chain reaches
// none of the CAs the server listed in its CertificateRequest.
func (e *Evidence) IssuerUnlisted() bool {
	return e.Sent && len(e.Chain) > 0 && len(e.Acceptable) > 0 && !issuerAccepted(e.Chain, e.Acceptable)
}

// issuerAccepted says whether the chain we send reaches a CA the server
// listed: the leaf's issuer, or any certificate of the chain or its issuer.
func issuerAccepted(chain []*x509.Certificate, acceptable [][]byte) bool {
	names := [][]byte{chain[0].RawIssuer}
	for _, c := range chain[1:] {
		names = append(names, c.RawSubject, c.RawIssuer)
	}
	for _, a := range acceptable {
		for _, n := range names {
			if bytes.Equal(a, n) {
				return true
			}
		}
	}
	return false
}

// AcceptableNames are the CertificateRequest's CA names as text.
func (e *Evidence) AcceptableNames() []string {
	var out []string
	for _, raw := range e.Acceptable {
		out = append(out, DN(raw))
	}
	return out
}

// facts is Evidence with what the rules derive from it.
type facts struct {
	*Evidence
	alert    Alert
	hasAlert bool
	// chainGuess: our chain looks like it misses an intermediate, and the
	// server did not list the leaf's issuer.
	chainGuess bool
}

// rule maps facts to a cause; the first rule that matches wins.
// alertsOwn as id stands for the cause the alert table gives.
type rule struct {
	id    cause.ID
	match func(f *facts) bool
}

func (f *facts) alertMeans(ids ...cause.ID) bool {
	return f.hasAlert && slices.ContainsFunc(ids, f.alert.Means)
}

func errText(words ...string) func(f *facts) bool {
	return func(f *facts) bool {
		msg := f.Err.Error()
		return slices.ContainsFunc(words, func(w string) bool { return strings.Contains(msg, w) })
	}
}

const alertsOwn cause.ID = ""

func (f *facts) alertCause() cause.ID {
	if f.hasAlert {
		return f.alert.Received[0]
	}
	a, _ := SentAlert(f.Err)
	return a.Sent
}

var rules = []rule{
	{cause.DNSNoSuchHost, func(f *facts) bool { return dnsError(f.Err) == cause.DNSNoSuchHost }},
	{cause.DNSFailure, func(f *facts) bool { return dnsError(f.Err) == cause.DNSFailure }},
	{cause.TCPRefused, func(f *facts) bool { return Net(f.Err) == cause.TCPRefused }},
	{cause.TLSHandshakeTimeout, func(f *facts) bool { return f.Stage == StageHandshake && IsTimeout(f.Err) }},
	{cause.TCPTimeout, func(f *facts) bool { return IsTimeout(f.Err) }},
	{cause.TLSNotTLS, func(f *facts) bool {
		var rh tls.RecordHeaderError
		return errors.As(f.Err, &rh) || errors.Is(f.Err, http.ErrSchemeMismatch)
	}},
	// A server that asked for a certificate and got none answers with
	// certificate_required (TLS 1.3), or with a refusal or handshake_failure.
	{cause.ClientCertNotSent, func(f *facts) bool {
		return f.alertMeans(cause.ClientCertNotSent, cause.ClientCertRejected) && f.Requested && !f.Sent
	}},
	{cause.ClientChainIncomplete, func(f *facts) bool {
		return f.alertMeans(cause.ClientCertRejected) && f.Sent && f.chainGuess
	}},
	{cause.ClientCertWrongIssuer, func(f *facts) bool {
		return f.alertMeans(cause.ClientCertRejected) && f.IssuerUnlisted()
	}},
	// Otherwise a received alert means what the table says.
	{alertsOwn, func(f *facts) bool { return f.hasAlert && len(f.alert.Received) > 0 }},
	{alertsOwn, func(f *facts) bool { a, ok := SentAlert(f.Err); return ok && a.Sent != "" }},
	{cause.TLSVersionMismatch, errText("unsupported protocol version", "no supported versions", "offered only unsupported versions")},
	{cause.TLSNoCommonCipher, errText("no cipher suite supported", "no mutual cipher")},
	// A TLS 1.3 server that refuses the client certificate sends its alert
	// and closes; when the request the client wrote meanwhile is still
	// unread there, the server's kernel answers with a reset that can
	// overtake the alert. A reset right after a TLS 1.3 handshake that
	// carried a CertificateRequest is that refusal.
	{cause.ClientCertNotSent, func(f *facts) bool { return f.refusalLost() && !f.Sent }},
	{cause.ClientChainIncomplete, func(f *facts) bool { return f.refusalLost() && f.Sent && f.chainGuess }},
	{cause.ClientCertWrongIssuer, func(f *facts) bool { return f.refusalLost() && f.Sent && f.IssuerUnlisted() }},
	{cause.TCPReset, func(f *facts) bool { return Net(f.Err) == cause.TCPReset }},
}

// refusalLost: the connection was reset, without an alert, after a TLS 1.3
// handshake in which the server asked for a client certificate.
func (f *facts) refusalLost() bool {
	return !f.hasAlert && f.Version == tls.VersionTLS13 && f.Requested && f.Stage != StageConnect && Net(f.Err) == cause.TCPReset
}

// Classify names the cause of a failed connection, handshake or first read
// after a TLS 1.3 handshake, and says what led to it.
func Classify(e Evidence) (cause.ID, string) {
	if e.Err == nil && e.VerifyErr == nil {
		return "", ""
	}
	var cve *tls.CertificateVerificationError
	if e.VerifyErr == nil && (errors.As(e.Err, &cve) || isVerifyError(e.Err)) {
		e.VerifyErr = e.Err
	}
	if e.VerifyErr != nil {
		if errors.As(e.VerifyErr, &cve) {
			e.VerifyErr = cve.Err
			if e.Peer == nil {
				e.Peer = cve.UnverifiedCertificates
			}
		}
		return e.server()
	}
	if id := Proxy(e.Err); id != "" {
		return id, e.Err.Error()
	}
	f := &facts{Evidence: &e}
	f.alert, f.hasAlert = ReceivedAlert(e.Err)
	if len(e.Chain) > 0 && (MissingIntermediate(e.Chain) || e.MissingIssuer != nil) {
		leaf := e.Chain[0]
		f.chainGuess = !slices.ContainsFunc(e.Acceptable, func(a []byte) bool { return bytes.Equal(a, leaf.RawIssuer) })
	}
	id := cause.TLSHandshakeFailed
	for _, r := range rules {
		if r.match(f) {
			id = r.id
			if id == alertsOwn {
				id = f.alertCause()
			}
			break
		}
	}
	return id, f.detail(id)
}

func (f *facts) detail(id cause.ID) string {
	var b strings.Builder
	if f.hasAlert {
		fmt.Fprintf(&b, "the server sent TLS alert %d (%s)", f.alert.Code, f.alert.Name)
	} else {
		b.WriteString(f.Err.Error())
	}
	switch id {
	case cause.TLSHandshakeTimeout:
		b.Reset()
		b.WriteString("TCP connected but the TLS handshake did not finish in time: the server never answered the ClientHello (a non-TLS service, or a proxy holding the connection)")
	case cause.TCPTimeout:
		b.Reset()
		b.WriteString("no answer before the deadline: a firewall, an IP allow-list that does not include this machine, or the wrong host or port")
	case cause.TLSNotTLS:
		b.WriteString(": this port does not speak TLS (plain HTTP?)")
	case cause.ClientCertNotSent:
		b.WriteString("; the server asked for a client certificate and none was sent")
		if len(f.Chain) == 0 {
			fmt.Fprintf(&b, " (no %s given)", f.certSource("client certificate"))
		}
	case cause.ClientCertWrongIssuer:
		fmt.Fprintf(&b, "; your certificate is issued by %q, but the server accepts certificates from: %s",
			f.Chain[0].Issuer.String(), NameList(f.AcceptableNames(), 0, 10))
	case cause.ClientChainIncomplete:
		fmt.Fprintf(&b, "; your certificate is issued by %q, which the server does not list and your %s file does not carry", f.Chain[0].Issuer.String(), f.certSource("certificate"))
		if f.MissingIssuer != nil {
			b.WriteString(" (it is in your CA bundle, which only says whom this machine trusts: the server needs it sent after your certificate)")
		}
	}
	return b.String()
}

func (f *facts) certSource(generic string) string {
	if f.CertSource != "" {
		return f.CertSource
	}
	return generic
}

// MissingIntermediate guesses that a client chain needs an intermediate it
// does not carry: the leaf is not self-issued, its issuer is not in the
// chain, and the issuer's name says it is an intermediate.
func MissingIntermediate(chain []*x509.Certificate) bool {
	leaf := chain[0]
	return !SelfIssued(leaf) && !issuerPresent(leaf, chain[1:]) && !looksLikeRootIssued(leaf)
}

// SelfIssued says whether a certificate's issuer is its own subject.
func SelfIssued(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject)
}

func issuerPresent(leaf *x509.Certificate, rest []*x509.Certificate) bool {
	return slices.ContainsFunc(rest, func(c *x509.Certificate) bool { return bytes.Equal(leaf.RawIssuer, c.RawSubject) })
}

// looksLikeRootIssued guesses whether the issuer is a root the server holds
// anyway: we cannot know, so only a leaf whose issuer's own name says
// "Intermediate" or "Issuing" counts as missing its chain.
func looksLikeRootIssued(leaf *x509.Certificate) bool {
	cn := leaf.Issuer.CommonName
	for _, w := range []string{"Intermediate", "intermediate", "Issuing", "issuing", "Sub CA", "SubCA"} {
		if strings.Contains(cn, w) {
			return false
		}
	}
	return true
}

// NameList joins the first show names for a one-line detail, saying how
// many more there are (omitted were dropped before): a server may name
// thousands of CAs.
func NameList(names []string, omitted, show int) string {
	more := omitted
	if len(names) > show {
		more += len(names) - show
		names = names[:show]
	}
	s := strings.Join(names, "; ")
	if more > 0 {
		s += fmt.Sprintf("; and %d more (onramp diagnose --report lists them)", more)
	}
	return s
}
