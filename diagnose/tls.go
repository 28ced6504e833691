package diagnose

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/onramp-cli/onramp/cause"
)

// handshakeFacts is what the handshake showed, gathered by the tls.Config
// callbacks and used to classify a failure.
type handshakeFacts struct {
	requested     bool     // the server sent a CertificateRequest
	sent          bool     // we answered it with a certificate
	acceptable    [][]byte // the CertificateRequest's CA names (raw DNs)
	issuerUnknown bool     // our certificate's issuers are not among them
	verifyErr     error    // our verification of the server's chain
	peer          []*x509.Certificate
}

func (r *run) stepTLS(ctx context.Context, st *Step) {
	r.report.TLS = &TLSInfo{}
	tickets := ticketSignal(make(chan struct{}, 1))
	cfg := &tls.Config{
		ServerName: r.host,
		// Verification is not skipped: verifyServer does all of it (chain to
		// --cacert or the system roots, host name, validity). Doing it there
		// rather than in crypto/tls lets us record the server's chain even
		// when it does not verify.
		InsecureSkipVerify:   true,
		VerifyConnection:     r.verifyServer,
		GetClientCertificate: r.clientCertificate,
		MinVersion:           tls.VersionTLS12,
		NextProtos:           []string{"http/1.1"},
		ClientSessionCache:   tickets,
		// Some servers (IIS) ask for the client certificate by renegotiating
		// after seeing the request path; curl follows, so do we.
		Renegotiation: tls.RenegotiateOnceAsClient,
	}
	conn := tls.Client(r.raw, cfg)
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	err := conn.HandshakeContext(ctx)
	cs := conn.ConnectionState()
	info := r.report.TLS
	if cs.Version != 0 {
		info.Version = tls.VersionName(cs.Version)
	}
	if cs.CipherSuite != 0 {
		info.CipherSuite = tls.CipherSuiteName(cs.CipherSuite)
	}
	info.ClientCertRequested, info.ClientCertSent = r.facts.requested, r.facts.sent
	for _, raw := range r.facts.acceptable {
		info.AcceptableCAs = append(info.AcceptableCAs, dnString(raw))
	}
	if err == nil && cs.Version == tls.VersionTLS13 && r.facts.requested {
		err = r.awaitVerdict(ctx, conn, tickets)
	}
	if err != nil {
		id, detail := r.classifyTLS(ctx, err)
		fail(st, id, "%s", detail)
		return
	}
	r.conn = conn
	st.Detail = r.tlsSummary(info)
}

// VerdictWait bounds how long the tls step waits, after a TLS 1.3
// handshake with a CertificateRequest, for the server's verdict on the
// client certificate.
const VerdictWait = 300 * time.Millisecond

// awaitVerdict learns whether a TLS 1.3 server accepted our client
// certificate. In TLS 1.3 the client's handshake ends before the server has
// checked the certificate, so a refusal only arrives as an alert on the
// first read. A server that accepted it sends session tickets (crypto/tls,
// OpenSSL and nginx do), so the wait ends as soon as a ticket, an alert or
// VerdictWait comes. Bytes read early are kept for the http step.
func (r *run) awaitVerdict(ctx context.Context, conn *tls.Conn, tickets ticketSignal) error {
	wait := VerdictWait
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
		wait = time.Until(dl)
	}
	type result struct {
		n   int
		err error
	}
	buf := make([]byte, 1)
	done := make(chan result, 1)
	go func() {
		n, err := conn.Read(buf)
		done <- result{n, err}
	}()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	var res result
	finished := false
	select {
	case res = <-done:
		finished = true
	case <-tickets:
	case <-timer.C:
	}
	if !finished {
		// Interrupt the read; a read deadline leaves a tls.Conn usable.
		_ = conn.SetReadDeadline(time.Now())
		res = <-done
		dl, _ := ctx.Deadline()
		_ = conn.SetReadDeadline(dl)
	}
	if res.n > 0 {
		r.early = buf[:res.n]
	}
	if res.err != nil && !errors.Is(res.err, os.ErrDeadlineExceeded) {
		return res.err
	}
	return nil
}

// ticketSignal is a ClientSessionCache that keeps nothing: it only says
// that the server sent a session ticket.
type ticketSignal chan struct{}

func (t ticketSignal) Get(string) (*tls.ClientSessionState, bool) { return nil, false }
func (t ticketSignal) Put(string, *tls.ClientSessionState) {
	select {
	case t <- struct{}{}:
	default:
	}
}

