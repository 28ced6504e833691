package usecase

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/internal/idn"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
)

// Setting is one changeable value of a profile, as `profile set`, `profile
// edit` and the TUI's profile screen show it: its key in the profile file,
// its value and where that value comes from. Secrets are never settings:
// api_key_secret and key_pass_secret name a secret, the value stays in
// the store.
type Setting struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Value string `json:"value"`
	// Source says where Value comes from: the provider's template, the
	// user, onramp's default, or nothing.
	Source string `json:"source"`
	// SourceKind is Source in one word: template, profile, default or unset.
	SourceKind string `json:"source_kind"`
	// Help says what the setting is and what it takes.
	Help string `json:"help"`
	// Kind is what the value is: text, file, url or choice.
	Kind string `json:"kind"`
	// Choices are the values a choice setting takes ("" is none).
	Choices []string `json:"choices,omitempty"`
}

// Setting kinds.
const (
	SettingText   = "text"
	SettingFile   = "file"
	SettingURL    = "url"
	SettingChoice = "choice"
)

// settingDef is one row of the settings table: how to read, check and
// write a profile field.
type settingDef struct {
	key, label, help, kind string
	get                    func(p *profile.Profile) string
	set                    func(p *profile.Profile, v string)
	check                  func(p *profile.Profile, v string) (string, error)
	// template is the value the provider's template gives a new profile.
	template func(t *provider.Template, env string) string
	// fallback describes what onramp uses when the value is empty.
	fallback string
	// purpose, for a message key pair's setting, is the template key
	// purpose it belongs to: Settings lists it only when the template has
	// a key of that purpose or the profile sets it.
	purpose string
}

var authMethods = provider.AuthMethods()

