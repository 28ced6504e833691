package diagnose

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/classify"
)

func (r *run) stepTLS(ctx context.Context, st *Step) {
	r.report.TLS = &TLSInfo{}
	r.facts.Chain = r.local.chain
	tickets := ticketSignal(make(chan struct{}, 1))
	cfg := r.tlsConfig(tickets)
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
	r.facts.Version = cs.Version
	info.ClientCertRequested, info.ClientCertSent = r.facts.Requested, r.facts.Sent
	info.AcceptableCAs, info.AcceptableCAsOmitted = boundNames(r.facts.AcceptableNames(), MaxAcceptableCAs)
	info.ALPN = cs.NegotiatedProtocol
	if err == nil && cs.Version == tls.VersionTLS13 && r.facts.Requested {
		err = r.awaitVerdict(ctx, conn, tickets)
	}
	if err != nil {
		id, detail := r.classifyTLS(ctx, err)
		fail(st, id, "%s", detail)
		r.chainFix(st)
		return
	}
	r.conn = conn
	// TLS 1.3 has no renegotiation and Go offers no post-handshake
	// authentication: without a CertificateRequest in the handshake, the
	// server will never ask. An inspection product's chain then settles it
	// at once; otherwise the http step decides, so that a server's own
	// words about the certificate are heard (and TLS 1.2 may still ask by
	// renegotiating).
	if why := r.expectsMutualTLS(); why != "" && cs.Version == tls.VersionTLS13 && !r.facts.Requested {
		if id, detail := classify.NotRequested(r.facts.Peer, r.host, why); id == cause.TLSIntercepted {
			fail(st, id, "%s", detail)
			return
		}
	}
	st.Detail = r.tlsSummary(info)
	if d, ok := classify.InterceptionWarning(r.facts.Peer, r.host); ok {
		// A warning: an API key or token gets through, decrypted on the way.
		addFinding(st, Finding{Cause: cause.Get(cause.TLSIntercepted), Detail: d}, false)
	}
}

// tlsConfig is the client configuration of every handshake with the
// server; tickets (may be nil) learns of session tickets.
func (r *run) tlsConfig(tickets ticketSignal) *tls.Config {
	return &tls.Config{
		ServerName: r.host,
		// Verification is not skipped: verifyServer does all of it (chain to
		// --cacert or the system roots, host name, validity). Doing it there
		// rather than in crypto/tls lets us record the server's chain even
		// when it does not verify.
		InsecureSkipVerify:   true,
		VerifyConnection:     r.verifyServer,
		GetClientCertificate: r.clientCertificate,
		MinVersion:           tls.VersionTLS12,
		// As curl: HTTP/2 when the server offers it (the http step speaks
		// either), else HTTP/1.1.
		NextProtos:         []string{"h2", "http/1.1"},
		ClientSessionCache: tickets,
		// Some servers (IIS) ask for the client certificate by renegotiating
		// after seeing the request path; curl follows, so do we.
		Renegotiation: tls.RenegotiateOnceAsClient,
	}
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
	case r.facts.Requested && r.facts.Sent:
		b.WriteString("; client certificate requested and sent")
	case r.facts.Requested:
		b.WriteString("; client certificate requested, none sent")
	case r.local.chain != nil:
		b.WriteString("; the server did not ask for a client certificate")
	}
	return b.String()
}

// verifyServer verifies the server's chain in full and records its summary.
// Verification is classify's, not crypto/tls's, so that the chain is
// recorded even when it does not verify.
func (r *run) verifyServer(cs tls.ConnectionState) error {
	r.facts.Peer = cs.PeerCertificates
	if len(r.report.TLS.ServerChain) == 0 { // once: a redirect's handshake is with the same server
		for _, c := range cs.PeerCertificates {
			r.report.TLS.ServerChain = append(r.report.TLS.ServerChain, summarize(c))
		}
	}
	r.facts.VerifyErr = classify.VerifyServer(cs.PeerCertificates, r.local.roots, r.host, r.now())
	return r.facts.VerifyErr
}

// clientCertificate answers the server's CertificateRequest and records it.
func (r *run) clientCertificate(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
	var cert *tls.Certificate
	if r.local.chain != nil && r.local.key != nil {
		cert = &tls.Certificate{PrivateKey: r.local.key, Leaf: r.local.chain[0]}
		for _, c := range r.local.chain {
			cert.Certificate = append(cert.Certificate, c.Raw)
		}
	}
	return r.facts.AnswerRequest(cri, cert), nil
}

func summarize(c *x509.Certificate) CertSummary {
	sum := sha256.Sum256(c.Raw)
	return CertSummary{Subject: classify.SubjectName(c.Subject), Issuer: classify.SubjectName(c.Issuer),
		NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(), DNSNames: c.DNSNames,
		SHA256: hex.EncodeToString(sum[:])}
}

// classifyTLS names the cause of a failed handshake or of a failed first
// read after a TLS 1.3 handshake, and says what led to it.
func (r *run) classifyTLS(ctx context.Context, err error) (cause.ID, string) {
	if ctx.Err() != nil && !classify.IsTimeout(err) {
		err = fmt.Errorf("%w (%v)", context.DeadlineExceeded, err)
	}
	e := r.facts
	e.Err, e.Stage = err, classify.StageHandshake
	e.Host, e.Now, e.Trust, e.CertSource = r.host, r.now(), "the system CA roots", "--cert"
	if r.opts.CACertFile != "" {
		e.Trust = "--cacert " + r.opts.CACertFile
	}
	return classify.Classify(e)
}
