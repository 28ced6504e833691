package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/onramp-cli/onramp/egress"
	"github.com/onramp-cli/onramp/internal/redact"
	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/usecase"
)

type execOptions struct {
	io         *iostreams.IO
	secrets    *redact.Set
	openStore  func(kind string) (secretstore.Keyring, error)
	now        func() time.Time
	profile    string
	aws        bool
	noCache    bool
	keyPassEnv string
	store      string
	timeout    time.Duration
	proxy      proxyFlags
}

func newExecCmd(fac *factory) *cobra.Command {
	opts := &execOptions{io: fac.IO, openStore: fac.SecretStore, now: fac.Now, secrets: fac.Secrets}
	cmd := &cobra.Command{
		Use:   "exec --profile NAME [--aws] -- COMMAND [ARG...]",
		Short: "Run a command with a profile's credentials in its environment",
		Long: `Runs COMMAND with the profile's credentials in its environment, as aws-vault
exec does, so no secret is ever typed into a command line (where ps and the
shell history would keep it):

  ONRAMP_API_KEY, ONRAMP_API_KEY_HEADER   the API key (from the keyring) and its header
  ONRAMP_TOKEN                            a bearer token (signed-JWT profiles; cached)
  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION
                                          temporary AWS credentials (--aws; HMPPS)
  ONRAMP_CERT, ONRAMP_KEY, ONRAMP_CACERT, ONRAMP_URL, ONRAMP_PROFILE
                                          the profile's files and URL (not secrets)

Quote the variables so the shell started by COMMAND expands them, not yours.
COMMAND's output passes through onramp, which blanks those secrets in it
(a curl -v shows the API key as [redacted]); so COMMAND sees pipes, not
a terminal. The proxy flags are for fetching the token or AWS credentials;
COMMAND keeps the proxy variables of its environment.
The exit status is COMMAND's.`,
		Example: `  onramp exec --profile hmpps-dev -- sh -c 'curl --cert "$ONRAMP_CERT" --key "$ONRAMP_KEY" \
      -H "x-api-key: $ONRAMP_API_KEY" "$ONRAMP_URL/v1/persons"'
  onramp exec --profile nhs-int -- sh -c 'curl -H "Authorization: Bearer $ONRAMP_TOKEN" "$ONRAMP_URL/..."'
  onramp exec --profile hmpps-dev --aws -- aws sqs receive-message --queue-url https://sqs...`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.profile == "" {
				return usageErrorf("--profile NAME is required: whose credentials should COMMAND get?")
			}
			if err := profile.ValidateName(opts.profile); err != nil {
				return usageErrorf("--profile: %v", err)
			}
			if opts.timeout <= 0 {
				return usageErrorf("--timeout %s: must be more than zero", opts.timeout)
			}
			route, err := opts.proxy.settings()
			if err != nil {
				return err
			}
			path, err := exec.LookPath(args[0])
			if err != nil {
				return usageErrorf("%s: %v", args[0], errors.Unwrap(err))
			}
			return runExec(cmd.Context(), opts, route, path, args)
		},
	}
	// Flags after COMMAND are COMMAND's: onramp exec --profile p -- curl -v ...
	cmd.Flags().SetInterspersed(false)
	f := cmd.Flags()
	f.StringVar(&opts.profile, "profile", "", "the profile whose credentials COMMAND gets")
	f.BoolVar(&opts.aws, "aws", false, "also temporary AWS credentials from the HMPPS /token endpoint")
	f.BoolVar(&opts.noCache, "no-cache", false, "fetch a new token or AWS credentials even if cached ones are good")
	f.StringVar(&opts.keyPassEnv, "key-pass-env", "", "environment variable holding the key's passphrase")
	f.StringVar(&opts.store, "store", "", storeFlagUsage)
	f.DurationVar(&opts.timeout, "timeout", 30*time.Second, "bound for fetching the credentials (not for COMMAND)")
	addProxyFlags(f, &opts.proxy) // for fetching the token or AWS credentials; COMMAND keeps its own environment
	return cmd
}

func runExec(ctx context.Context, o *execOptions, route egress.Settings, path string, args []string) error {
	keyPass, err := envSecret("--key-pass-env", o.keyPassEnv, o.keyPassEnv != "")
	if err != nil {
		return err
	}
	p, kr, err := credentialProfile(o.openStore, o.profile, o.store, "")
	if err != nil {
		return err
	}
	fetch, cancel := context.WithTimeout(ctx, o.timeout)
	env, err := usecase.ExecCredentials{Store: kr, KeyPass: keyPass, AWS: o.aws, NoCache: o.noCache, Now: o.now, Route: route}.Environ(fetch, p)
	cancel()
	if err != nil {
		return causeFailure(o.io, false, err)
	}
	for _, kv := range env {
		if k, v, _ := strings.Cut(kv, "="); usecase.SecretEnv(k) {
			o.secrets.Add(v)
		}
	}
	cmd := exec.CommandContext(ctx, path, args[1:]...)
	cmd.Args[0] = args[0]
	cmd.Env = append(os.Environ(), env...)
	// COMMAND's output passes through onramp's redaction: a curl -v or a
	// debug log that prints the API key or token shows it blanked.
	stdout, stderr := &redact.Stream{W: redact.Unwrap(o.io.Out), Set: o.secrets}, &redact.Stream{W: redact.Unwrap(o.io.ErrOut), Set: o.secrets}
	defer stdout.Flush()
	defer stderr.Flush()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = o.io.In, stdout, stderr
	// ctrl+c reaches COMMAND from the terminal itself; a SIGTERM to onramp
	// is passed on, and COMMAND gets 10 seconds to finish.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	ownSignals(ctx) // COMMAND's own status, in its own time
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return &exitError{code: 128 + int(ws.Signal())}
		}
		return &exitError{code: ee.ExitCode()}
	default:
		return failedErrorf("%s: %v", args[0], err)
	}
}
