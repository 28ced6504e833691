package sandbox

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/secretstore"
)

// ProfileName is the profile the sandbox keeps ready, and the keyring
// profile its secrets live under.
const ProfileName = "sandbox"

// Keyring names of the sandbox's API keys (profile `sandbox`).
const (
	APIKeyName = "api-key"
	// The Securosys-like endpoints take one key per role.
	ServiceKeyName   = "securosys-service-key"   // role serviceToken
	OperationKeyName = "securosys-operation-key" // role keyOperationToken
)

// APIKeyEnv is the environment variable the sandbox suggests for
// `--api-key-env` when no keyring answers.
const APIKeyEnv = "ONRAMP_SANDBOX_API_KEY"

// Keys are the sandbox's secrets; InKeyring says where they are kept.
type Keys struct {
	API       string
	Service   string
	Operation string
	// InKeyring is false when no keyring answered and the keys live in
	// 0600 files in the data directory instead.
	InKeyring bool
	// KeyringErr is why the keyring could not be used.
	KeyringErr error
}

// String never shows the values.
func (k *Keys) String() string { return "sandbox keys (redacted)" }

// loadKeys reads the sandbox's keys from the keyring, making any that are
// missing. Without a keyring they are kept in 0600 files in dir, which only
// the sandbox reads; a file left from such a run moves into the keyring
// once one answers.
func loadKeys(kr secretstore.Keyring, dir string) (*Keys, error) {
	k := &Keys{InKeyring: kr != nil}
	if kr == nil {
		k.KeyringErr = errors.New("no keyring configured")
	}
	for _, item := range []struct {
		name string
		dst  *string
	}{{APIKeyName, &k.API}, {ServiceKeyName, &k.Service}, {OperationKeyName, &k.Operation}} {
		v, err := loadKey(kr, dir, item.name, k)
		if err != nil {
			return nil, err
		}
		*item.dst = v
	}
	if !k.InKeyring {
		// A keyring that failed part-way holds the first keys only: keep
		// every key in its file, where the banner says they are.
		for name, v := range map[string]string{APIKeyName: k.API, ServiceKeyName: k.Service, OperationKeyName: k.Operation} {
			err := keystore.WriteFileAtomic(filepath.Join(dir, name), []byte(v), 0o600, false)
			if err != nil && !errors.Is(err, keystore.ErrExists) {
				return nil, fmt.Errorf("keep the sandbox's %s: %w", name, err)
			}
		}
	}
	return k, nil
}

func loadKey(kr secretstore.Keyring, dir, name string, k *Keys) (string, error) {
	file := filepath.Join(dir, name)
	if k.InKeyring {
		v, err := kr.Get(ProfileName, name)
		if err == nil && v != "" {
			os.Remove(file) // a copy left from a run without a keyring
			return v, nil
		}
		if err == nil || keyringCause(err) == cause.KeyringSecretMissing {
			v, ferr := readKeyFile(file)
			if ferr != nil && !errors.Is(ferr, os.ErrNotExist) {
				return "", ferr
			}
			if v == "" {
				v = newAPIKey()
			}
			if err := kr.Set(ProfileName, name, v); err == nil {
				os.Remove(file) // now in the keyring; a stale copy would only mislead
				return v, nil
			} else {
				k.InKeyring, k.KeyringErr = false, err
			}
		} else {
			k.InKeyring, k.KeyringErr = false, err
		}
	}
	v, err := readKeyFile(file)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	v = newAPIKey()
	if err := keystore.WriteFileAtomic(file, []byte(v), 0o600, false); err != nil {
		return "", fmt.Errorf("keep the sandbox's %s: %w", name, err)
	}
	return v, nil
}

func readKeyFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("%s is readable by others (mode %v): chmod 600 it or delete it for a new key", path, fi.Mode().Perm())
	}
	return strings.TrimSpace(string(data)), nil
}

// newAPIKey makes a key shaped like the providers' own: 40 letters and
// digits (nothing a Base64 check would mistake for an encoded key).
func newAPIKey() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 40)
	for i := range b {
		b[i] = alphabet[randIntn(len(alphabet))]
	}
	return string(b)
}

func randIntn(n int) int {
	var b [1]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			panic(err)
		}
		// Rejection sampling keeps every character equally likely.
		if int(b[0]) < 256-256%n {
			return int(b[0]) % n
		}
	}
}

func keyringCause(err error) cause.ID {
	var ke *secretstore.Error
	if errors.As(err, &ke) {
		return ke.ID
	}
	return ""
}
