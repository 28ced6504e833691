//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package secretstore

import (
	"slices"
	"strings"

	ss "github.com/zalando/go-keyring/secret_service"
)

// List searches the Secret Service for the items of service onramp and
// returns the NAMEs of the profile's accounts PROFILE/NAME.
func (k OSKeyring) List(profile string) ([]string, error) {
	v, err := k.withTimeout("list", profile+"/", func() (string, error) {
		accounts, err := secretServiceAccounts()
		return strings.Join(accounts, "\n"), err
	})
	if err != nil {
		return nil, err
	}
	return namesUnder(profile, slices.Values(strings.Split(v, "\n"))), nil
}

// secretServiceAccounts lists the username attribute of every item the
// login collection holds for Service (how go-keyring stores them).
func secretServiceAccounts() ([]string, error) {
	svc, err := ss.NewSecretService()
	if err != nil {
		return nil, err
	}
	collection := svc.GetLoginCollection()
	if err := svc.Unlock(collection.Path()); err != nil {
		return nil, err
	}
	items, err := svc.SearchItems(collection, map[string]string{"service": Service})
	if err != nil {
		return nil, err
	}
	var accounts []string
	for _, item := range items {
		prop, err := svc.Object("org.freedesktop.secrets", item).GetProperty("org.freedesktop.Secret.Item.Attributes")
		if err != nil {
			return nil, err
		}
		var attrs map[string]string
		if err := prop.Store(&attrs); err != nil {
			return nil, err
		}
		if u := attrs["username"]; u != "" && !strings.Contains(u, "\n") {
			accounts = append(accounts, u)
		}
	}
	return accounts, nil
}
