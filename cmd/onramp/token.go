package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/onramp-cli/onramp/egress"
	"github.com/onramp-cli/onramp/internal/idn"
	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/tokens"
	"github.com/onramp-cli/onramp/usecase"
)

// credentialProfile loads the named profile and opens its secret store,
// for the commands that fetch short-lived credentials; orElse ends the hint
// given when the profile does not exist.
func credentialProfile(openStore func(kind string) (secretstore.Keyring, error), name, store, orElse string) (*profile.Profile, secretstore.Keyring, error) {
	p, err := profile.Load(name)
	if errors.Is(err, profile.ErrNotFound) {
		return nil, nil, usageErrorf("%v\nCreate one with `onramp init --profile %s`%s.", err, name, orElse)
	}
	if err != nil {
		return nil, nil, failedErrorf("%v", err)
	}
	kr, err := openStore(store)
	if err != nil {
		return nil, nil, err
	}
	return p, kr, nil
}

// storeFlagUsage is the help of --store on the credential commands.
const storeFlagUsage = "where secrets live for this command: keyring or file (encrypted); default: ONRAMP_STORE, else the choice remembered in config.yaml, else keyring"

type tokenOptions struct {
	io         *iostreams.IO
	openStore  func(kind string) (secretstore.Keyring, error)
	profile    string
	noCache    bool
	json       bool
	tokenURL   string
	kid        string
	keyFile    string
	apiKeyEnv  string
	keyPassEnv string
	cacert     string
	resolve    []string
	timeout    time.Duration
	store      string
	proxy      proxyFlags
	route      egress.Settings
	now        func() time.Time
}

