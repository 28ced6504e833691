package tokens

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/redact"
)

// oauthError is an error body as APIM sends it ({"error",
// "error_description", "message_id"}), plus the Apigee fault shape its
// proxies use when the request never reaches the OAuth service.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
	MessageID   string `json:"message_id"`
	Message     string `json:"message"`
	Fault       *struct {
		FaultString string `json:"faultstring"`
	} `json:"fault"`
}

func parseOAuthError(body []byte) oauthError {
	var e oauthError
	if json.Unmarshal(body, &e) != nil {
		return oauthError{}
	}
	if e.Description == "" {
		e.Description = e.Message
	}
	if e.Description == "" && e.Fault != nil {
		e.Description = e.Fault.FaultString
	}
	return e
}

// skewThreshold is how far apart the clocks must be for an exp complaint
// to be blamed on the clock: the Date header has one-second resolution and
// the assertion's lifetime leaves about 20 s of slack under APIM's check.
const skewThreshold = 15 * time.Second

// nhsRule maps an APIM token-endpoint error to a cause by meaning: the
// wording has changed over time, so rules look for the words that matter
// (kid, signature, iss, aud, exp, jti) rather than whole sentences.
type nhsRule struct {
	// when reports whether the rule applies to the error's words.
	when   func(e *nhsFailure) bool
	id     cause.ID
	detail func(e *nhsFailure) string
}

// nhsFailure is one refused token request, as the rules see it.
type nhsFailure struct {
	status   int
	code     string          // OAuth error, lower case
	words    map[string]bool // words of error and error_description, lower case
	text     string          // error + description, lower case
	tokenURL string
	skew     time.Duration // server Date - local clock; 0 when unknown
	hasSkew  bool
}

func (f *nhsFailure) has(words ...string) bool {
	for _, w := range words {
		if f.words[w] {
			return true
		}
	}
	return false
}

func (f *nhsFailure) contains(parts ...string) bool {
	for _, p := range parts {
		if strings.Contains(f.text, p) {
			return true
		}
	}
	return false
}

func (f *nhsFailure) skewed() bool {
	return f.hasSkew && (f.skew >= skewThreshold || f.skew <= -skewThreshold)
}

var nhsRules = []nhsRule{
	{id: cause.JWTSignatureInvalid,
		when: func(f *nhsFailure) bool { return f.has("signature") },
		detail: func(*nhsFailure) string {
			return "the public key registered for this kid does not verify the signature: the private key and the published JWKS are out of step (a new key made after the JWKS was registered?)"
		}},
	// public_key error without "signature": nothing registered, or the
	// app's JWKS URL cannot be fetched.
	{id: cause.JWTKidUnknown,
		when: func(f *nhsFailure) bool {
			return f.has("jwks") && f.contains("reach", "fetch", "retriev", "unavailable", "connect")
		},
		detail: func(*nhsFailure) string {
			return "NHS API Management cannot fetch the JWKS from the URL registered for this app: check that URL is public, answers over HTTPS and serves your key set"
		}},
	// A missing kid means none was configured (onramp always sends the
	// configured one), so the fix is local configuration.
	{id: cause.JWTKeyNotConfigured,
		when: func(f *nhsFailure) bool { return f.has("kid") && f.has("missing") },
		detail: func(*nhsFailure) string {
			return "the assertion reached the endpoint without a kid: set the key id registered with the public key (--kid, or kid: in the profile)"
		}},
	{id: cause.JWTKidUnknown,
		when: func(f *nhsFailure) bool { return f.has("kid") },
		detail: func(*nhsFailure) string {
			return "no public key with this kid is registered for this app in this environment: the kid must equal the \"kid\" of the JWKS registered on the NHS Developer Hub"
		}},
	{id: cause.JWTKidUnknown,
		when: func(f *nhsFailure) bool {
			return f.contains("public_key", "public key") || f.has("jwks")
		},
		detail: func(*nhsFailure) string {
			return "no public key is registered for this app: publish a JWKS with your public key (onramp keygen --jwks) and register it for the app on the NHS Developer Hub"
		}},
	{id: cause.JWTClaimsInvalid,
		when: func(f *nhsFailure) bool { return f.has("typ", "alg") },
		detail: func(*nhsFailure) string {
			return "the assertion's header must say typ JWT and alg RS512 (RS256 and PS512 are refused)"
		}},
	{id: cause.OAuthInvalidClient,
		when: func(f *nhsFailure) bool { return f.has("iss", "sub") },
		detail: func(f *nhsFailure) string {
			if f.has("missing") {
				return "the API key used as iss and sub is missing: store it with `onramp secret set api-key`"
			}
			return "the API key used as iss and sub is not the key of an app in this environment: development, integration and production apps have different keys, and the app must have this API added (NHS Developer Hub → the app → Active API keys)"
		}},
	{id: cause.JWTClaimsInvalid,
		when: func(f *nhsFailure) bool { return f.has("aud") },
		detail: func(f *nhsFailure) string {
			return fmt.Sprintf("aud must equal the token URL exactly (%s): the assertion was likely signed for one environment and posted to another", f.tokenURL)
		}},
	{id: cause.ClockSkew,
		when: func(f *nhsFailure) bool { return f.has("exp", "expired", "iat", "nbf") && f.skewed() },
		detail: func(f *nhsFailure) string {
			return fmt.Sprintf("this machine's clock is %s the server's (its Date header), so exp looks wrong to it: synchronise the clock (timedatectl set-ntp true, or your OS's time settings)", describeSkew(f.skew))
		}},
	{id: cause.JWTClaimsInvalid,
		when: func(f *nhsFailure) bool { return f.has("exp", "expired", "iat", "nbf") },
		detail: func(f *nhsFailure) string {
			switch {
			case f.has("expired"):
				return "the endpoint says the assertion had already expired: exp must be in the future when it arrives"
			case f.contains("future", "5 minutes", "five minutes", "300"):
				return "exp is more than 5 minutes ahead of the server's clock; NHS API Management allows at most 5 minutes"
			}
			return "exp must be an integer (seconds since 1970) at most 5 minutes ahead"
		}},
	{id: cause.JWTClaimsInvalid,
		when: func(f *nhsFailure) bool { return f.has("jti") },
		detail: func(f *nhsFailure) string {
			if f.contains("unique", "replay", "reuse", "already") {
				return "the jti was seen before (replay): every token request needs a fresh assertion, and an assertion cannot be reused"
			}
			return "the assertion needs a jti claim, a fresh unique string"
		}},
	{id: cause.JWTClaimsInvalid,
		when: func(f *nhsFailure) bool {
			return f.code == "unsupported_grant_type" || f.contains("client_assertion", "grant_type", "malformed")
		},
		detail: func(*nhsFailure) string {
			return "the endpoint refused the form itself (grant_type, client_assertion_type or a malformed client_assertion): a proxy between here and the endpoint may be changing the request"
		}},
	{id: cause.OAuthInvalidClient,
		when: func(f *nhsFailure) bool { return f.code == "invalid_client" || f.code == "unauthorized_client" },
		detail: func(*nhsFailure) string {
			return "the token endpoint does not recognise the client: check the API key (iss/sub) belongs to an app in this environment that has the API added"
		}},
}

