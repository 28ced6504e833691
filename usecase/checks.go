package usecase

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/egress"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/tokens"
)

// Checks runs the connectivity checks of saved profiles, reading their
// secrets from Store.
type Checks struct {
	Store secretstore.Keyring
	// Run runs the checks; nil means diagnose.Run.
	Run func(ctx context.Context, opts diagnose.Options, progress func(diagnose.Event)) *diagnose.Report
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// CheckRevocation asks each client certificate's OCSP responder (or
	// CRL) in the local step (onramp watch --check-revocation).
	CheckRevocation bool
}

// Options is "profile → check options": the profile's settings, its status
// endpoint, its secrets from the store and, for signed JWT, the token step.
// A store failure is a finding of the local step, not an error.
func (c Checks) Options(p *profile.Profile) (diagnose.Options, error) {
	o, err := ProfileOptions(p, true)
	if err != nil {
		return o, err
	}
	AddProfileSecrets(p, &o, c.Store, true, true)
	o.CheckRevocation = c.CheckRevocation && o.CertFile != ""
	return o, nil
}

// Check runs the checks of p. A profile that cannot become options (a bad
// resolve entry) is a failed local step.
func (c Checks) Check(ctx context.Context, p *profile.Profile) *diagnose.Report {
	o, err := c.Options(p)
	if err != nil {
		now := time.Now
		if c.Now != nil {
			now = c.Now
		}
		cs, ok := cause.Of(err)
		if !ok {
			cs = cause.Get(cause.InputFileUnreadable)
		}
		cs = o.Advice.Apply(cs)
		return &diagnose.Report{Target: p.URL, Started: now(), Cause: cs,
			Steps: []diagnose.Step{{Name: diagnose.StepLocal, Status: diagnose.Fail, Cause: cs, Detail: err.Error()}}}
	}
	run := c.Run
	if run == nil {
		run = diagnose.Run
	}
	return run(ctx, o, nil)
}

// ProfileOptions is a profile's settings as check options, without its
// secrets. withStatusPath appends the profile's status path to its URL.
func ProfileOptions(p *profile.Profile, withStatusPath bool) (diagnose.Options, error) {
	o := diagnose.Options{URL: p.URL, Headers: http.Header{}, CACertFile: p.CACert,
		APIKeyHeader: p.APIKeyHeader, ExpectJSON: p.ExpectJSON, Timeout: diagnose.DefaultTimeout}
	if len(p.Auth) == 0 || hasAuth(p, provider.AuthMTLS) {
		// A signed-JWT profile's key signs tokens; it is not a TLS client key.
		o.CertFile, o.KeyFile = p.Cert, p.Key
	}
	o.MutualTLS = hasAuth(p, provider.AuthMTLS)
	o.MessageKeys = MessageKeys(p)
	if p.StatusPath != "" && withStatusPath {
		o.URL = strings.TrimSuffix(p.URL, "/") + "/" + strings.TrimPrefix(p.StatusPath, "/")
		o.Method = p.StatusMethod
	}
	t := provider.OfProfile(p)
	if t != nil {
		o.Answers = answers(t, p)
	}
	o.Advice = t.Advice(p.Client)
	for _, r := range p.Resolve {
		hp, addr, err := diagnose.ParseResolve(r)
		if err != nil {
			return o, fmt.Errorf("resolve: %v", err)
		}
		if o.Resolve == nil {
			o.Resolve = map[string]string{}
		}
		o.Resolve[hp] = addr
	}
	return o, nil
}

// MessageKeys are p's message key pairs (signing, encryption) that it
// names any file of.
func MessageKeys(p *profile.Profile) []diagnose.MessageKey {
	var out []diagnose.MessageKey
	for _, m := range []diagnose.MessageKey{
		{Purpose: "signing", CertFile: p.SigningCert, KeyFile: p.SigningKey},
		{Purpose: "encryption", CertFile: p.EncryptionCert, KeyFile: p.EncryptionKey},
	} {
		if m.CertFile != "" || m.KeyFile != "" {
			out = append(out, m)
		}
	}
	return out
}

