package secretstore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"github.com/onramp-cli/onramp/internal/limits"
	"github.com/onramp-cli/onramp/keystore"
)

// ConfigFile is onramp's own settings file in the config directory; it
// remembers the secret store the user chose (store: file), so later
// commands use it without flags.
const ConfigFile = "config.yaml"

// config is what ConfigFile holds.
type config struct {
	// Store is "keyring" or "file"; empty means the OS keyring.
	Store string `yaml:"store,omitempty"`
}

// Remembered is the store kind recorded in dir's ConfigFile ("" when none
// is).
func Remembered(dir string) (string, error) {
	// Bounded, and a FIFO or device there is refused rather than read
	// (it would block every command), as with the profiles beside it.
	data, err := limits.ReadRegular(filepath.Join(dir, ConfigFile), 64<<10)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var c config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("%s: %v (it holds one setting, store: keyring or file)", filepath.Join(dir, ConfigFile), err)
	}
	switch c.Store {
	case "", KindKeyring, KindFile:
		return c.Store, nil
	}
	return "", fmt.Errorf("%s: store: %q is neither %q nor %q", filepath.Join(dir, ConfigFile), c.Store, KindKeyring, KindFile)
}

// Remember records kind as the store later commands use (0600, written
// atomically).
func Remember(dir, kind string) error {
	data, err := yaml.Marshal(config{Store: kind})
	if err != nil {
		return err
	}
	data = append([]byte("# onramp's settings. store: where secrets live, keyring (the OS keyring) or file (secrets.age, encrypted).\n"), data...)
	return keystore.WriteFileAtomic(filepath.Join(dir, ConfigFile), data, 0o600, true)
}
