package secretstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/filelock"
	"github.com/onramp-cli/onramp/internal/limits"
	"github.com/onramp-cli/onramp/internal/redact"
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
	// FileLockWait bounds the wait for other onramps changing the file:
	// each holds it for two scrypt runs (about 2 s), so twenty at once
	// finish within it.
	FileLockWait = 2 * time.Minute

	// maxFileBytes bounds the secret file, encrypted and decrypted.
	maxFileBytes = 16 << 20
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
// The file is rewritten atomically, 0600. Each scrypt derivation costs
// about a second, so the file is decrypted once per process: the decrypted
// secrets stay in this process's memory (never written anywhere), and the
// file is decrypted again only when its bytes change (another onramp set a
// secret), which a read of the small file and a hash tell cheaply.
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
	// LockWait bounds the wait for another onramp changing the file
	// (FileLockWait when 0).
	LockWait time.Duration
	// Seen, when set, learns every secret value read or written, so the
	// run's output can blank it (redact).
	Seen *redact.Set

	mu       sync.Mutex
	fileLogN int // the work factor of the file as last read
	loaded   bool
	pass     string
	items    map[string]string
	// sum is the SHA-256 of the encrypted file that items came from (read
	// or written by this process); zero when there was no file.
	sum [sha256.Size]byte
	// decrypts counts scrypt decryptions, for tests.
	decrypts int
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

// passphrase gets the passphrase (once per process), before any lock is
// taken: a person typing it must not keep other onramps waiting.
func (s *File) passphrase(op, item string) error {
	if s.pass != "" {
		return nil
	}
	_, err := os.Lstat(s.Path)
	creating := errors.Is(err, os.ErrNotExist)
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
	return nil
}

// load brings the secrets in memory up to date with the file, for
// reading: decrypted the first time, and again only if the file changed.
func (s *File) load(op, item string) error {
	if err := s.passphrase(op, item); err != nil {
		return err
	}
	items, _, err := s.read(op, item)
	if err != nil {
		return err
	}
	s.items = items
	return nil
}

// read returns the secrets of the file as it is on disk now (a copy the
// caller may change); exists is false when there is no file yet. The file
// is decrypted only when its bytes differ from those the secrets in memory
// came from.
func (s *File) read(op, item string) (items map[string]string, exists bool, err error) {
	data, err := limits.ReadRegular(s.Path, maxFileBytes)
	if errors.Is(err, os.ErrNotExist) {
		s.loaded, s.items, s.sum = true, map[string]string{}, [sha256.Size]byte{}
		return map[string]string{}, false, nil
	}
	if err != nil {
		return nil, false, s.unavailable(op, item, fmt.Errorf("the secret file: %w", err), "Check the file's permissions: it must be a regular file readable by you (mode 0600).")
	}
	sum := sha256.Sum256(data)
	if s.loaded && sum == s.sum {
		return maps.Clone(s.items), true, nil
	}
	items, err = s.decrypt(op, item, data)
	if err != nil {
		return nil, true, err
	}
	s.loaded, s.items, s.sum = true, items, sum
	return maps.Clone(items), true, nil
}

// decrypt runs scrypt on the passphrase and opens the file's bytes.
func (s *File) decrypt(op, item string, data []byte) (map[string]string, error) {
	s.decrypts++
	id, err := age.NewScryptIdentity(s.pass)
	if err != nil {
		return nil, err
	}
	s.fileLogN = scryptLogN(data)
	r, err := age.Decrypt(bytes.NewReader(data), id)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			e := s.unavailable(op, item, fmt.Errorf("the passphrase does not decrypt %s", s.Path),
				"Use the passphrase the file was created with ("+PassphraseEnv+" or the prompt). A forgotten passphrase cannot be recovered: delete the file and set the secrets again.").(*Error)
			e.Problem = WrongPassphrase
			return nil, e
		}
		return nil, s.unavailable(op, item, fmt.Errorf("%s is not a readable onramp secret file: %w", s.Path, err),
			"Restore the file from a backup, or delete it and set the secrets again.")
	}
	plain, err := io.ReadAll(io.LimitReader(r, maxFileBytes))
	if err != nil {
		return nil, s.unavailable(op, item, fmt.Errorf("%s is damaged: %w", s.Path, err),
			"Restore the file from a backup, or delete it and set the secrets again.")
	}
	var c fileContent
	if err := json.Unmarshal(plain, &c); err != nil {
		// The JSON error could quote plaintext: say only where.
		return nil, s.unavailable(op, item, fmt.Errorf("%s decrypts but is not an onramp secret file", s.Path),
			"Delete the file and set the secrets again.")
	}
	if c.Items == nil {
		c.Items = map[string]string{}
	}
	return c.Items, nil
}

