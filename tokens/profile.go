package tokens

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
	"github.com/onramp-cli/onramp/egress"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
	"github.com/onramp-cli/onramp/secretstore"
)

// ErrSandbox says the host is an APIM sandbox: it needs no token at all.
var ErrSandbox = errors.New("the sandbox needs no authentication")

// ProfileOptions are what a profile does not hold: the keyring, and
// command-line overrides.
type ProfileOptions struct {
	Keyring secretstore.Keyring
	// APIKey overrides the profile's api-key secret (from --api-key-env).
	APIKey string
	// KeyPass overrides the profile's key_pass_secret.
	KeyPass []byte
	// CACertFile overrides the profile's cacert.
	CACertFile string
	// Resolve entries are added to the profile's.
	Resolve map[string]string
	// RSABits is the provider's required RSA key size (0: 4096).
	RSABits int
	// Route is how to reach the token endpoint (proxy settings), the same
	// as the API call's.
	Route egress.Settings
	Now   func() time.Time
	// CacheLock is the token cache's lock file (CacheLockPath); empty: none.
	CacheLock string
}

// secret reads one of the profile's secrets: from its file when the
// profile keeps it in one (KeyFiles), else from the keyring.
func secret(kr secretstore.Keyring, p *profile.Profile, name string) (string, error) {
	if path, ok := p.KeyFiles[name]; ok {
		return profile.ReadKeyFile(path)
	}
	if kr == nil {
		return "", &secretstore.Error{ID: cause.KeyringUnavailable, Op: "get", Item: secretstore.Account(p.Name, name), Err: secretstore.ErrUnavailable, Problem: secretstore.NoKeyring}
	}
	return kr.Get(p.Name, name)
}

func apiKeySecretName(p *profile.Profile) string {
	if p.APIKeySecret != "" {
		return p.APIKeySecret
	}
	return "api-key"
}

// NHSTokenURL is the token URL of a profile: token_url, else
// https://<host of url>/oauth2/token.
func NHSTokenURL(p *profile.Profile) (string, error) {
	if p.TokenURL != "" {
		return p.TokenURL, nil
	}
	u, err := url.Parse(p.URL)
	if err != nil || u.Host == "" {
		return "", &Error{ID: cause.JWTKeyNotConfigured, Op: "token URL",
			Detail: fmt.Sprintf("profile %q has neither token_url nor a url to take the host from", p.Name)}
	}
	return "https://" + u.Host + "/oauth2/token", nil
}

// transportFor builds the HTTP client for a profile, overrides applied.
func transportFor(p *profile.Profile, o ProfileOptions, mtls bool, keyPass []byte) (TransportOptions, error) {
	t := TransportOptions{CACertFile: p.CACert, Resolve: map[string]string{}, Route: o.Route}
	if o.CACertFile != "" {
		t.CACertFile = o.CACertFile
	}
	for _, r := range p.Resolve {
		hp, addr, err := ParseResolve(r)
		if err != nil {
			return t, fmt.Errorf("profile %q: resolve: %w", p.Name, err)
		}
		t.Resolve[hp] = addr
	}
	for hp, addr := range o.Resolve {
		t.Resolve[hp] = addr
	}
	if mtls {
		t.CertFile, t.KeyFile, t.KeyPass = p.Cert, p.Key, keyPass
	}
	return t, nil
}

func keyPassFor(p *profile.Profile, o ProfileOptions) ([]byte, error) {
	if o.KeyPass != nil {
		return o.KeyPass, nil
	}
	if p.KeyPassSecret == "" {
		return nil, nil
	}
	s, err := secret(o.Keyring, p, p.KeyPassSecret)
	if err != nil {
		return nil, err
	}
	return []byte(s), nil
}

// NHSConfigForProfile builds a signed-JWT token request from a profile:
// token URL, kid and key from the profile, the API key (iss/sub) from the
// keyring. A sandbox host gives ErrSandbox.
func NHSConfigForProfile(p *profile.Profile, o ProfileOptions) (*NHSConfig, error) {
	tokenURL, err := NHSTokenURL(p)
	if err != nil {
		return nil, err
	}
	if u, err := url.Parse(tokenURL); err == nil && IsSandboxHost(u.Hostname()) {
		return nil, ErrSandbox
	}
	if len(p.Auth) > 0 && !slices.Contains(p.Auth, "signed-jwt") {
		return nil, &Error{ID: cause.JWTKeyNotConfigured, Op: "profile " + p.Name,
			Detail: fmt.Sprintf("profile %q does not use signed JWT (auth: %s)%s", p.Name, strings.Join(p.Auth, ", "), awsHint(p))}
	}
	if p.Key == "" || p.KID == "" {
		missing := "kid"
		if p.Key == "" {
			missing = "key"
		}
		return nil, &Error{ID: cause.JWTKeyNotConfigured, Op: "profile " + p.Name,
			Detail: fmt.Sprintf("profile %q has no %s: signed JWT needs the private key file and the kid registered with its public key", p.Name, missing)}
	}
	// The token endpoint is plain TLS: the client certificate (if the
	// profile has one for the API) is not sent to it.
	keyPass, err := keyPassFor(p, o)
	if err != nil {
		return nil, err
	}
	key, err := keystore.ReadPrivateKey(p.Key, keyPass)
	if err != nil {
		return nil, err
	}
	apiKey, client, err := apiKeyAndClient(p, o, false, nil)
	if err != nil {
		return nil, err
	}
	return &NHSConfig{TokenURL: tokenURL, KID: p.KID, Key: key, APIKey: apiKey,
		RSABits: o.RSABits, HTTPClient: client, Now: o.Now, Answers: tokenAnswers(p)}, nil
}

