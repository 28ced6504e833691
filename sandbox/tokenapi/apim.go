package tokenapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Paths and answers of the APIM-like API.
const (
	// APIMTokenPath is the signed-JWT token endpoint.
	APIMTokenPath = "/oauth2/token"
	// HelloPath is the application-restricted endpoint (as NHS's Hello
	// World API): it needs a bearer token from APIMTokenPath.
	HelloPath = "/hello-world/hello/application"
	// HelloJSON is HelloPath's answer.
	HelloJSON = `{"message":"Hello Application!"}`
	// AssertionType is the client_assertion_type APIM requires.
	AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

// Signed-JWT rules of NHS API Management (../shared/PROVIDERS.md).
const (
	maxExpAhead   = 5 * time.Minute
	expSlack      = 10 * time.Second // NHS allows about 310 s
	tokenLifetime = 599              // seconds, sent as a string like NHS does
)

// Reply is a fixed answer.
type Reply struct {
	Status int
	Body   string
}

// APIMOptions say how the APIM-like endpoint answers. Change them while it
// serves with Set.
type APIMOptions struct {
	// APIKey is the registered application's API key: the iss and sub an
	// assertion must carry.
	APIKey string
	// JWKS returns the application's registered public keys: nil or empty
	// when none is registered, an error when they cannot be fetched (APIM
	// then says its JWKS endpoint can't be reached). Nil means none.
	JWKS func(ctx context.Context) (*jose.JSONWebKeySet, error)
	// Audience is the aud an assertion must carry; "" means this
	// endpoint's own URL, https://HOST/oauth2/token. Another environment's
	// token URL plays "signed for one, posted to another".
	Audience string
	// NoKeyHint ends the refusal when no public key is registered; ""
	// means APIM's "please contact support to configure".
	NoKeyHint string
	// Now is the clock, also sent as the Date header; nil means time.Now.
	Now func() time.Time
	// ExpiresIn is the raw JSON of expires_in; "" means "599", a string,
	// as APIM sends it.
	ExpiresIn string
	// TokenPrefix starts every access token issued (a canary a test can
	// look for in output); the rest is random.
	TokenPrefix string
	// Reply, when set, answers every request instead.
	Reply *Reply
	// Record keeps each token request's form and each token issued, for
	// Forms and Tokens.
	Record bool
}

// APIM is the NHS API Management-like API; it is an http.Handler.
type APIM struct {
	endpoint[APIMOptions]
	tokens map[string]time.Time // access tokens issued, until they expire
	jtis   map[string]time.Time // assertion ids seen, until they expire
	// Kept when APIMOptions.Record is set.
	issuedList []string
	forms      []url.Values
}

// NewAPIM makes the APIM-like API.
func NewAPIM(o APIMOptions) *APIM {
	return &APIM{endpoint: endpoint[APIMOptions]{opts: o}, tokens: map[string]time.Time{}, jtis: map[string]time.Time{}}
}

// Tokens are the access tokens issued, oldest first (APIMOptions.Record).
func (s *APIM) Tokens() []string { return snapshot(&s.mu, s.issuedList) }

// Forms are the token requests' forms received, oldest first
// (APIMOptions.Record).
func (s *APIM) Forms() []url.Values { return snapshot(&s.mu, s.forms) }

func (s *APIM) now() time.Time { return clock(s.opts.Now) }

// ServeHTTP answers APIMTokenPath (POST) and HelloPath (GET); other paths get
// 404.
func (s *APIM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("Date", s.now().UTC().Format(http.TimeFormat))
	if s.opts.Reply != nil {
		writeBody(w, s.opts.Reply.Status, []byte(s.opts.Reply.Body))
		return
	}
	method, serve := "", http.HandlerFunc(nil)
	switch r.URL.Path {
	case APIMTokenPath:
		method, serve = http.MethodPost, s.token
	case HelloPath:
		method, serve = http.MethodGet, s.hello
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	if r.Method != method && !(method == http.MethodGet && r.Method == http.MethodHead) {
		w.Header().Set("Allow", method)
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": "Method Not Allowed"})
		return
	}
	serve(w, r)
}

// oauthError is NHS API Management's error body.
func oauthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{
		"error":             code,
		"error_description": description,
		"message_id":        "rrt-" + randomHex(8),
	})
}