func (r *run) tlsSummary(info *TLSInfo) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s, %s", info.Version, info.CipherSuite)
	if len(info.ServerChain) > 0 {
		leaf := info.ServerChain[0]
		fmt.Fprintf(&b, "; server certificate %q from %q, valid until %s", leaf.Subject, leaf.Issuer, leaf.NotAfter.Format("2006-01-02"))
	}
	switch {
	case r.facts.requested && r.facts.sent:
		b.WriteString("; client certificate requested and sent")
	case r.facts.requested:
		b.WriteString("; client certificate requested, none sent")
	case r.local.chain != nil:
		b.WriteString("; the server did not ask for a client certificate")
	}
	return b.String()
}

// verifyServer verifies the server's chain in full and records its summary.
func (r *run) verifyServer(cs tls.ConnectionState) error {
	r.facts.peer = cs.PeerCertificates
	for _, c := range cs.PeerCertificates {
		r.report.TLS.ServerChain = append(r.report.TLS.ServerChain, summarize(c))
	}
	if len(cs.PeerCertificates) == 0 {
		r.facts.verifyErr = errors.New("the server sent no certificate")
		return r.facts.verifyErr
	}
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	leaf := cs.PeerCertificates[0]
	// The chain first and the name second, as curl and OpenSSL report them.
	_, err := leaf.Verify(x509.VerifyOptions{Roots: r.local.roots, Intermediates: inter, CurrentTime: r.now()})
	if err == nil {
		err = leaf.VerifyHostname(r.host)
	}
	r.facts.verifyErr = err
	return err
}

