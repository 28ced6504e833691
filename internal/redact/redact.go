// Package redact is onramp's one redaction of secret values: every secret
// a run loaded or sent (API key, token, passphrase, URL password, a
// credential header) is replaced wherever it appears in what onramp
// prints, including bodies and headers a server echoed back.
package redact

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Placeholder replaces a secret value.
const Placeholder = "[redacted]"

// minLen: shorter values are not secrets worth the noise of blanking
// every "a" or "ok" in a report.
const minLen = 4

// Set holds the secret values known in this run. The zero value is empty
// and ready to use; it is safe for concurrent use (watch's checks and the
// output streams share one).
type Set struct {
	// MinLen: values shorter than this are not blanked (0: 4). A set that
	// blanks everything a process prints sets more, so a short test
	// passphrase ("wrong") does not blank a cause id
	// (key-passphrase-wrong).
	MinLen int

	mu     sync.RWMutex
	values []string
}

// Add records secret values (empty and very short ones are ignored), with
// the forms a server may echo them in: URL-escaped and Base64.
func (s *Set) Add(values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	least := minLen
	if s.MinLen > 0 {
		least = s.MinLen
	}
	for _, v := range values {
		if len(v) < least {
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
	s.mu.RLock()
	defer s.mu.RUnlock()
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

// userinfo is a password in a URL written in text: scheme://user:PASSWORD@.
// Compiled on first use, not at start-up.
var userinfo = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@"'<>]*:)[^/\s@"'<>]+@`)
})

// Text blanks every known secret in text, and any password written in a
// URL (scheme://user:PASSWORD@host), known or not: what every output of
// onramp goes through.
func (s *Set) Text(text string) string {
	text = s.String(text)
	if strings.Contains(text, "://") {
		text = userinfo().ReplaceAllString(text, "${1}"+Placeholder+"@")
	}
	return text
}

// longest is the length of the longest known value.
func (s *Set) longest() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.values) == 0 {
		return 0
	}
	return len(s.values[0])
}