// answers is the template's table of documented answers, and for the
// template's own status endpoint what a 404 there means.
func answers(t *provider.Template, p *profile.Profile) func(int, []byte, string) (cause.ID, string, bool) {
	var notFound string
	if s := t.CheckAt(p.Environment, p.StatusMethod, p.StatusPath); s != nil {
		notFound = s.NotFound
		if s.Unconfirmed && notFound != "" {
			notFound += " Set your API's own path with: onramp profile set " + p.Name + " status_path PATH"
		}
	}
	if len(t.Answers) == 0 && notFound == "" {
		return nil
	}
	return func(status int, body []byte, path string) (cause.ID, string, bool) {
		if id, detail, ok := t.MatchAnswer(status, body, path); ok {
			return id, detail, ok
		}
		if status == http.StatusNotFound && notFound != "" {
			return cause.EndpointNotFound, notFound, true
		}
		return "", "", false
	}
}

// AddProfileSecrets reads the secrets the profile's auth needs from the
// store into o: the API key (wantKey), the bearer token (unless o has one
// already) and the key passphrase (wantPass); for a signed-JWT profile it adds the token step.
// A secret that cannot be had is a missing secret with the exact command
// that stores it: the network steps still run without it. Call it after
// any command-line settings are in o: the token step uses o's CA bundle
// and resolve entries.
func AddProfileSecrets(p *profile.Profile, o *diagnose.Options, kr secretstore.Keyring, wantKey, wantPass bool) {
	usesKey := usesAPIKeyHeader(p)
	if wantKey && (usesKey || len(p.Auth) == 0) && !addRoleKey(p, o, kr) {
		name := apiKeySecret(p)
		v, err := get(kr, p, name)
		switch {
		case err == nil:
			o.APIKey, o.APIKeyName = v, name
		case usesKey:
			o.MissingSecrets = append(o.MissingSecrets, missingSecret(p, name, cause.APIKeyMissing, "API key", "--api-key-env VAR", err))
		}
		o.APIKeyRequired = usesKey
	}
	if hasAuth(p, provider.AuthBearerJWT) && o.BearerToken == "" {
		name := cmp.Or(p.BearerSecret, provider.SecretBearer)
		v, err := get(kr, p, name)
		if err == nil {
			o.BearerToken = v
		} else {
			o.MissingSecrets = append(o.MissingSecrets, missingSecret(p, name, cause.TokenMissing, "bearer token", "--bearer-env VAR", err))
		}
		o.BearerRequired = true
	}
	if wantPass && p.KeyPassSecret != "" && o.CertFile != "" {
		v, err := get(kr, p, p.KeyPassSecret)
		if err != nil {
			o.Findings = append(o.Findings, storeFinding(err))
		} else {
			o.KeyPass = []byte(v)
		}
	}
	addProxyPassword(p, o, kr)
	addTokenStep(p, o, kr)
}

// addProxyPassword gives the check the profile's proxy password (see
// ProxyPassword); a store failure is a finding of the local step.
func addProxyPassword(p *profile.Profile, o *diagnose.Options, kr secretstore.Keyring) {
	if err := ProxyPassword(p, &o.Route, o.URL, kr); err != nil {
		o.Findings = append(o.Findings, storeFinding(err))
	}
}

// ProxyPassword reads the profile's proxy-password secret into route when
// a connection to target goes through a proxy whose password is not
// otherwise given (the proxy URL's user info, --proxy-user-env). A missing
// secret is no error: the proxy's 407, if it wants one, names the fix.
func ProxyPassword(p *profile.Profile, route *egress.Settings, target string, kr secretstore.Keyring) error {
	u, err := url.Parse(target)
	if err != nil || route.ProxyPassword != "" {
		return nil
	}
	rt, err := route.RouteTo(u.Hostname())
	if err != nil || rt.Proxy == nil || rt.Proxy.HasPassword() {
		return nil
	}
	v, err := get(kr, p, provider.SecretProxyPassword)
	switch {
	case err == nil:
		route.ProxyPassword = v
		route.ProxyUserSource = fmt.Sprintf("the secret %s of profile %s", provider.SecretProxyPassword, p.Name)
	case !errors.Is(err, secretstore.ErrMissing):
		return err
	}
	return nil
}

