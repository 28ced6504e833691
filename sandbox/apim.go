package sandbox

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/cause"

	"github.com/go-jose/go-jose/v4"

	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
)

// JWKSFile is the registered public keys of the APIM-like token endpoint,
// in the data directory; `onramp sandbox register-jwks FILE` writes it.
const JWKSFile = "jwks.json"

// Signed-JWT rules of NHS API Management (../shared/PROVIDERS.md).
const (
	assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	maxExpAhead   = 5 * time.Minute
	expSlack      = 10 * time.Second // NHS allows about 310 s
	tokenLifetime = 599              // seconds, sent as a string like NHS does
)

// RegisterJWKS validates a JWKS of public RSA signing keys and adds its keys
// to the sandbox's registered set (a key with the same kid is replaced). It
// returns the kids now registered.
func RegisterJWKS(dir string, data []byte) ([]string, error) {
	add, err := parsePublicJWKS(data)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, JWKSFile)
	var set jose.JSONWebKeySet
	if old, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(old, &set); err != nil {
			return nil, fmt.Errorf("%s: %v (delete it to start afresh)", path, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	for _, k := range add.Keys {
		kept := set.Keys[:0]
		for _, old := range set.Keys {
			if old.KeyID != k.KeyID {
				kept = append(kept, old)
			}
		}
		set.Keys = append(kept, k)
	}
	out, err := json.MarshalIndent(set, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := keystore.WriteFileAtomic(path, append(out, '\n'), 0o644, true); err != nil {
		return nil, err
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.KeyID)
	}
	return kids, nil
}

func parsePublicJWKS(data []byte) (*jose.JSONWebKeySet, error) {
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &raw); err != nil || raw.Keys == nil {
		return nil, &keystore.Error{ID: cause.InputWrongFileType, Msg: fmt.Sprintf("not a JWKS (want {\"keys\":[...]}; the file holds %s); make one with `onramp keygen --jwks --kid KID`", keystore.Sniff(data))}
	}
	for _, k := range raw.Keys {
		// A private key must never be published; refuse before parsing.
		var priv struct {
			D string `json:"d"`
		}
		if json.Unmarshal(k, &priv) == nil && priv.D != "" {
			return nil, &keystore.Error{ID: cause.InputWrongFileType, Msg: "this JWKS holds a private key (\"d\"); register only the public JWKS"}
		}
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, &keystore.Error{ID: cause.InputWrongFileType, Msg: "invalid JWKS: " + err.Error(), Err: err}
	}
	if len(set.Keys) == 0 {
		return nil, &keystore.Error{ID: cause.InputWrongFileType, Msg: "the JWKS has no keys"}
	}
	for _, k := range set.Keys {
		if k.KeyID == "" {
			return nil, &keystore.Error{ID: cause.InputWrongFileType, Msg: "a key in the JWKS has no \"kid\"; the token endpoint finds keys by kid"}
		}
		if _, ok := k.Key.(*rsa.PublicKey); !ok {
			return nil, &keystore.Error{ID: cause.KeyUnsupported, Msg: fmt.Sprintf("key %q is not an RSA public key: NHS API Management signs with RS512", k.KeyID)}
		}
		if k.Algorithm != "" && k.Algorithm != string(jose.RS512) {
			return nil, &keystore.Error{ID: cause.KeyUnsupported, Msg: fmt.Sprintf("key %q has alg %s; NHS API Management accepts only RS512", k.KeyID, k.Algorithm)}
		}
	}
	return &set, nil
}

// oauthError is NHS API Management's error body.
func oauthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{
		"error":             code,
		"error_description": description,
		"message_id":        "rrt-" + randomHex(8),
	})
}

// oauthToken is shaped like NHS API Management's signed-JWT client
// credentials endpoint: the same checks, in a similar order, with the same
// kinds of error messages.
func (s *Server) oauthToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "Malformed request body")
		return
	}
	bad := func(desc string) { oauthError(w, http.StatusBadRequest, "invalid_request", desc) }
	if r.PostForm.Get("grant_type") != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type is missing or not 'client_credentials'")
		return
	}
	if r.PostForm.Get("client_assertion_type") != assertionType {
		bad("Missing or invalid client_assertion_type - must be '" + assertionType + "'")
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
	if !equalSecret(iss, s.keys.API) {
		oauthError(w, http.StatusUnauthorized, "invalid_request", "Invalid 'iss'/'sub' claims in client_assertion JWT")
		return
	}
	set, err := s.registeredJWKS()
	if err != nil {
		s.logf("registered JWKS: %v", err)
	}
	if set == nil || len(set.Keys) == 0 {
		oauthError(w, http.StatusForbidden, "public_key error", "You need to register a public key to use this authentication method - register one with `onramp sandbox register-jwks FILE`")
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
	tokenURL := "https://" + r.Host + TokenPath
	if !audienceIs(claims["aud"], tokenURL) {
		oauthError(w, http.StatusUnauthorized, "invalid_request", "Missing or invalid 'aud' claim in client_assertion JWT")
		return
	}
	expRaw, present := claims["exp"]
	expNum, isNum := expRaw.(float64)
	now := s.cfg.Now()
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
	token := randomHex(16)
	s.tokenMu.Lock()
	for t, until := range s.tokens {
		if now.After(until) {
			delete(s.tokens, t)
		}
	}
	s.tokens[token] = now.Add(tokenLifetime * time.Second)
	s.tokenMu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{
		"access_token": token,
		"expires_in":   strconv.Itoa(tokenLifetime),
		"token_type":   "Bearer",
		"issued_at":    strconv.FormatInt(now.UnixMilli(), 10),
	})
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

// rememberJTI records a JWT id until its token expires; false means the id
// was seen before (a replay).
func (s *Server) rememberJTI(jti string, exp, now time.Time) bool {
	s.jtiMu.Lock()
	defer s.jtiMu.Unlock()
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

// registeredJWKS reads the JWKS on each request, so a registration takes
// effect in a running sandbox.
func (s *Server) registeredJWKS() (*jose.JSONWebKeySet, error) {
	data, err := os.ReadFile(filepath.Join(s.cfg.Dir, JWKSFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, err
	}
	return &set, nil
}

// HelloPath is the APIM-like application-restricted endpoint (as NHS's
// Hello World API): it needs a bearer token from the token endpoint.
const HelloPath = "/hello-world/hello/application"

// apimHandler serves the APIM-like API: server TLS only, like NHS API
// Management, authenticated by signed JWT and bearer tokens.
func (s *Server) apimHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(TokenPath, onlyMethod("POST", s.oauthToken))
	mux.HandleFunc(HelloPath, onlyMethod("GET", s.hello))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
	})
	return s.logged("apim ", mux)
}

