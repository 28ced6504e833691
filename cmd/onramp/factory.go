package main

import (
	"context"
	"io"
	"os"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/internal/redact"
	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/usecase"
)

// factory is what every command is built from, as cli/cli's
// cmdutil.Factory: main builds the real one (newFactory), a test builds its
// own with buffers and an in-memory secret store. Each command copies what
// it needs into its options struct; nothing is swapped through package
// variables.
type factory struct {
	IO *iostreams.IO
	// SecretStore opens the store --store names: "" follows ONRAMP_STORE,
	// else the choice remembered in config.yaml, else the OS keyring (on a
	// terminal offering the file store where it does not answer). The file
	// store may ask for its passphrase on IO.
	SecretStore func(kind string) (secretstore.Keyring, error)
	// ScreenStore opens the store --store names for the full-screen TUI
	// and the wizard, which own the terminal: nothing is asked or printed
	// on it (the TUI asks for the file store's passphrase on its own screen).
	ScreenStore func(kind string) (secretstore.Keyring, error)
	// Now is the clock.
	Now func() time.Time
	// Home runs the TUI home screen (full-screen, or as lines for screen
	// readers); nil where there is none.
	Home func(ctx context.Context, f *factory, o homeOptions) error
	// FileWorkFactor is the file store's scrypt cost for the stores the
	// factory opens (0: age's default); tests lower it.
	FileWorkFactor int
	// Secrets are the secret values this run knows (read from the stores,
	// the environment variables --*-env flags name, onramp exec's own
	// variables, proxy passwords): blanked in everything the run prints
	// (execute wraps the streams).
	Secrets *redact.Set
}

// newFactory wires the real dependencies around the streams.
func newFactory(streams *iostreams.IO) *factory {
	f := &factory{IO: streams, Now: time.Now, Home: runTUIHome, Secrets: knownSecrets(os.Getenv)}
	f.SecretStore = func(kind string) (secretstore.Keyring, error) {
		return openSecretStore(streams, kind, f.FileWorkFactor, f.Secrets)
	}
	f.ScreenStore = func(kind string) (secretstore.Keyring, error) {
		quiet := &iostreams.IO{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard}
		return openSecretStore(quiet, kind, f.FileWorkFactor, f.Secrets)
	}
	return f
}

// minShownSecret: shorter values are not blanked in everything the run
// prints (diagnose blanks its own secrets from 4 characters on).
const minShownSecret = 8

// knownSecrets are the secrets a run knows before it starts: the values
// of the variables onramp exec gives its command (so an onramp run inside
// it, say explain on the command's log, blanks them), AWS credentials, the
// file store's passphrase, and the passwords in the proxy variables.
func knownSecrets(getenv func(string) string) *redact.Set {
	s := &redact.Set{MinLen: minShownSecret}
	for _, name := range append(usecase.SecretEnvNames(), secretstore.PassphraseEnv) {
		s.Add(getenv(name))
	}
	for _, name := range []string{"https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"} {
		s.AddURL(withScheme(getenv(name)))
	}
	return s
}

// addFlagSecrets learns the values of the environment variables that
// --*-env flags in args name (--api-key-env KEY, --proxy-user-env=CREDS),
// up to a "--" (what follows is onramp exec's command). A USER:PASSWORD
// value also gives its password alone.
func addFlagSecrets(s *redact.Set, args []string, getenv func(string) string) {
	for i, a := range args {
		if a == "--" {
			return
		}
		name, value, inline := strings.Cut(a, "=")
		if !strings.HasPrefix(name, "--") || !strings.HasSuffix(name, "-env") {
			continue
		}
		if !inline {
			if i+1 >= len(args) {
				continue
			}
			value = args[i+1]
		}
		v := getenv(value)
		s.Add(v)
		if _, pass, ok := strings.Cut(v, ":"); ok {
			s.Add(pass)
		}
	}
}

// openSecretStore opens the store the user chose (--store, ONRAMP_STORE,
// else the OS keyring).
func openSecretStore(io *iostreams.IO, kind string, workFactor int, seen *redact.Set) (secretstore.Keyring, error) {
	dir, err := profile.Dir()
	if err != nil {
		return nil, failedErrorf("%v", err)
	}
	opts := secretstore.Options{ConfigDir: dir, Warn: io.ErrOut, WorkFactor: workFactor, Seen: seen}
	if io.IsStdinTTY() {
		opts.Prompt = func(prompt string) (string, error) { return io.ReadHidden(prompt) }
	}
	k, err := secretstore.Open(kind, opts)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	if ok, isOS := k.(secretstore.OSKeyring); isOS && ok.Default && io.IsStdinTTY() && io.IsStderrTTY() {
		// Nobody chose the keyring: where it does not answer, offer the file.
		return &offeringStore{keyring: k, io: io, dir: dir, openFile: func() (secretstore.Keyring, error) {
			return secretstore.Open(secretstore.KindFile, opts)
		}}, nil
	}
	return k, nil
}