// get reads a secret of the profile: from its file when the profile keeps
// it in one (KeyFiles: the sandbox's practice keys, no store needed), else
// from the store.
func get(kr secretstore.Keyring, p *profile.Profile, name string) (string, error) {
	if path, ok := p.KeyFiles[name]; ok {
		v, err := profile.ReadKeyFile(path)
		if err != nil {
			return "", &fileKeyError{err}
		}
		return v, nil
	}
	if kr == nil {
		return "", ErrNoStore
	}
	return kr.Get(p.Name, name)
}

// fileKeyError is an unreadable key file: a local input problem, not a
// keyring one.
type fileKeyError struct{ err error }

func (e *fileKeyError) Error() string     { return e.err.Error() }
func (e *fileKeyError) Unwrap() error     { return e.err }
func (e *fileKeyError) CauseID() cause.ID { return cause.InputFileUnreadable }

// addRoleKey reads the key of the role the request's path needs, when the
// provider has a role table (Securosys): the profile's role_keys name its
// secret, else the role's own name. It reports whether it found one; when
// the path needs a role the profile has no key for, it warns before
// anything is sent and the profile's default key is tried.
func addRoleKey(p *profile.Profile, o *diagnose.Options, kr secretstore.Keyring) bool {
	t := provider.OfProfile(p)
	if t == nil || len(t.Roles) == 0 || !hasAuth(p, provider.AuthAPIKey) {
		return false
	}
	u, err := url.Parse(o.URL)
	if err != nil {
		return false
	}
	role, ok := provider.RequiredRole(t, u.Path)
	if !ok {
		return false
	}
	name := RoleSecret(p, role)
	v, err := get(kr, p, name)
	if err == nil {
		o.APIKey, o.APIKeyName, o.APIKeyRequired = v, name, true
		return true
	}
	c := cause.Get(cause.APIKeyWrongRole)
	cmd := "onramp secret set --role " + role
	if name != role {
		cmd = "onramp secret set " + name + " --role " + role
	}
	c.Fix = fmt.Sprintf("Store the %s key: `%s --profile %s` (the role table: onramp profile providers %s).", role, cmd, p.Name, t.ID)
	o.Warnings = append(o.Warnings, diagnose.Finding{Cause: c,
		Detail: fmt.Sprintf("%s needs a key with role %s, and profile %s has none stored as %q; the profile's default key is sent instead, which works only if it has that role", u.Path, role, p.Name, name)})
	return false
}

// missingSecret is the finding for a secret the auth needs and the store
// did not give: not stored (the fix is the exact command), or the store
// failed (its own cause, with the command for when it works again).
func missingSecret(p *profile.Profile, name string, missing cause.ID, what, flag string, err error) diagnose.Finding {
	cmd := fmt.Sprintf("onramp secret set %s --profile %s", name, p.Name)
	c, ok := cause.Of(err)
	if !ok || c.ID == cause.KeyringSecretMissing || errors.Is(err, ErrNoStore) {
		c = cause.Get(missing)
		c.Fix = fmt.Sprintf("Store it: `%s` (read from stdin or a masked prompt), or pass it with %s.", cmd, flag)
		return diagnose.Finding{Cause: c, Detail: fmt.Sprintf("profile %s needs the %s %q and it is not stored", p.Name, what, name)}
	}
	return diagnose.Finding{Cause: c, Detail: fmt.Sprintf("the %s %q could not be read: %v; once the store works: %s", what, name, err, cmd)}
}

func storeFinding(err error) diagnose.Finding {
	c, ok := cause.Of(err)
	if !ok {
		c = cause.Get(cause.KeyringUnavailable)
	}
	return diagnose.Finding{Cause: c, Detail: err.Error()}
}

func hasAuth(p *profile.Profile, method string) bool { return slices.Contains(p.Auth, method) }