var settingDefs = []settingDef{
	{key: "url", label: "URL", kind: SettingURL, help: "the API's base URL (https://…); the status path is added to it",
		get: func(p *profile.Profile) string { return p.URL }, set: func(p *profile.Profile, v string) { p.URL = v },
		check: checkHTTPS, template: func(t *provider.Template, env string) string { return envURL(t, env) }},
	{key: "environment", label: "Environment", kind: SettingChoice, help: "the provider's environment; changing it moves the URL and token URL with it",
		get: func(p *profile.Profile) string { return p.Environment }, set: func(p *profile.Profile, v string) { p.Environment = v },
		check: checkEnvironment, template: func(t *provider.Template, _ string) string { return t.DefaultEnv() }},
	{key: "auth", label: "Auth modes", kind: SettingChoice, help: "comma-separated: " + strings.Join(authMethods, ", "),
		get: func(p *profile.Profile) string { return strings.Join(p.Auth, ",") }, set: func(p *profile.Profile, v string) { p.Auth = splitList(v) },
		check:    checkAuth,
		template: func(t *provider.Template, _ string) string { return strings.Join(t.DefaultAuth(), ",") }},
	{key: "cert", label: "Client certificate", kind: SettingFile, help: "PEM file of the client certificate (and chain) for mutual TLS",
		get: func(p *profile.Profile) string { return p.Cert }, set: func(p *profile.Profile, v string) { p.Cert = v },
		check: checkClientCert},
	{key: "key", label: "Private key", kind: SettingFile, help: "PEM file of the private key that goes with the certificate",
		get: func(p *profile.Profile) string { return p.Key }, set: func(p *profile.Profile, v string) { p.Key = v },
		check: checkFile(keystore.KindPrivateKey, keystore.KindEncryptedPrivateKey)},
	messageCert("signing_cert", "Signing certificate", "signing", func(p *profile.Profile) *string { return &p.SigningCert }, func(p *profile.Profile) string { return p.SigningKey }),
	messageKey("signing_key", "Signing key", "signing", func(p *profile.Profile) *string { return &p.SigningKey }),
	messageCert("encryption_cert", "Encryption certificate", "encryption", func(p *profile.Profile) *string { return &p.EncryptionCert }, func(p *profile.Profile) string { return p.EncryptionKey }),
	messageKey("encryption_key", "Encryption key", "encryption", func(p *profile.Profile) *string { return &p.EncryptionKey }),
	{key: "cacert", label: "CA bundle", kind: SettingFile, help: "PEM file of the CA certificates that issued the server's certificate (private CAs)",
		get: func(p *profile.Profile) string { return p.CACert }, set: func(p *profile.Profile, v string) { p.CACert = v },
		check: checkFile(keystore.KindCertificate, keystore.KindCertificateChain), fallback: "the system's trusted roots"},
	{key: "api_key_header", label: "API key header", kind: SettingText, help: "the HTTP header that carries the API key",
		get: func(p *profile.Profile) string { return p.APIKeyHeader }, set: func(p *profile.Profile, v string) { p.APIKeyHeader = v },
		check: checkHeaderName, template: func(t *provider.Template, _ string) string { return templateHeader(t) }},
	{key: "api_key_secret", label: "API key secret", kind: SettingText, help: "the NAME of the stored secret holding the API key (the value stays in the secret store)",
		get: func(p *profile.Profile) string { return p.APIKeySecret }, set: func(p *profile.Profile, v string) { p.APIKeySecret = v },
		check: checkSecretName, fallback: provider.SecretAPIKey,
		template: func(t *provider.Template, _ string) string {
			if templateHeader(t) != "" {
				return provider.SecretAPIKey
			}
			return ""
		}},
	{key: "key_pass_secret", label: "Key passphrase secret", kind: SettingText, help: "the NAME of the stored secret holding the private key's passphrase",
		get: func(p *profile.Profile) string { return p.KeyPassSecret }, set: func(p *profile.Profile, v string) { p.KeyPassSecret = v },
		check: checkSecretName},
	{key: "bearer_secret", label: "Bearer token secret", kind: SettingText, help: "the NAME of the stored secret holding the bearer JWT (the value stays in the secret store)",
		get: func(p *profile.Profile) string { return p.BearerSecret }, set: func(p *profile.Profile, v string) { p.BearerSecret = v },
		check: checkSecretName},
	{key: "kid", label: "Key id (kid)", kind: SettingText, help: "the kid of the signing key in the JWKS (signed JWT)",
		get: func(p *profile.Profile) string { return p.KID }, set: func(p *profile.Profile, v string) { p.KID = v },
		check: checkNoSpace},
	{key: "token_url", label: "Token URL", kind: SettingURL, help: "where signed-JWT clients get their access token (https://…)",
		get: func(p *profile.Profile) string { return p.TokenURL }, set: func(p *profile.Profile, v string) { p.TokenURL = v },
		check: checkHTTPS, template: func(t *provider.Template, env string) string {
			if t.Token != nil && t.Token.Kind == provider.AuthSignedJWT {
				return t.TokenURL(env)
			}
			return ""
		}},
	{key: "status_path", label: "Status path", kind: SettingText, help: "the path of the status endpoint the checks request, e.g. /health",
		get: func(p *profile.Profile) string { return p.StatusPath }, set: func(p *profile.Profile, v string) { p.StatusPath = v },
		check: checkPath, template: func(t *provider.Template, _ string) string {
			if t.Status != nil {
				return t.Status.Path
			}
			return ""
		}},
	{key: "status_method", label: "Status method", kind: SettingChoice, help: "the HTTP method of the status request (HMPPS's POST /token); empty is GET",
		get: func(p *profile.Profile) string { return p.StatusMethod }, set: func(p *profile.Profile, v string) { p.StatusMethod = v },
		check: checkMethod, fallback: "GET", template: func(t *provider.Template, _ string) string {
			if t.Status != nil {
				return t.Status.MethodIfNotGET()
			}
			return ""
		}},
	{key: "expect_json", label: "Expected status body", kind: SettingText, help: `JSON the status response must contain, e.g. {"status":"pass"}`,
		get: func(p *profile.Profile) string { return p.ExpectJSON }, set: func(p *profile.Profile, v string) { p.ExpectJSON = v },
		check: checkJSON, template: func(t *provider.Template, _ string) string {
			if t.Status != nil {
				return t.Status.ExpectJSON
			}
			return ""
		}},
	{key: "resolve", label: "Resolve", kind: SettingText, help: "comma-separated HOST:PORT:ADDR entries, as curl's --resolve",
		get: func(p *profile.Profile) string { return strings.Join(p.Resolve, ",") }, set: func(p *profile.Profile, v string) { p.Resolve = splitList(v) },
		check: checkResolve},
	{key: "provider", label: "Provider", kind: SettingChoice, help: "the provider template (onramp profile providers); empty for any HTTPS API",
		get: func(p *profile.Profile) string { return p.Provider }, set: func(p *profile.Profile, v string) { p.Provider = v },
		check: checkProvider},
	{key: "client", label: "Your client", kind: SettingChoice, help: "the program your integration runs on (" + strings.Join(cause.Clients(), ", ") + "): fixes are also said in its words",
		get: func(p *profile.Profile) string { return p.Client }, set: func(p *profile.Profile, v string) { p.Client = v },
		check: checkClient, fallback: "its own fixes only"},
}

