package sandbox

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/onramp-cli/onramp/keystore"
)

// ProfileName is the profile the sandbox keeps ready, and the keyring
// profile its secrets live under.
const ProfileName = "sandbox"

// Names of the sandbox's API keys (their files, and the profile's secrets).
const (
	APIKeyName = "api-key"
	// The Securosys-like endpoints take one key per role.
	ServiceKeyName   = "securosys-service-key"   // role serviceToken
	OperationKeyName = "securosys-operation-key" // role keyOperationToken
)

// APIKeyEnv is the environment variable the banner uses for
// `--api-key-env` when there is no ready profile.
const APIKeyEnv = "ONRAMP_SANDBOX_API_KEY"

// Keys are the sandbox's practice keys. They are not real secrets (they
// open nothing but this sandbox on this machine), so they live in 0600 files
// in the sandbox's data directory, beside its PKI, and work where no keyring
// answers (SSH, containers, WSL); the ready profiles name the API key's file.
type Keys struct {
	API       string
	Service   string
	Operation string
	// Dir holds one file per key, named as the key (APIKeyName, ...).
	Dir string
}

// String never shows the values.
func (k *Keys) String() string { return "sandbox keys (redacted)" }

// File is where the named key is kept.
func (k *Keys) File(name string) string { return filepath.Join(k.Dir, name) }

// loadKeys reads the sandbox's keys from their files in dir, making any
// that are missing.
func loadKeys(dir string) (*Keys, error) {
	k := &Keys{Dir: dir}
	for _, item := range []struct {
		name string
		dst  *string
	}{{APIKeyName, &k.API}, {ServiceKeyName, &k.Service}, {OperationKeyName, &k.Operation}} {
		file := k.File(item.name)
		v, err := readKeyFile(file)
		if errors.Is(err, os.ErrNotExist) {
			v = newAPIKey()
			err = keystore.WriteFileAtomic(file, []byte(v), 0o600, false)
		}
		if err != nil {
			return nil, fmt.Errorf("the sandbox's %s: %w", item.name, err)
		}
		*item.dst = v
	}
	return k, nil
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