// clientCertificate answers the server's CertificateRequest and records it.
func (r *run) clientCertificate(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
	r.facts.requested = true
	r.facts.acceptable = cri.AcceptableCAs
	if r.local.chain == nil || r.local.key == nil {
		return &tls.Certificate{}, nil
	}
	cert := &tls.Certificate{PrivateKey: r.local.key, Leaf: r.local.chain[0]}
	for _, c := range r.local.chain {
		cert.Certificate = append(cert.Certificate, c.Raw)
	}
	r.facts.sent = true
	r.facts.issuerUnknown = len(cri.AcceptableCAs) > 0 && !issuerAccepted(r.local.chain, cri.AcceptableCAs)
	// Sent even when the issuer is not listed: the server's answer confirms
	// the diagnosis, and some servers accept more than they list.
	return cert, nil
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

func summarize(c *x509.Certificate) CertSummary {
	sum := sha256.Sum256(c.Raw)
	return CertSummary{Subject: subjectName(c.Subject), Issuer: subjectName(c.Issuer),
		NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(), DNSNames: c.DNSNames,
		SHA256: hex.EncodeToString(sum[:])}
}

func subjectName(n pkix.Name) string {
	if n.CommonName != "" {
		return n.CommonName
	}
	return n.String()
}

// dnString renders a raw DER distinguished name as text.
func dnString(raw []byte) string {
	var seq pkix.RDNSequence
	if rest, err := asn1.Unmarshal(raw, &seq); err != nil || len(rest) > 0 {
		return "(unparsable name " + hex.EncodeToString(raw) + ")"
	}
	var n pkix.Name
	n.FillFromRDNSequence(&seq)
	return n.String()
}

// tlsEvidence is what a TLS failure rule looks at.
type tlsEvidence struct {
	err   error
	alert int // the alert the server sent, -1 when none
	facts *handshakeFacts
	// chainGuess is the local step's guess that our chain misses an
	// intermediate, and the server did not list the leaf's issuer.
	chainGuess bool
}

// tlsRule maps evidence of a failed handshake (or a failed first read after
// a TLS 1.3 handshake) to a cause. The first matching rule wins.
type tlsRule struct {
	id    cause.ID
	match func(e tlsEvidence) bool
}

func alertIs(codes ...int) func(tlsEvidence) bool {
	return func(e tlsEvidence) bool { return slices.Contains(codes, e.alert) }
}

func and(fs ...func(tlsEvidence) bool) func(tlsEvidence) bool {
	return func(e tlsEvidence) bool {
		for _, f := range fs {
			if !f(e) {
				return false
			}
		}
		return true
	}
}

func requestedNotSent(e tlsEvidence) bool { return e.facts.requested && !e.facts.sent }
func issuerUnknown(e tlsEvidence) bool    { return e.facts.sent && e.facts.issuerUnknown }
func chainGuess(e tlsEvidence) bool       { return e.facts.sent && e.chainGuess }

func errText(words ...string) func(tlsEvidence) bool {
	return func(e tlsEvidence) bool {
		msg := e.err.Error()
		for _, w := range words {
			if strings.Contains(msg, w) {
				return true
			}
		}
		return false
	}
}

const (
	alertHandshakeFailure       = 40
	alertBadCertificate         = 42
	alertUnsupportedCertificate = 43
	alertCertificateRevoked     = 44
	alertCertificateExpired     = 45
	alertUnknownCA              = 48
	alertAccessDenied           = 49
	alertDecryptError           = 51
	alertProtocolVersion        = 70
	alertCertificateRequired    = 116
)

var rejected = []int{alertBadCertificate, alertUnknownCA, alertAccessDenied, alertDecryptError}

var tlsRules = []tlsRule{
	{cause.TLSHandshakeTimeout, func(e tlsEvidence) bool { return isTimeout(e.err) }},
	{cause.TLSNotTLS, func(e tlsEvidence) bool { var rh tls.RecordHeaderError; return errors.As(e.err, &rh) }},
	{cause.ClientCertNotSent, alertIs(alertCertificateRequired)},
	{cause.ClientCertNotSent, and(alertIs(append(rejected, alertHandshakeFailure)...), requestedNotSent)},
	{cause.ClientChainIncomplete, and(alertIs(rejected...), chainGuess)},
	{cause.ClientCertWrongIssuer, and(alertIs(rejected...), issuerUnknown)},
	{cause.ClientCertRejected, alertIs(rejected...)},
	{cause.ClientCertRevoked, alertIs(alertCertificateRevoked)},
	{cause.ClientCertExpired, alertIs(alertCertificateExpired)},
	{cause.ClientCertNoClientAuth, alertIs(alertUnsupportedCertificate)},
	{cause.TLSVersionMismatch, alertIs(alertProtocolVersion)},
	{cause.TLSNoCommonCipher, alertIs(alertHandshakeFailure)},
	{cause.TLSVersionMismatch, errText("unsupported protocol version", "no supported versions", "protocol version not supported")},
	{cause.TLSNoCommonCipher, errText("no cipher suite supported", "no mutual cipher")},
	{cause.TCPReset, func(e tlsEvidence) bool { return classifyNetError(e.err) == cause.TCPReset }},
}

// classifyTLS names the cause of a failed handshake or of a failed first
// read after a TLS 1.3 handshake, and says what led to it.
func (r *run) classifyTLS(ctx context.Context, err error) (id cause.ID, detail string) {
	if r.facts.verifyErr != nil {
		return r.classifyVerify(r.facts.verifyErr)
	}
	if ctx.Err() != nil && !isTimeout(err) {
		err = fmt.Errorf("%w (%v)", context.DeadlineExceeded, err)
	}
	e := tlsEvidence{err: err, alert: -1, facts: &r.facts}
	if a, ok := alertCode(err); ok {
		e.alert = a
	}
	if r.local.maybeChainIncomplete != nil && r.local.chain != nil {
		e.chainGuess = !slices.ContainsFunc(r.facts.acceptable, func(a []byte) bool { return bytes.Equal(a, r.local.chain[0].RawIssuer) })
	}
	id = cause.TLSHandshakeFailed
	for _, rule := range tlsRules {
		if rule.match(e) {
			id = rule.id
			break
		}
	}
	return id, r.tlsDetail(id, e)
}

func (r *run) tlsDetail(id cause.ID, e tlsEvidence) string {
	var b strings.Builder
	if e.alert >= 0 {
		fmt.Fprintf(&b, "the server sent TLS alert %d (%s)", e.alert, alertName(e.alert))
	} else {
		b.WriteString(e.err.Error())
	}
	switch id {
	case cause.TLSHandshakeTimeout:
		b.Reset()
		b.WriteString("TCP connected but the TLS handshake did not finish in time: the server never answered the ClientHello (a non-TLS service, or a proxy holding the connection)")
	case cause.TLSNotTLS:
		b.WriteString(": this port does not speak TLS (plain HTTP?)")
	case cause.ClientCertNotSent:
		b.WriteString("; the server asked for a client certificate and none was sent")
		if r.local.chain == nil {
			b.WriteString(" (no --cert given)")
		}
	case cause.ClientCertWrongIssuer:
		fmt.Fprintf(&b, "; your certificate is issued by %q, but the server accepts certificates from: %s",
			r.local.chain[0].Issuer.String(), strings.Join(r.report.TLS.AcceptableCAs, "; "))
	case cause.ClientChainIncomplete:
		fmt.Fprintf(&b, "; your certificate is issued by %q, which the server does not list and your --cert file does not carry", r.local.chain[0].Issuer.String())
	}
	return b.String()
}

// classifyVerify names why the server's certificate did not verify.
func (r *run) classifyVerify(err error) (cause.ID, string) {
	peer := r.facts.peer
	var he x509.HostnameError
	var ce x509.CertificateInvalidError
	var ue x509.UnknownAuthorityError
	switch {
	case len(peer) == 0:
		return cause.TLSHandshakeFailed, err.Error()
	case errors.As(err, &he):
		return cause.ServerCertHostnameMismatch, fmt.Sprintf("the server's certificate is not for %s: %v", r.host, err)
	case errors.As(err, &ce) && ce.Reason == x509.Expired:
		c := ce.Cert
		if r.now().Before(c.NotBefore) {
			return cause.ServerCertNotYetValid, fmt.Sprintf("server certificate %q is valid from %s; this machine's clock says %s", subjectName(c.Subject), c.NotBefore.UTC().Format(time.RFC3339), r.now().UTC().Format(time.RFC3339))
		}
		return cause.ServerCertExpired, fmt.Sprintf("server certificate %q expired on %s", subjectName(c.Subject), c.NotAfter.UTC().Format(time.RFC3339))
	case errors.As(err, &ue):
		return r.classifyUnknownAuthority(peer)
	}
	return cause.ServerCertUntrusted, err.Error()
}

// classifyUnknownAuthority tells a self-signed certificate, a chain the
// server sent without its intermediate, and a chain to a root the CA bundle
// does not hold apart.
func (r *run) classifyUnknownAuthority(peer []*x509.Certificate) (cause.ID, string) {
	trust := "the system CA roots"
	if r.opts.CACertFile != "" {
		trust = "--cacert " + r.opts.CACertFile
	}
	leaf := peer[0]
	// CheckSignature, not CheckSignatureFrom: a self-signed leaf is usually
	// not a CA, and CheckSignatureFrom insists its parent be one.
	if selfIssued(leaf) && leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature) == nil {
		return cause.ServerCertSelfSigned, fmt.Sprintf("server certificate %q is self-signed and not in %s", subjectName(leaf.Subject), trust)
	}
	top := leaf
	for range peer {
		i := slices.IndexFunc(peer[1:], func(c *x509.Certificate) bool {
			return bytes.Equal(c.RawSubject, top.RawIssuer) && top.CheckSignatureFrom(c) == nil
		})
		if i < 0 || selfIssued(top) {
			break
		}
		top = peer[1+i]
	}
	if selfIssued(top) {
		return cause.ServerCertUntrusted, fmt.Sprintf("the server's chain ends at %q, which is not in %s (unable to get local issuer certificate)", subjectName(top.Subject), trust)
	}
	if top == leaf && likelyIntermediate(leaf) {
		return cause.ServerChainIncomplete, fmt.Sprintf("server certificate %q is issued by %q, an intermediate CA the server did not send and %s does not hold (unable to verify the first certificate)", subjectName(leaf.Subject), subjectName(leaf.Issuer), trust)
	}
	return cause.ServerCertUntrusted, fmt.Sprintf("the server's certificate is issued by %q, which is not in %s (unable to get local issuer certificate)", subjectName(top.Issuer), trust)
}