// scryptLogN reads the work factor from an age file's scrypt stanza
// ("-> scrypt SALT LOGN"), or 0.
func scryptLogN(data []byte) int {
	header, _, _ := bytes.Cut(data, []byte("\n---"))
	for _, line := range strings.Split(string(header), "\n") {
		f := strings.Fields(line)
		if len(f) == 4 && f[0] == "->" && f[1] == "scrypt" {
			if n, err := strconv.Atoi(f[3]); err == nil && n > 0 && n <= 30 {
				return n
			}
		}
	}
	return 0
}

// update is every change to the file: under the file's lock it reads the
// file as it is now (another onramp may have changed it since this one
// loaded it), applies change and writes the result, so two concurrent
// writers never lose each other's secrets.
func (s *File) update(op, item string, change func(items map[string]string) error) error {
	if err := s.passphrase(op, item); err != nil {
		return err
	}
	wait := s.LockWait
	if wait == 0 {
		wait = FileLockWait
	}
	lock, err := filelock.Acquire(filelock.PathFor(s.Path), "the secret file "+s.Path, wait)
	if err != nil {
		return s.unavailable(op, item, err, "")
	}
	defer lock.Release()
	items, exists, err := s.read(op, item)
	if err != nil {
		return err
	}
	if err := change(items); err != nil {
		return err
	}
	return s.save(op, item, items, !exists)
}

func (s *File) save(op, item string, items map[string]string, creating bool) error {
	plain, err := json.Marshal(fileContent{Version: 1, Items: items})
	if err != nil {
		return err
	}
	rcpt, err := age.NewScryptRecipient(s.pass)
	if err != nil {
		return err
	}
	switch {
	case s.WorkFactor > 0:
		rcpt.SetWorkFactor(s.WorkFactor)
	case !creating && s.fileLogN > 0:
		// Rewrite at the cost the file was made with: onramp makes it at
		// age's default; only whoever knows the passphrase can make one
		// cheaper.
		rcpt.SetWorkFactor(s.fileLogN)
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
	if err := keystore.WriteFileAtomic(s.Path, buf.Bytes(), 0o600, true); err != nil {
		return s.unavailable(op, item, fmt.Errorf("writing the secret file: %w", err), "Check that the config directory is writable.")
	}
	// What this process wrote, it need not decrypt again.
	s.loaded, s.items, s.sum = true, items, sha256.Sum256(buf.Bytes())
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
	if s.Seen != nil {
		s.Seen.Add(v)
	}
	return v, nil
}

func (s *File) Set(profile, name, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := Account(profile, name)
	if s.Seen != nil {
		s.Seen.Add(value)
	}
	if len(value) > maxFileItem {
		return &Error{ID: cause.KeyringItemTooLarge, Op: "set", Item: acct, File: s.Path,
			Err: fmt.Errorf("the secret is %d bytes, over the %d KiB limit of the secret file", len(value), maxFileItem>>10),
			Fix: "Keep large material (a private key) in a 0600 file and store only its passphrase as a secret."}
	}
	return s.update("set", acct, func(items map[string]string) error {
		items[acct] = value
		return nil
	})
}

func (s *File) Delete(profile, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := Account(profile, name)
	return s.update("delete", acct, func(items map[string]string) error {
		if _, ok := items[acct]; !ok {
			return &Error{ID: cause.KeyringSecretMissing, Op: "delete", Item: acct, Err: ErrMissing, File: s.Path}
		}
		delete(items, acct)
		return nil
	})
}

// List names the profile's secrets in the file as it is now.
func (s *File) List(profile string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.passphrase("list", profile+"/"); err != nil {
		return nil, err
	}
	items, _, err := s.read("list", profile+"/")
	if err != nil {
		return nil, err
	}
	return namesUnder(profile, maps.Keys(items)), nil
}

// Open decrypts the file, or creates it (empty) when it does not exist, so
// a wrong passphrase or an unwritable directory shows at once rather than
// at the first secret.
func (s *File) Open() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := os.Stat(s.Path); errors.Is(err, os.ErrNotExist) {
		// Created under the lock, like any other change.
		return s.update("open", FileName, func(map[string]string) error { return nil })
	}
	return s.load("open", FileName)
}
