package tokens

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/redact"
	"github.com/onramp-cli/onramp/provider"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// NHS API Management's signed-JWT rules (../shared/PROVIDERS.md).
const (
	// ClientAssertionType is the form value APIM requires.
	ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	// DefaultAssertionLifetime keeps exp under APIM's 5-minute limit (its
	// check allows about 310 s) with room for a little clock drift.
	DefaultAssertionLifetime = 4*time.Minute + 50*time.Second
	// MaxAssertionLifetime is APIM's limit on exp - now.
	MaxAssertionLifetime = 5 * time.Minute
	// DefaultRSABits is the only key size APIM accepts for signed JWT.
	DefaultRSABits = 4096
	// DefaultTimeout bounds a token request whose context has no deadline.
	DefaultTimeout = 30 * time.Second
	// maxBody bounds what is read of an answer: a token response is small.
	maxBody = 1 << 20
)

// NHSConfig is what a signed-JWT token request needs.
type NHSConfig struct {
	// TokenURL is https://<host>/oauth2/token; it is also the aud claim.
	TokenURL string
	KID      string
	Key      crypto.Signer
	// APIKey is the app's API key, used as iss and sub.
	APIKey string
	// RSABits is the key size the provider accepts: 0 means 4096 (the NHS
	// rule), a negative value accepts any RSA key.
	RSABits int
	// AssertionLifetime is exp - now; 0 means DefaultAssertionLifetime.
	AssertionLifetime time.Duration
	HTTPClient        *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Timeout applies when the context has no deadline; 0 means DefaultTimeout.
	Timeout time.Duration
	// Answers is the template whose answer table names the token
	// endpoint's errors; nil means nhs-apim's.
	Answers *provider.Template
}

// answers is the template whose answer table classifies refusals.
func (c *NHSConfig) answers() *provider.Template {
	if c.Answers != nil {
		return c.Answers
	}
	t, err := provider.Get("nhs-apim")
	if err != nil {
		return nil // the built-in templates are tested to load
	}
	return t
}

func (c *NHSConfig) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Token is an OAuth access token and when it stops working.
type Token struct {
	AccessToken string `json:"access_token"`
	// ExpiresIn is the seconds left when the token was handed out (from the
	// cache: the seconds left now).
	ExpiresIn int64     `json:"expires_in"`
	TokenType string    `json:"token_type"`
	ExpiresAt time.Time `json:"expires_at"`
	// Cached says the token came from the keyring cache.
	Cached bool `json:"cached"`
	// IssuedAt is the server's issued_at, when it sent one.
	IssuedAt time.Time `json:"-"`
}

// validate checks everything that can be checked without the network, so
// a missing kid or a wrong key size fails before anything is sent.
func (c *NHSConfig) validate() error {
	u, err := url.Parse(c.TokenURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return &Error{ID: cause.EndpointNotFound, Op: "token URL",
			Detail: fmt.Sprintf("%q is not an absolute URL; NHS API Management's is https://<host>/oauth2/token", c.TokenURL)}
	}
	if u.Scheme != "https" {
		return &Error{ID: cause.EndpointNotFound, Op: "token URL",
			Detail: fmt.Sprintf("%s is not https: the client assertion must not travel in clear text", c.TokenURL)}
	}
	if strings.TrimSpace(c.KID) == "" {
		return &Error{ID: cause.JWTKeyNotConfigured, Op: "sign", Detail: "no kid is configured: give the key id registered with the public key (--kid, or kid: in the profile)"}
	}
	if c.Key == nil {
		return &Error{ID: cause.JWTKeyNotConfigured, Op: "sign", Detail: "no private key is configured (--key FILE, or key: in the profile)"}
	}
	if c.APIKey == "" {
		return &Error{ID: cause.APIKeyMissing, Op: "sign", Detail: "the API key (used as iss and sub) is empty"}
	}
	if strings.TrimSpace(c.APIKey) != c.APIKey {
		return &Error{ID: cause.APIKeyWhitespace, Op: "sign", Detail: "the API key has leading or trailing whitespace (a copy-paste newline?); store it again without"}
	}
	rsaKey, ok := c.Key.(*rsa.PrivateKey)
	if !ok {
		return &Error{ID: cause.KeyUnsupported, Op: "sign",
			Detail: fmt.Sprintf("the signing key is %s; NHS API Management signs with RS512 and needs an RSA key (onramp keygen --type rsa --bits 4096)", keyKind(c.Key))}
	}
	bits := c.RSABits
	if bits == 0 {
		bits = DefaultRSABits
	}
	if bits > 0 && rsaKey.N.BitLen() != bits {
		return &Error{ID: cause.KeyUnsupported, Op: "sign",
			Detail: fmt.Sprintf("the signing key is RSA %d; NHS API Management accepts RSA %d only (onramp keygen --type rsa --bits %d, then register the new public key)", rsaKey.N.BitLen(), bits, bits)}
	}
	if lt := c.AssertionLifetime; lt > MaxAssertionLifetime {
		return &Error{ID: cause.JWTClaimsInvalid, Op: "sign", Detail: fmt.Sprintf("an assertion lifetime of %s is over the 5-minute limit", lt)}
	}
	return nil
}

func keyKind(k crypto.Signer) string {
	switch k.Public().(type) {
	case *rsa.PublicKey:
		return "RSA"
	default:
		name := fmt.Sprintf("%T", k.Public())
		switch {
		case strings.Contains(name, "ecdsa"):
			return "an ECDSA key"
		case strings.Contains(name, "ed25519"):
			return "an Ed25519 key"
		}
		return name
	}
}

