package sandbox

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/sandbox/tokenapi"
)

var testRSAKey = func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}()

func publicJWKS(t testing.TB, key *rsa.PrivateKey, kid string) []byte {
	t.Helper()
	data, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: kid, Algorithm: "RS512", Use: "sig"}}})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

type assertion struct {
	alg    jose.SignatureAlgorithm
	typ    string
	kid    string
	key    *rsa.PrivateKey
	claims map[string]any
}

func (s *testSandbox) assertion(t *testing.T, edit func(a *assertion)) string {
	t.Helper()
	a := &assertion{alg: jose.RS512, typ: "JWT", kid: "test-1", key: testRSAKey, claims: map[string]any{
		"iss": s.Keys().API, "sub": s.Keys().API,
		"aud": "https://" + s.Addr() + TokenPath,
		"jti": rand.Text(),
		"exp": time.Now().Add(4 * time.Minute).Unix(),
	}}
	if edit != nil {
		edit(a)
	}
	opts := (&jose.SignerOptions{}).WithType(jose.ContentType(a.typ))
	if a.kid != "" {
		opts = opts.WithHeader("kid", a.kid)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: a.alg, Key: a.key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(signer).Claims(a.claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func (s *testSandbox) postToken(t *testing.T, form url.Values) (int, map[string]string) {
	t.Helper()
	r, err := s.do(t, s.client(t, s.tlsConfig(t)), "POST", TokenPath, "", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	if err := json.Unmarshal([]byte(r.body), &body); err != nil {
		t.Fatalf("token endpoint answered non-JSON %d %q", r.status, r.body)
	}
	return r.status, body
}

func tokenForm(assertion string) url.Values {
	return url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {tokenapi.AssertionType},
		"client_assertion":      {assertion},
	}
}

func TestOAuthTokenSignedJWT(t *testing.T) {
	s := start(t, "")

	// Before any JWKS is registered: NHS's 403 public_key error.
	status, body := s.postToken(t, tokenForm(s.assertion(t, nil)))
	if status != http.StatusForbidden || body["error"] != "public_key error" {
		t.Fatalf("no JWKS registered: %d %v", status, body)
	}

	kids, err := RegisterJWKS(s.cfg.Dir, publicJWKS(t, testRSAKey, "test-1"))
	if err != nil || len(kids) != 1 || kids[0] != "test-1" {
		t.Fatalf("RegisterJWKS: %v %v", kids, err)
	}

	good := s.assertion(t, nil)
	status, body = s.postToken(t, tokenForm(good))
	if status != 200 || body["access_token"] == "" || body["expires_in"] != "599" || body["token_type"] != "Bearer" {
		t.Fatalf("valid assertion: %d %v", status, body)
	}
	status, body = s.postToken(t, tokenForm(good))
	if status != 400 || !strings.Contains(body["error_description"], "jti") {
		t.Errorf("replayed assertion: %d %v, want 400 about jti", status, body)
	}

	otherKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		error  string
		about  string
	}{
		{"no kid", tokenForm(s.assertion(t, func(a *assertion) { a.kid = "" })), 400, "invalid_request", "'kid'"},
		{"unknown kid", tokenForm(s.assertion(t, func(a *assertion) { a.kid = "test-2" })), 401, "invalid_request", "no matching public key"},
		{"RS256", tokenForm(s.assertion(t, func(a *assertion) { a.alg = jose.RS256 })), 400, "invalid_request", "'alg'"},
		{"PS512", tokenForm(s.assertion(t, func(a *assertion) { a.alg = jose.PS512 })), 400, "invalid_request", "'alg'"},
		{"typ", tokenForm(s.assertion(t, func(a *assertion) { a.typ = "at+jwt" })), 400, "invalid_request", "'typ'"},
		{"wrong key", tokenForm(s.assertion(t, func(a *assertion) { a.key = otherKey })), 401, "public_key error", "signature"},
		{"iss not the API key", tokenForm(s.assertion(t, func(a *assertion) { a.claims["iss"], a.claims["sub"] = "nope", "nope" })), 401, "invalid_request", "'iss'/'sub'"},
		{"iss != sub", tokenForm(s.assertion(t, func(a *assertion) { a.claims["sub"] = "other" })), 400, "invalid_request", "'iss'/'sub'"},
		{"aud of another environment", tokenForm(s.assertion(t, func(a *assertion) { a.claims["aud"] = "https://int.api.service.nhs.uk/oauth2/token" })), 401, "invalid_request", "'aud'"},
		{"exp too far", tokenForm(s.assertion(t, func(a *assertion) { a.claims["exp"] = time.Now().Add(10 * time.Minute).Unix() })), 400, "invalid_request", "5 minutes"},
		{"exp past", tokenForm(s.assertion(t, func(a *assertion) { a.claims["exp"] = time.Now().Add(-time.Minute).Unix() })), 400, "invalid_request", "expired"},
		{"exp string", tokenForm(s.assertion(t, func(a *assertion) { a.claims["exp"] = "soon" })), 400, "invalid_request", "integer"},
		{"no jti", tokenForm(s.assertion(t, func(a *assertion) { delete(a.claims, "jti") })), 400, "invalid_request", "'jti'"},
		{"malformed", tokenForm("not.a-jwt"), 400, "invalid_request", "Malformed"},
		{"no assertion", url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {tokenapi.AssertionType}}, 400, "invalid_request", "client_assertion"},
		{"assertion type", url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {"x"}, "client_assertion": {good}}, 400, "invalid_request", "client_assertion_type"},
		{"grant type", url.Values{"grant_type": {"password"}}, 400, "unsupported_grant_type", "grant_type"},
	} {
		status, body := s.postToken(t, tc.form)
		if status != tc.status || body["error"] != tc.error || !strings.Contains(body["error_description"], tc.about) || body["message_id"] == "" {
			t.Errorf("%s: %d %v, want %d %s about %s", tc.name, status, body, tc.status, tc.error, tc.about)
		}
	}
	// Assertions and tokens never reach the log.
	if strings.Contains(s.log.String(), good[:20]) || strings.Contains(s.log.String(), s.Keys().API) {
		t.Error("the log shows an assertion or the API key")
	}
}

