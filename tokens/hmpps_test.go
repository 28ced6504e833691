package tokens

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testenv"
	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/sandbox/tokenapi"
)

type hmppsFixture struct {
	ca       *testpki.CA
	srv      *tokenapi.HMPPS
	url      string
	caFile   string
	certFile string
	keyFile  string
	client   *http.Client
}

func newHMPPSFixture(t *testing.T) *hmppsFixture {
	t.Helper()
	ca := testpki.NewCA(t, "HMPPS test CA")
	srv := tokenapi.NewHMPPS(tokenapi.HMPPSOptions{APIKey: apiKeyCanary, Wrapped: true, SecretPrefix: "CANARY-AWS-SECRET-", SessionPrefix: "CANARY-SESSION-", Record: true})
	addr := ca.ServeMutual(t, srv).URL
	dir := t.TempDir()
	certFile, keyFile := ca.Client(t, testpki.Options{CommonName: "acme-client"}).Files(t, dir, "client")
	caFile := testpki.WriteFile(t, dir, "ca.pem", ca.CertPEM())
	client, err := NewHTTPClient(TransportOptions{CACertFile: caFile, CertFile: certFile, KeyFile: keyFile})
	if err != nil {
		t.Fatal(err)
	}
	return &hmppsFixture{ca: ca, srv: srv, url: addr, caFile: caFile, certFile: certFile, keyFile: keyFile, client: client}
}

func (f *hmppsFixture) config() *HMPPSConfig {
	return &HMPPSConfig{TokenURL: f.url + "/token", APIKey: apiKeyCanary, HTTPClient: f.client, ClientIdentity: f.certFile}
}

func TestFetchAWSOverMutualTLS(t *testing.T) {
	f := newHMPPSFixture(t)
	for _, wrapped := range []bool{true, false} {
		f.srv.Set(func(h *tokenapi.HMPPSOptions) { h.Wrapped = wrapped })
		before := time.Now()
		creds, err := FetchAWS(ctxT(t), f.config())
		if err != nil {
			t.Fatalf("wrapped=%v: %v", wrapped, err)
		}
		if !strings.HasPrefix(creds.AccessKeyID, "ASIA") || !strings.HasPrefix(creds.SecretAccessKey, "CANARY-AWS-SECRET") || !strings.HasPrefix(creds.SessionToken, "CANARY-SESSION") {
			t.Errorf("wrapped=%v: creds = %+v", wrapped, creds)
		}
		if d := creds.Expiration.Sub(before); d < 59*time.Minute || d > 61*time.Minute {
			t.Errorf("expiration %s ahead, want 1h", d)
		}
	}
	if cns := f.srv.ClientCNs(); len(cns) == 0 || cns[0] != "acme-client" {
		t.Errorf("the server saw client certificates %v", cns)
	}
}

func TestParseSTSShapes(t *testing.T) {
	for _, body := range []string{
		`{"AccessKeyId":"AK","SecretAccessKey":"S","SessionToken":"T","Expiration":"2030-01-01T00:00:00Z"}`,
		`{"Credentials":{"AccessKeyId":"AK","SecretAccessKey":"S","SessionToken":"T","Expiration":"2030-01-01T00:00:00Z"}}`,
		`{"AssumeRoleResponse":{"AssumeRoleResult":{"Credentials":{"AccessKeyId":"AK","SecretAccessKey":"S","SessionToken":"T","Expiration":1893456000}}}}`,
		`{"credentials":{"accessKeyId":"AK","secretAccessKey":"S","sessionToken":"T","expiration":"2030-01-01T00:00:00.000+00:00"}}`,
		`{"AccessKeyId":"AK","SecretAccessKey":"S","SessionToken":"T","Expiration":1893456000000}`,
	} {
		c, err := parseSTS([]byte(body))
		if err != nil {
			t.Errorf("%s: %v", body, err)
			continue
		}
		want := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		if c.AccessKeyID != "AK" || c.SecretAccessKey != "S" || c.SessionToken != "T" || !c.Expiration.Equal(want) {
			t.Errorf("%s: %+v", body, c)
		}
	}
	for _, body := range []string{`{"AccessKeyId":"AK"}`, `[]`, `not json CANARY-AWS-SECRET`, `{"AccessKeyId":"AK","SecretAccessKey":"S","Expiration":"soon"}`} {
		if _, err := parseSTS([]byte(body)); err == nil {
			t.Errorf("%s: accepted", body)
		} else {
			noSecrets(t, err.Error())
		}
	}
}

