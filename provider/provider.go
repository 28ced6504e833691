// Package provider holds what each documented API needs: environments and
// hosts, auth methods, header names, key and CSR rules, the status and
// token endpoints, and what to send the provider. Built-in templates are
// embedded YAML (templates/*.yaml, one per provider); a user adds or
// overrides one with a file of the same format in <config dir>/providers/.
package provider

import (
	"cmp"
	"crypto/x509"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/profile"
)

// Auth methods a template may name (the values of profile.Profile.Auth).
const (
	AuthMTLS      = "mtls"
	AuthAPIKey    = "api-key"
	AuthSignedJWT = "signed-jwt" // OAuth client credentials with a signed JWT (NHS APIM)
	AuthBearerJWT = "bearer-jwt" // a token the client already has (a JWT, a static token), sent as Bearer (Securosys)
)

// AuthMethods are the auth methods, in the order they are listed to users.
func AuthMethods() []string {
	return []string{AuthMTLS, AuthAPIKey, AuthSignedJWT, AuthBearerJWT}
}

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
	SecretBearer  = "bearer-token"
	// SecretProxyPassword is the password for the proxy's user (the user
	// is in the proxy URL: http://USER@proxy:port).
	SecretProxyPassword = "proxy-password"
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

	Auth []AuthMethod `yaml:"auth" json:"auth"`
	// AuthWhy says in a sentence how to choose among the auth modes (the
	// wizard's auth screen), in the provider's words.
	AuthWhy string `yaml:"auth_why,omitempty" json:"auth_why,omitempty"`
	// DefaultAuthMethods, when set, is the combination a new profile uses
	// (for templates whose methods are all optional).
	DefaultAuthMethods []string `yaml:"default_auth,omitempty" json:"default_auth,omitempty"`
	APIKeyHeader       string   `yaml:"api_key_header,omitempty" json:"api_key_header,omitempty"`
	// DefaultKID is the suggested key id for a signed-JWT JWKS.
	DefaultKID string           `yaml:"default_kid,omitempty" json:"default_kid,omitempty"`
	Keys       []KeyRequirement `yaml:"keys,omitempty" json:"keys,omitempty"`
	CSR        *CSRRule         `yaml:"csr,omitempty" json:"csr,omitempty"`
	Status     *StatusCheck     `yaml:"status,omitempty" json:"status,omitempty"`
	Token      *TokenEndpoint   `yaml:"token,omitempty" json:"token,omitempty"`
	// Roles (Securosys): which API key role each endpoint pattern needs.
	Roles []Role `yaml:"roles,omitempty" json:"roles,omitempty"`
	// ClientCert holds rules for the client certificate beyond the key's.
	ClientCert *ClientCertRule `yaml:"client_cert,omitempty" json:"client_cert,omitempty"`
	// Answers are the provider's documented answers and the cause each
	// means (see answers.go); diagnose consults them before its own rules.
	Answers []Answer `yaml:"answers,omitempty" json:"answers,omitempty"`

	// CauseNotes are the provider's own advice for causes of the catalog
	// (whose fixes name no provider): diagnose, explain and the TUI show a
	// cause's note next to its fix when the profile is this provider's.
	CauseNotes map[cause.ID]string `yaml:"cause_notes,omitempty" json:"cause_notes,omitempty"`

	// CABundle says whether the server's certificate needs a CA bundle
	// from the provider (a private CA) to be trusted.
	CABundle *CABundleRule `yaml:"ca_bundle,omitempty" json:"ca_bundle,omitempty"`

	// Instructions: what to send the provider and what comes back.
	Instructions string `yaml:"instructions" json:"instructions"`
	// Send is what to do with the files once onramp has made them (the
	// wizard's send step); empty means Instructions.
	Send string `yaml:"send,omitempty" json:"send,omitempty"`
	// Uncertain lists facts the public documentation does not settle;
	// each is a setting (profile field or user template), not a rule.
	Uncertain []string `yaml:"uncertain,omitempty" json:"uncertain,omitempty"`

	// Origin is "built-in" or the user template's file.
	Origin string `yaml:"-" json:"origin"`

	rolePatterns []rolePattern
}

