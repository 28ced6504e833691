package secretstore

import (
	"errors"
	"iter"
	"slices"
	"strings"
)

// Lister finds a profile's secrets in the store itself, whether or not the
// profile records them (a record lost to a crash, a profile re-created
// with --force), so removing a profile leaves nothing behind.
type Lister interface {
	// List returns the names NAME of the items PROFILE/NAME, sorted.
	List(profile string) ([]string, error)
}

// ErrListUnsupported: this OS keyring cannot be searched by onramp
// (macOS Keychain, Windows Credential Manager through go-keyring); callers
// fall back to the names the profile records.
var ErrListUnsupported = errors.New("this keyring cannot list onramp's items")

// namesUnder keeps the accounts PROFILE/NAME of profile and returns their
// NAMEs, sorted.
func namesUnder(profile string, accounts iter.Seq[string]) []string {
	var names []string
	for a := range accounts {
		if n, ok := strings.CutPrefix(a, profile+"/"); ok && n != "" {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}
