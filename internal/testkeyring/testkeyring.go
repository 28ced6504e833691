// Package testkeyring is an in-memory secretstore.Keyring for unit tests. The
// real Secret Service is exercised by secretstore's tests and by `make test`;
// this stands in where a test is about something else.
package testkeyring

import (
	"sort"
	"strings"
	"sync"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/secretstore"
)

// Keyring keeps secrets in memory and fails the way the OS keyring does.
// The zero value is ready to use.
type Keyring struct {
	mu sync.Mutex
	// Items maps PROFILE/NAME to the value; tests read it directly (only
	// while nothing else is using the keyring).
	Items map[string]string
	// Unavailable makes every call fail with keyring-unavailable, as a
	// missing Secret Service does.
	Unavailable bool
	// FailSet makes Set fail with keyring-unavailable, as a locked or full
	// keyring does.
	FailSet bool
}

// New returns an empty keyring.
func New() *Keyring { return &Keyring{Items: map[string]string{}} }

func unavailable(op, item string) error {
	return &secretstore.Error{ID: cause.KeyringUnavailable, Op: op, Item: item, Err: secretstore.ErrUnavailable, Problem: secretstore.NoKeyring}
}

func missing(op, item string) error {
	return &secretstore.Error{ID: cause.KeyringSecretMissing, Op: op, Item: item, Err: secretstore.ErrMissing}
}

func (k *Keyring) Get(profile, name string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	item := secretstore.Account(profile, name)
	if k.Unavailable {
		return "", unavailable("get", item)
	}
	v, ok := k.Items[item]
	if !ok {
		return "", missing("get", item)
	}
	return v, nil
}

func (k *Keyring) Set(profile, name, value string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	item := secretstore.Account(profile, name)
	if k.Unavailable || k.FailSet {
		return unavailable("set", item)
	}
	if k.Items == nil {
		k.Items = map[string]string{}
	}
	k.Items[item] = value
	return nil
}

func (k *Keyring) Delete(profile, name string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	item := secretstore.Account(profile, name)
	if k.Unavailable {
		return unavailable("delete", item)
	}
	if _, ok := k.Items[item]; !ok {
		return missing("delete", item)
	}
	delete(k.Items, item)
	return nil
}

// List names the profile's items, as secretstore.Lister.
func (k *Keyring) List(profile string) ([]string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.Unavailable {
		return nil, unavailable("list", profile+"/")
	}
	var names []string
	for item := range k.Items {
		if n, ok := strings.CutPrefix(item, profile+"/"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, nil
}
