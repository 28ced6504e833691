package sandbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/classify"
	"github.com/onramp-cli/onramp/internal/testenv"
)

type testSandbox struct {
	*Server
	log *testenv.Buffer
}

// start runs a sandbox on a free loopback port for the test's duration.
func start(t *testing.T, brk string) *testSandbox {
	t.Helper()
	return startIn(t, t.TempDir(), brk)
}

func startIn(t *testing.T, dir, brk string) *testSandbox {
	t.Helper()
	log := &testenv.Buffer{}
	s, err := New(Config{Dir: dir, Addr: "127.0.0.1:0", Break: brk, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.Start(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		s.Close()
	})
	return &testSandbox{Server: s, log: log}
}

// tlsConfig is what a correctly configured client uses: the sandbox's root
// as CA bundle and the profile's own client certificate.
func (s *testSandbox) tlsConfig(t *testing.T) *tls.Config {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(s.pki.Path(ClientCertFile), s.pki.Path(ClientKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{RootCAs: s.pki.RootPool(), Certificates: []tls.Certificate{cert}, ServerName: "localhost"}
}

func (s *testSandbox) client(t *testing.T, cfg *tls.Config) *http.Client {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: cfg, TLSHandshakeTimeout: 5 * time.Second}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 5 * time.Second}
}

func (s *testSandbox) url(path string) string {
	return "https://" + s.Addr() + path
}

type response struct {
	status int
	header http.Header
	body   string
}

func (s *testSandbox) do(t *testing.T, c *http.Client, method, path, key string, body io.Reader) (*response, error) {
	t.Helper()
	req, err := http.NewRequest(method, s.url(path), body)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("x-api-key", key)
	}
	if method == http.MethodPost && body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &response{resp.StatusCode, resp.Header, string(data)}, nil
}

