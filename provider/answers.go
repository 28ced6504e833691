package provider

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/onramp-cli/onramp/cause"
)

// Answer is one documented answer of a provider's API and the cause it
// means: a status (any of Status) and a body pattern (a case-insensitive
// regular expression; empty matches any body). The first row that matches
// wins, before diagnose's own rules.
//
// Detail is what the report says; in it {1}..{9} are the pattern's groups,
// {match} the matched text, {path} the request path, {url} the request
// URL (the path when only that is known), {role} the API key role the
// path needs (from the template's role table) and {json:NAME} the body's
// top-level JSON field NAME, compact.
type Answer struct {
	Status []int    `yaml:"status" json:"status"`
	Body   string   `yaml:"body,omitempty" json:"body,omitempty"`
	Cause  cause.ID `yaml:"cause" json:"cause"`
	Detail string   `yaml:"detail" json:"detail"`
	// Endpoint limits the row to the template's token endpoint (token) or
	// to every other path (api); empty: any path.
	Endpoint string `yaml:"endpoint,omitempty" json:"endpoint,omitempty"`
	// Clock marks an answer about the assertion's times (exp, iat, nbf):
	// when the server's Date header and this machine's clock are 15 s or
	// more apart, the cause is clock-skew instead of the row's.
	Clock bool `yaml:"clock,omitempty" json:"clock,omitempty"`
	// Source says where the answer is documented (seed, guide section).
	Source string `yaml:"source,omitempty" json:"source,omitempty"`

	re *regexp.Regexp
}

// Answer endpoints.
const (
	EndpointToken = "token"
	EndpointAPI   = "api"
)

// compileAnswers checks every row: a status, a known cause, a pattern
// that compiles.
func compileAnswers(rows []Answer) error {
	for i := range rows {
		a := &rows[i]
		if len(a.Status) == 0 {
			return fmt.Errorf("answer %d: no status", i+1)
		}
		if a.Endpoint != "" && a.Endpoint != EndpointToken && a.Endpoint != EndpointAPI {
			return fmt.Errorf("answer %d: endpoint %q: use token, api or leave it out", i+1, a.Endpoint)
		}
		if _, ok := cause.Lookup(a.Cause); !ok {
			return fmt.Errorf("answer %d: cause %q is not in the catalog (onramp explain --id ID)", i+1, a.Cause)
		}
		re, err := regexp.Compile("(?is)" + a.Body)
		if err != nil {
			return fmt.Errorf("answer %d: body pattern: %v", i+1, err)
		}
		a.re = re
	}
	return nil
}

// MatchAnswer finds the documented answer for a response: its cause and
// the detail with its placeholders filled. ok is false when no row
// matches (diagnose's own rules decide then). Only a validated template
// (from Parse or Builtin) has compiled rows.
func (t *Template) MatchAnswer(status int, body []byte, path string) (id cause.ID, detail string, ok bool) {
	a, detail := t.FindAnswer(status, body, &url.URL{Path: path})
	if a == nil {
		return "", "", false
	}
	return a.Cause, detail, true
}

// FindAnswer is MatchAnswer for a full request URL: the matching row (nil
// when none) and its detail, {url} filled with u.
func (t *Template) FindAnswer(status int, body []byte, u *url.URL) (*Answer, string) {
	if t == nil || u == nil {
		return nil, ""
	}
	isToken := t.Token != nil && strings.TrimSuffix(u.Path, "/") == strings.TrimSuffix(t.Token.Path, "/")
	return t.findAnswer(status, body, u, isToken)
}

// FindTokenAnswer is FindAnswer for an answer of the token endpoint at u,
// whatever its path (a profile's token_url may differ from the template's).
func (t *Template) FindTokenAnswer(status int, body []byte, u *url.URL) (*Answer, string) {
	if t == nil || u == nil {
		return nil, ""
	}
	return t.findAnswer(status, body, u, true)
}

func (t *Template) findAnswer(status int, body []byte, u *url.URL, isToken bool) (*Answer, string) {
	for i := range t.Answers {
		a := &t.Answers[i]
		if a.re == nil || !slices.Contains(a.Status, status) || !atEndpoint(a, isToken) {
			continue // rows are compiled by Validate (Parse, Builtin)
		}
		m := a.re.FindSubmatch(body)
		if m == nil {
			continue
		}
		return a, t.expandDetail(a.Detail, m, body, u)
	}
	return nil, ""
}

// atEndpoint reports whether row a applies to a request of the token
// endpoint (isToken) or of the API.
func atEndpoint(a *Answer, isToken bool) bool {
	switch a.Endpoint {
	case EndpointToken:
		return isToken
	case EndpointAPI:
		return !isToken
	}
	return true
}

var detailVarRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{(match|path|url|role|[1-9]|json:[A-Za-z0-9_]+)\}`) })

func (t *Template) expandDetail(format string, m [][]byte, body []byte, u *url.URL) string {
	path := u.Path
	return detailVarRe().ReplaceAllStringFunc(format, func(v string) string {
		name := v[1 : len(v)-1]
		switch {
		case name == "match":
			return clip(string(m[0]))
		case name == "path":
			return path
		case name == "url":
			v := *u
			v.RawQuery, v.Fragment, v.User = "", "", nil
			return v.String()
		case name == "role":
			if r, ok := RequiredRole(t, path); ok {
				return r
			}
			return "(not in the role table)"
		case strings.HasPrefix(name, "json:"):
			return jsonField(body, strings.TrimPrefix(name, "json:"))
		default:
			n := int(name[0] - '0')
			if n < len(m) {
				return clip(string(m[n]))
			}
			return ""
		}
	})
}

// jsonField is a top-level field of a JSON object body, compact.
func jsonField(body []byte, name string) string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		return "(not JSON)"
	}
	raw, ok := obj[name]
	if !ok {
		return "(no " + name + ")"
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return clip(string(raw))
	}
	out, _ := json.Marshal(v)
	return clip(string(out))
}

// clip bounds a piece of the server's answer to 300 bytes, cut between
// characters.
func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= 300 {
		return s
	}
	cut := 300
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
