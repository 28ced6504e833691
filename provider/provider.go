// Package provider holds what each documented API needs: environments and
// hosts, auth methods, header names, key and CSR rules, the status and
// token endpoints, and what to send the provider. Built-in templates are
// embedded YAML (templates/*.yaml, one per provider); a user adds or
// overrides one with a file of the same format in <config dir>/providers/.
package provider

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/onramp-cli/onramp/profile"
)

// Auth methods a template may name (the values of profile.Profile.Auth).
const (
	AuthMTLS      = "mtls"
	AuthAPIKey    = "api-key"
	AuthSignedJWT = "signed-jwt" // OAuth client credentials with a signed JWT (NHS APIM)
	AuthBearerJWT = "bearer-jwt" // a JWT the client already has, sent as Bearer (Securosys)
)

// How much a template needs an auth method.
const (
	NeedRequired = "required"
	NeedOptional = "optional"
	// NeedChoice: exactly one of the template's choice methods is used
	// (NHS APIM: API key or signed JWT); the first is the default.
	NeedChoice = "choice"
)

// Secret names used by profiles built from templates.
const (
	SecretAPIKey  = "api-key"
	SecretKeyPass = "key-pass"
)

// Template describes one provider's API.
type Template struct {
	ID          string `yaml:"id" json:"id"`
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description" json:"description"`
	Source      string `yaml:"source,omitempty" json:"source,omitempty"`

	// Environments in the order a user meets them; the first is the
	// default unless DefaultEnvironment says otherwise.
	Environments       []Environment `yaml:"environments" json:"environments"`
	DefaultEnvironment string        `yaml:"default_environment,omitempty" json:"default_environment,omitempty"`

	Auth         []AuthMethod `yaml:"auth" json:"auth"`
	APIKeyHeader string       `yaml:"api_key_header,omitempty" json:"api_key_header,omitempty"`
	// DefaultKID is the suggested key id for a signed-JWT JWKS.
	DefaultKID string           `yaml:"default_kid,omitempty" json:"default_kid,omitempty"`
	Keys       []KeyRequirement `yaml:"keys,omitempty" json:"keys,omitempty"`
	CSR        *CSRRule         `yaml:"csr,omitempty" json:"csr,omitempty"`
	Status     *StatusCheck     `yaml:"status,omitempty" json:"status,omitempty"`
	Token      *TokenEndpoint   `yaml:"token,omitempty" json:"token,omitempty"`
	// Roles (Securosys): which API key role each endpoint pattern needs.
	Roles []Role `yaml:"roles,omitempty" json:"roles,omitempty"`

	// Instructions: what to send the provider and what comes back.
	Instructions string `yaml:"instructions" json:"instructions"`
	// Uncertain lists facts the public documentation does not settle;
	// each is a setting (profile field or user template), not a rule.
	Uncertain []string `yaml:"uncertain,omitempty" json:"uncertain,omitempty"`

	// Origin is "built-in" or the user template's file.
	Origin string `yaml:"-" json:"origin"`

	rolePatterns []rolePattern
}

// Environment is one named deployment of the API.
type Environment struct {
	Name string `yaml:"name" json:"name"`
	// URL is the base URL; empty when only the user knows it (Securosys TSB).
	URL string `yaml:"url" json:"url"`
	// NoAuth: the environment needs no credentials (NHS sandbox).
	NoAuth bool   `yaml:"no_auth,omitempty" json:"no_auth,omitempty"`
	Notes  string `yaml:"notes,omitempty" json:"notes,omitempty"`
}

// AuthMethod is one way the API authenticates clients.
type AuthMethod struct {
	Method string `yaml:"method" json:"method"`
	Need   string `yaml:"need" json:"need"`
	Notes  string `yaml:"notes,omitempty" json:"notes,omitempty"`
}

// KeyRequirement is a key pair the provider needs.
type KeyRequirement struct {
	// Purpose: tls, signing or encryption.
	Purpose string `yaml:"purpose" json:"purpose"`
	Type    string `yaml:"type" json:"type"` // rsa, ecdsa, ed25519
	Bits    int    `yaml:"bits,omitempty" json:"bits,omitempty"`
	Curve   string `yaml:"curve,omitempty" json:"curve,omitempty"`
	Hash    string `yaml:"hash,omitempty" json:"hash,omitempty"`
	Notes   string `yaml:"notes,omitempty" json:"notes,omitempty"`
}

