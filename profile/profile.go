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
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/onramp-cli/onramp/cause"
)

// Profile is one saved connection.
type Profile struct {
	Name        string `yaml:"-"`
	Provider    string `yaml:"provider,omitempty"`
	Environment string `yaml:"environment,omitempty"`
	// URL is the API base URL or the full URL diagnose checks.
	URL string `yaml:"url,omitempty"`
	// Auth lists the methods in use: mtls, api-key, signed-jwt, bearer-jwt.
	// The secrets the checks read and send follow from it.
	Auth []string `yaml:"auth,omitempty"`

	Cert   string `yaml:"cert,omitempty"`
	Key    string `yaml:"key,omitempty"`
	CACert string `yaml:"cacert,omitempty"`
	// KeyPassSecret names the keyring secret holding the key's passphrase.
	KeyPassSecret string `yaml:"key_pass_secret,omitempty"`

	APIKeyHeader string `yaml:"api_key_header,omitempty"`
	// APIKeySecret names the keyring secret holding the API key (default api-key).
	APIKeySecret string `yaml:"api_key_secret,omitempty"`
	// KeyFiles names secrets kept in 0600 files instead of the secret
	// store, by secret name: keys that are not secrets worth a keyring (the
	// sandbox's practice keys), so they work where no keyring answers.
	KeyFiles map[string]string `yaml:"key_files,omitempty"`

	// RoleKeys names, per API key role (Securosys: serviceToken,
	// keyOperationToken, ...), the secret holding that role's key; a role
	// not listed is looked up under its own name. The provider's role table
	// says which role a path needs.
	RoleKeys map[string]string `yaml:"role_keys,omitempty"`

	// BearerSecret names the keyring secret holding a bearer token the
	// client already has (a Securosys JWT, an API's static token); it is
	// sent as Authorization: Bearer.
	BearerSecret string `yaml:"bearer_secret,omitempty"`

	KID      string `yaml:"kid,omitempty"`
	TokenURL string `yaml:"token_url,omitempty"`

	// SigningCert/SigningKey and EncryptionCert/EncryptionKey are key pairs
	// for the messages themselves, not for TLS (GOV.UK DCS signs and
	// encrypts its JOSE messages with separate key pairs). The checks look
	// at them locally: readable, in date, the key the certificate's.
	SigningCert    string `yaml:"signing_cert,omitempty"`
	SigningKey     string `yaml:"signing_key,omitempty"`
	EncryptionCert string `yaml:"encryption_cert,omitempty"`
	EncryptionKey  string `yaml:"encryption_key,omitempty"`

	// StatusPath and ExpectJSON describe the documented status endpoint;
	// StatusMethod is its method when not GET (HMPPS: POST /token).
	StatusPath   string `yaml:"status_path,omitempty"`
	StatusMethod string `yaml:"status_method,omitempty"`
	ExpectJSON   string `yaml:"expect_json,omitempty"`

	// Resolve entries, as curl's --resolve HOST:PORT:ADDR.
	Resolve []string `yaml:"resolve,omitempty"`

	// Client is the program the integration runs on (java, python, node,
	// dotnet, curl, go): fixes are also said in its words.
	Client string `yaml:"client,omitempty"`

	// Secrets records the names of the secrets stored for this profile and
	// when each was set: go-keyring cannot list items.
	Secrets map[string]time.Time `yaml:"secrets,omitempty"`

	// Wizard records which onboarding steps are done, so `onramp init
	// --profile NAME` resumes at the first unfinished one.
	Wizard map[string]bool `yaml:"wizard,omitempty"`

	LastCheck *Check `yaml:"last_check,omitempty"`

	// Renewal is a client certificate renewal in progress (onramp renew):
	// the key and CSR made for it. The profile keeps using Cert and Key
	// until the new certificate is imported and its checks pass.
	Renewal *Renewal `yaml:"renewal,omitempty"`
	// Previous is the certificate and key before the last renewal, so
	// `onramp renew --rollback` can go back to them.
	Previous *Material `yaml:"previous,omitempty"`

	// base is the profile as this process read it (nil for a profile
	// built from scratch): Save writes only what changed since, over what
	// another onramp may have saved meanwhile.
	base *Profile
}

