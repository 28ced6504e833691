// Package tokentest runs fake credential endpoints for tests, on loopback
// with real TLS: an NHS API Management token endpoint that checks client
// assertions the way APIM documents, a JWKS host, and an HMPPS-like /token
// endpoint behind mutual TLS that hands out AWS STS credentials.
package tokentest

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/onramp-cli/onramp/internal/testpki"
)

// Reply is a canned answer.
type Reply struct {
	Status int
	Body   string
}

// APIM is a fake NHS API Management token endpoint at /oauth2/token, with
// an API at /hello that wants one of its tokens.
type APIM struct {
	// URL is https://127.0.0.1:PORT; TokenURL is URL + /oauth2/token.
	URL      string
	TokenURL string
	// Addr is the listening 127.0.0.1:PORT.
	Addr string

	mu sync.Mutex
	// APIKey is the registered app's key (its iss/sub).
	APIKey string
	// JWKSURL is where the app's public keys are published; "" means none
	// registered.
	JWKSURL string
	// Aud is the audience it expects; default TokenURL. Set it to another
	// environment's token URL to play "signed for one, posted to another".
	Aud string
	// Now is the server's clock (and its Date header); default time.Now.
	Now func() time.Time
	// ExpiresIn is the raw JSON of expires_in; default "599" (a string, as
	// APIM sends it).
	ExpiresIn string
	// Canned, when set, answers every request.
	Canned *Reply
	// Issued counts the tokens handed out; Tokens lists them.
	Issued int
	Tokens []string
	// Forms are the request bodies received, for replay tests.
	Forms []url.Values
	seen  map[string]bool

	jwksClient *http.Client
}

// NewAPIM starts the fake token endpoint with a certificate from ca (for
// 127.0.0.1, localhost and any hosts given, so a test can reach it as
// int.api.service.nhs.uk through a resolve override); it is closed when the
// test ends.
func NewAPIM(t testing.TB, ca *testpki.CA, apiKey string, hosts ...string) *APIM {
	t.Helper()
	a := &APIM{APIKey: apiKey, seen: map[string]bool{}}
	a.jwksClient = &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}},
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(a.serve))
	opts := testpki.Options{DNSNames: append([]string{"localhost"}, hosts...), IPs: []net.IP{net.IPv4(127, 0, 0, 1)}}
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Server(t, opts).TLSCertificate(true)}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what tests provoke
	srv.StartTLS()
	t.Cleanup(srv.Close)
	a.URL = srv.URL
	a.Addr = srv.Listener.Addr().String()
	a.TokenURL = srv.URL + "/oauth2/token"
	return a
}

// ServeJWKS publishes a key set over HTTPS on loopback, as an app's JWKS
// URL would; it returns the URL.
func ServeJWKS(t testing.TB, ca *testpki.CA, jwks []byte) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(jwks)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Server(t, testpki.Options{}).TLSCertificate(true)}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what tests provoke
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL + "/jwks.json"
}

// Set changes the fake's settings under its lock.
func (a *APIM) Set(f func(a *APIM)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f(a)
}

// Count is the number of tokens handed out so far.
func (a *APIM) Count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.Issued
}

func (a *APIM) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func messageID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "rrt-" + hex.EncodeToString(b[:]) + "-a-geu2-1"
}

func (a *APIM) fail(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc, "message_id": messageID()})
}