func newTokenCmd(fac *factory) *cobra.Command {
	io := fac.IO
	opts := &tokenOptions{io: io, openStore: fac.SecretStore, now: fac.Now}
	cmd := &cobra.Command{
		Annotations: rawStdoutAnnotation("prints the token"),
		Use:         "token [--profile NAME] [--no-cache] [--json]",
		Short:       "Get (and cache) an OAuth bearer token via signed JWT (NHS API Management)",
		Long: `Get an access token by signed-JWT client credentials, as NHS API Management
documents them: a client assertion signed RS512 with your RSA 4096 key
(kid in the header; iss and sub your API key; aud the token URL; a fresh
jti; exp under 5 minutes ahead), posted to <host>/oauth2/token.

The token alone goes to stdout, so it drops into a curl command:

  curl -H "Authorization: Bearer $(onramp token --profile nhs-int)" https://int.api.service.nhs.uk/...

With --profile the token URL, kid and key come from the profile and the API
key from the keyring (onramp secret set api-key --profile NAME); the token
is cached in the keyring until a minute before it expires. Without a
profile give everything as flags; the API key comes from an environment
variable, never a flag value:

  onramp token --token-url https://int.api.service.nhs.uk/oauth2/token \
    --kid test-1 --key test-1.pem --api-key-env NHS_API_KEY

A refusal names its cause (jwt-kid-unknown, jwt-signature-invalid,
oauth-invalid-client, jwt-claims-invalid, clock-skew, ...) and the fix.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.validate(cmd); err != nil {
				return err
			}
			return runToken(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.profile, "profile", "", "take the token URL, kid and key from this profile (default \"default\")")
	f.BoolVar(&opts.noCache, "no-cache", false, "always ask for a new token (the new one is still cached)")
	f.BoolVar(&opts.json, "json", false, "print the response as JSON: access_token, expires_in, token_type, expires_at")
	f.StringVar(&opts.tokenURL, "token-url", "", "token endpoint, e.g. https://int.api.service.nhs.uk/oauth2/token")
	f.StringVar(&opts.kid, "kid", "", "key id registered with the public key (JWT header kid)")
	f.StringVar(&opts.keyFile, "key", "", "RSA private key file (PEM or DER) that signs the assertion")
	f.StringVar(&opts.apiKeyEnv, "api-key-env", "", "environment variable holding the API key (iss and sub)")
	f.StringVar(&opts.keyPassEnv, "key-pass-env", "", "environment variable holding the key's passphrase")
	f.StringVar(&opts.cacert, "cacert", "", "CA bundle the token endpoint's certificate must chain to")
	f.StringArrayVar(&opts.resolve, "resolve", nil, "HOST:PORT:ADDR: connect to ADDR for HOST:PORT (like curl)")
	addProxyFlags(f, &opts.proxy)
	f.DurationVar(&opts.timeout, "timeout", 30*time.Second, "bound for the whole request")
	f.StringVar(&opts.store, "store", "", storeFlagUsage)
	return cmd
}

func (o *tokenOptions) validate(cmd *cobra.Command) error {
	adHoc := []string{"kid", "key", "api-key-env"}
	if o.tokenURL != "" {
		if cmd.Flags().Changed("profile") {
			return usageErrorf("--profile and --token-url do not go together: use a profile, or give --token-url, --kid, --key and --api-key-env")
		}
		var missing []string
		for _, name := range adHoc {
			if !cmd.Flags().Changed(name) || cmd.Flags().Lookup(name).Value.String() == "" {
				missing = append(missing, "--"+name)
			}
		}
		if len(missing) > 0 {
			return usageErrorf("--token-url also needs %s", strings.Join(missing, ", "))
		}
		u, err := url.Parse(o.tokenURL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return usageErrorf("--token-url %q: want an https URL such as https://int.api.service.nhs.uk/oauth2/token", o.tokenURL)
		}
		if o.tokenURL, err = idn.URL(o.tokenURL); err != nil {
			return usageErrorf("--token-url: %v", err)
		}
	} else {
		for _, name := range adHoc {
			if cmd.Flags().Changed(name) {
				return usageErrorf("--%s needs --token-url (or take everything from --profile)", name)
			}
		}
	}
	if o.timeout <= 0 {
		return usageErrorf("--timeout must be positive")
	}
	var err error
	if o.route, err = o.proxy.settings(); err != nil {
		return err
	}
	if o.profile == "" {
		o.profile = "default"
	}
	if err := profile.ValidateName(o.profile); err != nil {
		return usageErrorf("--profile: %v", err)
	}
	for _, r := range o.resolve {
		if _, _, err := tokens.ParseResolve(r); err != nil {
			return usageErrorf("%v", err)
		}
	}
	return nil
}

func resolveMap(entries []string) map[string]string {
	m := map[string]string{}
	for _, r := range entries {
		if hp, addr, err := tokens.ParseResolve(r); err == nil {
			m[hp] = addr
		}
	}
	return m
}

func runToken(ctx context.Context, o *tokenOptions) error {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	keyPass, err := envSecret("--key-pass-env", o.keyPassEnv, o.keyPassEnv != "")
	if err != nil {
		return err
	}
	var (
		cfg   *tokens.NHSConfig
		cache *tokens.Cache
		what  string
	)
	if o.tokenURL != "" {
		if u, _ := url.Parse(o.tokenURL); tokens.IsSandboxHost(u.Hostname()) {
			return sandboxNoAuth(o.io, u.Hostname())
		}
		apiKey, err := envSecret("--api-key-env", o.apiKeyEnv, true)
		if err != nil {
			return err
		}
		key, err := keystore.ReadPrivateKey(o.keyFile, keyPass)
		if err != nil {
			return causeFailure(o.io, o.json, err)
		}
		client, err := tokens.NewHTTPClient(tokens.TransportOptions{CACertFile: o.cacert, Resolve: resolveMap(o.resolve), Route: o.route})
		if err != nil {
			return causeFailure(o.io, o.json, err)
		}
		cfg = &tokens.NHSConfig{TokenURL: o.tokenURL, KID: o.kid, Key: key, APIKey: string(apiKey), HTTPClient: client, Now: o.now}
		what = o.tokenURL
	} else {
		p, kr, err := credentialProfile(o.openStore, o.profile, o.store, ", or give --token-url, --kid, --key and --api-key-env")
		if err != nil {
			return err
		}
		if err := usecase.ProxyPassword(p, &o.route, p.URL, kr); err != nil {
			return causeFailure(o.io, o.json, err)
		}
		cfg, err = tokens.NHSConfigForProfile(p, tokens.ProfileOptions{Keyring: kr, KeyPass: keyPass,
			CACertFile: o.cacert, Resolve: resolveMap(o.resolve), RSABits: usecase.RequiredRSABits(p), Route: o.route, Now: o.now})
		if errors.Is(err, tokens.ErrSandbox) {
			host := p.URL
			if u, err := url.Parse(p.URL); err == nil {
				host = u.Hostname()
			}
			return sandboxNoAuth(o.io, host)
		}
		if err != nil {
			return causeFailure(o.io, o.json, err)
		}
		cache = &tokens.Cache{Keyring: cacheStore(kr), Profile: p.Name, Now: o.now, LockPath: usecase.TokenCacheLock()}
		what = "profile " + p.Name
	}
	tok, cacheErr, err := tokens.NHSToken(ctx, cfg, cache, o.noCache)
	if err != nil {
		return causeFailure(o.io, o.json, err)
	}
	if cacheErr != nil {
		cacheWarning(o.io.ErrOut, "the token was", cacheErr)
	}
	if o.json {
		enc := json.NewEncoder(o.io.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(tok)
	}
	fmt.Fprintln(o.io.Out, tok.AccessToken)
	if o.io.IsStderrTTY() {
		source := "new"
		if tok.Cached {
			source = "cached"
		}
		fmt.Fprintf(o.io.ErrOut, "%s token for %s, valid until %s (%s left)\n", source, what,
			tok.ExpiresAt.Local().Format("15:04:05"), tok.ExpiresAt.Sub(o.now()).Round(time.Second))
	}
	return nil
}

func sandboxNoAuth(io *iostreams.IO, host string) error {
	fmt.Fprintf(io.ErrOut, "%s is an NHS API Management sandbox: it needs no authentication, so there is no token to get.\nCall it without an Authorization header.\n", host)
	return nil
}