func TestHMPPSRefusalsNameTheCause(t *testing.T) {
	f := newHMPPSFixture(t)

	cfg := f.config()
	cfg.APIKey = "wrong-key"
	_, err := FetchAWS(ctxT(t), cfg)
	if got := causeOf(t, err); got != "api-key-rejected" {
		t.Errorf("wrong API key: %s (%v)", got, err)
	}

	cfg = f.config()
	cfg.TokenURL = f.url + "/v1/token"
	_, err = FetchAWS(ctxT(t), cfg)
	if got := causeOf(t, err); got != "endpoint-not-found" || !strings.Contains(err.Error(), "not versioned") {
		t.Errorf("/v1/token: %s (%v)", got, err)
	}

	// A GET, as a user pasting the URL into curl would send.
	req, _ := http.NewRequestWithContext(ctxT(t), http.MethodGet, f.url+"/token", nil)
	req.Header.Set("x-api-key", apiKeyCanary)
	resp, err := f.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	u, _ := url.Parse(f.url + "/token")
	if e := classifyHMPPS(resp.StatusCode, body, u, apiKeyCanary); e.ID != "method-not-allowed" || !strings.Contains(e.Detail, "POST") {
		t.Errorf("GET: %s %q", e.ID, e.Detail)
	}

	// No client certificate: the handshake is refused.
	noCert, _ := NewHTTPClient(TransportOptions{CACertFile: f.caFile})
	cfg = f.config()
	cfg.HTTPClient = noCert
	_, err = FetchAWS(ctxT(t), cfg)
	if got := causeOf(t, err); got != "client-cert-not-sent" {
		t.Errorf("no client certificate: %s (%v)", got, err)
	}

	// The wrong host: something else answers 404 for /token.
	other := f.ca.Serve(t, tokenapi.NewAPIM(tokenapi.APIMOptions{APIKey: "x"}))
	cfg = f.config()
	cfg.TokenURL = other.URL + "/token"
	_, err = FetchAWS(ctxT(t), cfg)
	if got := causeOf(t, err); got != "endpoint-not-found" || !strings.Contains(err.Error(), "HMPPS Integration API environment") {
		t.Errorf("wrong host: %s (%v)", got, err)
	}

	cfg = f.config()
	cfg.APIKey = ""
	if _, err = FetchAWS(ctxT(t), cfg); causeOf(t, err) != "api-key-missing" {
		t.Errorf("no API key: %v", err)
	}
	if f.srv.Count() != 0 {
		t.Errorf("credentials were issued %d times", f.srv.Count())
	}
}

func TestHMPPSApplicationBodies(t *testing.T) {
	u, _ := url.Parse("https://dev.integration-api.hmpps.service.justice.gov.uk/token")
	for _, tc := range []struct {
		status int
		body   string
		want   string
	}{
		{403, `{"message":"Forbidden"}`, "api-key-rejected"},
		{403, `{"message":"Missing Authentication Token"}`, "endpoint-not-found"},
		{403, `{"status":403,"userMessage":"x","developerMessage":"No consumer authorisation config found for acme"}`, "consumer-not-configured"},
		{403, `{"status":403,"userMessage":"Unable to authorise /token for acme"}`, "consumer-not-configured"},
		{403, `Certificate with serial number 1A2B has been revoked`, "client-cert-revoked"},
		{403, `{"message":"Access suspended"}`, "access-suspended"},
		{429, `{"message":"Too Many Requests"}`, "rate-limited"},
		{502, ``, "server-error"},
		{503, ``, "service-unavailable"},
		{400, `{"message":"bad"}`, "unexpected-response"},
	} {
		if e := classifyHMPPS(tc.status, []byte(tc.body), u, apiKeyCanary); string(e.ID) != tc.want {
			t.Errorf("%d %s: %s, want %s", tc.status, tc.body, e.ID, tc.want)
		}
	}
	e := classifyHMPPS(403, []byte(`{"message":"key `+apiKeyCanary+` refused"}`), u, apiKeyCanary)
	noSecrets(t, e.Error())
}