// SignAssertion builds the client assertion APIM requires: header alg
// RS512, typ JWT, kid; claims iss = sub = API key, aud = token URL, a fresh
// random jti and exp a little under 5 minutes from now.
func SignAssertion(c *NHSConfig, now time.Time) (string, error) {
	if err := c.validate(); err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS512, Key: jose.JSONWebKey{Key: c.Key, KeyID: c.KID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", &Error{ID: cause.KeyUnsupported, Op: "sign", Err: err, Detail: "the key cannot sign RS512: " + err.Error()}
	}
	jti, err := newJTI()
	if err != nil {
		return "", &Error{ID: cause.JWTClaimsInvalid, Op: "sign", Err: err, Detail: "no randomness for jti: " + err.Error()}
	}
	lifetime := c.AssertionLifetime
	if lifetime <= 0 {
		lifetime = DefaultAssertionLifetime
	}
	claims := jwt.Claims{
		Issuer:   c.APIKey,
		Subject:  c.APIKey,
		Audience: jwt.Audience{c.TokenURL},
		ID:       jti,
		Expiry:   jwt.NewNumericDate(now.Add(lifetime)),
	}
	s, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		return "", &Error{ID: cause.KeyUnsupported, Op: "sign", Err: err, Detail: "signing failed: " + err.Error()}
	}
	return s, nil
}

// newJTI is a random UUID (version 4): unique per request, as APIM refuses
// a jti it has seen before.
func newJTI() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

// FetchNHS gets an access token by signed-JWT client credentials. Errors
// carry cause ids (CauseID) and never a secret.
func FetchNHS(ctx context.Context, c *NHSConfig) (*Token, error) {
	now := c.now()
	assertion, err := SignAssertion(c, now)
	if err != nil {
		return nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		timeout := c.Timeout
		if timeout <= 0 {
			timeout = DefaultTimeout
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {ClientAssertionType},
		"client_assertion":      {assertion},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, &Error{ID: cause.EndpointNotFound, Op: "token request", Detail: "bad token URL: " + redact.Values(err.Error(), c.APIKey, assertion)}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	client := c.HTTPClient
	if client == nil {
		client, err = NewHTTPClient(TransportOptions{})
		if err != nil {
			return nil, err
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		e := transportError("token request", err)
		e.Detail = redact.Values(e.Detail, c.APIKey, assertion)
		e.Err = nil // the url.Error text is already in Detail, redacted
		return nil, e
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		e := transportError("token request", err)
		e.Detail = redact.Values(e.Detail, c.APIKey, assertion)
		e.Err = nil
		return nil, e
	}
	received := c.now()
	if resp.StatusCode != http.StatusOK {
		return nil, classifyNHS(resp, body, received, c, assertion)
	}
	tok, err := parseTokenResponse(body, received)
	if err != nil {
		return nil, &Error{ID: cause.UnexpectedResponse, Op: "token response", Status: resp.StatusCode, Detail: err.Error()}
	}
	return tok, nil
}

// parseTokenResponse reads APIM's answer, liberal in what it accepts:
// expires_in (and issued_at) come as strings or numbers.
func parseTokenResponse(body []byte, now time.Time) (*Token, error) {
	var raw struct {
		AccessToken string          `json:"access_token"`
		TokenType   string          `json:"token_type"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
		IssuedAt    json.RawMessage `json:"issued_at"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		// The body is not quoted: a 200 answer may hold a token.
		return nil, fmt.Errorf("the token endpoint answered 200 but not with JSON (%d bytes)", len(body))
	}
	if raw.AccessToken == "" {
		return nil, fmt.Errorf("the token endpoint answered 200 without an access_token")
	}
	tok := &Token{AccessToken: raw.AccessToken, TokenType: raw.TokenType}
	if tok.TokenType == "" {
		tok.TokenType = "Bearer"
	}
	if len(raw.ExpiresIn) > 0 {
		n, ok := flexibleInt(raw.ExpiresIn)
		if !ok || n < 0 {
			return nil, fmt.Errorf("expires_in is %s, not a number of seconds", truncate(string(raw.ExpiresIn), 40))
		}
		tok.ExpiresIn = n
		// Counted from this machine's clock, not issued_at: a skewed clock
		// must not make a fresh token look expired.
		tok.ExpiresAt = now.Add(time.Duration(n) * time.Second).UTC().Truncate(time.Second)
	}
	if n, ok := flexibleInt(raw.IssuedAt); ok && n > 0 {
		// Apigee sends milliseconds; seconds are accepted too.
		if n > 1e11 {
			tok.IssuedAt = time.UnixMilli(n).UTC()
		} else {
			tok.IssuedAt = time.Unix(n, 0).UTC()
		}
	}
	return tok, nil
}

// flexibleInt reads a JSON number or a string holding one.
func flexibleInt(raw json.RawMessage) (int64, bool) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return 0, false
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, false
		}
		s = strings.TrimSpace(s)
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 && f < 1e15 {
		return int64(f), true
	}
	return 0, false
}

// describeBody says how long body is and how it starts, the secrets
// blanked before it is cut (a secret across the cut would leave its start).
func describeBody(body []byte, secrets ...string) string {
	if len(body) == 0 {
		return "an empty body"
	}
	return fmt.Sprintf("%d bytes starting %q", len(body), truncate(redact.Values(string(body), secrets...), 60))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