// classifyNHS names the cause of a refused token request.
func classifyNHS(resp *http.Response, body []byte, now time.Time, c *NHSConfig, assertion string) *Error {
	oe := parseOAuthError(body)
	secrets := []string{c.APIKey, assertion}
	e := &Error{Op: "token request", Status: resp.StatusCode,
		Code:        redact.Values(oe.Error, secrets...),
		Description: redact.Values(truncate(oe.Description, 300), secrets...),
		MessageID:   redact.Values(oe.MessageID, secrets...)}
	f := &nhsFailure{
		status:   resp.StatusCode,
		code:     strings.ToLower(oe.Error),
		text:     strings.ToLower(oe.Error + " " + oe.Description),
		tokenURL: c.TokenURL,
	}
	f.words = wordSet(f.text)
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		f.skew, f.hasSkew = d.Sub(now), true
	}
	if oe.Error != "" || oe.Description != "" {
		for _, r := range nhsRules {
			if r.when(f) {
				e.ID, e.Detail = r.id, r.detail(f)
				return e
			}
		}
	}
	e.ID, e.Detail = statusCause(resp.StatusCode, c.TokenURL)
	if oe.Error == "" && oe.Description == "" {
		e.Description = redact.Values(describeBody(body), secrets...)
	}
	if e.ID == cause.UnexpectedResponse && resp.StatusCode >= 300 && resp.StatusCode < 400 {
		if loc := resp.Header.Get("Location"); loc != "" {
			e.Detail += "; it redirects to " + truncate(loc, 120)
		}
	}
	return e
}

// statusCause is the fallback when the body says nothing recognisable.
func statusCause(status int, endpoint string) (cause.ID, string) {
	host := endpoint
	if u, err := url.Parse(endpoint); err == nil {
		host = u.Host
	}
	switch {
	case status == http.StatusNotFound:
		return cause.EndpointNotFound, fmt.Sprintf("nothing answers at %s: check the host is the right environment's and the path", endpoint)
	case status == http.StatusMethodNotAllowed:
		return cause.MethodNotAllowed, "the endpoint wants POST"
	case status == http.StatusTooManyRequests:
		return cause.RateLimited, "the API key is being rate limited: wait and retry"
	case status == http.StatusServiceUnavailable:
		return cause.ServiceUnavailable, host + " says it is unavailable: try later"
	case status >= 500:
		return cause.ServerError, host + " failed to answer the request"
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return cause.OAuthInvalidClient, "the token endpoint refused the client without saying why: check the API key, kid and environment"
	}
	return cause.UnexpectedResponse, fmt.Sprintf("the endpoint answered HTTP %d, not a token", status)
}

// wordSet splits text into lower-case words; "'iss'/'sub'" gives iss and
// sub, "client_assertion_type" stays one word.
func wordSet(text string) map[string]bool {
	words := map[string]bool{}
	for _, w := range strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_'
	}) {
		words[w] = true
	}
	return words
}

func describeSkew(d time.Duration) string {
	if d < 0 {
		return (-d).Round(time.Second).String() + " ahead of"
	}
	return d.Round(time.Second).String() + " behind"
}
