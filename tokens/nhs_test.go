package tokens

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/internal/tokentest"
	"github.com/onramp-cli/onramp/sandbox/tokenapi"
	"github.com/onramp-cli/onramp/secretstore"
)

// The canary API key: it must never show in an error, log or output.
const apiKeyCanary = "CANARY-APIKEY-7f3a9c"

type apimFixture struct {
	ca       *testpki.CA
	apim     *tokenapi.APIM
	jwks     func(context.Context) (*jose.JSONWebKeySet, error) // the registered test-1 key
	tokenURL string
	caFile   string
	client   *http.Client
}

// newAPIMFixture serves the sandbox's APIM-like endpoint on loopback, with
// the test-1 key registered and the canary API key.
func newAPIMFixture(t *testing.T) *apimFixture {
	t.Helper()
	ca := testpki.NewCA(t, "onramp test CA")
	jwks := tokenapi.StaticJWKS(tokentest.JWKS(t, tokentest.RSAKey(t, 4096, 0).Public(), "test-1"))
	fake := tokenapi.NewAPIM(tokenapi.APIMOptions{APIKey: apiKeyCanary, JWKS: jwks, TokenPrefix: "CANARY-TOKEN-", Record: true})
	srv := ca.Serve(t, fake)
	caFile := testpki.WriteFile(t, t.TempDir(), "ca.pem", ca.CertPEM())
	client, err := NewHTTPClient(TransportOptions{CACertFile: caFile})
	if err != nil {
		t.Fatal(err)
	}
	return &apimFixture{ca: ca, apim: fake, jwks: jwks, tokenURL: srv.URL + tokenapi.APIMTokenPath, caFile: caFile, client: client}
}

