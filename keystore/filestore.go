package keystore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/onramp-cli/onramp/cause"

	"filippo.io/age"
)

// Store selection: the OS keyring unless the user opts in to the file.
const (
	// StoreEnv selects the secret store: "keyring" (the default) or "file".
	StoreEnv = "ONRAMP_STORE"
	// StorePassphraseEnv holds the passphrase of the encrypted file store.
	StorePassphraseEnv = "ONRAMP_STORE_PASSPHRASE"
	// StoreFileName is the encrypted file store, in the config directory.
	StoreFileName = "secrets.age"

	// maxFileItem bounds one secret in the file store; bigger material
	// belongs in a key file, as with the OS keyrings.
	maxFileItem = 64 << 10
)

// FileStoreWarning is printed once, when the encrypted file is created, so
// the user knows what the file protects against and what it does not.
const FileStoreWarning = `onramp: secrets for this machine will be kept in %s, encrypted with your passphrase (age, scrypt).
  This protects them if the disk or a backup is stolen. It does not protect them from programs
  running as you: they can read the file, and the passphrase if it sits in %s.
  Prefer the OS keyring wherever one runs; use --api-key-env VAR in CI.
`

// FileStore keeps secrets in one file encrypted with a passphrase (age's
// scrypt mode): an explicit opt-in for machines without an OS keyring.
// The file is decrypted once per process and rewritten atomically, 0600.
type FileStore struct {
	Path string
	// Passphrase returns the passphrase; creating is true when the file
	// does not exist yet (a prompt then asks twice). Called at most once.
	Passphrase func(creating bool) (string, error)
	// WorkFactor is scrypt's log2(N) for writing; 0 means age's default.
	// Tests lower it: the default costs about a second per operation.
	WorkFactor int
	// Warn receives FileStoreWarning when the file is created.
	Warn io.Writer

	mu     sync.Mutex
	loaded bool
	pass   string
	items  map[string]string
}

type fileStoreContent struct {
	Version int               `json:"version"`
	Items   map[string]string `json:"items"`
}

func (s *FileStore) unavailable(op, item string, err error, fix string) error {
	return &KeyringError{ID: cause.KeyringUnavailable, Op: op, Item: item, Err: err, Fix: fix}
}

// load decrypts the file (once) into memory.
func (s *FileStore) load(op, item string) error {
	if s.loaded {
		return nil
	}
	data, err := os.ReadFile(s.Path)
	creating := errors.Is(err, os.ErrNotExist)
	if err != nil && !creating {
		return s.unavailable(op, item, fmt.Errorf("the secret file: %w", err), "Check the file's permissions: it must be readable by you (mode 0600).")
	}
	if s.Passphrase == nil {
		return s.unavailable(op, item, errors.New("no passphrase for the secret file "+s.Path),
			"Set "+StorePassphraseEnv+" or run on a terminal to be asked for it.")
	}
	pass, err := s.Passphrase(creating)
	if err != nil {
		return err
	}
	if pass == "" {
		return s.unavailable(op, item, errors.New("the passphrase of the secret file is empty"),
			"Set "+StorePassphraseEnv+" to a non-empty passphrase.")
	}
	s.pass = pass
	s.items = map[string]string{}
	if creating {
		s.loaded = true
		return nil
	}
	id, err := age.NewScryptIdentity(pass)
	if err != nil {
		return err
	}
	r, err := age.Decrypt(bytes.NewReader(data), id)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return s.unavailable(op, item, fmt.Errorf("the passphrase does not decrypt %s", s.Path),
				"Use the passphrase the file was created with ("+StorePassphraseEnv+" or the prompt). A forgotten passphrase cannot be recovered: delete the file and set the secrets again.")
		}
		return s.unavailable(op, item, fmt.Errorf("%s is not a readable onramp secret file: %w", s.Path, err),
			"Restore the file from a backup, or delete it and set the secrets again.")
	}
	plain, err := io.ReadAll(io.LimitReader(r, 16<<20))
	if err != nil {
		return s.unavailable(op, item, fmt.Errorf("%s is damaged: %w", s.Path, err),
			"Restore the file from a backup, or delete it and set the secrets again.")
	}
	var c fileStoreContent
	if err := json.Unmarshal(plain, &c); err != nil {
		// The JSON error could quote plaintext: say only where.
		return s.unavailable(op, item, fmt.Errorf("%s decrypts but is not an onramp secret file", s.Path),
			"Delete the file and set the secrets again.")
	}
	if c.Items != nil {
		s.items = c.Items
	}
	s.loaded = true
	return nil
}

