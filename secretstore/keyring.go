package secretstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/redact"

	"github.com/zalando/go-keyring"
)

// OSKeyring is the OS keyring (Secret Service, macOS Keychain, Windows
// Credential Manager) through go-keyring, with a timeout on every call.
type OSKeyring struct {
	Timeout time.Duration
	// Default is true when nobody chose the keyring (no --store,
	// ONRAMP_STORE or remembered choice): where it does not answer, onramp
	// offers the encrypted file store.
	Default bool
	// Seen, when set, learns every secret value read or written, so the
	// run's output can blank it (redact).
	Seen *redact.Set
}

func (k OSKeyring) timeout() time.Duration {
	if k.Timeout > 0 {
		return k.Timeout
	}
	return DefaultKeyringTimeout
}

// withTimeout runs f in a goroutine so a hung D-Bus call cannot hang onramp;
// the goroutine is abandoned if it never returns.
func (k OSKeyring) withTimeout(op, item string, f func() (string, error)) (string, error) {
	noBus := preventBusAutolaunch()
	type result struct {
		v   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			err := mapKeyringError(op, item, r.err)
			if ke := err.(*Error); noBus && ke.ID == cause.KeyringUnavailable {
				ke.Err = fmt.Errorf("%w: no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set)", ErrUnavailable)
			}
			return "", err
		}
		return r.v, nil
	case <-time.After(k.timeout()):
		return "", &Error{ID: cause.KeyringUnavailable, Op: op, Item: item,
			Err: fmt.Errorf("%w: no answer within %s (a frozen Secret Service, or a locked keyring waiting for an unlock prompt nobody can see)", ErrUnavailable, k.timeout()),
			Fix: UnavailableFix(), Problem: NoKeyring}
	}
}

func mapKeyringError(op, item string, err error) error {
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return &Error{ID: cause.KeyringSecretMissing, Op: op, Item: item, Err: ErrMissing,
			Fix: missingFix(item)}
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return &Error{ID: cause.KeyringItemTooLarge, Op: op, Item: item, Err: ErrTooLarge,
			Fix: "Keep large material (a private key) in a 0600 file and store only its passphrase as a secret."}
	}
	if msg := strings.ToLower(err.Error()); strings.Contains(msg, "unlock") || strings.Contains(msg, "locked") {
		return &Error{ID: cause.KeyringUnavailable, Op: op, Item: item,
			Err: fmt.Errorf("%w: %v", ErrLocked, err), Fix: LockedFix(), Problem: KeyringLocked}
	}
	return &Error{ID: cause.KeyringUnavailable, Op: op, Item: item,
		Err: fmt.Errorf("%w: %v", ErrUnavailable, err), Fix: UnavailableFix(), Problem: NoKeyring}
}

func (k OSKeyring) Get(profile, name string) (string, error) {
	acct := Account(profile, name)
	v, err := k.withTimeout("get", acct, func() (string, error) { return keyring.Get(Service, acct) })
	if err == nil && k.Seen != nil {
		k.Seen.Add(v)
	}
	return v, err
}

func (k OSKeyring) Set(profile, name, value string) error {
	acct := Account(profile, name)
	if k.Seen != nil {
		k.Seen.Add(value)
	}
	_, err := k.withTimeout("set", acct, func() (string, error) { return "", keyring.Set(Service, acct, value) })
	return err
}

func (k OSKeyring) Delete(profile, name string) error {
	acct := Account(profile, name)
	_, err := k.withTimeout("delete", acct, func() (string, error) { return "", keyring.Delete(Service, acct) })
	return err
}

// preventBusAutolaunch: on Secret Service systems with no session bus,
// godbus would autolaunch one (dbus-launch), leaving a dbus-daemon and a
// keyring daemon running after onramp exits. Pointing the address at
// nothing makes the call fail at once instead; go-keyring's mock backend
// (unit tests) never dials, so it is unaffected. Reports whether the bus
// is missing.
func preventBusAutolaunch() bool {
	busOnce.Do(func() {
		switch runtime.GOOS {
		case "darwin", "windows", "ios", "android":
			return
		}
		if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
			return
		}
		if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
			if _, err := os.Stat(filepath.Join(dir, "bus")); err == nil {
				return
			}
		}
		busMissing = true
		_ = os.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/onramp-no-session-bus")
	})
	return busMissing
}

var (
	busOnce    sync.Once
	busMissing bool
)