func (s *testSandbox) mustDo(t *testing.T, method, path, key string) *response {
	t.Helper()
	r, err := s.do(t, s.client(t, s.tlsConfig(t)), method, path, key, nil)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

func TestEndpoints(t *testing.T) {
	s := start(t, "")
	k := s.Keys()

	r := s.mustDo(t, "GET", StatusPath, k.API)
	if r.status != 200 || r.body != StatusJSON {
		t.Errorf("status endpoint: %d %s", r.status, r.body)
	}

	r = s.mustDo(t, "GET", "/v1/persons/X802678/risks/scores", k.API)
	var scores struct {
		Data []struct {
			AssessmentStatus  string         `json:"assessmentStatus"`
			GroupReconviction map[string]any `json:"groupReconviction"`
		} `json:"data"`
		Pagination map[string]any `json:"pagination"`
	}
	if r.status != 200 || json.Unmarshal([]byte(r.body), &scores) != nil || len(scores.Data) != 1 || scores.Data[0].AssessmentStatus != "COMPLETE" || scores.Pagination == nil {
		t.Errorf("person record: %d %s", r.status, r.body)
	}

	r = s.mustDo(t, "POST", "/token", k.API)
	var creds map[string]string
	if r.status != 200 || json.Unmarshal([]byte(r.body), &creds) != nil {
		t.Fatalf("POST /token: %d %s", r.status, r.body)
	}
	for _, f := range []string{"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"} {
		if creds[f] == "" {
			t.Errorf("POST /token: no %s in %s", f, r.body)
		}
	}
	if _, err := time.Parse(time.RFC3339, creds["Expiration"]); err != nil {
		t.Errorf("Expiration %q: %v", creds["Expiration"], err)
	}

	r = s.mustDo(t, "GET", "/token", k.API)
	if r.status != http.StatusMethodNotAllowed || !strings.Contains(r.header.Get("Allow"), "POST") {
		t.Errorf("GET /token: %d Allow=%q, want 405 Allow: POST", r.status, r.header.Get("Allow"))
	}
	r = s.mustDo(t, "GET", "/v1/token", k.API)
	if r.status != http.StatusNotFound {
		t.Errorf("GET /v1/token (versioned by mistake): %d, want 404", r.status)
	}

	for _, key := range []string{"", "wrong", k.Service, k.API[:39]} {
		r = s.mustDo(t, "GET", StatusPath, key)
		if r.status != http.StatusForbidden || !strings.Contains(r.body, "Forbidden") {
			t.Errorf("status endpoint with a missing or wrong key: %d %s, want 403", r.status, r.body)
		}
	}
}

func TestSecurosysRoles(t *testing.T) {
	s := start(t, "")
	k := s.Keys()
	for _, tc := range []struct {
		method, path, key string
		status            int
		errorCode         float64
	}{
		{"GET", "/v1/versionInfo", k.Service, 200, 0},
		{"GET", "/v1/versionInfo", k.Operation, 403, 632},
		{"GET", "/v1/versionInfo", "unknown-key", 401, 631},
		{"GET", "/v1/versionInfo", "", 401, 631},
		{"GET", "/v1/versionInfo", k.API, 401, 631},
		{"POST", "/v1/sign", k.Operation, 200, 0},
		{"POST", "/v1/sign", k.Service, 403, 632},
		{"POST", "/v1/sign", "unknown-key", 401, 631},
	} {
		r := s.mustDo(t, tc.method, tc.path, tc.key)
		var body map[string]any
		json.Unmarshal([]byte(r.body), &body)
		if r.status != tc.status || (tc.errorCode != 0 && body["errorCode"] != tc.errorCode) {
			t.Errorf("%s %s: %d %s, want %d errorCode %v", tc.method, tc.path, r.status, r.body, tc.status, tc.errorCode)
		}
	}
}

func TestClientCertificateRequired(t *testing.T) {
	s := start(t, "")
	cfg := s.tlsConfig(t)
	cfg.Certificates = nil
	_, err := s.do(t, s.client(t, cfg), "GET", StatusPath, s.Keys().API, nil)
	if id, _ := classify.Classify(classify.Evidence{Err: err}); err == nil || id != cause.ClientCertNotSent {
		t.Fatalf("request without a client certificate: %v, want %s", err, cause.ClientCertNotSent)
	}

	// A certificate from another CA, forced on the server, is refused.
	otherCA, otherKey, err := practiceCA("Someone Else's CA", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	key, _ := newKey()
	leaf, err := createCert(clientTemplate(pkix.Name{CommonName: "stranger"}, time.Now()), otherCA, key.Public(), otherKey)
	if err != nil {
		t.Fatal(err)
	}
	ev := classify.Evidence{Chain: []*x509.Certificate{leaf}}
	cfg.GetClientCertificate = func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
		return ev.AnswerRequest(cri, &tls.Certificate{Certificate: [][]byte{leaf.Raw}, PrivateKey: key}), nil
	}
	_, ev.Err = s.do(t, s.client(t, cfg), "GET", StatusPath, s.Keys().API, nil)
	if id, detail := classify.Classify(ev); ev.Err == nil || id != cause.ClientCertWrongIssuer {
		t.Fatalf("request with a certificate from another CA: %v: %s (%s), want %s", ev.Err, id, detail, cause.ClientCertWrongIssuer)
	}
}

func TestRequestLogRedactsSecrets(t *testing.T) {
	s := start(t, "")
	k := s.Keys()
	r := s.mustDo(t, "POST", "/token", k.API)
	s.mustDo(t, "GET", StatusPath+"?apikey="+k.API, "wrong-key-value")
	log := s.log.String()
	for _, want := range []string{`POST /token 200 cn="onramp-sandbox-client"`, `GET /checks/passport 403 cn="onramp-sandbox-client"`} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	var creds map[string]string
	json.Unmarshal([]byte(r.body), &creds)
	for _, secret := range []string{k.API, "wrong-key-value", creds["SecretAccessKey"], creds["SessionToken"]} {
		if strings.Contains(log, secret) {
			t.Errorf("log shows a secret:\n%s", log)
		}
	}
}

func TestSecondSandboxOnSamePort(t *testing.T) {
	s := start(t, "")
	second, err := New(Config{Dir: t.TempDir(), Addr: s.Addr()})
	if err != nil {
		t.Fatal(err)
	}
	err = second.Start(context.Background())
	var inUse *AddrInUseError
	if !errors.As(err, &inUse) || !strings.Contains(err.Error(), "is in use") || !strings.Contains(err.Error(), "--addr") {
		t.Fatalf("second sandbox on %s: %v, want a port-in-use error naming --addr", s.Addr(), err)
	}
}

func TestListenAddressChecks(t *testing.T) {
	for _, tc := range []struct {
		addr   string
		remote bool
		ok     bool
	}{
		{"127.0.0.1:0", false, true},
		{"[::1]:0", false, true},
		{"localhost:0", false, true},
		{"0.0.0.0:8443", false, false},
		{":8443", false, false},
		{"192.0.2.1:8443", false, false},
		{"192.0.2.1:8443", true, true},
		{"127.0.0.1", false, false},
		{"127.0.0.1:http", false, false},
	} {
		_, err := checkAddr("--addr", tc.addr, tc.remote)
		var ae *AddrError
		if tc.ok != (err == nil) || (err != nil && !errors.As(err, &ae)) {
			t.Errorf("checkAddr(%q, remote=%v) = %v", tc.addr, tc.remote, err)
		}
	}
}

func TestCloseStopsServing(t *testing.T) {
	s := start(t, "")
	addr := s.Addr()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	c := s.client(t, s.tlsConfig(t))
	if _, err := c.Get("https://" + addr + StatusPath); err == nil {
		t.Fatal("the sandbox still answers after Close")
	}
	// The port is free again.
	again, err := New(Config{Dir: t.TempDir(), Addr: addr, APIMAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := again.Start(context.Background()); err != nil {
		t.Fatalf("restart on %s: %v", addr, err)
	}
	again.Close()
}

func TestServeReturnsWhenContextEnds(t *testing.T) {
	s, err := New(Config{Dir: t.TempDir(), Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve after cancel: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after the context ended")
	}
}

func TestUnknownBreak(t *testing.T) {
	for _, id := range []string{"no-such-cause", "dns-no-such-host"} {
		_, err := New(Config{Dir: t.TempDir(), Addr: "127.0.0.1:0", Break: id})
		var ub *UnknownBreakError
		if !errors.As(err, &ub) || !strings.Contains(err.Error(), "--break list") {
			t.Errorf("--break %s: %v", id, err)
		}
	}
	if !strings.Contains(BreakList(), "server-chain-incomplete") || strings.Count(BreakList(), "\n") != len(breaks) {
		t.Errorf("BreakList is not one line per mode:\n%s", BreakList())
	}
}

// TestBreakIDsAreCauses keeps practice modes in step with the catalog.
func TestBreakIDsAreCauses(t *testing.T) {
	for _, b := range Breaks() {
		if _, ok := cause.Lookup(b.ID); !ok {
			t.Errorf("practice mode %q is not a catalog cause", b.ID)
		}
	}
}
