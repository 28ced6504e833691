package secretstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/keystore"

	"filippo.io/age"
)

// The encrypted file store.
const (
	// PassphraseEnv holds the passphrase of the encrypted file store.
	PassphraseEnv = "ONRAMP_STORE_PASSPHRASE"
	// FileName is the encrypted file store, in the config directory.
	FileName = "secrets.age"

	// maxFileItem bounds one secret in the file store; bigger material
	// belongs in a key file, as with the OS keyrings.
	maxFileItem = 64 << 10
)

// FileWarning is printed once, when the encrypted file is created, so
// the user knows what the file protects against and what it does not.
const FileWarning = `onramp: secrets for this machine will be kept in %s,
  encrypted with your passphrase (age, scrypt). This protects them if the disk
  or a backup is stolen. It does not protect them from programs
  running as you: they can read the file, and the passphrase if it sits in %s.
  Prefer the OS keyring wherever one runs; use --api-key-env VAR in CI.
`

// File keeps secrets in one file encrypted with a passphrase (age's
// scrypt mode): an explicit opt-in for machines without an OS keyring.
// The file is decrypted once per process and rewritten atomically, 0600.
type File struct {
	Path string
	// Passphrase returns the passphrase; creating is true when the file
	// does not exist yet (a prompt then asks twice). Called at most once.
	Passphrase func(creating bool) (string, error)
	// WorkFactor is scrypt's log2(N) for writing; 0 means age's default.
	// Tests lower it: the default costs about a second per operation.
	WorkFactor int
	// Warn receives FileWarning when the file is created.
	Warn io.Writer

	mu     sync.Mutex
	loaded bool
	pass   string
	items  map[string]string
}

type fileContent struct {
	Version int               `json:"version"`
	Items   map[string]string `json:"items"`
}

func (s *File) unavailable(op, item string, err error, fix string) error {
	return &Error{ID: cause.KeyringUnavailable, Op: op, Item: item, Err: err, Fix: fix, File: s.Path}
}

func (s *File) noPassphrase(op, item string, err error) error {
	e := s.unavailable(op, item, err, NoPassphraseFix()).(*Error)
	e.Problem = NoPassphrase
	return e
}

// load decrypts the file (once) into memory.
func (s *File) load(op, item string) error {
	if s.loaded {
		return nil
	}
	data, err := os.ReadFile(s.Path)
	creating := errors.Is(err, os.ErrNotExist)
	if err != nil && !creating {
		return s.unavailable(op, item, fmt.Errorf("the secret file: %w", err), "Check the file's permissions: it must be readable by you (mode 0600).")
	}
	if s.Passphrase == nil {
		return s.noPassphrase(op, item, errors.New("no passphrase given"))
	}
	pass, err := s.Passphrase(creating)
	var se *Error
	if errors.As(err, &se) && se.File == "" {
		se.File, se.Op, se.Item = s.Path, op, item
	}
	if err != nil {
		return err
	}
	if pass == "" {
		return s.noPassphrase(op, item, errors.New("the passphrase is empty"))
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
			e := s.unavailable(op, item, errors.New("the passphrase does not decrypt it"),
				"Use the passphrase the file was created with ("+PassphraseEnv+" or the prompt). A forgotten passphrase cannot be recovered: delete the file and set the secrets again.").(*Error)
			e.Problem = WrongPassphrase
			return e
		}
		return s.unavailable(op, item, fmt.Errorf("%s is not a readable onramp secret file: %w", s.Path, err),
			"Restore the file from a backup, or delete it and set the secrets again.")
	}
	plain, err := io.ReadAll(io.LimitReader(r, 16<<20))
	if err != nil {
		return s.unavailable(op, item, fmt.Errorf("%s is damaged: %w", s.Path, err),
			"Restore the file from a backup, or delete it and set the secrets again.")
	}
	var c fileContent
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

func (s *File) save(op, item string) error {
	plain, err := json.Marshal(fileContent{Version: 1, Items: s.items})
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
	if err := keystore.WriteFileAtomic(s.Path, buf.Bytes(), 0o600, true); err != nil {
		return s.unavailable(op, item, fmt.Errorf("writing the secret file: %w", err), "Check that the config directory is writable.")
	}
	if creating && s.Warn != nil {
		fmt.Fprintf(s.Warn, FileWarning, s.Path, PassphraseEnv)
	}
	return nil
}

func (s *File) Get(profile, name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := Account(profile, name)
	if err := s.load("get", acct); err != nil {
		return "", err
	}
	v, ok := s.items[acct]
	if !ok {
		return "", &Error{ID: cause.KeyringSecretMissing, Op: "get", Item: acct, Err: ErrMissing, Fix: missingFix(acct), File: s.Path}
	}
	return v, nil
}

func (s *File) Set(profile, name, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := Account(profile, name)
	if len(value) > maxFileItem {
		return &Error{ID: cause.KeyringItemTooLarge, Op: "set", Item: acct, Err: ErrTooLarge,
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

func (s *File) Delete(profile, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := Account(profile, name)
	if err := s.load("delete", acct); err != nil {
		return err
	}
	old, ok := s.items[acct]
	if !ok {
		return &Error{ID: cause.KeyringSecretMissing, Op: "delete", Item: acct, Err: ErrMissing, File: s.Path}
	}
	delete(s.items, acct)
	if err := s.save("delete", acct); err != nil {
		s.items[acct] = old
		return err
	}
	return nil
}

// Open decrypts the file, or creates it (empty) when it does not exist, so
// a wrong passphrase or an unwritable directory shows at once rather than
// at the first secret.
func (s *File) Open() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, statErr := os.Stat(s.Path)
	if err := s.load("open", FileName); err != nil {
		return err
	}
	if errors.Is(statErr, os.ErrNotExist) {
		return s.save("open", FileName)
	}
	return nil
}
