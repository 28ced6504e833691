package egress

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// DefaultConnectTimeout bounds one TCP connect when Settings.ConnectTimeout
// is zero.
const DefaultConnectTimeout = 10 * time.Second

// Trace is what opening a tunnel through a proxy showed, for the report.
type Trace struct {
	Proxy *Proxy
	// Dialed is the proxy address connected to; Resolved says how it was
	// found ("from --resolve"), "" for the system resolver.
	Dialed   string
	Resolved string
	// Connect, TLS and Tunnel are the times of the TCP connect to the
	// proxy, of the TLS handshake with an https:// proxy, and of the
	// CONNECT exchange.
	Connect, TLS, Tunnel time.Duration
	// Status is the proxy's answer to CONNECT, e.g. "200 Connection
	// established"; "" when none came.
	Status string
}

// ProxyError is a failure to open a tunnel through a proxy. classify names
// its cause: no answer (Status 0), 407, or another refusal.
type ProxyError struct {
	Proxy  *Proxy
	Target string // host:port asked for in CONNECT
	// Op is what failed: "connect" (DNS or TCP to the proxy), "tls" (the
	// handshake with an https:// proxy) or "CONNECT".
	Op string
	// Status is the CONNECT answer's status code, 0 when none came; Reason
	// its text; Authenticate the Proxy-Authenticate header.
	Status       int
	Reason       string
	Authenticate string
	// CredentialsSent says whether a Proxy-Authorization header was sent.
	CredentialsSent bool
	Err             error
}

func (e *ProxyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "proxy %s (from %s)", e.Proxy, e.Proxy.Source)
	switch {
	case e.Status != 0:
		fmt.Fprintf(&b, " answered CONNECT %s with %d %s", e.Target, e.Status, e.Reason)
		if e.AuthRefused() {
			if e.CredentialsSent {
				fmt.Fprintf(&b, "; it refused the credentials from %s", e.Proxy.credSource)
			} else {
				b.WriteString("; no credentials were sent")
			}
			if e.Authenticate != "" {
				fmt.Fprintf(&b, " (Proxy-Authenticate: %s)", e.Authenticate)
				if !strings.Contains(strings.ToLower(e.Authenticate), "basic") {
					b.WriteString("; the proxy asks for a scheme onramp does not speak (only Basic): ask your IT team for Basic authentication or to exempt the API's host")
				}
			}
		}
	case e.Op == "CONNECT":
		fmt.Fprintf(&b, " gave no answer to CONNECT %s: %v", e.Target, e.Err)
	case e.Op == "tls":
		fmt.Fprintf(&b, ": TLS with the proxy failed: %v", e.Err)
		var ua x509.UnknownAuthorityError
		if errors.As(e.Err, &ua) {
			b.WriteString(" (give the proxy's CA bundle with --proxy-cacert FILE; your IT team has it)")
		}
	default:
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *ProxyError) Unwrap() error { return e.Err }

// AuthRefused says whether the proxy wants other credentials: a 407, or the
// 401 some proxies (tinyproxy) send for wrong ones.
func (e *ProxyError) AuthRefused() bool {
	return e.Status == http.StatusProxyAuthRequired || e.Status == http.StatusUnauthorized
}

// Dialer opens connections along the route Settings choose.
type Dialer struct {
	s Settings
	// proxyRoots verifies an https:// proxy's certificate; nil means the
	// system roots.
	proxyRoots *x509.CertPool
}

// NewDialer returns a Dialer for s after checking its proxy setting and
// reading its --proxy-cacert bundle.
func NewDialer(s Settings) (*Dialer, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	d := &Dialer{s: s}
	if s.ProxyCACertFile != "" {
		pem, err := os.ReadFile(s.ProxyCACertFile)
		if err != nil {
			return nil, &UsageError{Msg: fmt.Sprintf("--proxy-cacert: %v", err)}
		}
		d.proxyRoots = x509.NewCertPool()
		if !d.proxyRoots.AppendCertsFromPEM(pem) {
			return nil, &UsageError{Msg: fmt.Sprintf("--proxy-cacert %s: no PEM certificates in it", s.ProxyCACertFile)}
		}
	}
	return d, nil
}

// Settings are the dialer's settings.
func (d *Dialer) Settings() Settings { return d.s }

func (d *Dialer) connectTimeout() time.Duration {
	if d.s.ConnectTimeout > 0 {
		return d.s.ConnectTimeout
	}
	return DefaultConnectTimeout
}

// DialContext connects to addr (host:port) along its route: through the
// proxy with CONNECT, or directly (with --resolve applied). It suits
// http.Transport.DialContext; the connection is plain TCP to the target
// (the caller does TLS with the target over it).
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	rt, err := d.s.RouteTo(host)
	if err != nil {
		return nil, err
	}
	if rt.Proxy != nil {
		c, _, err := d.Tunnel(ctx, rt.Proxy, addr)
		return c, err
	}
	return d.dialDirect(ctx, network, addr)
}