// Renewal is a renewal in progress.
type Renewal struct {
	Key string `yaml:"key"`
	// CSR is the request for a new client certificate (mutual TLS).
	CSR string `yaml:"csr,omitempty"`
	// KID and JWKS are the new signing key's id and the key set to
	// register, holding the old and the new key (signed JWT).
	KID     string    `yaml:"kid,omitempty"`
	JWKS    string    `yaml:"jwks,omitempty"`
	NewKey  bool      `yaml:"new_key,omitempty"`
	Started time.Time `yaml:"started"`
}

// Material is a certificate (mutual TLS) or a key id (signed JWT) and its key.
type Material struct {
	Cert string `yaml:"cert,omitempty"`
	Key  string `yaml:"key"`
	KID  string `yaml:"kid,omitempty"`
}

// Check is the outcome of the last diagnosis.
type Check struct {
	At      time.Time `yaml:"at"`
	OK      bool      `yaml:"ok"`
	CauseID cause.ID  `yaml:"cause,omitempty"`
	// ServerNotAfter is the earliest end of validity in the chain the
	// server presented (zero when the handshake did not get that far).
	ServerNotAfter time.Time `yaml:"server_not_after,omitempty"`
}

// validName is ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$, written out: the
// regexp's 64 repetitions cost every process a compile at start-up.
func validName(name string) bool {
	if len(name) == 0 || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '.' && c != '_' && c != '-') {
			return false
		}
	}
	return true
}

// ValidateName rejects names that could escape the profile directory or
// confuse the keyring account PROFILE/NAME.
func ValidateName(name string) error {
	if !validName(name) {
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
	p, err := load(name, Parse)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("profile %q: %w (list them with `onramp profile ls`)", name, ErrNotFound)
	}
	return p, err
}

// load reads the named profile's file with parse, remembering it as read
// (Save merges over it).
func load(name string, parse func(path string, data []byte) (*Profile, error)) (*Profile, error) {
	path, err := Path(name)
	if err != nil {
		return nil, err
	}
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	p, err := parse(path, data)
	if err != nil {
		return nil, err
	}
	p.Name = name
	p.base = p.clone()
	return p, nil
}

// Parse decodes a profile file strictly: unknown fields are errors, and
// every error names the file, the line and the field.
func Parse(path string, data []byte) (*Profile, error) {
	var p Profile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil && !errors.Is(err, io.EOF) {
		return nil, describeParseError(path, data, err)
	}
	return &p, nil
}

var (
	// Compiled when a profile fails to parse, not at every start.
	unknownFieldRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^line (\d+): field (\S+) not found in type`) })
	lineRe         = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^line (\d+): (.*)$`) })
)

// describeParseError turns yaml.v3's messages into FILE:LINE: messages
// that name the field, with a suggestion for a misspelt one.
func describeParseError(path string, data []byte, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if m := lineRe().FindStringSubmatch(msg); m != nil {
			return fmt.Errorf("%s:%s: %s (the file is not valid YAML)", path, m[1], m[2])
		}
		// Errors from a field's own decoder (a time that does not parse)
		// carry no line: find the field by decoding each one alone.
		if line, field := locateFieldError(data); line > 0 {
			return fmt.Errorf("%s:%d: field %q: %s", path, line, field, msg)
		}
		return fmt.Errorf("%s: %s", path, msg)
	}
	keys := keysByLine(data)
	var lines []string
	for _, e := range te.Errors {
		if m := unknownFieldRe().FindStringSubmatch(e); m != nil {
			msg := fmt.Sprintf("%s:%s: unknown field %q", path, m[1], m[2])
			if s := closestField(m[2]); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += " (known fields: " + strings.Join(fieldNames(), ", ") + ")"
			}
			lines = append(lines, msg)
			continue
		}
		if m := lineRe().FindStringSubmatch(e); m != nil {
			n, _ := strconv.Atoi(m[1])
			if k := keys[n]; k != "" {
				lines = append(lines, fmt.Sprintf("%s:%d: field %q: %s", path, n, k, m[2]))
			} else {
				lines = append(lines, fmt.Sprintf("%s:%d: %s", path, n, m[2]))
			}
			continue
		}
		lines = append(lines, path+": "+e)
	}
	return errors.New(strings.Join(lines, "\n"))
}

