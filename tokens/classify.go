package tokens

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

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

// classifyNHS names the cause of a refused token request: the first row
// of the template's answer table (nhs-apim's, unless the config names
// another) for the token endpoint that matches, else the generic OAuth
// and HTTP status rules.
func classifyNHS(resp *http.Response, body []byte, now time.Time, c *NHSConfig, assertion string) *Error {
	oe := parseOAuthError(body)
	secrets := []string{c.APIKey, assertion}
	e := &Error{Op: "token request", Status: resp.StatusCode,
		Code:        redact.Values(oe.Error, secrets...),
		Description: truncate(redact.Values(oe.Description, secrets...), 300),
		MessageID:   redact.Values(oe.MessageID, secrets...)}
	u, _ := url.Parse(c.TokenURL)
	if row, detail := c.answers().FindTokenAnswer(resp.StatusCode, body, u); row != nil {
		e.ID, e.Detail = row.Cause, redact.Values(detail, secrets...)
		if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil && row.Clock {
			if skew := d.Sub(now); skew >= skewThreshold || skew <= -skewThreshold {
				e.ID = cause.ClockSkew
				e.Detail = fmt.Sprintf("this machine's clock is %s the server's (its Date header), so exp looks wrong to it: synchronise the clock (timedatectl set-ntp true, or your OS's time settings)", describeSkew(skew))
			}
		}
		return e
	}
	switch strings.ToLower(oe.Error) {
	case "invalid_client", "unauthorized_client":
		// OAuth 2.0's own codes (RFC 6749 section 5.2), for any provider.
		e.ID, e.Detail = cause.OAuthInvalidClient, "the token endpoint does not recognise the client: check the API key (iss/sub) belongs to an app in this environment that has the API added"
		return e
	}
	e.ID, e.Detail = statusCause(resp.StatusCode, c.TokenURL)
	if oe.Error == "" && oe.Description == "" {
		e.Description = describeBody(body, secrets...)
	}
	if e.ID == cause.UnexpectedResponse && resp.StatusCode >= 300 && resp.StatusCode < 400 {
		if loc := resp.Header.Get("Location"); loc != "" {
			e.Detail += "; it redirects to " + truncate(redact.Values(loc, secrets...), 120)
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

func describeSkew(d time.Duration) string {
	if d < 0 {
		return (-d).Round(time.Second).String() + " ahead of"
	}
	return d.Round(time.Second).String() + " behind"
}
