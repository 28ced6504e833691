package usecase

import (
	"fmt"
	"slices"

	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/tokens"
)

// RemoveProfile is "remove a profile": its secrets from the store (each
// forgotten as it goes, so a failure keeps the profile recording only the
// secrets still stored), its cached tokens and AWS credentials, then its
// file. openStore is called only when there is something in the store to
// remove. Cached credentials that cannot be forgotten do not stop the
// removal: they come back as cacheErr.
func RemoveProfile(p *profile.Profile, openStore func() (secretstore.Keyring, error)) (cacheErr, err error) {
	if len(p.Secrets) > 0 {
		store, err := openStore()
		if err != nil {
			return nil, err
		}
		secrets := Secrets{Store: store}
		for _, s := range p.SecretNames() {
			if _, err := secrets.Remove(p, p.Name, s); err != nil {
				return nil, fmt.Errorf("profile %s kept: %w", p.Name, err)
			}
		}
	}
	if MayCacheCredentials(p) {
		// Cached tokens and AWS credentials are not recorded secrets, but
		// they are the profile's too.
		store, err := openStore()
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