// Advice is what a fix adds for this provider's users, with client the
// program they connect with ("" unknown). A nil template adds the client's
// words only.
func (t *Template) Advice(client string) cause.Advice {
	a := cause.Advice{Client: client}
	if t != nil {
		a.Provider, a.Notes = t.Name, t.CauseNotes
	}
	return a
}

// ClientCertRule is what the provider wants of a client certificate.
type ClientCertRule struct {
	// OCSPURI: the provider may check client certificates by OCSP (Securosys
	// when configured so), and then refuses one without an AIA OCSP URI;
	// an import without one is warned.
	OCSPURI bool   `yaml:"ocsp_uri,omitempty" json:"ocsp_uri,omitempty"`
	Notes   string `yaml:"notes,omitempty" json:"notes,omitempty"`
}

// CertificateFindings are the template's own warnings about a client
// certificate being imported for it (the key's rules are KeyFor's).
func (t *Template) CertificateFindings(leaf *x509.Certificate) []diagnose.Finding {
	if t.ClientCert == nil || !t.ClientCert.OCSPURI || len(leaf.OCSPServer) > 0 {
		return nil
	}
	c := *cause.Get(cause.ClientCertRejected)
	c.Title = "The client certificate names no OCSP responder"
	c.Meaning = t.Name + " refuses client certificates without an AIA OCSP URI when it checks them by OCSP."
	c.Fix = "If the service checks client certificates by OCSP, ask the CA for a certificate whose Authority Information Access names an OCSP responder (onramp inspect shows it as OCSP:); otherwise nothing needs doing."
	return []diagnose.Finding{{Cause: &c, Warning: true,
		Detail: "the certificate has no Authority Information Access OCSP URI"}}
}

// CABundleRule is the provider's CA bundle for trusting its servers.
type CABundleRule struct {
	Required bool   `yaml:"required" json:"required"`
	Notes    string `yaml:"notes,omitempty" json:"notes,omitempty"`
}

// Environment is one named deployment of the API.
type Environment struct {
	Name string `yaml:"name" json:"name"`
	// URL is the base URL; empty when only the user knows it (Securosys TSB).
	URL string `yaml:"url" json:"url"`
	// NoAuth: the environment needs no credentials (NHS sandbox).
	NoAuth bool `yaml:"no_auth,omitempty" json:"no_auth,omitempty"`
	// Status, when set, replaces the template's status check in this
	// environment (NHS APIM's sandbox answers an open endpoint).
	Status *StatusCheck `yaml:"status,omitempty" json:"status,omitempty"`
	Notes  string       `yaml:"notes,omitempty" json:"notes,omitempty"`
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
	// NotFound says what a 404 there means, for the wizard and the report.
	NotFound string `yaml:"not_found,omitempty" json:"not_found,omitempty"`
	// Unconfirmed marks a path the provider's documents do not give (to be
	// confirmed with the provider): a 404 there also says how to set the
	// API's own path.
	Unconfirmed bool `yaml:"unconfirmed,omitempty" json:"unconfirmed,omitempty"`
	// Label names the check in a choice ("the guide's example read").
	Label string `yaml:"label,omitempty" json:"label,omitempty"`
	// Alternatives are other documented endpoints a check may call (HMPPS:
	// POST /token), offered with this one by the wizard and profile new.
	Alternatives []StatusCheck `yaml:"alternatives,omitempty" json:"alternatives,omitempty"`
}

// MethodIfNotGET is the check's method when it is not GET (profiles keep
// only a method other than the default).
func (c *StatusCheck) MethodIfNotGET() string {
	if strings.EqualFold(c.Method, "GET") {
		return ""
	}
	return strings.ToUpper(c.Method)
}

// Checks are the endpoints a check may call: c itself, then its
// alternatives.
func (c *StatusCheck) Checks() []StatusCheck {
	if c == nil {
		return nil
	}
	first := *c
	first.Alternatives = nil
	return append([]StatusCheck{first}, c.Alternatives...)
}

