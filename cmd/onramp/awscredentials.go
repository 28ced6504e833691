package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/onramp-cli/onramp/egress"
	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/tokens"
	"github.com/onramp-cli/onramp/usecase"
)

type awsCredentialsOptions struct {
	io         *iostreams.IO
	openStore  func(kind string) (secretstore.Keyring, error)
	profile    string
	env        bool
	noCache    bool
	keyPassEnv string
	cacert     string
	resolve    []string
	timeout    time.Duration
	store      string
	proxy      proxyFlags
	route      egress.Settings
	now        func() time.Time
	// executable is onramp's own path, for the ~/.aws/config line.
	executable func() (string, error)
}

func newAWSCredentialsCmd(fac *factory) *cobra.Command {
	io := fac.IO
	opts := &awsCredentialsOptions{io: io, openStore: fac.SecretStore, now: fac.Now, executable: os.Executable}
	cmd := &cobra.Command{
		Annotations: rawStdoutAnnotation("prints the credentials"),
		Use:         "aws-credentials --profile NAME [--env]",
		Short:       "Temporary AWS credentials for an HMPPS SQS queue, for the AWS tools",
		Long: `Ask the HMPPS Integration API's /token endpoint (POST, unversioned, with the
profile's client certificate and API key) for temporary AWS credentials, and
print them the way AWS's credential_process expects (JSON, Version 1). They
are cached in the keyring until 15 minutes before they expire.

Add one line to ~/.aws/config and the AWS tools fetch them as needed:

  [profile hmpps]
  credential_process = onramp aws-credentials --profile hmpps-dev
  region = eu-west-2

  aws sqs receive-message --profile hmpps --queue-url https://sqs.eu-west-2.amazonaws.com/...

--env prints export lines for a shell instead: eval "$(onramp aws-credentials --profile P --env)".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.profile == "" {
				opts.profile = "default"
			}
			if err := profile.ValidateName(opts.profile); err != nil {
				return usageErrorf("--profile: %v", err)
			}
			if opts.timeout <= 0 {
				return usageErrorf("--timeout must be positive")
			}
			for _, r := range opts.resolve {
				if _, _, err := tokens.ParseResolve(r); err != nil {
					return usageErrorf("%v", err)
				}
			}
			var err error
			if opts.route, err = opts.proxy.settings(); err != nil {
				return err
			}
			return runAWSCredentials(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.profile, "profile", "", "the HMPPS profile: URL, client certificate and key; API key in the keyring (default \"default\")")
	f.BoolVar(&opts.env, "env", false, "print export lines for a shell instead of credential_process JSON")
	f.BoolVar(&opts.noCache, "no-cache", false, "always ask for new credentials (they are still cached)")
	f.StringVar(&opts.keyPassEnv, "key-pass-env", "", "environment variable holding the client key's passphrase")
	f.StringVar(&opts.cacert, "cacert", "", "CA bundle the server's certificate must chain to")
	f.StringArrayVar(&opts.resolve, "resolve", nil, "HOST:PORT:ADDR: connect to ADDR for HOST:PORT (like curl)")
	addProxyFlags(f, &opts.proxy)
	f.DurationVar(&opts.timeout, "timeout", 30*time.Second, "bound for the whole request")
	f.StringVar(&opts.store, "store", "", storeFlagUsage)
	return cmd
}

func runAWSCredentials(ctx context.Context, o *awsCredentialsOptions) error {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	keyPass, err := envSecret("--key-pass-env", o.keyPassEnv, o.keyPassEnv != "")
	if err != nil {
		return err
	}
	p, kr, err := credentialProfile(o.openStore, o.profile, o.store, "")
	if err != nil {
		return err
	}
	if err := usecase.ProxyPassword(p, &o.route, p.URL, kr); err != nil {
		return causeFailure(o.io, false, err)
	}
	cfg, err := tokens.HMPPSConfigForProfile(p, tokens.ProfileOptions{Keyring: kr, KeyPass: keyPass,
		CACertFile: o.cacert, Resolve: resolveMap(o.resolve), Route: o.route, Now: o.now})
	if err != nil {
		return causeFailure(o.io, false, err)
	}
	cache := &tokens.Cache{Keyring: cacheStore(kr), Profile: p.Name, Now: o.now, LockPath: usecase.TokenCacheLock()}
	creds, cacheErr, err := tokens.AWSCredentialsFor(ctx, cfg, cache, o.noCache)
	if err != nil {
		return causeFailure(o.io, false, err)
	}
	if cacheErr != nil {
		cacheWarning(o.io.ErrOut, "the credentials were", cacheErr)
	}
	if o.env {
		fmt.Fprint(o.io.Out, creds.ExportLines(tokens.AWSRegion))
		return nil
	}
	data, err := creds.CredentialProcessJSON()
	if err != nil {
		return failedErrorf("%v", err)
	}
	fmt.Fprintln(o.io.Out, string(data))
	// The AWS tools run this with stdout piped; a person at a terminal is
	// shown how to hook it up instead of having to look it up.
	if o.io.IsStdoutTTY() {
		self := "onramp"
		if exe, err := o.executable(); err == nil {
			self = exe
		}
		if strings.ContainsAny(self, " \t'\"") {
			self = `"` + self + `"`
		}
		fmt.Fprintf(o.io.ErrOut, "\nTo let the AWS tools fetch these themselves, add to ~/.aws/config:\n\n  [profile %s]\n  credential_process = %s aws-credentials --profile %s\n  region = %s\n",
			p.Name, self, p.Name, tokens.AWSRegion)
	}
	return nil
}
