package secretstore

import "fmt"

// Where says where k keeps the named secret of a profile, for a person:
// "in FILE (encrypted)" or "in the OS keyring (service onramp, account
// PROFILE/NAME)".
func Where(k Keyring, profile, name string) string {
	if fs, ok := k.(*File); ok {
		return fmt.Sprintf("in %s (encrypted)", fs.Path)
	}
	return fmt.Sprintf("in the OS keyring (service %s, account %s)", Service, Account(profile, name))
}
