package sandbox

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/onramp-cli/onramp/keystore"
)

var testRSAKey = func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}()

func publicJWKS(t *testing.T, key *rsa.PrivateKey, kid string) []byte {
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
		"jti": randomHex(16),
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
		"client_assertion_type": {assertionType},
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
		{"no assertion", url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {assertionType}}, 400, "invalid_request", "client_assertion"},
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
		if _, err := RegisterJWKS(dir, tc.data); keystore.CauseID(err) != tc.id {
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