// CSRRule says what the certificate request's subject must hold.
type CSRRule struct {
	// Subject is a template in onramp keygen's --subject form, with
	// {placeholders}: "/C=GB/O={organisation}/CN={client_id}".
	Subject string   `yaml:"subject" json:"subject"`
	Fields  []string `yaml:"fields,omitempty" json:"fields,omitempty"`
	CNRule  string   `yaml:"cn_rule" json:"cn_rule"`
	// CNFormat is the CN alone, with the same placeholders.
	CNFormat string `yaml:"cn_format,omitempty" json:"cn_format,omitempty"`
}

// StatusCheck is a documented endpoint that says whether the API is up.
type StatusCheck struct {
	Path       string `yaml:"path" json:"path"`
	Method     string `yaml:"method,omitempty" json:"method,omitempty"`
	ExpectJSON string `yaml:"expect_json,omitempty" json:"expect_json,omitempty"`
	Notes      string `yaml:"notes,omitempty" json:"notes,omitempty"`
}

// TokenEndpoint is where the client gets a token or credentials.
type TokenEndpoint struct {
	Path   string `yaml:"path" json:"path"`
	Method string `yaml:"method,omitempty" json:"method,omitempty"`
	// Kind: signed-jwt (OAuth client credentials, NHS APIM) or aws-sts (HMPPS).
	Kind  string `yaml:"kind,omitempty" json:"kind,omitempty"`
	Notes string `yaml:"notes,omitempty" json:"notes,omitempty"`
}

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

// Env returns the named environment.
func (t *Template) Env(name string) (*Environment, bool) {
	for i := range t.Environments {
		if t.Environments[i].Name == name {
			return &t.Environments[i], true
		}
	}
	return nil, false
}

// EnvironmentNames lists the environments in order.
func (t *Template) EnvironmentNames() []string {
	names := make([]string, len(t.Environments))
	for i, e := range t.Environments {
		names[i] = e.Name
	}
	return names
}

// DefaultEnv is the environment a new profile uses when none is named.
func (t *Template) DefaultEnv() string {
	if t.DefaultEnvironment != "" {
		return t.DefaultEnvironment
	}
	if len(t.Environments) > 0 {
		return t.Environments[0].Name
	}
	return ""
}

// DefaultAuth is the methods a new profile uses: every required method,
// the first choice, and none of the optional ones unless nothing else
// is needed (then all optional ones are offered).
func (t *Template) DefaultAuth() []string {
	var out, optional []string
	choice := false
	for _, a := range t.Auth {
		switch a.Need {
		case NeedRequired:
			out = append(out, a.Method)
		case NeedChoice:
			if !choice {
				out = append(out, a.Method)
				choice = true
			}
		case NeedOptional:
			optional = append(optional, a.Method)
		}
	}
	if len(out) == 0 {
		return optional
	}
	return out
}

// AuthChoices lists the combinations of methods the API accepts, the
// preferred (DefaultAuth) first: with choice methods, the required ones
// plus each choice; with only optional ones, all of them, then each alone.
func (t *Template) AuthChoices() [][]string {
	var required, choices, optional []string
	for _, a := range t.Auth {
		switch a.Need {
		case NeedRequired:
			required = append(required, a.Method)
		case NeedChoice:
			choices = append(choices, a.Method)
		case NeedOptional:
			optional = append(optional, a.Method)
		}
	}
	var out [][]string
	if len(choices) > 0 {
		for _, c := range choices {
			out = append(out, append(slices.Clone(required), c))
		}
		return out
	}
	out = append(out, t.DefaultAuth())
	if len(required) > 0 && len(optional) > 0 {
		out = append(out, append(slices.Clone(required), optional...))
	}
	if len(required) == 0 && len(optional) > 1 {
		for _, o := range optional {
			out = append(out, []string{o})
		}
	}
	return out
}

// Requires reports whether the API always needs the method.
func (t *Template) Requires(method string) bool {
	for _, a := range t.Auth {
		if a.Method == method && a.Need == NeedRequired {
			return true
		}
	}
	return false
}

// Supports reports whether the template knows the method at all.
func (t *Template) Supports(method string) bool {
	for _, a := range t.Auth {
		if a.Method == method {
			return true
		}
	}
	return false
}