// messageCert and messageKey are the settings of a message key pair
// (GOV.UK DCS: JSON signing, JSON encryption).
func messageCert(key, label, purpose string, field func(*profile.Profile) *string, keyOf func(*profile.Profile) string) settingDef {
	return settingDef{key: key, label: label, kind: SettingFile, purpose: purpose,
		help: "PEM file of the " + purpose + " certificate (messages, not TLS) the provider returned for the " + purpose + " CSR",
		get:  func(p *profile.Profile) string { return *field(p) }, set: func(p *profile.Profile, v string) { *field(p) = v },
		check: func(p *profile.Profile, v string) (string, error) {
			return checkCertOfKey(p, v, keyOf(p), strings.TrimSuffix(key, "_cert")+"_key")
		}}
}

func messageKey(key, label, purpose string, field func(*profile.Profile) *string) settingDef {
	return settingDef{key: key, label: label, kind: SettingFile, purpose: purpose,
		help: "PEM file of the " + purpose + " private key (the one the " + purpose + " CSR was made from)",
		get:  func(p *profile.Profile) string { return *field(p) }, set: func(p *profile.Profile, v string) { *field(p) = v },
		check: checkFile(keystore.KindPrivateKey, keystore.KindEncryptedPrivateKey)}
}

// SettingKeys are the keys `profile set` takes, in display order.
func SettingKeys() []string {
	keys := make([]string, len(settingDefs))
	for i, d := range settingDefs {
		keys[i] = d.key
	}
	return keys
}

// Settings lists p's settings with their sources.
func Settings(p *profile.Profile) []Setting {
	t := provider.OfProfile(p)
	out := make([]Setting, 0, len(settingDefs))
	for _, d := range settingDefs {
		if d.purpose != "" && d.get(p) == "" && !templateHasKey(t, d.purpose) {
			continue // a message key pair the provider does not use
		}
		s := Setting{Key: d.key, Label: d.label, Value: d.get(p), Help: d.help, Kind: d.kind}
		s.Choices = choices(d.key, t)
		var tv string
		if t != nil && d.template != nil {
			tv = d.template(t, p.Environment)
		}
		switch {
		case s.Value != "" && t != nil && s.Value == tv:
			s.Source, s.SourceKind = "from the "+t.Name+" template", "template"
		case s.Value != "":
			s.Source, s.SourceKind = "set in the profile", "profile"
		case d.fallback != "":
			s.Source, s.SourceKind = "not set: onramp uses "+d.fallback, "default"
		default:
			s.Source, s.SourceKind = "not set", "unset"
		}
		out = append(out, s)
	}
	return out
}

// Shown is the setting as a list shows it (`profile show --settings`, the
// TUI's profile screen): its value, "-" when it has none.
func (s Setting) Shown() string {
	if s.Value == "" {
		return "-"
	}
	return s.Value
}

// WriteSettings writes settings as `profile show --settings` prints them:
// a row per setting with the key `profile set` takes, the value and where
// the value comes from.
func WriteSettings(w io.Writer, settings []Setting) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SETTING\tVALUE\tSOURCE")
	for _, s := range settings {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Key, s.Shown(), s.Source)
	}
	return tw.Flush()
}

func templateHasKey(t *provider.Template, purpose string) bool {
	if t == nil {
		return false
	}
	_, ok := t.KeyFor(purpose)
	return ok
}

func choices(key string, t *provider.Template) []string {
	switch key {
	case "environment":
		if t != nil {
			return t.EnvironmentNames()
		}
	case "auth":
		if t != nil {
			return t.AuthChoiceValues()
		}
		return []string{provider.AuthMTLS, provider.AuthAPIKey, provider.AuthMTLS + "," + provider.AuthAPIKey}
	case "status_method":
		return []string{"", "POST"}
	case "client":
		return append([]string{""}, cause.Clients()...)
	case "provider":
		ids := []string{""}
		for _, t := range provider.All() {
			ids = append(ids, t.ID)
		}
		return ids
	}
	return nil
}

// UnknownSettingError names a key `profile set` does not know.
type UnknownSettingError struct{ Key, Profile string }

func (e *UnknownSettingError) Error() string {
	if secretLike(e.Key) {
		return fmt.Sprintf("%s is a secret, not a setting: store it with `onramp secret set %s --profile %s` (it is kept in the secret store, never in the profile)", e.Key, secretName(e.Key), e.Profile)
	}
	return fmt.Sprintf("no setting %q: the settings are %s", e.Key, strings.Join(SettingKeys(), ", "))
}

func secretLike(k string) bool {
	k = strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(k))
	return slices.Contains([]string{"apikey", "keypass", "passphrase", "password", "secret", "token", "clientsecret"}, k)
}

