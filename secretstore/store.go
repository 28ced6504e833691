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
}

func (e *Error) Error() string {
	return fmt.Sprintf("keyring %s %s: %v", e.Op, e.Item, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// CauseID is the catalog id of the failure (see cause.Of).
func (e *Error) CauseID() cause.ID { return e.ID }

// CauseFix is what to do on this machine; cause.Of shows it instead of the
// catalog's fix.
func (e *Error) CauseFix() string { return e.Fix }

// Account is the keyring account of a profile's secret.
func Account(profile, name string) string { return profile + "/" + name }