// keysByLine maps each line to the dotted path of the mapping key on it, so
// a type error at a line can name its field.
func keysByLine(data []byte) map[int]string {
	var root yaml.Node
	keys := map[int]string{}
	if yaml.Unmarshal(data, &root) != nil {
		return keys
	}
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		switch n.Kind {
		case yaml.DocumentNode, yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, prefix)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				name := prefix + k.Value
				// The outermost key on a line names it: `auth: {a: b}` is auth.
				if _, ok := keys[k.Line]; !ok {
					keys[k.Line] = name
				}
				if v.Line != k.Line || v.Kind == yaml.ScalarNode {
					if _, ok := keys[v.Line]; !ok {
						keys[v.Line] = name
					}
				}
				walk(v, name+".")
			}
		}
	}
	walk(&root, "")
	return keys
}

// locateFieldError decodes each top-level field (and each entry of a
// mapping field) on its own and returns the line and name of the first
// that fails.
func locateFieldError(data []byte) (int, string) {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return 0, ""
	}
	fails := func(k, v *yaml.Node) bool {
		doc := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{k, v}}
		var p Profile
		return doc.Decode(&p) != nil
	}
	top := root.Content[0].Content
	for i := 0; i+1 < len(top); i += 2 {
		k, v := top[i], top[i+1]
		if !fails(k, v) {
			continue
		}
		if v.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(v.Content); j += 2 {
				sub := &yaml.Node{Kind: yaml.MappingNode, Content: v.Content[j : j+2]}
				if fails(k, sub) {
					return v.Content[j].Line, k.Value + "." + v.Content[j].Value
				}
			}
		}
		return k.Line, k.Value
	}
	return 0, ""
}

// fieldNames are the top-level keys a profile file may have.
func fieldNames() []string {
	t := reflect.TypeOf(Profile{})
	var names []string
	for i := 0; i < t.NumField(); i++ {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if tag != "" && tag != "-" {
			names = append(names, tag)
		}
	}
	return names
}

// closestField suggests the known field a typo most likely meant.
func closestField(typo string) string {
	best, bestD := "", 3
	for _, f := range fieldNames() {
		if d := editDistance(strings.ToLower(typo), f); d < bestD {
			best, bestD = f, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
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

// LoadLoose reads the named profile ignoring unknown fields: for removing
// a hand-edited profile that Load refuses, without losing its secrets' names.
func LoadLoose(name string) (*Profile, error) {
	return load(name, parseLoose)
}

// LoadOrNew loads the named profile, or returns a new one with only its
// name when none is saved yet (created is then true).
func LoadOrNew(name string) (p *Profile, created bool, err error) {
	p, err = Load(name)
	if errors.Is(err, ErrNotFound) {
		// Its base is empty: what it gets is added to a profile another
		// onramp creates meanwhile, not written over it.
		return &Profile{Name: name, base: &Profile{}}, true, nil
	}
	return p, false, err
}

// ValidateSecretName rejects secret names that would confuse the keyring
// account PROFILE/NAME.
func ValidateSecretName(name string) error {
	if !validName(name) {
		return fmt.Errorf("invalid secret name %q: use letters, digits, '.', '_' or '-' (at most 64), e.g. api-key", name)
	}
	return nil
}

// RecordSecret notes that the named secret was stored at t (never its value).
func (p *Profile) RecordSecret(name string, t time.Time) {
	if p.Secrets == nil {
		p.Secrets = map[string]time.Time{}
	}
	p.Secrets[name] = t.UTC().Truncate(time.Second)
}

// ForgetSecret removes the named secret's record; it reports whether there was one.
func (p *Profile) ForgetSecret(name string) bool {
	_, ok := p.Secrets[name]
	delete(p.Secrets, name)
	return ok
}

// SecretNames lists the recorded secrets, sorted.
func (p *Profile) SecretNames() []string {
	names := make([]string, 0, len(p.Secrets))
	for n := range p.Secrets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ReadKeyFile reads a key kept in a file (KeyFiles): it must be readable
// by its owner only, as a private key must.
func ReadKeyFile(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("the API key file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("%s is readable by others (mode %v): chmod 600 it", path, fi.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("the API key file: %w", err)
	}
	return strings.TrimSpace(string(data)), nil
}