func (s *Server) hello(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeJSON(w, http.StatusUnauthorized, map[string]any{"issue": []map[string]string{{"severity": "error", "code": "forbidden", "diagnostics": "Missing Authorization header"}}})
		return
	}
	s.tokenMu.Lock()
	until, known := s.tokens[token]
	s.tokenMu.Unlock()
	if !known || s.cfg.Now().After(until) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]any{"issue": []map[string]string{{"severity": "error", "code": "forbidden", "diagnostics": "Invalid access token"}}})
		return
	}
	writeText(w, http.StatusOK, "application/json", helloJSON)
}

// The ready signed-JWT profile for the APIM-like API.
const (
	APIMProfileName   = "sandbox-apim"
	APIMKID           = "sandbox-1"
	apimSignerKeyFile = "apim-signer.key"
	helloJSON         = `{"message":"Hello Application!"}`
)

// PrepareAPIMProfile makes the sandbox's own signed-JWT client for the
// APIM-like API, as a new NHS API Management user would: an RSA 4096 key
// (made once; it takes a few seconds), its public key registered as kid
// sandbox-1, the API key stored for profile sandbox-apim, and that profile
// written, so `onramp token --profile sandbox-apim` works at once. Call it
// after Start, in the background; it logs its outcome.
func (s *Server) PrepareAPIMProfile() error {
	err := s.prepareAPIMProfile()
	if err != nil {
		s.logf("profile %s not ready: %v", APIMProfileName, err)
	} else {
		s.logf("profile %s ready: onramp token --profile %s", APIMProfileName, APIMProfileName)
	}
	return err
}

func (s *Server) prepareAPIMProfile() error {
	keyPath := filepath.Join(s.cfg.Dir, apimSignerKeyFile)
	key, err := keystore.ReadPrivateKey(keyPath, nil)
	if err != nil {
		if c, ok := cause.Of(err); !ok || c.ID != cause.InputFileUnreadable {
			return err
		}
		rsaKey, err := rsa.GenerateKey(rand.Reader, 4096)
		if err != nil {
			return err
		}
		der, err := x509.MarshalPKCS8PrivateKey(rsaKey)
		if err != nil {
			return err
		}
		// Without force: if another sandbox made the key meanwhile, both
		// use that one, so key and registered JWKS stay a pair.
		err = keystore.WriteFileAtomic(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600, false)
		switch {
		case err == nil:
			key = rsaKey
		case errors.Is(err, keystore.ErrExists):
			if key, err = keystore.ReadPrivateKey(keyPath, nil); err != nil {
				return err
			}
		default:
			return err
		}
	}
	pub, ok := key.Public().(*rsa.PublicKey)
	if !ok {
		return fmt.Errorf("%s is not an RSA key; delete it for a new one", keyPath)
	}
	set, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: pub, KeyID: APIMKID, Algorithm: string(jose.RS512), Use: "sig"}}})
	if err != nil {
		return err
	}
	if _, err := RegisterJWKS(s.cfg.Dir, set); err != nil {
		return err
	}
	stored := false
	if s.keys.InKeyring && s.cfg.Keyring != nil {
		stored = s.cfg.Keyring.Set(APIMProfileName, APIKeyName, s.keys.API) == nil
	}
	p, err := profile.Load(APIMProfileName)
	if errors.Is(err, profile.ErrNotFound) {
		p, err = &profile.Profile{Name: APIMProfileName}, nil
	}
	if err != nil {
		return err
	}
	if p.Provider != "" && p.Provider != "sandbox" {
		return fmt.Errorf("a profile named %q already exists for provider %s; the sandbox leaves it alone", APIMProfileName, p.Provider)
	}
	before := clone(p)
	base := s.APIMBaseURL()
	p.Provider, p.Environment = "sandbox", "local-apim"
	p.Auth = []string{"signed-jwt"}
	p.URL, p.TokenURL = base+HelloPath, base+TokenPath
	p.Key, p.KID = keyPath, APIMKID
	p.CACert = s.pki.CABundlePath()
	p.APIKeySecret, p.ExpectJSON = APIKeyName, helloJSON
	if stored {
		if _, ok := p.Secrets[APIKeyName]; !ok {
			p.RecordSecret(APIKeyName, s.cfg.Now())
		}
	}
	if reflect.DeepEqual(before, p) {
		return nil
	}
	return profile.Save(p)
}