// dialDirect connects to addr without a proxy, with --resolve applied.
func (d *Dialer) dialDirect(ctx context.Context, network, addr string) (net.Conn, error) {
	if to, ok := d.s.Resolve[strings.ToLower(addr)]; ok && strings.Contains(to, ",") {
		// --resolve with several addresses: raced, as the system's
		// addresses are by the standard dialer.
		_, port, _ := net.SplitHostPort(addr)
		won, tried, _ := d.Race(ctx, Interleave(strings.Split(to, ",")), port)
		if won == nil {
			return nil, tried[len(tried)-1].Err
		}
		return won.Conn, nil
	}
	addr, _ = d.resolved(addr)
	nd := net.Dialer{Timeout: d.connectTimeout()}
	return nd.DialContext(ctx, d.network(network), addr)
}

// Tunnel connects to the proxy p and asks it, with CONNECT, for a tunnel
// to target (host:port). The target's name is resolved by the proxy;
// --resolve applies to the proxy's own name only. The trace is filled in
// as far as the exchange got, also on failure.
func (d *Dialer) Tunnel(ctx context.Context, p *Proxy, target string) (net.Conn, *Trace, error) {
	tr := &Trace{Proxy: p, Dialed: p.Address()}
	fail := func(op string, err error) (net.Conn, *Trace, error) {
		return nil, tr, &ProxyError{Proxy: p, Target: target, Op: op, Err: err}
	}
	if a, ok := d.resolved(p.Address()); ok {
		tr.Dialed, tr.Resolved = a, "from --resolve"
	}
	nd := net.Dialer{Timeout: d.connectTimeout()}
	start := time.Now()
	raw, err := nd.DialContext(ctx, d.network("tcp"), tr.Dialed)
	tr.Connect = time.Since(start)
	if err != nil {
		return fail("connect", err)
	}
	tr.Dialed = raw.RemoteAddr().String()
	conn := raw
	// The proxy's TLS handshake and its answer to CONNECT are bounded by
	// the context's deadline or, without one, by the connect timeout (as
	// curl's --connect-timeout bounds the proxy exchange): a proxy that
	// takes the connection and never answers does not hang the caller.
	dl, ok := ctx.Deadline()
	if !ok {
		dl = time.Now().Add(d.connectTimeout())
	}
	_ = raw.SetDeadline(dl)
	if p.URL.Scheme == "https" {
		start = time.Now()
		tc := tls.Client(raw, &tls.Config{ServerName: p.URL.Hostname(), RootCAs: d.proxyRoots,
			MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}})
		err := tc.HandshakeContext(ctx)
		tr.TLS = time.Since(start)
		if err != nil {
			raw.Close()
			return fail("tls", err)
		}
		conn = tc
	}
	start = time.Now()
	c, err := connect(conn, p, target, tr)
	tr.Tunnel = time.Since(start)
	if err != nil {
		conn.Close()
		return nil, tr, err
	}
	_ = raw.SetDeadline(time.Time{})
	return c, tr, nil
}

// connect sends CONNECT over conn and reads the answer.
func connect(conn net.Conn, p *Proxy, target string, tr *Trace) (net.Conn, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "CONNECT %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: onramp\r\nProxy-Connection: Keep-Alive\r\n", target, target)
	sent := p.HasCredentials()
	if sent {
		cred := base64.StdEncoding.EncodeToString([]byte(p.user + ":" + p.password))
		b.WriteString("Proxy-Authorization: Basic " + cred + "\r\n")
	}
	b.WriteString("\r\n")
	if _, err := conn.Write([]byte(b.String())); err != nil {
		return nil, &ProxyError{Proxy: p, Target: target, Op: "CONNECT", Err: err, CredentialsSent: sent}
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		return nil, &ProxyError{Proxy: p, Target: target, Op: "CONNECT", Err: err, CredentialsSent: sent}
	}
	resp.Body.Close()
	tr.Status = strings.TrimSpace(resp.Status)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &ProxyError{Proxy: p, Target: target, Op: "CONNECT", Status: resp.StatusCode,
			Reason:       strings.TrimSpace(strings.TrimPrefix(resp.Status, fmt.Sprint(resp.StatusCode))),
			Authenticate: strings.Join(resp.Header.Values("Proxy-Authenticate"), ", "), CredentialsSent: sent,
			Err: errors.New("CONNECT " + resp.Status)}
	}
	if br.Buffered() > 0 {
		// The proxy sent tunnel bytes with its answer: keep them.
		return &bufferedConn{Conn: conn, r: br}, nil
	}
	return conn, nil
}

type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// network narrows "tcp" to -4/-6's family.
func (d *Dialer) network(n string) string {
	if n == "tcp" && (d.s.IPVersion == 4 || d.s.IPVersion == 6) {
		return fmt.Sprintf("tcp%d", d.s.IPVersion)
	}
	return n
}

// resolved applies --resolve to addr (host:port): the entry's address
// (an IP, or IP:port) with addr's port.
func (d *Dialer) resolved(addr string) (string, bool) {
	to, ok := d.s.Resolve[strings.ToLower(addr)]
	if !ok {
		return addr, false
	}
	to, _, _ = strings.Cut(to, ",") // several addresses: the first
	if h, p, err := net.SplitHostPort(to); err == nil && net.ParseIP(h) != nil {
		return net.JoinHostPort(h, p), true
	}
	_, port, _ := net.SplitHostPort(addr)
	return net.JoinHostPort(strings.Trim(to, "[]"), port), true
}