// tokenAnswers is the profile's template when its answer table has rows
// for the token endpoint; nil (NHS API Management's) otherwise.
func tokenAnswers(p *profile.Profile) *provider.Template {
	t := provider.OfProfile(p)
	if t == nil {
		return nil
	}
	for _, a := range t.Answers {
		if a.Endpoint == provider.EndpointToken {
			return t
		}
	}
	return nil
}

// HMPPSConfigForProfile builds a /token request from a profile: the host
// of its url (or its token_url), its client certificate and key, and the
// API key from the keyring.
func HMPPSConfigForProfile(p *profile.Profile, o ProfileOptions) (*HMPPSConfig, error) {
	tokenURL := p.TokenURL
	if tokenURL == "" {
		var err error
		if tokenURL, err = HMPPSTokenURL(p.URL); err != nil {
			return nil, err
		}
	}
	if p.Cert == "" || p.Key == "" {
		return nil, &Error{ID: cause.ClientCertNotSent, Op: "profile " + p.Name,
			Detail: fmt.Sprintf("profile %q has no client certificate and key: the /token endpoint needs mutual TLS", p.Name)}
	}
	keyPass, err := keyPassFor(p, o)
	if err != nil {
		return nil, err
	}
	apiKey, client, err := apiKeyAndClient(p, o, true, keyPass)
	if err != nil {
		return nil, err
	}
	header := p.APIKeyHeader
	if header == "" {
		header = "x-api-key"
	}
	return &HMPPSConfig{TokenURL: tokenURL, APIKey: apiKey, APIKeyHeader: header,
		HTTPClient: client, ClientIdentity: p.Cert + "\n" + p.Key}, nil
}

// apiKeyAndClient reads what both token requests take from a profile
// besides the key: the API key (given in o, else from the profile's secrets) and an
// HTTP client, presenting the client certificate (its key opened with
// keyPass) when mtls.
func apiKeyAndClient(p *profile.Profile, o ProfileOptions, mtls bool, keyPass []byte) (string, *http.Client, error) {
	apiKey := o.APIKey
	if apiKey == "" {
		var err error
		if apiKey, err = secret(o.Keyring, p, apiKeySecretName(p)); err != nil {
			return "", nil, err
		}
	}
	t, err := transportFor(p, o, mtls, keyPass)
	if err != nil {
		return "", nil, err
	}
	client, err := NewHTTPClient(t)
	if err != nil {
		return "", nil, err
	}
	return apiKey, client, nil
}

// TokenSource returns a function that hands out the profile's bearer token
// (cached in the keyring), for diagnose.Options.TokenSource.
func TokenSource(p *profile.Profile, o ProfileOptions, noCache bool) func(ctx context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		cfg, err := NHSConfigForProfile(p, o)
		if err != nil {
			return "", err
		}
		cache := &Cache{Keyring: o.Keyring, Profile: p.Name, Now: o.Now, LockPath: o.CacheLock}
		tok, _, err := NHSToken(ctx, cfg, cache, noCache)
		if err != nil {
			return "", err
		}
		return tok.AccessToken, nil
	}
}

// ParseResolve is diagnose.ParseResolve with the port joined to the
// address, which is what this package's dialer maps "host:port" to.
func ParseResolve(s string) (hostport, addr string, err error) {
	hp, ip, err := diagnose.ParseResolve(s)
	if err != nil {
		return "", "", err
	}
	_, port, _ := net.SplitHostPort(hp)
	ip, _, _ = strings.Cut(ip, ",") // the token client dials the first
	return hp, net.JoinHostPort(ip, port), nil
}

// awsHint points HMPPS users, whose short-lived credentials are AWS ones,
// at the right command.
func awsHint(p *profile.Profile) string {
	if p.Provider == "hmpps" || slices.Contains(p.Auth, "mtls") {
		return fmt.Sprintf("; for HMPPS temporary AWS credentials run `onramp aws-credentials --profile %s`", p.Name)
	}
	return ""
}
