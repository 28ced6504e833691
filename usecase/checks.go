package usecase

import (
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
	if p.StatusPath != "" && withStatusPath {
		o.URL = strings.TrimSuffix(p.URL, "/") + "/" + strings.TrimPrefix(p.StatusPath, "/")
	}
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

// AddProfileSecrets reads the profile's API key (wantKey) and key
// passphrase (wantPass) from the store into o, and for a signed-JWT
// profile adds the token step. Call it after any command-line settings are
// in o: the token step uses o's CA bundle and resolve entries.
func AddProfileSecrets(p *profile.Profile, o *diagnose.Options, kr secretstore.Keyring, wantKey, wantPass bool) {
	// NHS signed JWT uses the API key as the JWT's iss/sub, not as a header.
	usesKey := hasAuth(p, provider.AuthAPIKey) || p.APIKeySecret != "" && !hasAuth(p, provider.AuthSignedJWT)
	if wantKey && (usesKey || len(p.Auth) == 0) {
		name := p.APIKeySecret
		if name == "" {
			name = provider.SecretAPIKey
		}
		v, err := get(kr, p.Name, name)
		switch {
		case err == nil:
			o.APIKey = v
		case usesKey:
			o.Findings = append(o.Findings, storeFinding(err))
		}
		o.APIKeyRequired = usesKey
	}
	if wantPass && p.KeyPassSecret != "" && o.CertFile != "" {
		v, err := get(kr, p.Name, p.KeyPassSecret)
		if err != nil {
			o.Findings = append(o.Findings, storeFinding(err))
		} else {
			o.KeyPass = []byte(v)
		}
	}
	addProxyPassword(p, o, kr)
	addTokenStep(p, o, kr)
}

// addProxyPassword reads the profile's proxy-password secret when the
// check goes through a proxy whose password is not otherwise given (the
// proxy URL's user info, --proxy-user-env). A missing secret is not a
// finding: the proxy's 407, if it wants one, names the fix.
func addProxyPassword(p *profile.Profile, o *diagnose.Options, kr secretstore.Keyring) {
	u, err := url.Parse(o.URL)
	if err != nil || o.Route.ProxyPassword != "" {
		return
	}
	rt, err := o.Route.RouteTo(u.Hostname())
	if err != nil || rt.Proxy == nil || rt.Proxy.HasPassword() {
		return
	}
	v, err := get(kr, p.Name, provider.SecretProxyPassword)
	switch {
	case err == nil:
		o.Route.ProxyPassword = v
		o.Route.ProxyUserSource = fmt.Sprintf("the secret %s of profile %s", provider.SecretProxyPassword, p.Name)
	case !errors.Is(err, secretstore.ErrMissing):
		o.Findings = append(o.Findings, storeFinding(err))
	}
}

func get(kr secretstore.Keyring, profileName, name string) (string, error) {
	if kr == nil {
		return "", ErrNoStore
	}
	return kr.Get(profileName, name)
}

func storeFinding(err error) diagnose.Finding {
	c, ok := cause.Of(err)
	if !ok {
		c = cause.Get(cause.KeyringUnavailable)
	}
	return diagnose.Finding{Cause: c, Detail: err.Error()}
}

func hasAuth(p *profile.Profile, method string) bool { return slices.Contains(p.Auth, method) }

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
	if p.Provider == "" {
		return 0
	}
	t, err := provider.Get(p.Provider)
	if err != nil {
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
func RecordCheck(p *profile.Profile, rep *diagnose.Report) {
	p.LastCheck = &profile.Check{At: rep.Started.UTC().Truncate(time.Second), OK: rep.OK,
		ServerNotAfter: rep.ServerCertNotAfter().UTC()}
	if rep.Cause != nil {
		p.LastCheck.CauseID = rep.Cause.ID
	}
}

// SaveCheck records rep in p and saves p.
func SaveCheck(p *profile.Profile, rep *diagnose.Report) error {
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