func secretName(k string) string {
	if strings.Contains(strings.ToLower(k), "pass") {
		return provider.SecretKeyPass
	}
	return provider.SecretAPIKey
}

// SetSetting checks value and sets the named setting of p (the caller
// saves p). An empty value clears it. Paths are made absolute with ~
// expanded. It returns the other settings it changed with it (a new
// environment moves the URL and token URL that were the old one's).
func SetSetting(p *profile.Profile, key, value string) (alsoChanged []string, err error) {
	i := slices.IndexFunc(settingDefs, func(d settingDef) bool { return d.key == key })
	if i < 0 {
		return nil, &UnknownSettingError{Key: key, Profile: p.Name}
	}
	d := settingDefs[i]
	value = strings.TrimSpace(value)
	if value != "" {
		if value, err = d.check(p, value); err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
	}
	if key == "environment" && value != p.Environment {
		alsoChanged = moveEnvironment(p, value)
	}
	d.set(p, value)
	if key == "status_path" {
		alsoChanged = append(alsoChanged, documentedMethod(p)...)
	}
	return alsoChanged, nil
}

// documentedMethod gives a new status path the method the provider
// documents for it (HMPPS: POST /token), GET for any other path; it
// returns status_method when that changed.
func documentedMethod(p *profile.Profile) []string {
	method := ""
	if t := provider.OfProfile(p); t != nil {
		for _, c := range t.StatusFor(p.Environment).Checks() {
			if c.Path == p.StatusPath {
				method = c.MethodIfNotGET()
				break
			}
		}
	}
	if method == p.StatusMethod {
		return nil
	}
	p.StatusMethod = method
	return []string{"status_method"}
}

// moveEnvironment points the URL and the token URL at env where they were
// the template's values for the old environment.
func moveEnvironment(p *profile.Profile, env string) []string {
	t := provider.OfProfile(p)
	if t == nil {
		return nil
	}
	var changed []string
	if old := envURL(t, p.Environment); p.URL == "" || p.URL == old {
		if u := envURL(t, env); u != "" && u != p.URL {
			p.URL = u
			changed = append(changed, "url")
		}
	}
	if t.Token != nil && t.Token.Kind == provider.AuthSignedJWT && (p.TokenURL == "" || p.TokenURL == t.TokenURL(p.Environment)) {
		if u := t.TokenURL(env); u != p.TokenURL {
			p.TokenURL = u
			changed = append(changed, "token_url")
		}
	}
	return changed
}

// CheckSettings checks every setting of p as SetSetting would: for a
// profile file edited by hand. Files are checked as they are written.
func CheckSettings(p *profile.Profile) error {
	var errs []error
	for _, d := range settingDefs {
		v := d.get(p)
		if v == "" {
			continue
		}
		if _, err := d.check(p, v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", d.key, err))
		}
	}
	return errors.Join(errs...)
}

func envURL(t *provider.Template, env string) string {
	if e, ok := t.Env(env); ok {
		return e.URL
	}
	return ""
}

func templateHeader(t *provider.Template) string {
	if t.APIKeyHeader != "" && (t.Supports(provider.AuthAPIKey) || t.Supports(provider.AuthSignedJWT)) {
		return t.APIKeyHeader
	}
	return ""
}

func splitList(v string) []string {
	var out []string
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// CheckHTTPSURL accepts an https URL with a host.
func CheckHTTPSURL(s string) error {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" {
		return errors.New("enter a full URL, like https://api.example.com/status")
	}
	if u.Scheme != "https" {
		return errors.New("the URL must start with https:// (mutual TLS and API keys need TLS)")
	}
	return nil
}

func checkHTTPS(_ *profile.Profile, v string) (string, error) {
	if err := CheckHTTPSURL(v); err != nil {
		return v, err
	}
	return idn.URL(strings.TrimSpace(v)) // an IDN host is stored in ASCII form
}

func checkEnvironment(p *profile.Profile, v string) (string, error) {
	t := provider.OfProfile(p)
	if t == nil {
		return v, nil
	}
	if _, ok := t.Env(v); !ok {
		return v, fmt.Errorf("%s has no environment %q (it has %s)", t.Name, v, strings.Join(t.EnvironmentNames(), ", "))
	}
	return v, nil
}

func checkAuth(p *profile.Profile, v string) (string, error) {
	modes := splitList(v)
	t := provider.OfProfile(p)
	for _, m := range modes {
		if !slices.Contains(authMethods, m) {
			return v, fmt.Errorf("unknown auth mode %q (use %s)", m, strings.Join(authMethods, ", "))
		}
		if t != nil && !t.Supports(m) {
			return v, fmt.Errorf("%s does not use %s", t.Name, m)
		}
	}
	return strings.Join(modes, ","), nil
}