// token is shaped like NHS API Management's signed-JWT client credentials
// endpoint: the same checks, in a similar order, with the same wording.
func (s *APIM) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "Malformed request body")
		return
	}
	if s.opts.Record {
		s.forms = append(s.forms, r.PostForm)
	}
	bad := func(desc string) { oauthError(w, http.StatusBadRequest, "invalid_request", desc) }
	if r.PostForm.Get("grant_type") != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type is missing or not 'client_credentials'")
		return
	}
	if r.PostForm.Get("client_assertion_type") != AssertionType {
		bad("Missing or invalid client_assertion_type - must be '" + AssertionType + "'")
		return
	}
	assertion := r.PostForm.Get("client_assertion")
	if assertion == "" {
		bad("Missing client_assertion")
		return
	}
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		bad("Malformed JWT in client_assertion")
		return
	}
	var header struct {
		Alg string `json:"alg"`
		Typ string `json:"typ"`
		Kid string `json:"kid"`
	}
	var claims map[string]any
	if decodeSegment(parts[0], &header) != nil || decodeSegment(parts[1], &claims) != nil {
		bad("Malformed JWT in client_assertion")
		return
	}
	switch {
	case header.Kid == "":
		bad("Missing 'kid' header in client_assertion JWT")
		return
	case header.Typ != "JWT":
		bad("Invalid 'typ' header in client_assertion JWT - must be 'JWT'")
		return
	case header.Alg != string(jose.RS512):
		bad("Invalid 'alg' header in client_assertion JWT - unsupported JWT algorithm - must be 'RS512'")
		return
	}
	iss, _ := claims["iss"].(string)
	sub, _ := claims["sub"].(string)
	if iss == "" || iss != sub {
		bad("Missing or non-matching 'iss'/'sub' claims in client_assertion JWT")
		return
	}
	if !equalSecret(iss, s.opts.APIKey) {
		oauthError(w, http.StatusUnauthorized, "invalid_request", "Invalid 'iss'/'sub' claims in client_assertion JWT")
		return
	}
	var set *jose.JSONWebKeySet
	if s.opts.JWKS != nil {
		var err error
		if set, err = s.opts.JWKS(r.Context()); err != nil {
			oauthError(w, http.StatusForbidden, "public_key error", "The JWKS endpoint, for your client_assertion can't be reached")
			return
		}
	}
	if set == nil || len(set.Keys) == 0 {
		hint := s.opts.NoKeyHint
		if hint == "" {
			hint = "please contact support to configure"
		}
		oauthError(w, http.StatusForbidden, "public_key error", "You need to register a public key to use this authentication method - "+hint)
		return
	}
	keys := set.Key(header.Kid)
	if len(keys) == 0 {
		oauthError(w, http.StatusUnauthorized, "invalid_request", "Invalid 'kid' header in client_assertion JWT - no matching public key")
		return
	}
	jws, err := jose.ParseSignedCompact(assertion, []jose.SignatureAlgorithm{jose.RS512})
	if err != nil {
		bad("Malformed JWT in client_assertion")
		return
	}
	if _, err := jws.Verify(keys[0].Key); err != nil {
		oauthError(w, http.StatusUnauthorized, "public_key error", "JWT signature verification failed")
		return
	}
	jti, present := claims["jti"]
	jtiText, isString := jti.(string)
	switch {
	case !present:
		bad("Missing 'jti' claim in client_assertion JWT")
		return
	case !isString || jtiText == "":
		bad("Invalid 'jti' claim in client_assertion JWT - must be a unique string value such as a GUID")
		return
	}
	aud := s.opts.Audience
	if aud == "" {
		aud = "https://" + r.Host + APIMTokenPath
	}
	if !audienceIs(claims["aud"], aud) {
		oauthError(w, http.StatusUnauthorized, "invalid_request", "Missing or invalid 'aud' claim in client_assertion JWT")
		return
	}
	expRaw, present := claims["exp"]
	expNum, isNum := expRaw.(float64)
	now := s.now()
	switch {
	case !present:
		bad("Missing 'exp' claim in client_assertion JWT")
		return
	case !isNum || expNum != float64(int64(expNum)):
		bad("Invalid 'exp' claim in client_assertion JWT - must be an integer")
		return
	}
	exp := time.Unix(int64(expNum), 0)
	switch {
	case !exp.After(now):
		bad("Invalid 'exp' claim in client_assertion JWT - JWT has expired")
		return
	case exp.Sub(now) > maxExpAhead+expSlack:
		bad("Invalid 'exp' claim in client_assertion JWT - more than 5 minutes in future")
		return
	}
	if !s.rememberJTI(jtiText, exp, now) {
		bad("Non-unique 'jti' claim in client_assertion JWT")
		return
	}
	s.issue(w, now)
}

// issue hands out a new access token.
func (s *APIM) issue(w http.ResponseWriter, now time.Time) {
	token := s.opts.TokenPrefix + randomHex(16)
	for t, until := range s.tokens {
		if now.After(until) {
			delete(s.tokens, t)
		}
	}
	s.tokens[token] = now.Add(tokenLifetime * time.Second)
	s.issued++
	if s.opts.Record {
		s.issuedList = append(s.issuedList, token)
	}
	expiresIn := s.opts.ExpiresIn
	if expiresIn == "" {
		expiresIn = strconv.Quote(strconv.Itoa(tokenLifetime))
	}
	writeBody(w, http.StatusOK, fmt.Appendf(nil, `{"access_token":%q,"expires_in":%s,"token_type":"Bearer","issued_at":"%d"}`,
		token, expiresIn, now.UnixMilli()))
}

func decodeSegment(seg string, v any) error {
	data, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

func audienceIs(aud any, want string) bool {
	switch a := aud.(type) {
	case string:
		return a == want
	case []any:
		return len(a) == 1 && a[0] == want
	}
	return false
}

// rememberJTI records an assertion id until the assertion expires; false
// means the id was seen before (a replay).
func (s *APIM) rememberJTI(jti string, exp, now time.Time) bool {
	for id, until := range s.jtis {
		if now.After(until) {
			delete(s.jtis, id)
		}
	}
	if _, seen := s.jtis[jti]; seen {
		return false
	}
	s.jtis[jti] = exp.Add(expSlack)
	return true
}

// hello answers a bearer token this endpoint issued and that has not
// expired.
func (s *APIM) hello(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeJSON(w, http.StatusUnauthorized, operationOutcome("Missing Authorization header"))
		return
	}
	until, known := s.tokens[token]
	if !known || s.now().After(until) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, operationOutcome("Invalid access token"))
		return
	}
	writeBody(w, http.StatusOK, []byte(HelloJSON))
}

// operationOutcome is the FHIR error body of NHS's APIs.
func operationOutcome(diagnostics string) map[string]any {
	return map[string]any{"issue": []map[string]string{{"severity": "error", "code": "forbidden", "diagnostics": diagnostics}}}
}

// StaticJWKS is a JWKS option for a fixed key set (JSON, as published).
func StaticJWKS(data []byte) func(context.Context) (*jose.JSONWebKeySet, error) {
	return func(context.Context) (*jose.JSONWebKeySet, error) {
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(data, &set); err != nil {
			return nil, err
		}
		return &set, nil
	}
}
