package secretstore

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/redact"
)

// Options configures Open.
type Options struct {
	// ConfigDir holds the file store (profile.Dir()).
	ConfigDir string
	// Prompt asks for a passphrase without echo; nil when there is no
	// terminal to ask on.
	Prompt func(prompt string) (string, error)
	// Warn receives the file store's one-time warning.
	Warn io.Writer
	// Timeout bounds each OS keyring call (default 3 s).
	Timeout time.Duration
	// WorkFactor is scrypt's log2(N) for the file store's writes; 0 is
	// age's default (about a second on a laptop). Tests lower it; there is
	// deliberately no environment setting for it.
	WorkFactor int
	// Seen learns every secret value the store reads or writes, so the
	// run's output can blank it; nil for none.
	Seen *redact.Set
}

// Store selection: the OS keyring unless the user opts in to the file.
const (
	// Env selects the secret store: "keyring" (the default) or "file".
	Env = "ONRAMP_STORE"
	// Store kinds for Open and Env.
	KindKeyring = "keyring"
	KindFile    = "file"
)

// Open returns the secret store the user chose: kind is the
// --store flag's value; empty means $ONRAMP_STORE, else the choice
// remembered in the config directory (Remember), else the OS keyring.
// There is no silent fallback: the file store is used only when chosen.
func Open(kind string, opts Options) (Keyring, error) {
	if kind == "" {
		kind = os.Getenv(Env)
	}
	if kind == "" && opts.ConfigDir != "" {
		var err error
		if kind, err = Remembered(opts.ConfigDir); err != nil {
			return nil, err
		}
		if kind == "" {
			// Nobody chose: the keyring, and an offer of the file store
			// where it does not answer.
			return OSKeyring{Timeout: opts.Timeout, Default: true, Seen: opts.Seen}, nil
		}
	}
	switch kind {
	case "", KindKeyring, "os":
		return OSKeyring{Timeout: opts.Timeout, Seen: opts.Seen}, nil
	case KindFile:
		if opts.ConfigDir == "" {
			return nil, errors.New("the file store needs a config directory (set ONRAMP_CONFIG_DIR)")
		}
		return &File{
			Path:       filepath.Join(opts.ConfigDir, FileName),
			Passphrase: passphraseSource(opts.Prompt),
			Warn:       opts.Warn,
			WorkFactor: opts.WorkFactor,
			Seen:       opts.Seen,
		}, nil
	}
	return nil, fmt.Errorf("unknown secret store %q (from --store or %s): use %q or %q", kind, Env, KindKeyring, KindFile)
}

// passphraseSource reads $ONRAMP_STORE_PASSPHRASE, else asks (twice when
// the file is being created, so a typo does not lock the secrets away).
func passphraseSource(prompt func(string) (string, error)) func(bool) (string, error) {
	return func(creating bool) (string, error) {
		if p, ok := os.LookupEnv(PassphraseEnv); ok {
			return p, nil
		}
		if prompt == nil {
			return "", &Error{ID: cause.KeyringUnavailable, Op: "open", Item: FileName,
				Err: errors.New("no passphrase: " + PassphraseEnv + " is not set and there is no terminal to ask on"),
				Fix: NoPassphraseFix(), Problem: NoPassphrase}
		}
		p, err := prompt("Passphrase for the onramp secret file: ")
		if err != nil || !creating {
			return p, err
		}
		again, err := prompt("Same passphrase again: ")
		if err != nil {
			return "", err
		}
		if again != p {
			return "", &Error{ID: cause.KeyringUnavailable, Op: "open", Item: FileName,
				Err: errors.New("the two passphrases differ"), Fix: "Run the command again and type the same passphrase twice."}
		}
		return p, nil
	}
}