func TestRegisterJWKSRefusals(t *testing.T) {
	dir := t.TempDir()
	priv, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: testRSAKey, KeyID: "k", Algorithm: "RS512"}}})
	noKid, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &testRSAKey.PublicKey, Algorithm: "RS512"}}})
	for _, tc := range []struct {
		name string
		data []byte
		id   string
	}{
		{"private key", priv, "input-wrong-file-type"},
		{"no kid", noKid, "input-wrong-file-type"},
		{"not json", []byte("-----BEGIN PUBLIC KEY-----"), "input-wrong-file-type"},
		{"empty", []byte(`{"keys":[]}`), "input-wrong-file-type"},
	} {
		_, err := RegisterJWKS(dir, tc.data)
		if c, ok := cause.Of(err); !ok || string(c.ID) != tc.id {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.id)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, JWKSFile)); err == nil {
		t.Error("a refused JWKS was written")
	}
	// Registering twice keeps other kids and replaces the same kid.
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	RegisterJWKS(dir, publicJWKS(t, testRSAKey, "a"))
	RegisterJWKS(dir, publicJWKS(t, other, "b"))
	kids, err := RegisterJWKS(dir, publicJWKS(t, other, "a"))
	if err != nil || strings.Join(kids, ",") != "b,a" {
		t.Errorf("kids after re-registering a: %v %v", kids, err)
	}
}

