package tokens

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/redact"
	"github.com/onramp-cli/onramp/provider"
)

// AWSRegion is where the HMPPS SQS queues live.
const AWSRegion = "eu-west-2"

// HMPPSConfig is what a request for temporary SQS credentials needs.
type HMPPSConfig struct {
	// TokenURL is https://<host>/token; the endpoint is not versioned.
	TokenURL string
	APIKey   string
	// APIKeyHeader defaults to x-api-key.
	APIKeyHeader string
	// HTTPClient must present the client certificate (mutual TLS).
	HTTPClient *http.Client
	// ClientIdentity names the client certificate (its path or
	// fingerprint); it only keys the cache, so a new certificate is never
	// answered with the old one's credentials.
	ClientIdentity string
	Timeout        time.Duration
}

// HMPPSTokenURL is the /token endpoint of the host of base (any path, such
// as a /v1 API path, is dropped: /token is not versioned).
func HMPPSTokenURL(base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || u.Scheme != "https" {
		return "", &Error{ID: cause.EndpointNotFound, Op: "token URL",
			Detail: fmt.Sprintf("%q is not an https URL of an HMPPS Integration API host", base)}
	}
	return "https://" + u.Host + "/token", nil
}

// AWSCredentials are temporary AWS credentials as STS hands them out.
type AWSCredentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	// Expiration is zero when the endpoint did not say.
	Expiration time.Time
	// Cached says they came from the keyring cache.
	Cached bool
}

