package usecase

import (
	"fmt"
	"slices"

	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/tokens"
)

// RemoveProfile is "remove a profile": every secret under PROFILE/ in the
// store, whether or not the profile records it (a record lost to a crash,
// a secret stored by another tool: the store is searched where it can be,
// see secretstore.Lister), each forgotten as it goes, so a failure keeps
// the profile recording only the secrets still stored; its cached tokens
// and AWS credentials; then its file. Cached credentials that cannot be
// forgotten do not stop the removal: they come back as cacheErr. A store
// that cannot be opened or searched stops it only when the profile
// records secrets there.
func RemoveProfile(p *profile.Profile, openStore func() (secretstore.Keyring, error)) (cacheErr, err error) {
	names := p.SecretNames()
	store, openErr := openStore()
	if openErr != nil && len(names) > 0 {
		return nil, openErr
	}
	if openErr == nil {
		if lister, ok := store.(secretstore.Lister); ok {
			if found, err := lister.List(p.Name); err == nil {
				for _, n := range found {
					if !slices.Contains(names, n) {
						names = append(names, n)
					}
				}
			}
		}
		secrets := Secrets{Store: store}
		for _, s := range names {
			if _, err := secrets.Remove(p, p.Name, s); err != nil {
				return nil, fmt.Errorf("profile %s kept: %w", p.Name, err)
			}
		}
	}
	if MayCacheCredentials(p) {
		// Cached tokens and AWS credentials are the profile's too (they are
		// gone already when the store could be searched).
		err := openErr
		if err == nil {
			err = (&tokens.Cache{Keyring: store, Profile: p.Name}).Forget()
		}
		cacheErr = err
	}
	return cacheErr, profile.Remove(p.Name)
}

// MayCacheCredentials says whether onramp token or aws-credentials may have
// cached something for p.
func MayCacheCredentials(p *profile.Profile) bool {
	return p.TokenURL != "" || p.Provider == "hmpps" || slices.Contains(p.Auth, provider.AuthSignedJWT)
}