// likelyIntermediate guesses whether a leaf's unknown issuer is an
// intermediate (so the server's chain is incomplete) rather than a root the
// bundle lacks: the leaf says where to fetch its issuer (public CAs do), or
// the issuer's name says it is an intermediate.
func likelyIntermediate(leaf *x509.Certificate) bool {
	return len(leaf.IssuingCertificateURL) > 0 || !looksLikeRootIssued(leaf)
}

// alertCode returns the TLS alert the peer sent. crypto/tls reports a
// received alert as a net.OpError "remote error" wrapping its unexported
// alert type (a uint8); tls.AlertError is what newer paths (QUIC) use.
func alertCode(err error) (int, bool) {
	var ae tls.AlertError
	if errors.As(err, &ae) {
		return int(ae), true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "remote error" && op.Err != nil {
		if v := reflect.ValueOf(op.Err); v.Kind() == reflect.Uint8 {
			return int(v.Uint()), true
		}
	}
	return 0, false
}

var alertNames = map[int]string{
	0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 40: "handshake_failure",
	42: "bad_certificate", 43: "unsupported_certificate", 44: "certificate_revoked",
	45: "certificate_expired", 46: "certificate_unknown", 47: "illegal_parameter",
	48: "unknown_ca", 49: "access_denied", 50: "decode_error", 51: "decrypt_error",
	70: "protocol_version", 71: "insufficient_security", 80: "internal_error",
	86: "inappropriate_fallback", 90: "user_canceled", 109: "missing_extension",
	112: "unrecognized_name", 116: "certificate_required", 120: "no_application_protocol",
}

func alertName(a int) string {
	if n, ok := alertNames[a]; ok {
		return n
	}
	return "unknown alert"
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// classifyNetError names a connection-level failure, or "".
func classifyNetError(err error) cause.ID {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return cause.TCPRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return cause.TCPReset
	case isTimeout(err):
		return cause.TCPTimeout
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return cause.TCPTimeout
	}
	return ""
}