// CheckAt is the documented check of env with this method and path (the
// status check or one of its alternatives; an empty method is GET), nil
// when the path is none of them.
func (t *Template) CheckAt(env, method, path string) *StatusCheck {
	for _, c := range t.StatusFor(env).Checks() {
		if c.Path == path && strings.EqualFold(cmp.Or(c.Method, "GET"), cmp.Or(method, "GET")) {
			return &c
		}
	}
	return nil
}

// TokenEndpoint is where the client gets a token or credentials.
type TokenEndpoint struct {
	Path   string `yaml:"path" json:"path"`
	Method string `yaml:"method,omitempty" json:"method,omitempty"`
	// Kind: signed-jwt (OAuth client credentials, NHS APIM) or aws-sts (HMPPS).
	Kind  string `yaml:"kind,omitempty" json:"kind,omitempty"`
	Notes string `yaml:"notes,omitempty" json:"notes,omitempty"`
}

// Env returns the named environment.
func (t *Template) Env(name string) (*Environment, bool) {
	return find(t.Environments, func(e *Environment) bool { return e.Name == name })
}

// find returns the first element of list that match accepts.
func find[T any](list []T, match func(*T) bool) (*T, bool) {
	for i := range list {
		if match(&list[i]) {
			return &list[i], true
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
	if len(t.DefaultAuthMethods) > 0 {
		return slices.Clone(t.DefaultAuthMethods)
	}
	firstChoice := slices.IndexFunc(t.Auth, func(a AuthMethod) bool { return a.Need == NeedChoice })
	var out []string
	for i, a := range t.Auth {
		if a.Need == NeedRequired || i == firstChoice {
			out = append(out, a.Method)
		}
	}
	if len(out) == 0 {
		_, _, optional := t.authByNeed()
		return optional
	}
	return out
}

// AuthChoices lists the combinations of methods the API accepts, the
// preferred (DefaultAuth) first: with choice methods, the required ones
// plus each choice; with only optional ones, every combination of them.
func (t *Template) AuthChoices() [][]string {
	required, choices, optional := t.authByNeed()
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
		// Every non-empty combination, larger ones first, template order within.
		for size := len(optional); size >= 1; size-- {
			for mask := 1; mask < 1<<len(optional); mask++ {
				var c []string
				for i, o := range optional {
					if mask&(1<<i) != 0 {
						c = append(c, o)
					}
				}
				if len(c) == size && !slices.ContainsFunc(out, func(x []string) bool { return slices.Equal(x, c) }) {
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// authByNeed sorts the template's methods by how much it needs them, in
// template order.
func (t *Template) authByNeed() (required, choices, optional []string) {
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
	return required, choices, optional
}

// Requires reports whether the API always needs the method.
func (t *Template) Requires(method string) bool {
	return slices.ContainsFunc(t.Auth, func(a AuthMethod) bool { return a.Method == method && a.Need == NeedRequired })
}

// Supports reports whether the template knows the method at all.
func (t *Template) Supports(method string) bool {
	return slices.ContainsFunc(t.Auth, func(a AuthMethod) bool { return a.Method == method })
}

// KeyFor returns the key requirement for a purpose (tls, signing, encryption).
func (t *Template) KeyFor(purpose string) (*KeyRequirement, bool) {
	return find(t.Keys, func(k *KeyRequirement) bool { return k.Purpose == purpose })
}

var placeholderRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{([a-z_]+)\}`) })

// Expand fills {placeholders} in a subject or CN format; unknown ones stay
// as they are, so a missing value is visible rather than silently empty.
func Expand(format string, vars map[string]string) string {
	return placeholderRe().ReplaceAllStringFunc(format, func(m string) string {
		if v, ok := vars[m[1:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// Placeholders lists the {placeholders} a format uses, in order.
func Placeholders(format string) []string {
	var out []string
	for _, m := range placeholderRe().FindAllStringSubmatch(format, -1) {
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

// StatusFor is the status check of an environment: its own, else the
// template's (nil when the provider documents none).
func (t *Template) StatusFor(env string) *StatusCheck {
	if e, ok := t.Env(env); ok && e.Status != nil {
		return e.Status
	}
	return t.Status
}

// OfProfile is the profile's provider template, nil when it names none or
// the template does not load.
func OfProfile(p *profile.Profile) *Template {
	if p == nil || p.Provider == "" {
		return nil
	}
	t, err := Get(p.Provider)
	if err != nil {
		return nil
	}
	return t
}

// NewProfile builds a profile for the environment (the default when env is
// empty): URL, auth (the template's default, see ApplyAuth), status
// endpoint and its expectation. An unknown environment leaves the URL
// empty for the user to fill in; check names with Env first.
func (t *Template) NewProfile(name, env string) *profile.Profile {
	if env == "" {
		env = t.DefaultEnv()
	}
	p := &profile.Profile{Name: name, Provider: t.ID, Environment: env}
	e, ok := t.Env(env)
	if ok {
		p.URL = e.URL
	}
	if s := t.StatusFor(env); s != nil {
		p.StatusPath = s.Path
		p.ExpectJSON = s.ExpectJSON
		p.StatusMethod = s.MethodIfNotGET()
	}
	if ok && e.NoAuth {
		return p
	}
	t.ApplyAuth(p, t.DefaultAuth())
	return p
}

// ApplyAuth records the chosen auth methods in p and what follows from
// them: the API key's header and secret name for api-key and signed-jwt
// (whose JWT carries the key as iss/sub), the bearer token's secret name
// for bearer-jwt, the token URL for signed-jwt. Settings of methods not
// chosen are cleared, so an mTLS-only profile names no API key.
func (t *Template) ApplyAuth(p *profile.Profile, auth []string) {
	p.Auth = slices.Clone(auth)
	has := func(m string) bool { return slices.Contains(auth, m) }
	p.APIKeyHeader, p.APIKeySecret, p.BearerSecret, p.TokenURL = "", "", "", ""
	if has(AuthAPIKey) || has(AuthSignedJWT) {
		p.APIKeySecret = SecretAPIKey
		if has(AuthAPIKey) {
			p.APIKeyHeader = t.APIKeyHeader
		}
	}
	if has(AuthBearerJWT) {
		p.BearerSecret = SecretBearer
	}
	if has(AuthSignedJWT) && t.Token != nil && t.Token.Kind == AuthSignedJWT {
		p.TokenURL = t.TokenURL(p.Environment)
	}
	if !has(AuthMTLS) && !has(AuthSignedJWT) {
		p.Cert, p.Key, p.KeyPassSecret = "", "", ""
	}
}

// ValidAuth checks a chosen combination of methods against the template:
// each must be one it knows, and every required one must be there.
func (t *Template) ValidAuth(auth []string) error {
	for _, m := range auth {
		if !t.Supports(m) {
			return fmt.Errorf("%s does not accept %q; it accepts %s", t.ID, m, t.AuthChoicesText())
		}
	}
	var missing []string
	for _, a := range t.Auth {
		if a.Need == NeedRequired && !slices.Contains(auth, a.Method) {
			missing = append(missing, a.Method)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s always needs %s; it accepts %s", t.ID, strings.Join(missing, " and "), t.AuthChoicesText())
	}
	_, choices, _ := t.authByNeed()
	n := 0
	for _, c := range choices {
		if slices.Contains(auth, c) {
			n++
		}
	}
	if len(choices) > 0 && n != 1 {
		return fmt.Errorf("%s takes exactly one of %s; it accepts %s", t.ID, strings.Join(choices, ", "), t.AuthChoicesText())
	}
	if len(auth) == 0 {
		return fmt.Errorf("no auth method: %s accepts %s", t.ID, t.AuthChoicesText())
	}
	return nil
}

// AuthChoiceValues are the accepted combinations as --auth values:
// "mtls,api-key", "mtls".
func (t *Template) AuthChoiceValues() []string {
	var out []string
	for _, c := range t.AuthChoices() {
		out = append(out, strings.Join(c, ","))
	}
	return out
}

// AuthChoicesText is AuthChoiceValues in one line: "mtls,api-key | mtls".
func (t *Template) AuthChoicesText() string {
	return strings.Join(t.AuthChoiceValues(), " | ")
}