func (f *apimFixture) config(t *testing.T) *NHSConfig {
	return &NHSConfig{TokenURL: f.tokenURL, KID: "test-1", Key: tokentest.RSAKey(t, 4096, 0),
		APIKey: apiKeyCanary, HTTPClient: f.client}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// causeOf is the cause id of err, failing the test when it has none.
func causeOf(t *testing.T, err error) string {
	t.Helper()
	var c interface{ CauseID() cause.ID }
	if !errors.As(err, &c) {
		t.Fatalf("error %v (%T) carries no cause id", err, err)
	}
	return string(c.CauseID())
}

// noSecrets fails when s holds the API key or any token the fake issued.
func noSecrets(t *testing.T, s string, extra ...string) {
	t.Helper()
	for _, secret := range append([]string{apiKeyCanary, "CANARY-TOKEN", "CANARY-AWS", "CANARY-SESSION"}, extra...) {
		if secret != "" && strings.Contains(s, secret) {
			t.Errorf("a secret (%.14s…) leaked into %q", secret, s)
		}
	}
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestFetchNHSGetsTokenFromVerifyingServer(t *testing.T) {
	f := newAPIMFixture(t)
	before := time.Now()
	tok, err := FetchNHS(ctxT(t), f.config(t))
	if err != nil {
		t.Fatalf("FetchNHS: %v", err)
	}
	if tok.AccessToken != f.apim.Tokens()[0] || tok.TokenType != "Bearer" || tok.ExpiresIn != 599 {
		t.Errorf("token = %+v, want the issued token, Bearer, 599 s (expires_in arrived as a string)", tok)
	}
	if d := tok.ExpiresAt.Sub(before); d < 598*time.Second || d > 601*time.Second {
		t.Errorf("expires_at is %s after the request, want ~599 s", d)
	}
	if tok.IssuedAt.IsZero() || tok.IssuedAt.Sub(before) > 5*time.Second || before.Sub(tok.IssuedAt) > 5*time.Second {
		t.Errorf("issued_at (milliseconds) read as %v", tok.IssuedAt)
	}

	// Check the assertion independently of the fake's own checks.
	form := f.apim.Forms()[0]
	if form.Get("grant_type") != "client_credentials" || form.Get("client_assertion_type") != ClientAssertionType {
		t.Errorf("form = %v", form)
	}
	parsed, err := jwt.ParseSigned(form.Get("client_assertion"), []jose.SignatureAlgorithm{jose.RS512})
	if err != nil {
		t.Fatalf("assertion is not an RS512 JWS: %v", err)
	}
	h := parsed.Headers[0]
	if h.Algorithm != "RS512" || h.KeyID != "test-1" || h.ExtraHeaders[jose.HeaderType] != "JWT" {
		t.Errorf("header alg=%s kid=%s typ=%v, want RS512 test-1 JWT", h.Algorithm, h.KeyID, h.ExtraHeaders[jose.HeaderType])
	}
	var claims map[string]any
	if err := parsed.Claims(tokentest.RSAKey(t, 4096, 0).Public(), &claims); err != nil {
		t.Fatal(err)
	}
	if claims["iss"] != apiKeyCanary || claims["sub"] != apiKeyCanary || claims["aud"] != f.tokenURL {
		t.Errorf("claims iss/sub/aud = %v/%v/%v", claims["iss"], claims["sub"], claims["aud"])
	}
	exp, ok := claims["exp"].(float64)
	if !ok || exp != float64(int64(exp)) {
		t.Fatalf("exp = %v, want an integer", claims["exp"])
	}
	if ahead := time.Unix(int64(exp), 0).Sub(before); ahead > 5*time.Minute || ahead < 4*time.Minute {
		t.Errorf("exp is %s ahead, want under 5 minutes", ahead)
	}
	if jti, _ := claims["jti"].(string); !uuidV4.MatchString(jti) {
		t.Errorf("jti = %q, want a random UUID", jti)
	}
	if len(claims) != 5 {
		t.Errorf("claims = %v, want exactly iss sub aud exp jti", claims)
	}
}

func TestEveryAssertionHasFreshJTI(t *testing.T) {
	cfg := &NHSConfig{TokenURL: "https://int.api.service.nhs.uk/oauth2/token", KID: "k", Key: tokentest.RSAKey(t, 4096, 0), APIKey: apiKeyCanary}
	seen := map[string]bool{}
	for range 20 {
		s, err := SignAssertion(cfg, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		tok, _ := jwt.ParseSigned(s, []jose.SignatureAlgorithm{jose.RS512})
		var c jwt.Claims
		_ = tok.UnsafeClaimsWithoutVerification(&c)
		if seen[c.ID] {
			t.Fatalf("jti %s repeated", c.ID)
		}
		seen[c.ID] = true
	}
}

func TestAssertionLifetimeFollowsInjectedClock(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	cfg := &NHSConfig{TokenURL: "https://int.api.service.nhs.uk/oauth2/token", KID: "k", Key: tokentest.RSAKey(t, 4096, 0), APIKey: apiKeyCanary}
	s, err := SignAssertion(cfg, now)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := jwt.ParseSigned(s, []jose.SignatureAlgorithm{jose.RS512})
	var c jwt.Claims
	_ = tok.UnsafeClaimsWithoutVerification(&c)
	if got := c.Expiry.Time().Sub(now); got != DefaultAssertionLifetime {
		t.Errorf("exp - now = %s, want %s", got, DefaultAssertionLifetime)
	}
	cfg.AssertionLifetime = 6 * time.Minute
	if _, err := SignAssertion(cfg, now); err == nil || causeOf(t, err) != "jwt-claims-invalid" {
		t.Errorf("a 6-minute assertion was not refused locally: %v", err)
	}
}

func TestExpiresInStringOrNumber(t *testing.T) {
	f := newAPIMFixture(t)
	for _, tc := range []struct {
		raw  string
		want int64
		err  string
	}{
		{`599`, 599, ""},
		{`"599"`, 599, ""},
		{`"3600"`, 3600, ""},
		{`599.0`, 599, ""},
		{`"ten minutes"`, 0, "unexpected-response"},
	} {
		f.apim.Set(func(a *tokenapi.APIMOptions) { a.ExpiresIn = tc.raw })
		tok, err := FetchNHS(ctxT(t), f.config(t))
		if tc.err != "" {
			if err == nil || causeOf(t, err) != tc.err {
				t.Errorf("expires_in %s: err = %v, want %s", tc.raw, err, tc.err)
			}
			continue
		}
		if err != nil || tok.ExpiresIn != tc.want {
			t.Errorf("expires_in %s: got %+v, %v", tc.raw, tok, err)
		}
	}
}

// The failures a real verifier produces from what the client sent.
func TestNHSRefusalsFromVerifyingServer(t *testing.T) {
	f := newAPIMFixture(t)
	otherKeyJWKS := tokenapi.StaticJWKS(tokentest.JWKS(t, tokentest.RSAKey(t, 4096, 1).Public(), "test-1"))
	unreachable := func(context.Context) (*jose.JSONWebKeySet, error) {
		return nil, errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
	}
	for _, tc := range []struct {
		name   string
		setup  func(a *tokenapi.APIMOptions, c *NHSConfig)
		want   string
		detail string
		status int
	}{
		{"kid not registered", func(a *tokenapi.APIMOptions, c *NHSConfig) { c.KID = "test-2" }, "jwt-kid-unknown", "no public key with this kid", 401},
		{"no public key registered", func(a *tokenapi.APIMOptions, c *NHSConfig) { a.JWKS = nil }, "jwt-kid-unknown", "no public key is registered", 403},
		{"JWKS unreachable", func(a *tokenapi.APIMOptions, c *NHSConfig) { a.JWKS = unreachable }, "jwt-kid-unknown", "cannot fetch the JWKS", 403},
		{"JWKS holds another key", func(a *tokenapi.APIMOptions, c *NHSConfig) { a.JWKS = otherKeyJWKS }, "jwt-signature-invalid", "out of step", 401},
		{"API key of another app", func(a *tokenapi.APIMOptions, c *NHSConfig) { c.APIKey = "another-apps-key" }, "oauth-invalid-client", "not the key of an app", 401},
		{"aud of another environment", func(a *tokenapi.APIMOptions, c *NHSConfig) {
			a.Audience = "https://api.service.nhs.uk/oauth2/token"
		}, "jwt-claims-invalid", "signed for one environment and posted to another", 401},
		{"local clock 3 minutes ahead", func(a *tokenapi.APIMOptions, c *NHSConfig) {
			c.Now = func() time.Time { return time.Now().Add(3 * time.Minute) }
		}, "clock-skew", "ahead of the server", 400},
		{"local clock 6 minutes behind", func(a *tokenapi.APIMOptions, c *NHSConfig) {
			c.Now = func() time.Time { return time.Now().Add(-6 * time.Minute) }
		}, "clock-skew", "behind the server", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := f.config(t)
			f.apim.Set(func(a *tokenapi.APIMOptions) {
				a.JWKS, a.Audience = f.jwks, ""
				tc.setup(a, cfg)
			})
			_, err := FetchNHS(ctxT(t), cfg)
			if err == nil {
				t.Fatal("no error")
			}
			if got := causeOf(t, err); got != tc.want {
				t.Errorf("cause = %s, want %s (%v)", got, tc.want, err)
			}
			var e *Error
			if errors.As(err, &e) {
				if e.Status != tc.status || e.MessageID == "" {
					t.Errorf("status %d message_id %q, want %d and APIM's message_id", e.Status, e.MessageID, tc.status)
				}
				if !strings.Contains(e.Detail, tc.detail) {
					t.Errorf("detail %q lacks %q", e.Detail, tc.detail)
				}
			}
			noSecrets(t, err.Error())
		})
	}
}

func TestReplayedAssertionIsRefused(t *testing.T) {
	f := newAPIMFixture(t)
	cfg := f.config(t)
	if _, err := FetchNHS(ctxT(t), cfg); err != nil {
		t.Fatal(err)
	}
	form := f.apim.Forms()[0]
	resp, err := f.client.PostForm(f.tokenURL, form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	e := classifyNHS(resp, body, time.Now(), cfg, form.Get("client_assertion"))
	if e.ID != "jwt-claims-invalid" || !strings.Contains(e.Detail, "replay") {
		t.Errorf("replay: %s %q", e.ID, e.Detail)
	}
	if f.apim.Count() != 1 {
		t.Errorf("the fake issued %d tokens, want 1", f.apim.Count())
	}
	noSecrets(t, e.Error(), form.Get("client_assertion"))
}

// The documented error bodies (and older wordings of them) map by meaning.
func TestNHSDocumentedErrorBodies(t *testing.T) {
	f := newAPIMFixture(t)
	body := func(code, desc string) string {
		b, _ := json.Marshal(map[string]string{"error": code, "error_description": desc, "message_id": "rrt-1-a-geu2-1"})
		return string(b)
	}
	for _, tc := range []struct {
		status int
		body   string
		want   string
	}{
		{400, body("invalid_request", "Missing 'kid' header in client_assertion JWT"), "jwt-key-not-configured"},
		{401, body("invalid_request", "Invalid 'kid' header in client_assertion JWT - no matching public key"), "jwt-kid-unknown"},
		{401, body("invalid_request", "Invalid kid: no public key found for this kid"), "jwt-kid-unknown"},
		{400, body("invalid_request", "Invalid 'typ' header in client_assertion JWT - must be 'JWT'"), "jwt-claims-invalid"},
		{400, body("invalid_request", "Invalid 'alg' header in client_assertion JWT - unsupported JWT algorithm - must be 'RS512'"), "jwt-claims-invalid"},
		{401, body("invalid_request", "Invalid 'iss'/'sub' claims in client_assertion JWT"), "oauth-invalid-client"},
		{400, body("invalid_request", "Missing or non-matching 'iss'/'sub' claims in client_assertion JWT"), "oauth-invalid-client"},
		{401, body("invalid_request", "Missing or invalid 'aud' claim in client_assertion JWT"), "jwt-claims-invalid"},
		{400, body("invalid_request", "Missing exp claim in client_assertion JWT"), "jwt-claims-invalid"},
		{400, body("invalid_request", "Invalid exp claim in client_assertion JWT - must be an Integer"), "jwt-claims-invalid"},
		{400, body("invalid_request", "Invalid exp claim in client_assertion JWT - JWT has expired"), "jwt-claims-invalid"},
		{400, body("invalid_request", "Invalid exp claim in client_assertion JWT - more than 5 minutes in future"), "jwt-claims-invalid"},
		{400, body("invalid_request", "Missing jti claim in client_assertion JWT"), "jwt-claims-invalid"},
		{400, body("invalid_request", "Non-unique jti claim in client_assertion JWT"), "jwt-claims-invalid"},
		{400, body("invalid_request", "Malformed JWT in client_assertion"), "jwt-claims-invalid"},
		{400, body("invalid_request", "Missing client_assertion"), "jwt-claims-invalid"},
		{400, body("invalid_request", "Missing or invalid client_assertion_type - must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'"), "jwt-claims-invalid"},
		{400, body("unsupported_grant_type", "grant_type is invalid"), "jwt-claims-invalid"},
		{403, body("public_key error", "You need to register a public key to use this authentication method - please contact support to configure"), "jwt-kid-unknown"},
		{403, body("public_key error", "The JWKS endpoint, for your client_assertion can't be reached"), "jwt-kid-unknown"},
		{401, body("public_key error", "JWT signature verification failed"), "jwt-signature-invalid"},
		{401, body("invalid_client", "Client authentication failed"), "oauth-invalid-client"},
		{401, `{"fault":{"faultstring":"Invalid ApiKey","detail":{"errorcode":"oauth.v2.InvalidApiKey"}}}`, "oauth-invalid-client"},
		{404, `<html><body>Not Found</body></html>`, "endpoint-not-found"},
		{405, ``, "method-not-allowed"},
		{429, body("rate_limited", "Rate limit exceeded"), "rate-limited"},
		{503, ``, "service-unavailable"},
		{500, `{"error":"server_error"}`, "server-error"},
		{302, ``, "unexpected-response"},
	} {
		f.apim.Set(func(a *tokenapi.APIMOptions) { a.Reply = &tokenapi.Reply{Status: tc.status, Body: tc.body} })
		_, err := FetchNHS(ctxT(t), f.config(t))
		if err == nil {
			t.Errorf("%d %s: no error", tc.status, tc.body)
			continue
		}
		if got := causeOf(t, err); got != tc.want {
			t.Errorf("%d %s: cause %s, want %s (%v)", tc.status, tc.body, got, tc.want, err)
		}
	}
}

func TestExpErrorWithSkewedServerClockIsClockSkew(t *testing.T) {
	f := newAPIMFixture(t)
	f.apim.Set(func(a *tokenapi.APIMOptions) {
		a.Now = func() time.Time { return time.Now().Add(10 * time.Minute) }
		a.Reply = &tokenapi.Reply{Status: 400, Body: `{"error":"invalid_request","error_description":"Invalid exp claim in client_assertion JWT - JWT has expired"}`}
	})
	_, err := FetchNHS(ctxT(t), f.config(t))
	if got := causeOf(t, err); got != "clock-skew" || !regexp.MustCompile(`(9m5\ds|10m0s) behind`).MatchString(err.Error()) {
		t.Errorf("cause %s, err %v; want clock-skew, about 10m behind", got, err)
	}
	// A skewed clock does not turn an unrelated error into clock-skew.
	f.apim.Set(func(a *tokenapi.APIMOptions) {
		a.Reply = &tokenapi.Reply{Status: 401, Body: `{"error":"invalid_request","error_description":"Invalid 'iss'/'sub' claims in client_assertion JWT"}`}
	})
	_, err = FetchNHS(ctxT(t), f.config(t))
	if got := causeOf(t, err); got != "oauth-invalid-client" {
		t.Errorf("cause %s, want oauth-invalid-client", got)
	}
}

func TestServerEchoOfSecretsIsRedacted(t *testing.T) {
	f := newAPIMFixture(t)
	f.apim.Set(func(a *tokenapi.APIMOptions) {
		a.Reply = &tokenapi.Reply{Status: 401, Body: `{"error":"invalid_request","error_description":"Invalid 'iss'/'sub' claims: ` + apiKeyCanary + ` is not known","message_id":"m-1"}`}
	})
	_, err := FetchNHS(ctxT(t), f.config(t))
	if err == nil || !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("err = %v, want the echoed key redacted", err)
	}
	noSecrets(t, err.Error())
}

func TestLocalRefusalsSendNothing(t *testing.T) {
	f := newAPIMFixture(t)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, tc := range []struct {
		name   string
		change func(c *NHSConfig)
		want   string
		detail string
	}{
		{"RSA 2048 key", func(c *NHSConfig) { c.Key = tokentest.RSAKey(t, 2048, 0) }, "key-unsupported", "RSA 2048; NHS API Management accepts RSA 4096 only"},
		{"ECDSA key", func(c *NHSConfig) { c.Key = ec }, "key-unsupported", "an ECDSA key"},
		{"template asks 3072", func(c *NHSConfig) { c.RSABits = 3072 }, "key-unsupported", "accepts RSA 3072 only"},
		{"no kid", func(c *NHSConfig) { c.KID = "" }, "jwt-key-not-configured", "no kid"},
		{"no key", func(c *NHSConfig) { c.Key = nil }, "jwt-key-not-configured", "no private key"},
		{"no API key", func(c *NHSConfig) { c.APIKey = "" }, "api-key-missing", "empty"},
		{"API key with newline", func(c *NHSConfig) { c.APIKey = apiKeyCanary + "\n" }, "api-key-whitespace", "whitespace"},
		{"plain http", func(c *NHSConfig) { c.TokenURL = strings.Replace(c.TokenURL, "https:", "http:", 1) }, "endpoint-not-found", "not https"},
		{"not a URL", func(c *NHSConfig) { c.TokenURL = "int.api.service.nhs.uk" }, "endpoint-not-found", "not an absolute URL"},
	} {
		cfg := f.config(t)
		tc.change(cfg)
		_, err := FetchNHS(ctxT(t), cfg)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if got := causeOf(t, err); got != tc.want || !strings.Contains(err.Error(), tc.detail) {
			t.Errorf("%s: %s %q, want %s with %q", tc.name, got, err, tc.want, tc.detail)
		}
		noSecrets(t, err.Error())
	}
	if n := len(f.apim.Forms()); n != 0 {
		t.Errorf("%d requests reached the server; local refusals must send nothing", n)
	}
	// Any RSA size when the provider does not insist.
	cfg := f.config(t)
	cfg.Key, cfg.RSABits = tokentest.RSAKey(t, 2048, 0), -1
	if _, err := SignAssertion(cfg, time.Now()); err != nil {
		t.Errorf("RSABits -1 refused a 2048-bit key: %v", err)
	}
}

func TestTransportFailuresNameTheCause(t *testing.T) {
	f := newAPIMFixture(t)
	untrusting, _ := NewHTTPClient(TransportOptions{})
	cfg := f.config(t)
	cfg.HTTPClient = untrusting
	_, err := FetchNHS(ctxT(t), cfg)
	if got := causeOf(t, err); got != "server-cert-untrusted" {
		t.Errorf("untrusted server cert: %s (%v)", got, err)
	}
	cfg = f.config(t)
	cfg.TokenURL = "https://127.0.0.1:1/oauth2/token"
	_, err = FetchNHS(ctxT(t), cfg)
	if got := causeOf(t, err); got != "tcp-refused" {
		t.Errorf("closed port: %s (%v)", got, err)
	}
	noSecrets(t, err.Error())
	// The whole exchange is bounded by the context.
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	time.Sleep(time.Millisecond)
	_, err = FetchNHS(ctx, f.config(t))
	if got := causeOf(t, err); got != "tcp-timeout" {
		t.Errorf("expired deadline: %s (%v)", got, err)
	}
}

// fakeClock is a clock the test moves; client and fake server share it.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestTokenCacheReuseAndRefresh(t *testing.T) {
	f := newAPIMFixture(t)
	clock := &fakeClock{now: time.Now()}
	f.apim.Set(func(a *tokenapi.APIMOptions) { a.Now = clock.Now })
	kr := testkeyring.New()
	cache := &Cache{Keyring: kr, Profile: "nhs-int", Now: clock.Now}
	cfg := f.config(t)

	first, cacheErr, err := NHSToken(ctxT(t), cfg, cache, false)
	if err != nil || cacheErr != nil || first.Cached {
		t.Fatalf("first: %+v %v %v", first, cacheErr, err)
	}
	stored := kr.Items["nhs-int/"+TokenItem]
	if !strings.Contains(stored, first.AccessToken) || !strings.Contains(stored, `"expires_at"`) {
		t.Errorf("keyring item = %s, want the token and expires_at", stored)
	}
	if strings.Contains(stored, apiKeyCanary) {
		t.Error("the cache item holds the API key")
	}
	if exp, ok := cache.Expiry(); !ok || !exp.Equal(first.ExpiresAt) {
		t.Errorf("cache.Expiry() = %v %v, want the token's %v", exp, ok, first.ExpiresAt)
	}

	clock.Advance(538 * time.Second) // 61 s left: still handed out
	second, _, err := NHSToken(ctxT(t), cfg, cache, false)
	if err != nil || !second.Cached || second.AccessToken != first.AccessToken || f.apim.Count() != 1 {
		t.Fatalf("second: cached=%v same=%v issued=%d err=%v", second.Cached, second.AccessToken == first.AccessToken, f.apim.Count(), err)
	}
	if second.ExpiresIn < 60 || second.ExpiresIn > 61 {
		t.Errorf("cached expires_in = %d, want the ~61 s left", second.ExpiresIn)
	}

	clock.Advance(2 * time.Second) // 59 s left: too close to expiry
	third, _, err := NHSToken(ctxT(t), cfg, cache, false)
	if err != nil || third.Cached || third.AccessToken == first.AccessToken || f.apim.Count() != 2 {
		t.Fatalf("third: cached=%v issued=%d err=%v", third.Cached, f.apim.Count(), err)
	}

	fourth, _, err := NHSToken(ctxT(t), cfg, cache, true) // --no-cache
	if err != nil || fourth.Cached || f.apim.Count() != 3 {
		t.Fatalf("no-cache: cached=%v issued=%d err=%v", fourth.Cached, f.apim.Count(), err)
	}
	if !strings.Contains(kr.Items["nhs-int/"+TokenItem], fourth.AccessToken) {
		t.Error("--no-cache did not store the new token")
	}

	// Another API key (another app) never gets this app's token.
	f.apim.Set(func(a *tokenapi.APIMOptions) { a.APIKey = "second-app-key" })
	cfg.APIKey = "second-app-key"
	fifth, _, err := NHSToken(ctxT(t), cfg, cache, false)
	if err != nil || fifth.Cached || f.apim.Count() != 4 {
		t.Fatalf("changed API key: cached=%v issued=%d err=%v", fifth.Cached, f.apim.Count(), err)
	}
}

func TestTokenCacheWriteFailureStillGivesToken(t *testing.T) {
	f := newAPIMFixture(t)
	kr := testkeyring.New()
	kr.FailSet = true
	tok, cacheErr, err := NHSToken(ctxT(t), f.config(t), &Cache{Keyring: kr, Profile: "p"}, false)
	if err != nil || tok == nil || tok.AccessToken == "" {
		t.Fatalf("token %v err %v", tok, err)
	}
	if cacheErr == nil || causeOf(t, cacheErr) != "keyring-unavailable" {
		t.Errorf("cacheErr = %v, want keyring-unavailable", cacheErr)
	}
}

// The cache through the real OS keyring (Secret Service), when the test
// runs under scripts/with-secret-service.sh: the JSON item round-trips and
// secret-tool finds it under service onramp, account PROFILE/oauth-token.
func TestTokenCacheInOSKeyring(t *testing.T) {
	if os.Getenv("ONRAMP_TEST_SECRET_SERVICE") != "1" {
		t.Skip("needs scripts/with-secret-service.sh (make test)")
	}
	f := newAPIMFixture(t)
	kr := secretstore.OSKeyring{}
	profileName := fmt.Sprintf("tokens-test-%d", time.Now().UnixNano())
	cache := &Cache{Keyring: kr, Profile: profileName}
	t.Cleanup(func() { _ = cache.Forget() })
	first, cacheErr, err := NHSToken(ctxT(t), f.config(t), cache, false)
	if err != nil || cacheErr != nil {
		t.Fatalf("%v %v", err, cacheErr)
	}
	second, _, err := NHSToken(ctxT(t), f.config(t), cache, false)
	if err != nil || !second.Cached || second.AccessToken != first.AccessToken || f.apim.Count() != 1 {
		t.Fatalf("cached=%v issued=%d err=%v", second.Cached, f.apim.Count(), err)
	}
	if _, err := exec.LookPath("secret-tool"); err == nil {
		out, err := exec.Command("secret-tool", "lookup", "service", secretstore.Service, "username", secretstore.Account(profileName, TokenItem)).Output()
		if err != nil || !strings.Contains(string(out), first.AccessToken) {
			t.Errorf("secret-tool lookup: %v", err)
		}
	}
}

// Concurrent runs (each its own Cache, as separate processes have) share
// the cache's lock file: the first fetches a token, the rest find it
// cached, so the token API sees one request, not one per run.
func TestConcurrentRunsFetchOneToken(t *testing.T) {
	f := newAPIMFixture(t)
	kr := testkeyring.New()
	lock := CacheLockPath(t.TempDir())
	cfg := f.config(t)
	const n = 8
	var wg sync.WaitGroup
	tokensSeen := make([]string, n)
	for i := range n {
		wg.Go(func() {
			tok, cacheErr, err := NHSToken(ctxT(t), cfg, &Cache{Keyring: kr, Profile: "p", LockPath: lock}, false)
			if err != nil || cacheErr != nil {
				t.Errorf("run %d: %v %v", i, err, cacheErr)
				return
			}
			tokensSeen[i] = tok.AccessToken
		})
	}
	wg.Wait()
	if got := f.apim.Count(); got != 1 {
		t.Fatalf("%d concurrent runs fetched %d tokens, want 1", n, got)
	}
	for _, tok := range tokensSeen {
		if tok != tokensSeen[0] {
			t.Fatal("runs got different tokens")
		}
	}
}
