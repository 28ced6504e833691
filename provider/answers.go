package provider

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/onramp-cli/onramp/cause"
)

// Answer is one documented answer of a provider's API and the cause it
// means: a status (any of Status) and a body pattern (a case-insensitive
// regular expression; empty matches any body). The first row that matches
// wins, before diagnose's own rules.
//
// Detail is what the report says; in it {1}..{9} are the pattern's groups,
// {match} the matched text, {path} the request path, {role} the API key
// role the path needs (from the template's role table) and {json:NAME}
// the body's top-level JSON field NAME, compact.
type Answer struct {
	Status []int    `yaml:"status" json:"status"`
	Body   string   `yaml:"body,omitempty" json:"body,omitempty"`
	Cause  cause.ID `yaml:"cause" json:"cause"`
	Detail string   `yaml:"detail" json:"detail"`
	// Source says where the answer is documented (seed, guide section).
	Source string `yaml:"source,omitempty" json:"source,omitempty"`

	re *regexp.Regexp
}

// compileAnswers checks every row: a status, a known cause, a pattern
// that compiles.
func compileAnswers(rows []Answer) error {
	for i := range rows {
		a := &rows[i]
		if len(a.Status) == 0 {
			return fmt.Errorf("answer %d: no status", i+1)
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
	if t == nil {
		return "", "", false
	}
	for i := range t.Answers {
		a := &t.Answers[i]
		if a.re == nil || !slices.Contains(a.Status, status) {
			continue // rows are compiled by Validate (Parse, Builtin)
		}
		m := a.re.FindSubmatch(body)
		if m == nil {
			continue
		}
		return a.Cause, t.expandDetail(a.Detail, m, body, path), true
	}
	return "", "", false
}

var detailVarRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{(match|path|role|[1-9]|json:[A-Za-z0-9_]+)\}`) })

func (t *Template) expandDetail(format string, m [][]byte, body []byte, path string) string {
	return detailVarRe().ReplaceAllStringFunc(format, func(v string) string {
		name := v[1 : len(v)-1]
		switch {
		case name == "match":
			return clip(string(m[0]))
		case name == "path":
			return path
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

func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