// usesAPIKeyHeader says whether p sends an API key in a header. NHS signed
// JWT uses the API key as the JWT's iss/sub instead.
func usesAPIKeyHeader(p *profile.Profile) bool {
	return hasAuth(p, provider.AuthAPIKey) || p.APIKeySecret != "" && !hasAuth(p, provider.AuthSignedJWT)
}

// apiKeySecret is the name of p's API key in the store.
func apiKeySecret(p *profile.Profile) string { return cmp.Or(p.APIKeySecret, provider.SecretAPIKey) }

// addTokenStep makes the checks of a signed-JWT profile run the token step
// and send its bearer token. The step always asks for a new token (and
// caches it), so the whole signed-JWT exchange is checked, not a cached
// result. The API key is the JWT's iss/sub, so it is not also sent as a
// header unless the profile uses API-key auth too.
func addTokenStep(p *profile.Profile, o *diagnose.Options, kr secretstore.Keyring) {
	if !hasAuth(p, provider.AuthSignedJWT) {
		return
	}
	if u, err := url.Parse(p.URL); err == nil && tokens.IsSandboxHost(u.Hostname()) {
		return
	}
	o.TokenSource = tokens.TokenSource(p, tokens.ProfileOptions{
		Keyring:    kr,
		APIKey:     o.APIKey,
		KeyPass:    o.KeyPass,
		CACertFile: o.CACertFile,
		Resolve:    dialAddrs(o.Resolve),
		Route:      o.Route,
		RSABits:    RequiredRSABits(p),
		Now:        o.Now,
		CacheLock:  TokenCacheLock(),
	}, true)
	if !hasAuth(p, provider.AuthAPIKey) {
		o.APIKey, o.APIKeyRequired = "", false
	}
}

// dialAddrs turns diagnose's resolve map (host:port → IP) into the one
// tokens dials (host:port → IP:port).
func dialAddrs(resolve map[string]string) map[string]string {
	out := make(map[string]string, len(resolve))
	for hp, ip := range resolve {
		if _, port, err := net.SplitHostPort(hp); err == nil {
			out[hp] = net.JoinHostPort(ip, port)
		}
	}
	return out
}

// RequiredRSABits is the signing key size the profile's provider template
// demands (0: the NHS rule, RSA 4096; -1: any RSA size).
func RequiredRSABits(p *profile.Profile) int {
	t := provider.OfProfile(p)
	if t == nil {
		return 0
	}
	if k, ok := t.KeyFor("signing"); ok && k.Type == "rsa" {
		if k.Bits > 0 {
			return k.Bits
		}
		return -1
	}
	return 0
}

// RecordCheck is "record a check": p's last check becomes rep's outcome,
// timed by when the checks started (the moment the connection was tried,
// whichever front end ran them), to the second, with the cause of a
// failure and the server chain's expiry (for onramp status). The caller saves p (SaveCheck does).
// An interrupted check (Ctrl+C, esc) is no outcome: p keeps its last one.
func RecordCheck(p *profile.Profile, rep *diagnose.Report) {
	if rep.Cancelled {
		return
	}
	p.LastCheck = &profile.Check{At: rep.Started.UTC().Truncate(time.Second), OK: rep.OK,
		ServerNotAfter: rep.ServerCertNotAfter().UTC()}
	if rep.Cause != nil {
		p.LastCheck.CauseID = rep.Cause.ID
	}
}

// SaveCheck records rep in p and saves p.
func SaveCheck(p *profile.Profile, rep *diagnose.Report) error {
	if rep.Cancelled {
		return nil
	}
	RecordCheck(p, rep)
	if err := profile.Save(p); err != nil {
		return fmt.Errorf("could not record the check in profile %s: %w", p.Name, err)
	}
	return nil
}

// TokenCacheLock is the token cache's lock file in the config directory
// ("" when there is none: no lock).
func TokenCacheLock() string {
	dir, err := profile.Dir()
	if err != nil {
		return ""
	}
	return tokens.CacheLockPath(dir)
}