// KeyFor returns the key requirement for a purpose (tls, signing, encryption).
func (t *Template) KeyFor(purpose string) (*KeyRequirement, bool) {
	for i := range t.Keys {
		if t.Keys[i].Purpose == purpose {
			return &t.Keys[i], true
		}
	}
	return nil, false
}

var placeholderRe = regexp.MustCompile(`\{([a-z_]+)\}`)

// Expand fills {placeholders} in a subject or CN format; unknown ones stay
// as they are, so a missing value is visible rather than silently empty.
func Expand(format string, vars map[string]string) string {
	return placeholderRe.ReplaceAllStringFunc(format, func(m string) string {
		if v, ok := vars[m[1:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// Placeholders lists the {placeholders} a format uses, in order.
func Placeholders(format string) []string {
	var out []string
	for _, m := range placeholderRe.FindAllStringSubmatch(format, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// TokenURL is the token endpoint for an environment ("" when the template
// has none or the environment has no URL).
func (t *Template) TokenURL(env string) string {
	e, ok := t.Env(env)
	if !ok || e.URL == "" || t.Token == nil || e.NoAuth {
		return ""
	}
	return strings.TrimRight(e.URL, "/") + t.Token.Path
}

// NewProfile builds a profile for the environment (the default when env is
// empty): URL, auth, API key header and secret name, status endpoint and
// its expectation, token URL. An unknown environment leaves the URL empty
// for the user to fill in; check names with Env first.
func (t *Template) NewProfile(name, env string) *profile.Profile {
	if env == "" {
		env = t.DefaultEnv()
	}
	p := &profile.Profile{Name: name, Provider: t.ID, Environment: env}
	e, ok := t.Env(env)
	if ok {
		p.URL = e.URL
	}
	if ok && e.NoAuth {
		return p
	}
	p.Auth = t.DefaultAuth()
	if t.APIKeyHeader != "" && (t.Supports(AuthAPIKey) || t.Supports(AuthSignedJWT)) {
		p.APIKeyHeader = t.APIKeyHeader
		p.APIKeySecret = SecretAPIKey
	}
	if t.Status != nil {
		p.StatusPath = t.Status.Path
		p.ExpectJSON = t.Status.ExpectJSON
	}
	if t.Token != nil && t.Token.Kind == AuthSignedJWT {
		p.TokenURL = t.TokenURL(env)
	}
	return p
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

var validID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

var (
	knownMethods = []string{AuthMTLS, AuthAPIKey, AuthSignedJWT, AuthBearerJWT}
	knownNeeds   = []string{NeedRequired, NeedOptional, NeedChoice}
)

// Validate checks a template's own consistency (ids, methods, URLs, roles).
func (t *Template) Validate() error {
	var errs []error
	if !validID.MatchString(t.ID) {
		errs = append(errs, fmt.Errorf("id %q: use lower-case letters, digits and '-'", t.ID))
	}
	if t.Name == "" {
		errs = append(errs, errors.New("name is empty"))
	}
	if len(t.Environments) == 0 {
		errs = append(errs, errors.New("no environments"))
	}
	seen := map[string]bool{}
	for _, e := range t.Environments {
		if e.Name == "" || seen[e.Name] {
			errs = append(errs, fmt.Errorf("environment %q: empty or repeated name", e.Name))
		}
		seen[e.Name] = true
		if e.URL != "" {
			u, err := url.Parse(e.URL)
			if err != nil || u.Scheme != "https" || u.Host == "" {
				errs = append(errs, fmt.Errorf("environment %s: url %q is not an https:// URL", e.Name, e.URL))
			}
		}
	}
	if t.DefaultEnvironment != "" && !seen[t.DefaultEnvironment] {
		errs = append(errs, fmt.Errorf("default_environment %q is not one of the environments", t.DefaultEnvironment))
	}
	if len(t.Auth) == 0 {
		errs = append(errs, errors.New("no auth methods"))
	}
	for _, a := range t.Auth {
		if !slices.Contains(knownMethods, a.Method) {
			errs = append(errs, fmt.Errorf("auth method %q: use one of %s", a.Method, strings.Join(knownMethods, ", ")))
		}
		if !slices.Contains(knownNeeds, a.Need) {
			errs = append(errs, fmt.Errorf("auth %s: need %q: use one of %s", a.Method, a.Need, strings.Join(knownNeeds, ", ")))
		}
	}
	for _, k := range t.Keys {
		if !slices.Contains([]string{"rsa", "ecdsa", "ed25519"}, k.Type) {
			errs = append(errs, fmt.Errorf("key %s: type %q: use rsa, ecdsa or ed25519", k.Purpose, k.Type))
		}
	}
	if t.Status != nil && !strings.HasPrefix(t.Status.Path, "/") {
		errs = append(errs, fmt.Errorf("status path %q must start with /", t.Status.Path))
	}
	if t.Token != nil && !strings.HasPrefix(t.Token.Path, "/") {
		errs = append(errs, fmt.Errorf("token path %q must start with /", t.Token.Path))
	}
	ps, err := compileRoles(t.Roles)
	if err != nil {
		errs = append(errs, err)
	}
	t.rolePatterns = ps
	return errors.Join(errs...)
}

// Parse decodes one template strictly (unknown fields are errors) and
// validates it; errors name the file.
func Parse(path string, data []byte) (*Template, error) {
	var t Template
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&t); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty template", path)
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
		return nil, fmt.Errorf("%s: %s", path, msg)
	}
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	t.Origin = path
	return &t, nil
}

//go:embed templates/*.yaml
var builtinFS embed.FS

// builtinOrder is how the built-ins are listed: documented providers first.
var builtinOrder = []string{"hmpps", "nhs-apim", "govuk-dcs", "securosys", "generic", "sandbox"}

var builtins = sync.OnceValues(func() ([]*Template, error) {
	entries, err := fs.ReadDir(builtinFS, "templates")
	if err != nil {
		return nil, err
	}
	var out []*Template
	for _, e := range entries {
		data, err := builtinFS.ReadFile("templates/" + e.Name())
		if err != nil {
			return nil, err
		}
		t, err := Parse("built-in "+e.Name(), data)
		if err != nil {
			return nil, err
		}
		t.Origin = "built-in"
		out = append(out, t)
	}
	sortTemplates(out)
	return out, nil
})

func sortTemplates(ts []*Template) {
	rank := func(id string) int {
		if i := slices.Index(builtinOrder, id); i >= 0 {
			return i
		}
		return len(builtinOrder)
	}
	sort.SliceStable(ts, func(i, j int) bool {
		ri, rj := rank(ts[i].ID), rank(ts[j].ID)
		if ri != rj {
			return ri < rj
		}
		return ts[i].ID < ts[j].ID
	})
}

// Builtin returns the embedded templates.
func Builtin() []*Template {
	ts, err := builtins()
	if err != nil {
		// The embedded files are fixed at build time and tested.
		panic(err)
	}
	return ts
}

// Load reads the user templates in dir (*.yaml). A missing dir is no
// templates; a broken file is reported by name and the others still load.
func Load(dir string) ([]*Template, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var out []*Template
	var errs []error
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		t, err := Parse(p, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, t)
	}
	return out, errors.Join(errs...)
}

// UserDir is where user templates live: <config dir>/providers.
func UserDir() (string, error) {
	d, err := profile.Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "providers"), nil
}

// Templates returns the built-ins with the user's templates merged in (a
// user template replaces the built-in of the same id), and any error from
// broken user files (the good ones are still returned).
func Templates() ([]*Template, error) {
	out := slices.Clone(Builtin())
	dir, err := UserDir()
	if err != nil {
		return out, err
	}
	user, loadErr := Load(dir)
	for _, u := range user {
		if i := slices.IndexFunc(out, func(t *Template) bool { return t.ID == u.ID }); i >= 0 {
			out[i] = u
		} else {
			out = append(out, u)
		}
	}
	sortTemplates(out)
	return out, loadErr
}

// All returns every template, built-in and user (broken user files are
// left out; Templates or Get reports them).
func All() []*Template {
	ts, _ := Templates()
	return ts
}

// Get returns the template with the id.
func Get(id string) (*Template, error) {
	ts, loadErr := Templates()
	for _, t := range ts {
		if t.ID == id {
			return t, nil
		}
	}
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	err := fmt.Errorf("unknown provider %q: use one of %s", id, strings.Join(ids, ", "))
	if loadErr != nil {
		err = fmt.Errorf("%w\n(some user templates did not load: %v)", err, loadErr)
	}
	return nil, err
}
