package diagnose

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/classify"
	"github.com/onramp-cli/onramp/internal/testenv"
	"github.com/onramp-cli/onramp/internal/testpki"
)

// fixture is a PKI for one test: a root CA, a server certificate from it,
// a client certificate from it, and those as files.
type fixture struct {
	dir               string
	ca                *testpki.CA
	server, client    *testpki.Leaf
	caFile            string
	certFile, keyFile string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{dir: t.TempDir(), ca: testpki.NewCA(t, "Test Root CA")}
	f.server = f.ca.Server(t, testpki.Options{})
	f.client = f.ca.Client(t, testpki.Options{})
	f.caFile = testpki.WriteFile(t, f.dir, "ca.pem", f.ca.CertPEM())
	f.certFile, f.keyFile = f.client.Files(t, f.dir, "client")
	return f
}

// opts are Options for a healthy mTLS call to url.
func (f *fixture) opts(url string) Options {
	return Options{URL: url, CertFile: f.certFile, KeyFile: f.keyFile, CACertFile: f.caFile, Timeout: 5 * time.Second}
}

// serverConfig requires a client certificate from the fixture's CA.
func (f *fixture) serverConfig() *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{f.server.TLSCertificate(true)},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    f.ca.Pool(),
	}
}

// tlsServer is a real HTTPS server on 127.0.0.1 that counts handshakes.
type tlsServer struct {
	URL        string
	handshakes atomic.Int32
}

