package secretstore

import "errors"

// Place is where the user reads a store problem's fix: each place names
// what can be done there (a key, a menu entry, the wizard's own offer, a
// flag), never what can only be done somewhere else.
type Place int

const (
	// OnCommandLine: a command's own fixes (--store file, ONRAMP_STORE,
	// the terminal offer); FixAt leaves them as they are.
	OnCommandLine Place = iota
	// OnHome: the TUI's Home screen, where f opens the file store.
	OnHome
	// OnScreen: any other full-screen TUI screen (Home is one Esc away).
	OnScreen
	// InWizard: the setup wizard (TUI or onramp init), which offers the
	// encrypted file itself whenever a secret cannot be stored.
	InWizard
	// InMenu: accessible mode's numbered menu.
	InMenu
)

// wizardOffer is the label of the wizard's offer (wizard.offerFileStore).
const wizardOffer = `choose "Keep secrets in the encrypted file" when the wizard offers it (it does whenever a secret cannot be stored)`

// menuEntry is the label of accessible mode's menu entry.
const menuEntry = `choose "Keep secrets in an encrypted file" in onramp's menu`

// FixAt is what to do about p at a place ("" for Usable and for
// OnCommandLine, whose fixes the stores write themselves).
func (p Problem) FixAt(at Place) string {
	var how string // how to reach the file store here, lower case
	switch at {
	case OnHome:
		how = "press f"
	case OnScreen:
		how = "on onramp's Home screen press f"
	case InWizard:
		how = wizardOffer
	case InMenu:
		how = menuEntry
	default:
		return ""
	}
	switch p {
	case NoKeyring:
		return upper(how) + " to keep secrets in an encrypted file instead (a passphrase you choose; onramp remembers the choice). The sandbox needs no keyring."
	case KeyringLocked:
		again := "start onramp again"
		if at == InWizard {
			again = "run the checks again"
		}
		return "Unlock the keyring (log in to the desktop once, or `gnome-keyring-daemon --unlock`) and " + again + ", or " + how + " to keep secrets in an encrypted file instead."
	case NoPassphrase:
		return upper(how) + " and type the passphrase of the encrypted secret file (or start onramp with " + PassphraseEnv + " set)."
	case WrongPassphrase:
		return upper(how) + " and type the passphrase the file was created with."
	}
	return ""
}

// FixAt is err with the fix of its store problem as it reads at a place;
// any other error, and every error OnCommandLine, is returned as it is.
func FixAt(err error, at Place) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	fix := e.Problem.FixAt(at)
	if fix == "" {
		return err
	}
	c := *e
	c.Fix = fix
	return &c
}

func upper(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