func (a *APIM) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	w.Header().Set("Date", a.now().UTC().Format(http.TimeFormat))
	if a.Canned != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.Canned.Status)
		_, _ = io.WriteString(w, a.Canned.Body)
		return
	}
	if r.URL.Path == "/hello" {
		a.hello(w, r)
		return
	}
	if r.URL.Path != "/oauth2/token" {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error":"not_found","error_description":"no such resource"}`)
		return
	}
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		a.fail(w, 400, "invalid_request", "Malformed request body")
		return
	}
	a.Forms = append(a.Forms, r.PostForm)
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		a.fail(w, 400, "unsupported_grant_type", "grant_type is missing or invalid")
		return
	}
	if r.PostForm.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		a.fail(w, 400, "invalid_request", "Missing or invalid client_assertion_type - must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'")
		return
	}
	assertion := r.PostForm.Get("client_assertion")
	if assertion == "" {
		a.fail(w, 400, "invalid_request", "Missing client_assertion")
		return
	}
	tok, err := jwt.ParseSigned(assertion, []jose.SignatureAlgorithm{jose.RS512, jose.RS256, jose.RS384, jose.PS256, jose.PS512, jose.ES256, jose.ES384, jose.EdDSA})
	if err != nil || len(tok.Headers) != 1 {
		a.fail(w, 400, "invalid_request", "Malformed JWT in client_assertion")
		return
	}
	h := tok.Headers[0]
	if h.Algorithm != string(jose.RS512) {
		a.fail(w, 400, "invalid_request", "Invalid 'alg' header in client_assertion JWT - unsupported JWT algorithm - must be 'RS512'")
		return
	}
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != "JWT" {
		a.fail(w, 400, "invalid_request", "Invalid 'typ' header in client_assertion JWT - must be 'JWT'")
		return
	}
	if h.KeyID == "" {
		a.fail(w, 400, "invalid_request", "Missing 'kid' header in client_assertion JWT")
		return
	}
	// The app is found by iss before its keys can be looked up.
	var unverified map[string]json.RawMessage
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		a.fail(w, 400, "invalid_request", "Malformed JWT in client_assertion")
		return
	}
	iss, sub := claimString(unverified, "iss"), claimString(unverified, "sub")
	if iss == "" || sub == "" || iss != sub {
		a.fail(w, 400, "invalid_request", "Missing or non-matching 'iss'/'sub' claims in client_assertion JWT")
		return
	}
	if iss != a.APIKey {
		a.fail(w, 401, "invalid_request", "Invalid 'iss'/'sub' claims in client_assertion JWT")
		return
	}
	if a.JWKSURL == "" {
		a.fail(w, 403, "public_key error", "You need to register a public key to use this authentication method - please contact support to configure")
		return
	}
	set, err := a.fetchJWKS(r.Context())
	if err != nil {
		a.fail(w, 403, "public_key error", "The JWKS endpoint, for your client_assertion can't be reached")
		return
	}
	keys := set.Key(h.KeyID)
	if len(keys) == 0 {
		a.fail(w, 401, "invalid_request", "Invalid 'kid' header in client_assertion JWT - no matching public key")
		return
	}
	var claims map[string]json.RawMessage
	if err := tok.Claims(keys[0].Key, &claims); err != nil {
		a.fail(w, 401, "public_key error", "JWT signature verification failed")
		return
	}
	aud := a.Aud
	if aud == "" {
		aud = a.TokenURL
	}
	if claimString(claims, "aud") != aud {
		a.fail(w, 401, "invalid_request", "Missing or invalid 'aud' claim in client_assertion JWT")
		return
	}
	rawExp, ok := claims["exp"]
	if !ok {
		a.fail(w, 400, "invalid_request", "Missing exp claim in client_assertion JWT")
		return
	}
	exp, err := strconv.ParseInt(string(rawExp), 10, 64)
	if err != nil {
		a.fail(w, 400, "invalid_request", "Invalid exp claim in client_assertion JWT - must be an Integer")
		return
	}
	now := a.now().Unix()
	if exp < now {
		a.fail(w, 400, "invalid_request", "Invalid exp claim in client_assertion JWT - JWT has expired")
		return
	}
	// APIM's check allows about 310 s.
	if exp > now+310 {
		a.fail(w, 400, "invalid_request", "Invalid exp claim in client_assertion JWT - more than 5 minutes in future")
		return
	}
	jti := claimString(claims, "jti")
	if jti == "" {
		a.fail(w, 400, "invalid_request", "Missing jti claim in client_assertion JWT")
		return
	}
	if a.seen[jti] {
		a.fail(w, 400, "invalid_request", "Non-unique jti claim in client_assertion JWT")
		return
	}
	a.seen[jti] = true

	var b [24]byte
	_, _ = rand.Read(b[:])
	access := "CANARY-TOKEN-" + hex.EncodeToString(b[:])
	a.Issued++
	a.Tokens = append(a.Tokens, access)
	expiresIn := a.ExpiresIn
	if expiresIn == "" {
		expiresIn = `"599"`
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"access_token":%q,"expires_in":%s,"token_type":"Bearer","issued_at":"%d"}`,
		access, expiresIn, a.now().UnixMilli())
}

// hello is an application-restricted API: it answers only a bearer token
// this fake issued.
func (a *APIM) hello(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if ok {
		for _, t := range a.Tokens {
			if t == bearer {
				_, _ = io.WriteString(w, `{"message":"hello"}`)
				return
			}
		}
	}
	w.Header().Set("WWW-Authenticate", "Bearer")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = io.WriteString(w, `{"error":"access_denied","error_description":"Invalid access token"}`)
}

func (a *APIM) fetchJWKS(ctx context.Context) (*jose.JSONWebKeySet, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.JWKSURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := a.jwksClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("JWKS: HTTP %d", resp.StatusCode)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		return nil, err
	}
	return &set, nil
}

func claimString(claims map[string]json.RawMessage, name string) string {
	var s string
	if raw, ok := claims[name]; ok {
		_ = json.Unmarshal(raw, &s)
	}
	return s
}
