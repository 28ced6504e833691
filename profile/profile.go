// Package profile keeps saved connections: one YAML file per profile in the
// user's config directory. A profile holds paths, names and settings, never
// secret values; those live in the OS keyring under the names listed here.
package profile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/onramp-cli/onramp/keystore"
)

// Profile is one saved connection.
type Profile struct {
	Name        string `yaml:"-"`
	Provider    string `yaml:"provider,omitempty"`
	Environment string `yaml:"environment,omitempty"`
	// URL is the API base URL or the full URL diagnose checks.
	URL string `yaml:"url,omitempty"`
	// Auth lists the methods in use: mtls, api-key, signed-jwt.
	Auth []string `yaml:"auth,omitempty"`

	Cert   string `yaml:"cert,omitempty"`
	Key    string `yaml:"key,omitempty"`
	CACert string `yaml:"cacert,omitempty"`
	// KeyPassSecret names the keyring secret holding the key's passphrase.
	KeyPassSecret string `yaml:"key_pass_secret,omitempty"`

	APIKeyHeader string `yaml:"api_key_header,omitempty"`
	// APIKeySecret names the keyring secret holding the API key (default api-key).
	APIKeySecret string `yaml:"api_key_secret,omitempty"`

	KID      string `yaml:"kid,omitempty"`
	TokenURL string `yaml:"token_url,omitempty"`

	// StatusPath and ExpectJSON describe the documented status endpoint.
	StatusPath string `yaml:"status_path,omitempty"`
	ExpectJSON string `yaml:"expect_json,omitempty"`

	// Resolve entries, as curl's --resolve HOST:PORT:ADDR.
	Resolve []string `yaml:"resolve,omitempty"`

	// Secrets records the names of the secrets stored for this profile and
	// when each was set: go-keyring cannot list items.
	Secrets map[string]time.Time `yaml:"secrets,omitempty"`

	// Wizard records which onboarding steps are done, so `onramp init
	// --profile NAME` resumes at the first unfinished one.
	Wizard map[string]bool `yaml:"wizard,omitempty"`

	LastCheck *Check `yaml:"last_check,omitempty"`
}

// Check is the outcome of the last diagnosis.
type Check struct {
	At      time.Time `yaml:"at"`
	OK      bool      `yaml:"ok"`
	CauseID string    `yaml:"cause,omitempty"`
}

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidateName rejects names that could escape the profile directory or
// confuse the keyring account PROFILE/NAME.
func ValidateName(name string) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("invalid profile name %q: use letters, digits, '.', '_' or '-' (at most 64)", name)
	}
	return nil
}

// Dir is where profiles live: $ONRAMP_CONFIG_DIR, or onramp/ in the user's
// config directory.
func Dir() (string, error) {
	if d := os.Getenv("ONRAMP_CONFIG_DIR"); d != "" {
		return d, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no config directory: %w (set ONRAMP_CONFIG_DIR)", err)
	}
	return filepath.Join(base, "onramp"), nil
}

// Path is the file of the named profile.
func Path(name string) (string, error) {
	if err := ValidateName(name); err != nil {
		return "", err
	}
	dir, err := Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "profiles", name+".yaml"), nil
}

// ErrNotFound is returned by Load for a profile that does not exist.
var ErrNotFound = errors.New("no such profile")

// Load reads the named profile. A typo in a hand-edited file gets an error
// naming the file, the line and the field.
func Load(name string) (*Profile, error) {
	path, err := Path(name)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("profile %q: %w (list them with `onramp profile ls`)", name, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	p, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	p.Name = name
	return p, nil
}

// Parse decodes a profile file strictly: unknown fields are errors.
func Parse(path string, data []byte) (*Profile, error) {
	var p Profile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil && !errors.Is(err, io.EOF) {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
		return nil, fmt.Errorf("%s: %s", path, msg)
	}
	return &p, nil
}

// Save writes the profile atomically, 0600.
func Save(p *Profile) error {
	path, err := Path(p.Name)
	if err != nil {
		return err
	}
	data, err := yaml.Marshal(p)
	if err != nil {
		return err
	}
	header := []byte("# onramp profile " + p.Name + ": paths and settings only; secrets live in the OS keyring.\n")
	return keystore.WriteFileAtomic(path, append(header, data...), 0o600, true)
}

// Remove deletes the named profile's file.
func Remove(name string) error {
	path, err := Path(name)
	if err != nil {
		return err
	}
	if err := os.Remove(path); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("profile %q: %w", name, ErrNotFound)
	} else if err != nil {
		return err
	}
	return nil
}

// List returns the names of the saved profiles, sorted.
func List() ([]string, error) {
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(filepath.Join(dir, "profiles"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok && !e.IsDir() && ValidateName(n) == nil {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, nil
}