// credentialProcess is the output format of an AWS credential_process
// helper: Version 1, AccessKeyId and SecretAccessKey required,
// SessionToken and Expiration (ISO 8601) optional.
type credentialProcess struct {
	Version         int    `json:"Version"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	SessionToken    string `json:"SessionToken,omitempty"`
	Expiration      string `json:"Expiration,omitempty"`
}

// CredentialProcessJSON is what `credential_process` in ~/.aws/config
// expects on stdout.
func (c *AWSCredentials) CredentialProcessJSON() ([]byte, error) {
	out := credentialProcess{Version: 1, AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
	if !c.Expiration.IsZero() {
		out.Expiration = c.Expiration.UTC().Format(time.RFC3339)
	}
	return json.Marshal(out)
}

// ExportLines are POSIX shell lines setting the AWS tools' variables.
func (c *AWSCredentials) ExportLines(region string) string {
	var b strings.Builder
	for _, kv := range c.Environ(region) {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&b, "export %s=%s\n", k, shellQuote(v))
	}
	return b.String()
}

// Environ is the AWS tools' variables as KEY=VALUE entries for a child
// process's environment (onramp exec), as aws-vault sets them.
func (c *AWSCredentials) Environ(region string) []string {
	env := []string{"AWS_ACCESS_KEY_ID=" + c.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + c.SecretAccessKey}
	if c.SessionToken != "" {
		env = append(env, "AWS_SESSION_TOKEN="+c.SessionToken)
	}
	if !c.Expiration.IsZero() {
		env = append(env, "AWS_CREDENTIAL_EXPIRATION="+c.Expiration.UTC().Format(time.RFC3339))
	}
	if region != "" {
		env = append(env, "AWS_REGION="+region)
	}
	return env
}

// shellQuote leaves plain values alone and single-quotes the rest.
func shellQuote(s string) string {
	plain := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("+/=_-.:", r)) {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// FetchAWS asks the HMPPS /token endpoint for temporary SQS credentials:
// POST, client certificate and API key.
func FetchAWS(ctx context.Context, c *HMPPSConfig) (*AWSCredentials, error) {
	u, err := url.Parse(c.TokenURL)
	if err != nil || u.Host == "" || u.Scheme != "https" {
		return nil, &Error{ID: cause.EndpointNotFound, Op: "aws credentials",
			Detail: fmt.Sprintf("%q is not an https URL", c.TokenURL)}
	}
	if c.APIKey == "" {
		return nil, &Error{ID: cause.APIKeyMissing, Op: "aws credentials", Detail: "the /token endpoint needs the API key: store it with `onramp secret set api-key --profile P`"}
	}
	if strings.TrimSpace(c.APIKey) != c.APIKey {
		return nil, &Error{ID: cause.APIKeyWhitespace, Op: "aws credentials", Detail: "the API key has leading or trailing whitespace (a copy-paste newline?); store it again without"}
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
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.TokenURL, nil)
	if err != nil {
		return nil, &Error{ID: cause.EndpointNotFound, Op: "aws credentials", Detail: "bad token URL"}
	}
	header := c.APIKeyHeader
	if header == "" {
		header = "x-api-key"
	}
	req.Header.Set(header, c.APIKey)
	req.Header.Set("Accept", "application/json")
	client := c.HTTPClient
	if client == nil {
		if client, err = NewHTTPClient(TransportOptions{}); err != nil {
			return nil, err
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		e := transportError("aws credentials", err)
		e.Detail = redact.Values(e.Detail, c.APIKey)
		e.Err = nil
		return nil, e
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		e := transportError("aws credentials", err)
		e.Detail = redact.Values(e.Detail, c.APIKey)
		e.Err = nil
		return nil, e
	}
	if resp.StatusCode != http.StatusOK {
		return nil, classifyHMPPS(resp.StatusCode, body, u, c.APIKey)
	}
	creds, err := parseSTS(body)
	if err != nil {
		return nil, &Error{ID: cause.UnexpectedResponse, Op: "aws credentials", Status: resp.StatusCode, Detail: err.Error()}
	}
	return creds, nil
}

// parseSTS reads AWS STS-shaped credentials, liberal in the shape: at the
// top level or nested (Credentials, AssumeRoleResult.Credentials), keys
// in any case, Expiration as ISO 8601 or seconds (or milliseconds) since
// 1970.
func parseSTS(body []byte) (*AWSCredentials, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		// Not quoted: the body holds secrets when it is what was asked for.
		return nil, fmt.Errorf("the /token endpoint answered 200 but not with a JSON object (%d bytes)", len(body))
	}
	fields := findCredentials(lowerKeys(top), 3)
	str := func(k string) string {
		var s string
		if raw, ok := fields[k]; ok {
			_ = json.Unmarshal(raw, &s)
		}
		return strings.TrimSpace(s)
	}
	creds := &AWSCredentials{AccessKeyID: str("accesskeyid"), SecretAccessKey: str("secretaccesskey"), SessionToken: str("sessiontoken")}
	var missing []string
	if creds.AccessKeyID == "" {
		missing = append(missing, "AccessKeyId")
	}
	if creds.SecretAccessKey == "" {
		missing = append(missing, "SecretAccessKey")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("the /token answer has no %s (fields seen: %s)", strings.Join(missing, " or "), strings.Join(keysOf(fields), ", "))
	}
	if raw, ok := fields["expiration"]; ok {
		t, err := parseExpiration(raw)
		if err != nil {
			return nil, err
		}
		creds.Expiration = t
	}
	return creds, nil
}

func parseExpiration(raw json.RawMessage) (time.Time, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02 15:04:05Z07:00"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), nil
			}
		}
	}
	if n, ok := flexibleInt(raw); ok && n > 0 {
		if n > 1e11 {
			return time.UnixMilli(n).UTC(), nil
		}
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("the Expiration field is %s, not an ISO 8601 time", truncate(string(raw), 40))
}

// findCredentials returns the object holding AccessKeyId: m itself, or
// one nested in it (Credentials, AssumeRoleResult.Credentials, ...).
func findCredentials(m map[string]json.RawMessage, depth int) map[string]json.RawMessage {
	if _, ok := m["accesskeyid"]; ok || depth == 0 {
		return m
	}
	for _, v := range m {
		var inner map[string]json.RawMessage
		if json.Unmarshal(v, &inner) == nil {
			if found := findCredentials(lowerKeys(inner), depth-1); found != nil {
				if _, ok := found["accesskeyid"]; ok {
					return found
				}
			}
		}
	}
	return m
}

func lowerKeys(m map[string]json.RawMessage) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

func keysOf(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return []string{"none"}
	}
	return keys
}

// hmppsAnswer looks a response up in the HMPPS template's answer table.
func hmppsAnswer(status int, body []byte, path string) (cause.ID, string, bool) {
	t, err := provider.Get("hmpps")
	if err != nil {
		return "", "", false
	}
	return t.MatchAnswer(status, body, path)
}

// classifyHMPPS names the cause of a refused /token request. HMPPS's own
// 403 bodies name the certificate's problem; a bare 403 is the API key.
func classifyHMPPS(status int, body []byte, u *url.URL, apiKey string) *Error {
	text := redact.Values(strings.TrimSpace(string(body)), apiKey)
	var msg struct {
		Message string `json:"message"`
		Error   string `json:"error"`
		Detail  string `json:"developerMessage"`
	}
	if json.Unmarshal(body, &msg) == nil {
		for _, s := range []string{msg.Message, msg.Detail, msg.Error} {
			if s != "" {
				text = redact.Values(s, apiKey)
				break
			}
		}
	}
	e := &Error{Op: "aws credentials", Status: status, Description: truncate(text, 200)}
	if id, detail, ok := hmppsAnswer(status, body, u.Path); ok && status != http.StatusNotFound {
		// The HMPPS template's table of documented answers, as diagnose uses it.
		e.ID, e.Detail = id, redact.Values(detail, apiKey)
		return e
	}
	switch {
	case status == http.StatusNotFound:
		e.ID = cause.EndpointNotFound
		if u.Path != "/token" {
			e.Detail = fmt.Sprintf("nothing at %s: the token endpoint is not versioned, it is https://%s/token", u.Path, u.Host)
		} else {
			e.Detail = fmt.Sprintf("%s has no /token endpoint: check the host is an HMPPS Integration API environment (dev., preprod. or the production host)", u.Host)
		}
	case status == http.StatusMethodNotAllowed:
		e.ID, e.Detail = cause.MethodNotAllowed, "the /token endpoint wants POST"
	case status == http.StatusForbidden || status == http.StatusUnauthorized:
		e.ID, e.Detail = cause.APIKeyRejected, "the API key was refused: check it is this environment's key, sent as-is (not Base64-encoded)"
	default:
		e.ID, e.Detail = statusCause(status, u.String())
		if e.ID == cause.OAuthInvalidClient {
			e.ID = cause.APIKeyRejected
		}
	}
	return e
}