// ExpandPath expands a leading ~/ and makes the path absolute.
func ExpandPath(p string) string {
	p = strings.TrimSpace(p)
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, strings.TrimPrefix(p[1:], "/"))
		}
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

func checkFile(kinds ...keystore.Kind) func(*profile.Profile, string) (string, error) {
	return func(_ *profile.Profile, v string) (string, error) {
		path := ExpandPath(v)
		data, err := keystore.ReadFile(path)
		if err != nil {
			return path, err
		}
		k := keystore.Sniff(data)
		if !slices.Contains(kinds, k) {
			return path, fmt.Errorf("%s holds %s, not a %s", path, describeKind(k), kinds[0])
		}
		return path, nil
	}
}

// checkClientCert accepts a certificate file whose certificate belongs to
// the profile's private key (when the key can be read without a
// passphrase): the certificate that arrived must be the one for this key.
func checkClientCert(p *profile.Profile, v string) (string, error) {
	return checkCertOfKey(p, v, p.Key, "key")
}

// checkCertOfKey accepts a certificate file whose certificate belongs to
// the private key in keyFile (the profile's setting keySetting), when that
// key can be read without a passphrase.
func checkCertOfKey(p *profile.Profile, v, keyFile, keySetting string) (string, error) {
	path, err := checkFile(keystore.KindCertificate, keystore.KindCertificateChain)(p, v)
	if err != nil || keyFile == "" {
		return path, err
	}
	key, kerr := keystore.ReadPrivateKey(keyFile, nil)
	certs, cerr := keystore.ReadCertificates(path)
	if kerr != nil || cerr != nil || len(certs) == 0 {
		return path, nil // an encrypted or missing key: diagnose says more
	}
	if !keystore.PublicKeysEqual(key.Public(), certs[0].PublicKey) {
		return path, fmt.Errorf("the certificate in %s is not for the profile's %s %s (%s): pick the certificate issued from this key's CSR, or change the key first",
			path, keySetting, keyFile, cause.KeyCertMismatch)
	}
	return path, nil
}

var headerNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$") })

func checkHeaderName(_ *profile.Profile, v string) (string, error) {
	if !headerNameRE().MatchString(v) {
		return v, fmt.Errorf("%q is not an HTTP header name (letters, digits and -, e.g. x-api-key)", v)
	}
	return v, nil
}

func checkSecretName(_ *profile.Profile, v string) (string, error) {
	return v, profile.ValidateSecretName(v)
}

func checkNoSpace(_ *profile.Profile, v string) (string, error) {
	if strings.ContainsAny(v, " \t") {
		return v, errors.New("no spaces, please")
	}
	return v, nil
}

func checkPath(_ *profile.Profile, v string) (string, error) {
	if !strings.HasPrefix(v, "/") || strings.ContainsAny(v, " \t") {
		return v, errors.New("a path starts with / and has no spaces, e.g. /health")
	}
	return v, nil
}

// checkMethod takes GET (stored as empty, the default) or POST.
func checkMethod(_ *profile.Profile, v string) (string, error) {
	switch m := strings.ToUpper(v); m {
	case "GET":
		return "", nil
	case "POST":
		return m, nil
	}
	return v, fmt.Errorf("%q: the status request is GET or POST", v)
}

func checkJSON(_ *profile.Profile, v string) (string, error) {
	var x any
	if err := json.Unmarshal([]byte(v), &x); err != nil {
		return v, fmt.Errorf("not JSON (%v); quote it in the shell, e.g. '{\"status\":\"pass\"}'", err)
	}
	return v, nil
}

func checkResolve(_ *profile.Profile, v string) (string, error) {
	for _, r := range splitList(v) {
		if _, _, err := diagnose.ParseResolve(r); err != nil {
			return v, err
		}
	}
	return strings.Join(splitList(v), ","), nil
}

func checkClient(_ *profile.Profile, v string) (string, error) {
	v = strings.ToLower(v)
	if !slices.Contains(cause.Clients(), v) {
		return v, fmt.Errorf("%q is not a client onramp knows: use one of %s", v, strings.Join(cause.Clients(), ", "))
	}
	return v, nil
}

func checkProvider(_ *profile.Profile, v string) (string, error) {
	if _, err := provider.Get(v); err != nil {
		return v, err
	}
	return v, nil
}

func describeKind(k keystore.Kind) string {
	if k == keystore.KindUnknown {
		return "nothing onramp recognises"
	}
	return "a " + strings.ReplaceAll(string(k), "-", " ")
}
