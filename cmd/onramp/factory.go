package main

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/secretstore"
)

// factory is what every command is built from, as cli/cli's
// cmdutil.Factory: main builds the real one (newFactory), a test builds its
// own with buffers and an in-memory secret store. Each command copies what
// it needs into its options struct; nothing is swapped through package
// variables.
type factory struct {
	IO *iostreams.IO
	// SecretStore opens the store --store names: "" follows ONRAMP_STORE,
	// else the OS keyring. The file store may ask for its passphrase on IO.
	SecretStore func(kind string) (secretstore.Keyring, error)
	// ScreenStore is the store of the full-screen TUI and the wizard, which
	// own the terminal: nothing is asked or printed on it, so the file
	// store needs its passphrase in the environment.
	ScreenStore func() (secretstore.Keyring, error)
	// Now is the clock.
	Now func() time.Time
	// Home runs the TUI home screen; nil where there is none.
	Home func(ctx context.Context, f *factory) error
	// FileWorkFactor is the file store's scrypt cost for the stores the
	// factory opens (0: age's default); tests lower it.
	FileWorkFactor int
}

// newFactory wires the real dependencies around the streams.
func newFactory(streams *iostreams.IO) *factory {
	f := &factory{IO: streams, Now: time.Now, Home: runTUIHome}
	f.SecretStore = func(kind string) (secretstore.Keyring, error) {
		return openSecretStore(streams, kind, f.FileWorkFactor)
	}
	f.ScreenStore = func() (secretstore.Keyring, error) {
		quiet := &iostreams.IO{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard}
		return openSecretStore(quiet, "", f.FileWorkFactor)
	}
	return f
}

// openSecretStore opens the store the user chose (--store, ONRAMP_STORE,
// else the OS keyring).
func openSecretStore(io *iostreams.IO, kind string, workFactor int) (secretstore.Keyring, error) {
	dir, err := profile.Dir()
	if err != nil {
		return nil, failedErrorf("%v", err)
	}
	opts := secretstore.Options{ConfigDir: dir, Warn: io.ErrOut, WorkFactor: workFactor}
	if io.IsStdinTTY() {
		opts.Prompt = func(prompt string) (string, error) { return io.ReadHidden(prompt) }
	}
	k, err := secretstore.Open(kind, opts)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	return k, nil
}
