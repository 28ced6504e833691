// Package secretstore keeps onramp's secrets (API keys, passphrases,
// tokens) by profile and name: in the OS keyring, with a timeout on every
// call, or, when the user opts in, in an age-encrypted file. Errors carry
// their catalog cause (cause.Of).
package secretstore

import (
	"errors"
	"fmt"
	"time"

	"github.com/onramp-cli/onramp/cause"
)

// Service is the keyring service name every onramp item lives under; the
// account is PROFILE/NAME (../shared/CONTRACT.md), so the OS's own tools find
// the items: secret-tool lookup service onramp username PROFILE/NAME.
const Service = "onramp"

// DefaultKeyringTimeout bounds every keyring call: a frozen Secret Service
// blocks go-keyring forever, and the GitHub CLI uses the same 3 s.
const DefaultKeyringTimeout = 3 * time.Second

// Keyring stores secrets by profile and name.
type Keyring interface {
	Get(profile, name string) (string, error)
	Set(profile, name, value string) error
	Delete(profile, name string) error
}

// Errors a Keyring returns, each matching a catalog cause.
var (
	ErrUnavailable = errors.New("no OS keyring answers")
	ErrTooLarge    = errors.New("the secret is too large for the OS keyring")
	ErrMissing     = errors.New("the secret is not in the keyring")
	ErrLocked      = errors.New("the OS keyring is locked")
)

// Error carries the cause id for a keyring failure.
type Error struct {
	ID   cause.ID // keyring-unavailable, keyring-item-too-large, keyring-secret-missing
	Op   string
	Item string // PROFILE/NAME
	Err  error
	// Fix is what to do about it on this machine (empty when the catalog's
	// fix says it all).
	Fix string
	// Problem tells apart why a store cannot be used at all (no keyring, a
	// locked one, a file store without its passphrase); messages and fixes
	// differ for each.
	Problem Problem
	// File is the encrypted file's path for the file store's errors.
	File string
}

func (e *Error) Error() string {
	if e.File != "" {
		err := e.Err
		if errors.Is(err, ErrMissing) {
			err = errors.New("the secret is not in the file")
		}
		return fmt.Sprintf("secret file %s: %s %s: %v", e.File, e.Op, e.Item, err)
	}
	return fmt.Sprintf("OS keyring: %s %s: %v", e.Op, e.Item, e.Err)
}

// Problem is why a secret store cannot be used.
type Problem int

const (
	// Usable: the store answered (perhaps that a secret is missing).
	Usable Problem = iota
	// NoKeyring: no OS keyring answers (no D-Bus session, no Secret
	// Service, or no answer in time).
	NoKeyring
	// KeyringLocked: the keyring answers but is locked.
	KeyringLocked
	// NoPassphrase: the encrypted file store was chosen but its passphrase
	// is neither in ONRAMP_STORE_PASSPHRASE nor can be asked for.
	NoPassphrase
	// WrongPassphrase: the passphrase given does not open the file.
	WrongPassphrase
)

// Headline says the problem in a few words, for a message's first line.
func (p Problem) Headline() string {
	switch p {
	case NoKeyring:
		return "No OS keyring answers here"
	case KeyringLocked:
		return "The OS keyring is locked"
	case NoPassphrase:
		return "The encrypted secret file needs its passphrase"
	case WrongPassphrase:
		return "The passphrase does not open the encrypted secret file"
	}
	return ""
}

func (p Problem) meaning() string {
	switch p {
	case NoKeyring:
		return "No Secret Service answers: there is no D-Bus session (SSH, containers, WSL) or no keyring daemon in it, or it did not answer in time."
	case KeyringLocked:
		return "The keyring answers but its collection is locked, and no unlock prompt can be shown here."
	case NoPassphrase:
		return "Secrets are kept in the encrypted file store, and its passphrase was neither in ONRAMP_STORE_PASSPHRASE nor typed."
	case WrongPassphrase:
		return "Secrets are kept in the encrypted file store, and the passphrase given does not decrypt it."
	}
	return ""
}

// ProblemOf says why err's store cannot be used (Usable for any other
// error).
func ProblemOf(err error) Problem {
	var e *Error
	if errors.As(err, &e) {
		return e.Problem
	}
	return Usable
}

func (e *Error) Unwrap() error { return e.Err }

// CauseID is the catalog id of the failure (see cause.Of).
func (e *Error) CauseID() cause.ID { return e.ID }

// CauseFix is what to do on this machine; cause.Of shows it instead of the
// catalog's fix.
func (e *Error) CauseFix() string { return e.Fix }

// CauseTitle says which case of keyring-unavailable this is, and names the
// encrypted file where the file store failed (cause.Of): the catalog's
// titles speak of the OS keyring.
func (e *Error) CauseTitle() string {
	if h := e.Problem.Headline(); h != "" || e.File == "" {
		return h
	}
	switch e.ID {
	case cause.KeyringSecretMissing:
		return "A secret the profile names is not in the encrypted secret file"
	case cause.KeyringItemTooLarge:
		return "The secret is too large for the encrypted secret file"
	}
	return "The encrypted secret file cannot be used"
}

// CauseMeaning says what that case means (cause.Of).
func (e *Error) CauseMeaning() string {
	if m := e.Problem.meaning(); m != "" || e.File == "" {
		return m
	}
	switch e.ID {
	case cause.KeyringSecretMissing:
		return "Secrets are kept in the encrypted file store (" + e.File + "), and the profile expects one that was never stored there or was deleted."
	case cause.KeyringItemTooLarge:
		return "The encrypted file store takes secrets of up to 64 KiB each."
	}
	return "Secrets are kept in the encrypted file store (" + e.File + "), and it could not be read or written."
}

// Account is the keyring account of a profile's secret.
func Account(profile, name string) string { return profile + "/" + name }

// CheckUsable says whether k can be used for op ("set", "delete") on the
// named secret before anyone types a value: it reads the secret and returns
// the error only when the store itself cannot be used (no keyring, a locked
// one, a file store without its passphrase), worded for op.
func CheckUsable(k Keyring, profile, name, op string) error {
	_, err := k.Get(profile, name)
	var e *Error
	if !errors.As(err, &e) || e.ID != cause.KeyringUnavailable {
		return nil
	}
	e.Op = op
	return err
}