func TestHMPPSGatewayAnswerForUnroutedPath(t *testing.T) {
	// AWS API Gateway answers a path it does not route with 403.
	gw := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"message":"Missing Authentication Token"}`)
	}))
	t.Cleanup(gw.Close)
	_, err := FetchAWS(ctxT(t), &HMPPSConfig{TokenURL: gw.URL + "/v1/token", APIKey: apiKeyCanary, HTTPClient: gw.Client()})
	if got := causeOf(t, err); got != "endpoint-not-found" {
		t.Errorf("%s (%v)", got, err)
	}
}

func TestAWSCredentialsCache(t *testing.T) {
	f := newHMPPSFixture(t)
	clock := &fakeClock{now: time.Now()}
	f.srv.Set(func(h *tokenapi.HMPPSOptions) { h.Now = clock.Now })
	kr := testkeyring.New()
	cache := &Cache{Keyring: kr, Profile: "hmpps-dev", Now: clock.Now}

	if _, ok := cache.Expiry(); ok {
		t.Error("an empty cache has an expiry")
	}
	first, cacheErr, err := AWSCredentialsFor(ctxT(t), f.config(), cache, false)
	if err != nil || cacheErr != nil || first.Cached {
		t.Fatalf("first: %v %v", cacheErr, err)
	}
	if exp, ok := cache.Expiry(); !ok || !exp.Equal(first.Expiration) {
		t.Errorf("cache.Expiry() = %v %v, want the credentials' %v", exp, ok, first.Expiration)
	}
	clock.Advance(44 * time.Minute) // 16 minutes left: handed out
	second, _, err := AWSCredentialsFor(ctxT(t), f.config(), cache, false)
	if err != nil || !second.Cached || second.SecretAccessKey != first.SecretAccessKey || f.srv.Count() != 1 {
		t.Fatalf("second: cached=%v issued=%d err=%v", second.Cached, f.srv.Count(), err)
	}
	clock.Advance(2 * time.Minute) // 14 minutes left: the AWS SDKs would refresh
	third, _, err := AWSCredentialsFor(ctxT(t), f.config(), cache, false)
	if err != nil || third.Cached || f.srv.Count() != 2 {
		t.Fatalf("third: cached=%v issued=%d err=%v", third.Cached, f.srv.Count(), err)
	}
	if _, _, err := AWSCredentialsFor(ctxT(t), f.config(), cache, true); err != nil || f.srv.Count() != 3 {
		t.Fatalf("no-cache: issued=%d err=%v", f.srv.Count(), err)
	}

	// Short-lived credentials keep half their life.
	f.srv.Set(func(h *tokenapi.HMPPSOptions) { h.Lifetime = 15 * time.Minute })
	if _, _, err := AWSCredentialsFor(ctxT(t), f.config(), cache, true); err != nil {
		t.Fatal(err)
	}
	clock.Advance(7 * time.Minute)
	if c, _, _ := AWSCredentialsFor(ctxT(t), f.config(), cache, false); !c.Cached {
		t.Error("15-minute credentials were not reused after 7 minutes")
	}
	clock.Advance(time.Minute)
	if c, _, _ := AWSCredentialsFor(ctxT(t), f.config(), cache, false); c.Cached {
		t.Error("15-minute credentials were reused with 7 minutes left")
	}
	if err := cache.Forget(); err != nil {
		t.Fatal(err)
	}
	if len(kr.Items) != 0 {
		t.Errorf("Forget left %v", kr.Items)
	}
}

// credential_process output, checked against the documented schema:
// Version 1 (number), AccessKeyId and SecretAccessKey (required strings),
// SessionToken and Expiration (optional; Expiration an ISO 8601 time), and
// nothing else.
func checkCredentialProcessSchema(t *testing.T, data []byte) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("not a JSON object: %v", err)
	}
	if v, ok := m["Version"].(float64); !ok || v != 1 {
		t.Errorf("Version = %v, want the number 1", m["Version"])
	}
	for _, k := range []string{"AccessKeyId", "SecretAccessKey"} {
		if s, ok := m[k].(string); !ok || s == "" {
			t.Errorf("%s = %v, want a non-empty string", k, m[k])
		}
	}
	if v, ok := m["SessionToken"]; ok {
		if _, isStr := v.(string); !isStr {
			t.Errorf("SessionToken = %v, want a string", v)
		}
	}
	if v, ok := m["Expiration"]; ok {
		s, _ := v.(string)
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			t.Errorf("Expiration = %v, want ISO 8601", v)
		}
	}
	for k := range m {
		switch k {
		case "Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration":
		default:
			t.Errorf("unexpected key %s", k)
		}
	}
}

func TestCredentialProcessJSON(t *testing.T) {
	c := &AWSCredentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "s3cr3t", SessionToken: "tok", Expiration: time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("BST", 3600))}
	data, err := c.CredentialProcessJSON()
	if err != nil {
		t.Fatal(err)
	}
	checkCredentialProcessSchema(t, data)
	if !strings.Contains(string(data), `"Expiration":"2030-01-02T02:04:05Z"`) {
		t.Errorf("%s: want Expiration in UTC", data)
	}
	noExp, _ := (&AWSCredentials{AccessKeyID: "A", SecretAccessKey: "S"}).CredentialProcessJSON()
	checkCredentialProcessSchema(t, noExp)
	if strings.Contains(string(noExp), "Expiration") || strings.Contains(string(noExp), "SessionToken") {
		t.Errorf("%s: optional fields should be left out when unknown", noExp)
	}
}

// botocore (the AWS CLI's engine) reads the output through a real
// credential_process, when it is installed.
func TestCredentialProcessAcceptedByBotocore(t *testing.T) {
	testenv.PythonModule(t, "botocore")
	dir := t.TempDir()
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	c := &AWSCredentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "secret/with+chars", SessionToken: "session", Expiration: exp}
	data, _ := c.CredentialProcessJSON()
	jsonFile := filepath.Join(dir, "creds.json")
	if err := os.WriteFile(jsonFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "config")
	if err := os.WriteFile(config, []byte("[profile hmpps]\ncredential_process = cat "+jsonFile+"\nregion = eu-west-2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	script := `
import botocore.session
s = botocore.session.Session(profile="hmpps")
c = s.get_credentials()
f = c.get_frozen_credentials()
print(f.access_key, f.secret_key, f.token, c.method, s.get_config_variable("region"))
`
	cmd := exec.Command("python3", "-c", script)
	cmd.Env = append(os.Environ(), "AWS_CONFIG_FILE="+config, "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"),
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=", "AWS_PROFILE=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("botocore: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "ASIAEXAMPLE secret/with+chars session custom-process eu-west-2" {
		t.Errorf("botocore read %q", got)
	}
}

func TestExportLinesAreShellSafe(t *testing.T) {
	c := &AWSCredentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "it's $HOME `x`", SessionToken: "a/b+c=", Expiration: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	lines := c.ExportLines(AWSRegion)
	script := lines + `printf '%s|%s|%s|%s|%s' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN" "$AWS_REGION" "$AWS_CREDENTIAL_EXPIRATION"`
	out, err := exec.Command("sh", "-c", script).Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "ASIAEXAMPLE|it's $HOME `x`|a/b+c=|eu-west-2|2030-01-01T00:00:00Z"; string(out) != want {
		t.Errorf("sh read %q, want %q", out, want)
	}
}
