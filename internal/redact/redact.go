// Package redact is onramp's one redaction of secret values: every secret
// a run loaded or sent (API key, token, passphrase, URL password, a
// credential header) is replaced wherever it appears in what onramp
// prints, including bodies and headers a server echoed back.
package redact

import (
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
)

// Placeholder replaces a secret value.
const Placeholder = "[redacted]"

// minLen: shorter values are not secrets worth the noise of blanking
// every "a" or "ok" in a report.
const minLen = 4

// Set holds the secret values known in this run. The zero value is empty
// and ready to use.
type Set struct{ values []string }

// Add records secret values (empty and very short ones are ignored), with
// the forms a server may echo them in: URL-escaped and Base64.
func (s *Set) Add(values ...string) {
	for _, v := range values {
		if len(v) < minLen {
			continue
		}
		for _, form := range []string{v, url.QueryEscape(v), url.PathEscape(v), base64.StdEncoding.EncodeToString([]byte(v))} {
			if !slices.Contains(s.values, form) {
				s.values = append(s.values, form)
			}
		}
	}
	// Longest first, so a secret containing another is blanked whole.
	slices.SortFunc(s.values, func(a, b string) int { return len(b) - len(a) })
}

// AddURL records the password (and the user name) of a URL's userinfo.
func (s *Set) AddURL(raw string) {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return
	}
	if p, ok := u.User.Password(); ok {
		s.Add(p)
	}
}

// AddHeader records a request header's value when its name says it holds
// a credential (Authorization, Cookie, an API key, a token, a secret).
func (s *Set) AddHeader(name, value string) {
	if !CredentialHeader(name) {
		return
	}
	s.Add(value)
	if _, cred, ok := strings.Cut(value, " "); ok {
		s.Add(strings.TrimSpace(cred)) // "Bearer TOKEN", "Basic B64"
	}
}

// CredentialHeader says whether a header's name marks its value secret.
func CredentialHeader(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"authorization", "cookie", "key", "token", "secret", "password", "signature", "credential"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// String blanks every known secret in text.
func (s *Set) String(text string) string {
	if s == nil {
		return text
	}
	for _, v := range s.values {
		if strings.Contains(text, v) {
			text = strings.ReplaceAll(text, v, Placeholder)
		}
	}
	return text
}

// Values blanks the given secrets in text: for one-off use.
func Values(text string, secrets ...string) string {
	var s Set
	s.Add(secrets...)
	return s.String(text)
}

// URL drops a URL's userinfo password (the user name stays, so the user
// can tell which account), for messages that show the URL.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "REDACTED")
	}
	return u.String()
}
