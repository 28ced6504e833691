package provider

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Role is an API key role and the endpoint patterns it may call. In a
// pattern, ** matches anything (slashes included), * anything but a slash.
type Role struct {
	Name     string   `yaml:"name" json:"name"`
	Purpose  string   `yaml:"purpose,omitempty" json:"purpose,omitempty"`
	Patterns []string `yaml:"patterns" json:"patterns"`
}

type rolePattern struct {
	role     string
	pattern  string
	re       *regexp.Regexp
	literals int // characters outside wildcards: more is more specific
}

// RequiredRole returns the API key role that may call path (a request path,
// query ignored), so api-key-wrong-role is caught before a request is sent.
// ok is false when the template has no role table or no pattern matches.
// When patterns of several roles match, the most specific one wins.
func RequiredRole(t *Template, path string) (role string, ok bool) {
	if t == nil {
		return "", false
	}
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	if u, err := url.Parse(path); err == nil && u.IsAbs() {
		path = u.Path
	}
	if len(path) > 1 {
		path = strings.TrimRight(path, "/")
	}
	best := -1
	for _, rp := range t.compiledRoles() {
		if rp.re.MatchString(path) && rp.literals > best {
			role, best = rp.role, rp.literals
		}
	}
	return role, best >= 0
}

func (t *Template) compiledRoles() []rolePattern {
	if t.rolePatterns == nil && len(t.Roles) > 0 {
		ps, _ := compileRoles(t.Roles)
		t.rolePatterns = ps
	}
	return t.rolePatterns
}

func compileRoles(roles []Role) ([]rolePattern, error) {
	var out []rolePattern
	for _, r := range roles {
		for _, p := range r.Patterns {
			if !strings.HasPrefix(p, "/") {
				return nil, fmt.Errorf("role %s: pattern %q must start with /", r.Name, p)
			}
			var re strings.Builder
			re.WriteString("^")
			literals := 0
			for i := 0; i < len(p); {
				switch {
				case strings.HasPrefix(p[i:], "/**") && i+3 == len(p):
					// A trailing /** also matches the path itself.
					re.WriteString("(/.*)?")
					i += 3
				case strings.HasPrefix(p[i:], "**"):
					re.WriteString(".*")
					i += 2
				case p[i] == '*':
					re.WriteString("[^/]*")
					i++
				default:
					re.WriteString(regexp.QuoteMeta(p[i : i+1]))
					literals++
					i++
				}
			}
			re.WriteString("$")
			out = append(out, rolePattern{role: r.Name, pattern: p, re: regexp.MustCompile(re.String()), literals: literals})
		}
	}
	return out, nil
}