func startTLS(t *testing.T, cfg *tls.Config, h http.Handler) *tlsServer {
	t.Helper()
	if h == nil {
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"available":true,"scheduledOutages":[]}`)
		})
	}
	ts := &tlsServer{}
	s := httptest.NewUnstartedServer(h)
	cfg = cfg.Clone()
	cfg.GetConfigForClient = func(*tls.ClientHelloInfo) (*tls.Config, error) {
		ts.handshakes.Add(1)
		return nil, nil
	}
	s.TLS = cfg
	s.Config.ErrorLog = quietLog()
	s.StartTLS()
	t.Cleanup(s.Close)
	ts.URL = s.URL
	return ts
}

// rawServer accepts connections on 127.0.0.1 and hands each to serve; it
// stops (closing every connection) when the test ends.
func rawServer(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return "https://" + testenv.ServeConns(t, ln, serve) + "/"
}

// alertServer answers any ClientHello with one TLS alert.
func alertServer(t *testing.T, code byte) string {
	return rawServer(t, func(c net.Conn) {
		buf := make([]byte, 1024)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(buf); err != nil {
			return
		}
		c.Write([]byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, code})
		c.Close()
	})
}

func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }

func runOK(t *testing.T, o Options) *Report {
	t.Helper()
	r := Run(context.Background(), o, nil)
	if !r.OK || r.Cause != nil {
		t.Fatalf("want ok, got cause %v\n%s", causeID(r), textOf(r))
	}
	return r
}

func runFail(t *testing.T, o Options, wantID, wantStep string) *Report {
	t.Helper()
	r := Run(context.Background(), o, nil)
	if r.OK {
		t.Fatalf("want failure %s, got ok\n%s", wantID, textOf(r))
	}
	if causeID(r) != wantID {
		t.Fatalf("want cause %s, got %s\n%s", wantID, causeID(r), textOf(r))
	}
	var failed *Step
	for i, s := range r.Steps {
		if failed != nil && s.Status != Skip {
			t.Errorf("step %s after the failed step has status %s, want skip", s.Name, s.Status)
		}
		if s.Status == Fail && failed == nil {
			failed = &r.Steps[i]
		}
	}
	if failed == nil || failed.Name != wantStep {
		t.Fatalf("want step %s to fail\n%s", wantStep, textOf(r))
	}
	return r
}

func causeID(r *Report) string {
	if r.Cause == nil {
		return "<none>"
	}
	return string(r.Cause.ID)
}

func textOf(r *Report) string {
	var b bytes.Buffer
	RenderText(&b, r, false)
	return b.String()
}

func stepOf(r *Report, name string) Step {
	for _, s := range r.Steps {
		if s.Name == name {
			return s
		}
	}
	return Step{}
}

func TestHealthyMutualTLSOneHandshake(t *testing.T) {
	f := newFixture(t)
	srv := startTLS(t, f.serverConfig(), nil)
	var events []Event
	o := f.opts(srv.URL + "/checks/passport")
	o.ExpectJSON = `{"available":true}`
	r := Run(context.Background(), o, func(e Event) { events = append(events, e) })
	if !r.OK {
		t.Fatalf("want ok\n%s", textOf(r))
	}
	if n := srv.handshakes.Load(); n != 1 {
		t.Errorf("healthy diagnosis made %d TLS handshakes, want exactly 1", n)
	}
	var names []string
	for _, s := range r.Steps {
		names = append(names, s.Name+"="+string(s.Status))
	}
	if got, want := strings.Join(names, " "), "local=pass dns=pass tcp=pass tls=pass http=pass expect=pass"; got != want {
		t.Errorf("steps %q, want %q", got, want)
	}
	if len(events) != 2*len(r.Steps) || events[0].Kind != StepStarted || events[1].Kind != StepFinished {
		t.Errorf("got %d events, want a start and a finish per step", len(events))
	}
	if r.TLS == nil || r.TLS.Version != "TLS 1.3" || !r.TLS.ClientCertRequested || !r.TLS.ClientCertSent {
		t.Errorf("TLS info %+v", r.TLS)
	}
	if len(r.TLS.ServerChain) == 0 || r.TLS.ServerChain[0].Subject != "localhost" {
		t.Errorf("server chain %+v", r.TLS.ServerChain)
	}
	if len(r.TLS.AcceptableCAs) != 1 || !strings.Contains(r.TLS.AcceptableCAs[0], "Test Root CA") {
		t.Errorf("acceptable CAs %v", r.TLS.AcceptableCAs)
	}
	if r.HTTPStatus != 200 {
		t.Errorf("HTTP status %d", r.HTTPStatus)
	}
	if ms := stepOf(r, StepTLS).MS; ms >= float64(VerdictWait.Milliseconds()) {
		t.Errorf("tls step took %.0f ms: the server's session ticket should end the wait for its verdict", ms)
	}
}

func TestServerCertificateProblems(t *testing.T) {
	f := newFixture(t)
	inter := f.ca.Intermediate(t, "Test Intermediate CA")
	other := testpki.NewCA(t, "Other Root CA")
	cases := []struct {
		name string
		cert tls.Certificate
		want string
	}{
		{"expired", f.ca.Server(t, testpki.Options{NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)}).TLSCertificate(true), "server-cert-expired"},
		{"not yet valid", f.ca.Server(t, testpki.Options{NotBefore: time.Now().Add(24 * time.Hour), NotAfter: time.Now().Add(48 * time.Hour)}).TLSCertificate(true), "server-cert-not-yet-valid"},
		{"wrong host", f.ca.Server(t, testpki.Options{DNSNames: []string{"api.other.example"}}).TLSCertificate(true), "server-cert-hostname-mismatch"},
		{"self-signed CA", tls.Certificate{Certificate: [][]byte{other.Cert.Raw}, PrivateKey: other.Key}, "server-cert-self-signed"},
		{"self-signed leaf", selfSignedLeaf(t), "server-cert-self-signed"},
		{"untrusted", other.Server(t, testpki.Options{}).TLSCertificate(true), "server-cert-untrusted"},
		{"untrusted chain", other.Intermediate(t, "Other Intermediate CA").Server(t, testpki.Options{}).TLSCertificate(true), "server-cert-untrusted"},
		{"incomplete chain", inter.Server(t, testpki.Options{}).TLSCertificate(false), "server-chain-incomplete"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := f.serverConfig()
			cfg.Certificates = []tls.Certificate{c.cert}
			srv := startTLS(t, cfg, nil)
			r := runFail(t, f.opts(srv.URL), c.want, StepTLS)
			if len(r.TLS.ServerChain) == 0 {
				t.Errorf("server chain not recorded after a failed verification")
			}
		})
	}
	t.Run("complete chain through an intermediate", func(t *testing.T) {
		cfg := f.serverConfig()
		cfg.Certificates = []tls.Certificate{inter.Server(t, testpki.Options{}).TLSCertificate(true)}
		runOK(t, f.opts(startTLS(t, cfg, nil).URL))
	})
	t.Run("no --cacert uses the system roots", func(t *testing.T) {
		o := f.opts(startTLS(t, f.serverConfig(), nil).URL)
		o.CACertFile = ""
		runFail(t, o, "server-cert-untrusted", StepTLS)
	})
}

func TestClientCertificateProblems(t *testing.T) {
	f := newFixture(t)
	otherCA := testpki.NewCA(t, "Other Client CA")
	otherCert, otherKey := otherCA.Client(t, testpki.Options{}).Files(t, f.dir, "other")
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		name := tls.VersionName(v)
		cfg := f.serverConfig()
		cfg.MinVersion, cfg.MaxVersion = v, v
		srv := startTLS(t, cfg, nil)
		t.Run(name+" required, not sent", func(t *testing.T) {
			o := f.opts(srv.URL)
			o.CertFile, o.KeyFile = "", ""
			r := runFail(t, o, "client-cert-not-sent", StepTLS)
			if !r.TLS.ClientCertRequested || r.TLS.ClientCertSent {
				t.Errorf("TLS info %+v", r.TLS)
			}
		})
		t.Run(name+" wrong CA", func(t *testing.T) {
			o := f.opts(srv.URL)
			o.CertFile, o.KeyFile = otherCert, otherKey
			r := runFail(t, o, "client-cert-wrong-issuer", StepTLS)
			d := stepOf(r, StepTLS).Detail
			if !strings.Contains(d, "Other Client CA") || !strings.Contains(d, "Test Root CA") {
				t.Errorf("detail should name both the certificate's issuer and the accepted CA: %s", d)
			}
		})
		t.Run(name+" rejected", func(t *testing.T) {
			cfg := f.serverConfig()
			cfg.MinVersion, cfg.MaxVersion = v, v
			cfg.VerifyPeerCertificate = func([][]byte, [][]*x509.Certificate) error { return errors.New("not on the allow-list") }
			o := f.opts(startTLS(t, cfg, nil).URL)
			runFail(t, o, "client-cert-rejected", StepTLS)
		})
	}
	t.Run("TLS 1.3 verdict later than the wait", func(t *testing.T) {
		// A server that sends no session tickets and takes its time: the
		// tls step stops waiting, and the http step's first read gets the
		// alert and still names the cause.
		cfg := f.serverConfig()
		cfg.SessionTicketsDisabled = true
		cfg.VerifyPeerCertificate = func([][]byte, [][]*x509.Certificate) error {
			time.Sleep(VerdictWait + 200*time.Millisecond)
			return errors.New("not on the allow-list")
		}
		r := runFail(t, f.opts(startTLS(t, cfg, nil).URL), "client-cert-rejected", StepHTTP)
		if d := stepOf(r, StepHTTP).Detail; !strings.Contains(d, "first read after the handshake") {
			t.Errorf("detail %q", d)
		}
	})
	t.Run("TLS 1.3 server without session tickets", func(t *testing.T) {
		cfg := f.serverConfig()
		cfg.SessionTicketsDisabled = true
		start := time.Now()
		runOK(t, f.opts(startTLS(t, cfg, nil).URL))
		if d := time.Since(start); d > VerdictWait+time.Second {
			t.Errorf("took %s", d)
		}
	})
	t.Run("revoked", func(t *testing.T) {
		// Go's server always sends bad_certificate when VerifyPeerCertificate
		// fails; rewrite that plaintext TLS 1.2 alert into certificate_revoked
		// (44), as a server checking OCSP or a CRL sends it.
		cfg := f.serverConfig()
		cfg.MaxVersion = tls.VersionTLS12
		cfg.VerifyPeerCertificate = func([][]byte, [][]*x509.Certificate) error { return errors.New("revoked") }
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		s := &http.Server{Handler: http.NotFoundHandler(), TLSConfig: cfg, ErrorLog: quietLog()}
		go s.ServeTLS(alertRewriter{ln, alertBadCertificate, alertCertificateRevoked}, "", "")
		t.Cleanup(func() { s.Close() })
		runFail(t, f.opts("https://"+ln.Addr().String()+"/"), "client-cert-revoked", StepTLS)
	})
	alerts := []struct {
		code byte
		want string
	}{
		{alertCertificateRevoked, "client-cert-revoked"},
		{alertCertificateExpired, "client-cert-expired"},
		{alertUnsupportedCertificate, "client-cert-no-client-auth"},
		{alertProtocolVersion, "tls-version-mismatch"},
		{alertHandshakeFailure, "tls-no-common-cipher"},
		{alertCertificateRequired, "client-cert-not-sent"},
		{80, "tls-handshake-failed"},
	}
	for _, a := range alerts {
		t.Run(fmt.Sprintf("alert %d", a.code), func(t *testing.T) {
			r := runFail(t, f.opts(alertServer(t, a.code)), a.want, StepTLS)
			if d := stepOf(r, StepTLS).Detail; !strings.Contains(d, classify.AlertByCode(int(a.code)).Name) {
				t.Errorf("detail does not name the alert: %s", d)
			}
		})
	}
}

// TLS alert numbers (RFC 8446) the tests send.
const (
	alertHandshakeFailure       = 40
	alertBadCertificate         = 42
	alertUnsupportedCertificate = 43
	alertCertificateRevoked     = 44
	alertCertificateExpired     = 45
	alertProtocolVersion        = 70
	alertCertificateRequired    = 116
)

// selfSignedLeaf is a server certificate signed by its own key, not a CA,
// as `openssl req -x509` without CA extensions or a dev server makes.
func selfSignedLeaf(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// alertRewriter rewrites one plaintext TLS alert the server writes into
// another.
type alertRewriter struct {
	net.Listener
	from, to byte
}

func (l alertRewriter) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &rewriteConn{Conn: c, from: l.from, to: l.to}, nil
}

type rewriteConn struct {
	net.Conn
	from, to byte
}

func (c *rewriteConn) Write(p []byte) (int, error) {
	old := []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, c.from}
	if i := bytes.Index(p, old); i >= 0 {
		q := bytes.Clone(p)
		q[i+6] = c.to
		p = q
	}
	return c.Conn.Write(p)
}

func TestHandshakeProblems(t *testing.T) {
	f := newFixture(t)
	t.Run("version mismatch", func(t *testing.T) {
		cfg := f.serverConfig()
		cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
		runFail(t, f.opts(startTLS(t, cfg, nil).URL), "tls-version-mismatch", StepTLS)
	})
	t.Run("plain HTTP on the TLS port", func(t *testing.T) {
		s := httptest.NewServer(http.NotFoundHandler())
		t.Cleanup(s.Close)
		runFail(t, f.opts(strings.Replace(s.URL, "http://", "https://", 1)), "tls-not-tls", StepTLS)
	})
	t.Run("silent server", func(t *testing.T) {
		url := rawServer(t, func(c net.Conn) { io.Copy(io.Discard, c) })
		o := f.opts(url)
		o.Timeout = 400 * time.Millisecond
		start := time.Now()
		runFail(t, o, "tls-handshake-timeout", StepTLS)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("run took %s, --timeout was %s", d, o.Timeout)
		}
	})
	t.Run("closed port", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		runFail(t, f.opts("https://"+addr+"/"), "tcp-refused", StepTCP)
	})
	t.Run("reset", func(t *testing.T) {
		url := rawServer(t, func(c net.Conn) {
			c.(*net.TCPConn).SetLinger(0)
			c.Read(make([]byte, 1))
			c.Close()
		})
		runFail(t, f.opts(url), "tcp-reset", StepTLS)
	})
	t.Run("no such host", func(t *testing.T) {
		// Go's resolver refuses .onion names itself (RFC 7686), so this
		// needs no network and no DNS server.
		runFail(t, f.opts("https://no-such-host.onion/"), "dns-no-such-host", StepDNS)
	})
}

func TestResolveKeepsHostForVerification(t *testing.T) {
	f := newFixture(t)
	cfg := f.serverConfig()
	cfg.Certificates = []tls.Certificate{f.ca.Server(t, testpki.Options{DNSNames: []string{"api.example.test"}}).TLSCertificate(true)}
	var host string
	srv := startTLS(t, cfg, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { host = r.Host }))
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "https://"))
	o := f.opts("https://api.example.test:" + port + "/")
	o.Resolve = map[string]string{"api.example.test:" + port: "127.0.0.1"}
	r := runOK(t, o)
	if host != "api.example.test:"+port {
		t.Errorf("Host header %q", host)
	}
	if !strings.Contains(stepOf(r, StepDNS).Detail, "--resolve") {
		t.Errorf("dns detail %q", stepOf(r, StepDNS).Detail)
	}
}

func TestHTTPStatuses(t *testing.T) {
	f := newFixture(t)
	srv := startTLS(t, f.serverConfig(), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/bearer":
			w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
			w.WriteHeader(401)
		case "/401":
			w.WriteHeader(401)
		case "/403":
			w.WriteHeader(403)
		case "/404":
			http.NotFound(w, r)
		case "/405":
			w.Header().Set("Allow", "POST")
			w.WriteHeader(405)
		case "/429":
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(429)
		case "/503":
			w.WriteHeader(503)
		case "/502":
			w.WriteHeader(502)
		case "/418":
			w.WriteHeader(418)
		case "/echo":
			fmt.Fprintf(w, "%s|%s|%s", r.Header.Get("x-api-key"), r.Header.Get("Authorization"), r.Header.Get("X-Trace"))
		}
	}))
	cases := []struct {
		path         string
		key, token   string
		want, detail string
	}{
		{"/bearer", "", "", "token-missing", "Bearer"},
		{"/bearer", "", "tok-123", "token-rejected", ""},
		{"/401", "", "", "api-key-missing", ""},
		{"/403", "", "", "api-key-missing", ""},
		{"/403", "k-123", "", "api-key-rejected", "x-api-key"},
		{"/401", "k-123", "", "api-key-rejected", ""},
		{"/404", "", "", "endpoint-not-found", "404"},
		{"/405", "", "", "method-not-allowed", "Allow: POST"},
		{"/429", "", "", "rate-limited", "Retry-After: 30"},
		{"/503", "", "", "service-unavailable", ""},
		{"/502", "", "", "server-error", "502"},
		{"/418", "", "", "unexpected-response", "418"},
	}
	for _, c := range cases {
		t.Run(c.want+c.path, func(t *testing.T) {
			o := f.opts(srv.URL + c.path)
			o.APIKey, o.BearerToken = c.key, c.token
			r := runFail(t, o, c.want, StepHTTP)
			if d := stepOf(r, StepHTTP).Detail; !strings.Contains(d, c.detail) {
				t.Errorf("detail %q lacks %q", d, c.detail)
			}
			assertNoSecret(t, r, "k-123", "tok-123")
		})
	}
	t.Run("headers sent", func(t *testing.T) {
		o := f.opts(srv.URL + "/echo")
		o.APIKey = "k-123"
		o.BearerToken = "tok-123"
		o.Headers = http.Header{"X-Trace": {"trace-secret"}}
		o.ExpectJSON = `{"a":1}`
		r := Run(context.Background(), o, nil)
		if causeID(r) != "unexpected-response" {
			t.Fatalf("cause %s", causeID(r))
		}
		if d := stepOf(r, StepExpect).Detail; !strings.Contains(d, "[redacted]|Bearer [redacted]|trace-secret") {
			// The body echoes what the server got; the detail shows the
			// body, with the key and token blanked where they are echoed.
			t.Errorf("the server did not get the headers: %s", d)
		}
	})
	t.Run("token step", func(t *testing.T) {
		o := f.opts(srv.URL + "/bearer")
		o.TokenSource = func(context.Context) (string, error) { return "tok-123", nil }
		r := runFail(t, o, "token-rejected", StepHTTP)
		if stepOf(r, StepToken).Status != Pass {
			t.Errorf("token step %+v", stepOf(r, StepToken))
		}
		o.TokenSource = func(context.Context) (string, error) { return "", causeErr("jwt-kid-unknown") }
		runFail(t, o, "jwt-kid-unknown", StepToken)
	})
}

type causeErr string

func (e causeErr) Error() string     { return "token endpoint: " + string(e) }
func (e causeErr) CauseID() cause.ID { return cause.ID(e) }

func assertNoSecret(t *testing.T, r *Report, secrets ...string) {
	t.Helper()
	js, _ := json.Marshal(r)
	var md bytes.Buffer
	RenderMarkdown(&md, r, "test")
	for _, s := range secrets {
		for name, out := range map[string]string{"json": string(js), "text": textOf(r), "markdown": md.String()} {
			if strings.Contains(out, s) {
				t.Errorf("%s output contains a secret", name)
			}
		}
	}
}

func TestClockSkewWarns(t *testing.T) {
	f := newFixture(t)
	srv := startTLS(t, f.serverConfig(), nil)
	o := f.opts(srv.URL)
	o.Now = func() time.Time { return time.Now().Add(10 * time.Minute) }
	r := runOK(t, o)
	s := stepOf(r, StepHTTP)
	if s.Status != Warn || s.Cause == nil || s.Cause.ID != "clock-skew" || !strings.Contains(s.Detail, "ahead of") {
		t.Errorf("http step %+v", s)
	}
	o.Now = func() time.Time { return time.Now().Add(30 * time.Second) }
	if s := stepOf(runOK(t, o), StepHTTP); s.Status != Pass {
		t.Errorf("30 s of skew should pass: %+v", s)
	}
}

func TestExpectJSON(t *testing.T) {
	f := newFixture(t)
	body := ""
	srv := startTLS(t, f.serverConfig(), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) }))
	cases := []struct{ body, want string }{
		{`{"available":true,"scheduledOutages":[]}`, ""},
		{`{"available":false,"scheduledOutages":[]}`, "service-unavailable"},
		{`{"available":true,"scheduledOutages":[{"from":"2026-01-01"}]}`, "service-unavailable"},
		{`{"status":"up"}`, "unexpected-response"},
		{`<html>maintenance</html>`, "unexpected-response"},
	}
	for _, c := range cases {
		body = c.body
		o := f.opts(srv.URL)
		o.ExpectJSON = `{"available":true}`
		if c.want == "" {
			runOK(t, o)
		} else {
			runFail(t, o, c.want, StepExpect)
		}
	}
}

func TestLocalProblemsAllReportedBeforeSending(t *testing.T) {
	f := newFixture(t)
	srv := startTLS(t, f.serverConfig(), nil)
	other := f.ca.Client(t, testpki.Options{})
	otherKey := testpki.WriteFile(t, f.dir, "other.key", other.KeyPEM(t))
	expired := f.ca.Client(t, testpki.Options{NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-time.Hour)})
	expCert, expKey := expired.Files(t, f.dir, "expired")
	soon := f.ca.Client(t, testpki.Options{NotAfter: time.Now().Add(10 * 24 * time.Hour)})
	soonCert, soonKey := soon.Files(t, f.dir, "soon")
	serverOnly := f.ca.Client(t, testpki.Options{ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	soCert, soKey := serverOnly.Files(t, f.dir, "serveronly")
	empty := testpki.WriteFile(t, f.dir, "empty.pem", nil)
	garbage := testpki.WriteFile(t, f.dir, "garbage.pem", []byte("hello, not a certificate\n"))

	cases := []struct {
		name  string
		edit  func(*Options)
		want  string
		notes []string
	}{
		{"key mismatch", func(o *Options) { o.KeyFile = otherKey }, "key-cert-mismatch", nil},
		{"expired client cert", func(o *Options) { o.CertFile, o.KeyFile = expCert, expKey }, "client-cert-expired", nil},
		{"no clientAuth", func(o *Options) { o.CertFile, o.KeyFile = soCert, soKey }, "client-cert-no-client-auth", nil},
		{"key as cert", func(o *Options) { o.CertFile = f.keyFile }, "input-wrong-file-type", nil},
		{"missing file", func(o *Options) { o.KeyFile = f.dir + "/nope.key" }, "input-file-unreadable", nil},
		// With no --key the key comes from the --cert file: one file, one finding.
		{"missing cert, no key", func(o *Options) { o.CertFile, o.KeyFile = f.dir+"/nope.crt", "" }, "input-file-unreadable", nil},
		{"empty CA bundle", func(o *Options) { o.CACertFile = empty }, "ca-bundle-invalid", nil},
		{"garbage CA bundle", func(o *Options) { o.CACertFile = garbage }, "ca-bundle-invalid", nil},
		{"api key newline", func(o *Options) { o.APIKey = "abc123\n" }, "api-key-whitespace", nil},
		{"several at once", func(o *Options) {
			o.KeyFile, o.APIKey, o.CACertFile = otherKey, " abc", empty
		}, "key-cert-mismatch", []string{"ca-bundle-invalid", "api-key-whitespace"}},
		{"warning kept with a failure", func(o *Options) {
			o.CertFile, o.KeyFile, o.APIKey = soonCert, otherKey, "x"
		}, "key-cert-mismatch", []string{"client-cert-expired"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := srv.handshakes.Load()
			o := f.opts(srv.URL)
			c.edit(&o)
			r := runFail(t, o, c.want, StepLocal)
			var notes []string
			for _, n := range stepOf(r, StepLocal).Notes {
				notes = append(notes, string(n.Cause.ID))
			}
			if strings.Join(notes, ",") != strings.Join(c.notes, ",") {
				t.Errorf("notes %v, want %v", notes, c.notes)
			}
			if srv.handshakes.Load() != before {
				t.Errorf("a local problem still contacted the server")
			}
			assertNoSecret(t, r, "abc123")
		})
	}
	t.Run("expiring soon warns", func(t *testing.T) {
		o := f.opts(srv.URL)
		o.CertFile, o.KeyFile = soonCert, soonKey
		r := runOK(t, o)
		if s := stepOf(r, StepLocal); s.Status != Warn || s.Cause.ID != "client-cert-expired" {
			t.Errorf("local step %+v", s)
		}
	})
	t.Run("base64 api key warns", func(t *testing.T) {
		o := f.opts(srv.URL)
		o.APIKey = "c2stbGl2ZS1hYmNkZWYxMjM0NTY3ODkw" // base64 of sk-live-abcdef1234567890
		r := runOK(t, o)
		if s := stepOf(r, StepLocal); s.Status != Warn || s.Cause.ID != "api-key-base64-encoded" {
			t.Errorf("local step %+v", s)
		}
		o.APIKey = "Zq3vK9x2LmPw8RtY5nB7cD4fG6hJ1kQe" // a plain random key
		if s := stepOf(runOK(t, o), StepLocal); s.Status != Pass {
			t.Errorf("a plain key warned: %+v", s)
		}
	})
	t.Run("pre-found findings", func(t *testing.T) {
		o := f.opts(srv.URL)
		o.Findings = []Finding{{Cause: cause.Get("keyring-unavailable"), Detail: "no D-Bus"}}
		runFail(t, o, "keyring-unavailable", StepLocal)
	})
}

func TestClientChainIncompleteConfirmedByServer(t *testing.T) {
	f := newFixture(t)
	inter := f.ca.Intermediate(t, "Test Intermediate CA")
	leaf := inter.Client(t, testpki.Options{})
	cert := testpki.WriteFile(t, f.dir, "leafonly.crt", leaf.CertPEM(false))
	key := testpki.WriteFile(t, f.dir, "leafonly.key", leaf.KeyPEM(t))
	srv := startTLS(t, f.serverConfig(), nil)
	o := f.opts(srv.URL)
	o.CertFile, o.KeyFile = cert, key
	r := runFail(t, o, "client-chain-incomplete", StepTLS)
	if s := stepOf(r, StepLocal); s.Status != Warn {
		t.Errorf("the local guess should be a warning: %+v", s)
	}
	full := testpki.WriteFile(t, f.dir, "full.crt", leaf.CertPEM(true))
	o.CertFile = full
	runOK(t, o)
}

func TestRenderings(t *testing.T) {
	f := newFixture(t)
	srv := startTLS(t, f.serverConfig(), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(403) }))
	o := f.opts(srv.URL + "/v1/things?token=qs-secret")
	o.APIKey = "k-secret-1"
	o.Headers = http.Header{"X-Correlation": {"hdr-secret"}}
	o.Resolve = map[string]string{"localhost:1": "127.0.0.1"}
	r := runFail(t, o, "api-key-rejected", StepHTTP)
	assertNoSecret(t, r, "k-secret-1", "hdr-secret", "qs-secret")

	text := textOf(r)
	for _, want := range []string{"✓ local", "✓ tls", "✗ http", "api-key-rejected", r.Cause.Title, "Fix: "} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "\x1b[") {
		t.Errorf("plain text has ANSI escapes")
	}
	var col bytes.Buffer
	RenderText(&col, r, true)
	if !strings.Contains(col.String(), "\x1b[31m✗") {
		t.Errorf("colour text lacks a red ✗")
	}
	var md bytes.Buffer
	RenderMarkdown(&md, r, "v9.9.9")
	for _, want := range []string{"v9.9.9", "| http |", "`api-key-rejected`", "Server certificate chain", "Test Root CA",
		"CAs the server accepts", `printf 'x-api-key: %s\n'`, `"$API_KEY"`, `printf 'X-Correlation: %s\n'`, `"$X_CORRELATION_VALUE"`, "-H @-",
		"--cacert '" + f.caFile + "'", "--resolve 'localhost:1:127.0.0.1'", "**Fix:**"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	js, _ := json.Marshal(r)
	var generic map[string]any
	json.Unmarshal(js, &generic)
	if generic["cause"].(map[string]any)["id"] != "api-key-rejected" || generic["ok"] != false {
		t.Errorf("json %s", js)
	}
	okR := runOK(t, f.opts(startTLS(t, f.serverConfig(), nil).URL))
	js, _ = json.Marshal(okR)
	if !bytes.Contains(js, []byte(`"cause":null`)) {
		t.Errorf("an ok report must have \"cause\": null: %s", js)
	}
}

func TestParseResolve(t *testing.T) {
	good := map[string][2]string{
		"api.example.com:443:10.0.0.5": {"api.example.com:443", "10.0.0.5"},
		"API.example.com:8443:[::1]":   {"api.example.com:8443", "::1"},
		"h:1:::1":                      {"h:1", "::1"},
	}
	for in, want := range good {
		hp, addr, err := ParseResolve(in)
		if err != nil || hp != want[0] || addr != want[1] {
			t.Errorf("ParseResolve(%q) = %q, %q, %v", in, hp, addr, err)
		}
	}
	for _, in := range []string{"", "host", "host:443", ":443:1.2.3.4", "host:x:1.2.3.4", "host:99999:1.2.3.4", "host:443:not-an-ip", "host:0:1.2.3.4"} {
		if _, _, err := ParseResolve(in); err == nil || !strings.Contains(err.Error(), "--resolve") {
			t.Errorf("ParseResolve(%q) err = %v", in, err)
		}
	}
}

func FuzzParseResolveAndTarget(f *testing.F) {
	for _, s := range []string{"api.example.com:443:10.0.0.5", "h:1:[::1]", "https://h:443/p?q=1", "http://x", "https://u:p@h/", "https://[::1]:99999/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if hp, addr, err := ParseResolve(s); err == nil {
			if _, _, err := net.SplitHostPort(hp); err != nil {
				t.Errorf("ParseResolve(%q) gave bad host:port %q", s, hp)
			}
			if net.ParseIP(addr) == nil {
				t.Errorf("ParseResolve(%q) gave bad addr %q", s, addr)
			}
		}
		if u, err := ParseTarget(s); err == nil {
			if !strings.EqualFold(u.Scheme, "https") || u.Hostname() == "" {
				t.Errorf("ParseTarget(%q) accepted %v", s, u)
			}
		}
		_ = redactURL(s)
	})
}

func FuzzPageTitle(f *testing.F) {
	for _, s := range []string{"<html><head><title>400 No required SSL certificate was sent</title>", "<h1>x", "<title>", "plain\nline", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if got := pageTitle(body); len(got) > len(body)+len("…") {
			t.Errorf("pageTitle made %d bytes from %d", len(got), len(body))
		}
	})
}

// BenchmarkRunHealthy is one whole healthy mutual-TLS diagnosis against a
// loopback server: files loaded, one handshake, one request.
func BenchmarkRunHealthy(b *testing.B) {
	ca := testpki.NewCA(b, "Bench CA")
	dir := b.TempDir()
	caFile := testpki.WriteFile(b, dir, "ca.pem", ca.CertPEM())
	certFile, keyFile := ca.Client(b, testpki.Options{}).Files(b, dir, "client")
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	s.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Server(b, testpki.Options{}).TLSCertificate(true)},
		ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: ca.Pool()}
	s.Config.ErrorLog = quietLog()
	s.StartTLS()
	b.Cleanup(s.Close)
	o := Options{URL: s.URL, CertFile: certFile, KeyFile: keyFile, CACertFile: caFile, Timeout: 5 * time.Second}
	for b.Loop() {
		if r := Run(context.Background(), o, nil); !r.OK {
			b.Fatalf("not ok: %s", textOf(r))
		}
	}
}