// The APIM-like API on its own port needs no client certificate, like NHS
// API Management: signed JWT in, bearer token out, token accepted by the
// application-restricted endpoint.
func TestAPIMListenerWithoutClientCertificate(t *testing.T) {
	s := start(t, "server-cert-expired") // practice modes leave it alone
	if _, err := RegisterJWKS(s.cfg.Dir, publicJWKS(t, testRSAKey, "test-1")); err != nil {
		t.Fatal(err)
	}
	cfg := s.tlsConfig(t)
	cfg.Certificates = nil
	c := s.client(t, cfg)
	base := "https://" + s.APIMAddr()
	a := s.assertion(t, func(a *assertion) { a.claims["aud"] = base + TokenPath })
	resp, err := c.PostForm(base+TokenPath, tokenForm(a))
	if err != nil {
		t.Fatal(err)
	}
	var tok map[string]string
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if resp.StatusCode != 200 || tok["access_token"] == "" {
		t.Fatalf("token from the APIM port: %d %v", resp.StatusCode, tok)
	}
	for _, tc := range []struct {
		auth   string
		status int
	}{
		{"Bearer " + tok["access_token"], 200},
		{"", 401},
		{"Bearer not-a-token", 401},
	} {
		req, _ := http.NewRequest("GET", base+HelloPath, nil)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status || (tc.status == 401 && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer")) {
			t.Errorf("hello with %q: %d %v", strings.Fields(tc.auth + " x")[0], resp.StatusCode, resp.Header)
		}
	}
	if strings.Contains(s.log.String(), tok["access_token"]) {
		t.Error("the log shows an access token")
	}
	if !strings.Contains(s.log.String(), "apim POST /oauth2/token 200 cn=-") {
		t.Errorf("APIM requests are not logged:\n%s", s.log.String())
	}
}

func TestPrepareAPIMProfile(t *testing.T) {
	cfgDir := t.TempDir()
	t.Setenv("ONRAMP_CONFIG_DIR", cfgDir)
	s := startIn(t, filepath.Join(cfgDir, "sandbox"), "")
	if err := s.PrepareAPIMProfile(); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Load(APIMProfileName)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := profile.ReadKeyFile(p.KeyFiles[APIKeyName]); err != nil || v != s.Keys().API {
		t.Errorf("profile sandbox-apim does not name the API key's file: %v", err)
	}
	key, err := keystore.ReadPrivateKey(p.Key, nil)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok || rsaKey.N.BitLen() != 4096 {
		t.Fatalf("signing key is not RSA 4096: %T", key)
	}
	if fi, _ := os.Stat(p.Key); fi.Mode().Perm() != 0o600 {
		t.Errorf("signing key mode %v", fi.Mode().Perm())
	}
	// What the profile says is enough to get a token and call the API.
	cfg := s.tlsConfig(t)
	cfg.Certificates = nil
	c := s.client(t, cfg)
	a := s.assertion(t, func(a *assertion) { a.key, a.kid, a.claims["aud"] = rsaKey, p.KID, p.TokenURL })
	resp, err := c.PostForm(p.TokenURL, tokenForm(a))
	if err != nil {
		t.Fatal(err)
	}
	var tok map[string]string
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("token with the sandbox-apim profile's settings: %d %v", resp.StatusCode, tok)
	}
	req, _ := http.NewRequest("GET", p.URL, nil)
	req.Header.Set("Authorization", "Bearer "+tok["access_token"])
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != p.ExpectJSON {
		t.Errorf("hello: %d %s, want the profile's expect_json %s", resp.StatusCode, body, p.ExpectJSON)
	}
	// A second start keeps the key and the profile as they are.
	before, _ := os.ReadFile(p.Key)
	if err := s.PrepareAPIMProfile(); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(p.Key); string(after) != string(before) {
		t.Error("the signing key was replaced")
	}
}

// Registrations at once (several `onramp sandbox register-jwks`) all end
// up in the set: none overwrites another's read of the file.
func TestRegisterJWKSConcurrent(t *testing.T) {
	dir := t.TempDir()
	const n = 12
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := RegisterJWKS(dir, publicJWKS(t, testRSAKey, fmt.Sprintf("kid-%d", i))); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	kids, err := RegisterJWKS(dir, publicJWKS(t, testRSAKey, "last"))
	if err != nil || len(kids) != n+1 {
		t.Errorf("registered %d of %d: %v %v", len(kids), n+1, kids, err)
	}
}