func (s *FileStore) save(op, item string) error {
	plain, err := json.Marshal(fileStoreContent{Version: 1, Items: s.items})
	if err != nil {
		return err
	}
	rcpt, err := age.NewScryptRecipient(s.pass)
	if err != nil {
		return err
	}
	if s.WorkFactor > 0 {
		rcpt.SetWorkFactor(s.WorkFactor)
	}
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, rcpt)
	if err != nil {
		return err
	}
	if _, err := w.Write(plain); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	_, statErr := os.Stat(s.Path)
	creating := errors.Is(statErr, os.ErrNotExist)
	if err := WriteFileAtomic(s.Path, buf.Bytes(), 0o600, true); err != nil {
		return s.unavailable(op, item, fmt.Errorf("writing the secret file: %w", err), "Check that the config directory is writable.")
	}
	if creating && s.Warn != nil {
		fmt.Fprintf(s.Warn, FileStoreWarning, s.Path, StorePassphraseEnv)
	}
	return nil
}

func (s *FileStore) Get(profile, name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := Account(profile, name)
	if err := s.load("get", acct); err != nil {
		return "", err
	}
	v, ok := s.items[acct]
	if !ok {
		return "", &KeyringError{ID: cause.KeyringSecretMissing, Op: "get", Item: acct, Err: ErrSecretMissing, Fix: missingFix(acct)}
	}
	return v, nil
}

func (s *FileStore) Set(profile, name, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := Account(profile, name)
	if len(value) > maxFileItem {
		return &KeyringError{ID: cause.KeyringItemTooLarge, Op: "set", Item: acct, Err: ErrItemTooLarge,
			Fix: "Keep large material (a private key) in a 0600 file and store only its passphrase as a secret."}
	}
	if err := s.load("set", acct); err != nil {
		return err
	}
	old, had := s.items[acct]
	s.items[acct] = value
	if err := s.save("set", acct); err != nil {
		if had {
			s.items[acct] = old
		} else {
			delete(s.items, acct)
		}
		return err
	}
	return nil
}

func (s *FileStore) Delete(profile, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := Account(profile, name)
	if err := s.load("delete", acct); err != nil {
		return err
	}
	old, ok := s.items[acct]
	if !ok {
		return &KeyringError{ID: cause.KeyringSecretMissing, Op: "delete", Item: acct, Err: ErrSecretMissing}
	}
	delete(s.items, acct)
	if err := s.save("delete", acct); err != nil {
		s.items[acct] = old
		return err
	}
	return nil
}

// StoreOptions configures OpenKeyring.
type StoreOptions struct {
	// ConfigDir holds the file store (profile.Dir()).
	ConfigDir string
	// Prompt asks for a passphrase without echo; nil when there is no
	// terminal to ask on.
	Prompt func(prompt string) (string, error)
	// Warn receives the file store's one-time warning.
	Warn io.Writer
	// Timeout bounds each OS keyring call (default 3 s).
	Timeout time.Duration
}

// FileStoreWorkFactor is scrypt's log2(N) for files OpenKeyring writes; 0
// is age's default (about a second on a laptop). Tests lower it; there is
// deliberately no environment setting for it.
var FileStoreWorkFactor = 0

// Store kinds for OpenKeyring.
const (
	StoreKeyring = "keyring"
	StoreFile    = "file"
)

// OpenKeyring returns the secret store the user chose: kind is the
// --store flag's value; empty means $ONRAMP_STORE, else the OS keyring.
// There is no silent fallback: the file store is used only when asked for.
func OpenKeyring(kind string, opts StoreOptions) (Keyring, error) {
	if kind == "" {
		kind = os.Getenv(StoreEnv)
	}
	switch kind {
	case "", StoreKeyring, "os":
		return OSKeyring{Timeout: opts.Timeout}, nil
	case StoreFile:
		if opts.ConfigDir == "" {
			return nil, errors.New("the file store needs a config directory (set ONRAMP_CONFIG_DIR)")
		}
		return &FileStore{
			Path:       filepath.Join(opts.ConfigDir, StoreFileName),
			Passphrase: passphraseSource(opts.Prompt),
			Warn:       opts.Warn,
			WorkFactor: FileStoreWorkFactor,
		}, nil
	}
	return nil, fmt.Errorf("unknown secret store %q (from --store or %s): use %q or %q", kind, StoreEnv, StoreKeyring, StoreFile)
}

// passphraseSource reads $ONRAMP_STORE_PASSPHRASE, else asks (twice when
// the file is being created, so a typo does not lock the secrets away).
func passphraseSource(prompt func(string) (string, error)) func(bool) (string, error) {
	return func(creating bool) (string, error) {
		if p, ok := os.LookupEnv(StorePassphraseEnv); ok {
			return p, nil
		}
		if prompt == nil {
			return "", &KeyringError{ID: cause.KeyringUnavailable, Op: "open", Item: StoreFileName,
				Err: errors.New("the file store needs a passphrase and there is no terminal to ask on"),
				Fix: "Set " + StorePassphraseEnv + " (from your CI's secret settings, not a command-line argument)."}
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
			return "", &KeyringError{ID: cause.KeyringUnavailable, Op: "open", Item: StoreFileName,
				Err: errors.New("the two passphrases differ"), Fix: "Run the command again and type the same passphrase twice."}
		}
		return p, nil
	}
}
