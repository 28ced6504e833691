package usecase

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/onramp-cli/onramp/egress"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/tokens"
)

// Environment variables onramp exec sets. The secret ones are never
// printed, logged or put on a command line.
const (
	EnvProfile      = "ONRAMP_PROFILE"
	EnvURL          = "ONRAMP_URL"
	EnvCert         = "ONRAMP_CERT"
	EnvKey          = "ONRAMP_KEY"
	EnvCACert       = "ONRAMP_CACERT"
	EnvAPIKeyHeader = "ONRAMP_API_KEY_HEADER"
	EnvAPIKey       = "ONRAMP_API_KEY" // secret
	EnvToken        = "ONRAMP_TOKEN"   // secret: the bearer token
)

// SecretEnvNames are the variables onramp exec sets whose values are
// secrets.
func SecretEnvNames() []string {
	return []string{EnvAPIKey, EnvToken, "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}
}

// SecretEnv says whether onramp exec's variable name holds a secret.
func SecretEnv(name string) bool { return slices.Contains(SecretEnvNames(), name) }

// ExecCredentials is "profile → the environment of a command run with its
// credentials" (onramp exec, as aws-vault exec): the profile's files as
// paths, its API key from the store, its bearer token (fetched or from the
// cache) and, when asked, temporary AWS credentials.
type ExecCredentials struct {
	Store secretstore.Keyring
	// KeyPass opens an encrypted client or signing key (else the
	// profile's passphrase secret is read from Store).
	KeyPass []byte
	// AWS asks the HMPPS /token endpoint for temporary AWS credentials.
	AWS bool
	// NoCache fetches a new token or AWS credentials even when cached ones
	// are still good (they are cached all the same).
	NoCache bool
	Now     func() time.Time
	// Route is how the token or AWS credentials are fetched (--proxy and
	// its kin, as diagnose and token take them); the profile's
	// proxy-password secret completes a proxy user given without one.
	Route egress.Settings
}

// Environ returns the KEY=VALUE entries to add to the command's
// environment. An error carries the cause (cause.Of): a secret missing from
// the store, a token endpoint that refused.
func (e ExecCredentials) Environ(ctx context.Context, p *profile.Profile) ([]string, error) {
	env := []string{EnvProfile + "=" + p.Name}
	add := func(k, v string) {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	add(EnvURL, p.URL)
	if len(p.Auth) == 0 || hasAuth(p, provider.AuthMTLS) {
		add(EnvCert, p.Cert)
		add(EnvKey, p.Key)
	}
	add(EnvCACert, p.CACert)

	if usesAPIKeyHeader(p) {
		key, err := get(e.Store, p, apiKeySecret(p))
		if err != nil {
			return nil, err
		}
		add(EnvAPIKeyHeader, cmp.Or(p.APIKeyHeader, "x-api-key"))
		add(EnvAPIKey, key)
	}
	if hasAuth(p, provider.AuthBearerJWT) {
		tok, err := get(e.Store, p, cmp.Or(p.BearerSecret, provider.SecretBearer))
		if err != nil {
			return nil, err
		}
		add(EnvToken, tok)
	}
	route := e.Route
	if hasAuth(p, provider.AuthSignedJWT) || e.AWS {
		if err := ProxyPassword(p, &route, cmp.Or(p.TokenURL, p.URL), e.Store); err != nil {
			return nil, err
		}
	}
	opts := tokens.ProfileOptions{Keyring: e.Store, KeyPass: e.KeyPass, RSABits: RequiredRSABits(p), Now: e.Now, Route: route}
	cache := &tokens.Cache{Keyring: e.Store, Profile: p.Name, Now: e.Now}
	if hasAuth(p, provider.AuthSignedJWT) {
		cfg, err := tokens.NHSConfigForProfile(p, opts)
		if err != nil {
			return nil, err
		}
		tok, _, err := tokens.NHSToken(ctx, cfg, cache, e.NoCache)
		if err != nil {
			return nil, err
		}
		add(EnvToken, tok.AccessToken)
	}
	if e.AWS {
		cfg, err := tokens.HMPPSConfigForProfile(p, opts)
		if err != nil {
			return nil, err
		}
		creds, _, err := tokens.AWSCredentialsFor(ctx, cfg, cache, e.NoCache)
		if err != nil {
			return nil, fmt.Errorf("temporary AWS credentials: %w", err)
		}
		env = append(env, creds.Environ(tokens.AWSRegion)...)
	}
	return env, nil
}
