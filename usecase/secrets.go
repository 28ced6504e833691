// Package usecase holds what the CLI, the TUI and the onboarding wizard
// all do, written once below the three of them (cli/cli's Factory and
// options structs): store a secret and record it, remove a secret and
// forget it, turn a profile into check options, run a profile's checks and
// record the result. The front ends parse input, call these and render the
// answer; dependencies (the secret store, the clock) come in as fields.
package usecase

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/crashpoint"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
	"github.com/onramp-cli/onramp/secretstore"
)

// Secrets keeps a profile's secrets: the value goes to Store, the name and
// the time it was set to the profile (never the value).
type Secrets struct {
	Store secretstore.Keyring
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Save writes the profile for Set (nil: profile.Save); the wizard
	// saves through its own, which leaves out this run's skip marks.
	Save func(*profile.Profile) error
}

func (s Secrets) save(p *profile.Profile) error {
	if s.Save != nil {
		return s.Save(p)
	}
	return profile.Save(p)
}

func (s Secrets) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// ErrNoStore is returned when no secret store was wired in.
var ErrNoStore = errors.New("no secret store in this build")

// Put stores value as p's secret name and records the name and the time in
// p, which the caller saves (Set saves it). A secret named api-key or
// key-pass becomes the profile's API key or key passphrase when the profile
// names none yet, so diagnose uses it.
func (s Secrets) Put(p *profile.Profile, name, value string) error {
	if s.Store == nil {
		return ErrNoStore
	}
	if err := s.Store.Set(p.Name, name, value); err != nil {
		return err
	}
	record(p, name, s.now())
	return nil
}

// record notes the secret in p: its name and when it was set, and, for
// api-key and key-pass, as the profile's API key or key passphrase when it
// names none yet.
func record(p *profile.Profile, name string, at time.Time) {
	p.RecordSecret(name, at)
	switch {
	case name == provider.SecretAPIKey && p.APIKeySecret == "":
		p.APIKeySecret = name
	case name == provider.SecretKeyPass && p.KeyPassSecret == "":
		p.KeyPassSecret = name
	}
}

// RoleError says a role is not one of the profile's provider's API key
// roles (a usage error: the roles are listed).
type RoleError struct {
	Role, Profile string
	Roles         []string // the provider's roles; none when it has no role table
}

func (e *RoleError) Error() string {
	if len(e.Roles) == 0 {
		return fmt.Sprintf("profile %s's provider has no API key roles, so --role %s means nothing here; store the key as api-key", e.Profile, e.Role)
	}
	return fmt.Sprintf("%q is not an API key role of profile %s's provider: use one of %s", e.Role, e.Profile, strings.Join(e.Roles, ", "))
}

// Roles are the API key roles of p's provider (its role table), in order.
func Roles(p *profile.Profile) []string {
	var out []string
	if t := provider.OfProfile(p); t != nil {
		for _, r := range t.Roles {
			out = append(out, r.Name)
		}
	}
	return out
}

// RoleSecret is the name of the secret holding p's key for role: the one
// role_keys names, else the role's own name.
func RoleSecret(p *profile.Profile, role string) string { return cmp.Or(p.RoleKeys[role], role) }

// SetRole is Set for the API key of a role (Securosys: serviceToken,
// keyOperationToken, ...): it stores value as the secret name (the role's
// own name when empty) and records in p's role_keys that the role's key is
// that secret, in Set's order: the profile records the secret and the
// role's key first, then the value is stored.
func (s Secrets) SetRole(p *profile.Profile, role, name, value string) error {
	roles := Roles(p)
	if !slices.Contains(roles, role) {
		return &RoleError{Role: role, Profile: p.Name, Roles: roles}
	}
	name = cmp.Or(name, role)
	prev, had := p.RoleKeys[role]
	return s.set(p, name, value, func(undo bool) {
		switch {
		case !undo:
			if p.RoleKeys == nil {
				p.RoleKeys = map[string]string{}
			}
			p.RoleKeys[role] = name
		case had:
			p.RoleKeys[role] = prev
		default:
			delete(p.RoleKeys, role)
		}
	})
}

// Set is "store a secret and record it", in the order that hides nothing
// when the process dies between the two writes (the profile file and the
// store are separate files, each written atomically): the profile records
// the name first, then the value goes to the store. A kill in between
// leaves a profile naming a secret the store lacks, which the checks report
// as keyring-secret-missing with the command that stores it, never a value
// in the store that no profile names. A store that refuses the value takes
// the record back out.
func (s Secrets) Set(p *profile.Profile, name, value string) error {
	return s.set(p, name, value, nil)
}

// set is Set with more to record in p (also, called with undo false to
// record and true to take it back out).
func (s Secrets) set(p *profile.Profile, name, value string, also func(undo bool)) error {
	if s.Store == nil {
		return ErrNoStore
	}
	prevAt, recorded := p.Secrets[name]
	prevKey, prevPass := p.APIKeySecret, p.KeyPassSecret
	path, err := profile.Path(p.Name)
	if err != nil {
		return err
	}
	_, statErr := os.Lstat(path)
	created := errors.Is(statErr, os.ErrNotExist)
	record(p, name, s.now())
	if also != nil {
		also(false)
	}
	if err := s.save(p); err != nil {
		return fmt.Errorf("could not record %s in profile %s, so it was not stored: %w", name, p.Name, err)
	}
	crashpoint.Reach("secret-recorded")
	if err := s.Store.Set(p.Name, name, value); err != nil {
		if recorded {
			p.RecordSecret(name, prevAt)
		} else {
			p.ForgetSecret(name)
		}
		p.APIKeySecret, p.KeyPassSecret = prevKey, prevPass
		if also != nil {
			also(true)
		}
		if created {
			_ = profile.Remove(p.Name) // made for this secret alone
		} else {
			_ = s.save(p)
		}
		return err
	}
	return nil
}

// Removed says what Remove found.
type Removed struct {
	// Stored: the value was in the store (and is gone now).
	Stored bool
	// Recorded: the profile recorded the secret (and no longer does).
	Recorded bool
	// Roles are the API key roles whose key it was (role_keys entries
	// removed with it).
	Roles []string
}

// Remove is "remove a secret and forget it": it deletes the secret of the
// named profile from the store and its record from p (nil when the profile
// does not exist), saving p. A secret already missing from the store is
// only forgotten; any other store failure leaves p as it was.
func (s Secrets) Remove(p *profile.Profile, profileName, name string) (Removed, error) {
	if s.Store == nil {
		return Removed{}, ErrNoStore
	}
	var r Removed
	err := s.Store.Delete(profileName, name)
	if c, ok := cause.Of(err); err != nil && !(ok && c.ID == cause.KeyringSecretMissing) {
		return r, err
	}
	r.Stored = err == nil
	crashpoint.Reach("secret-deleted")
	if p == nil {
		return r, nil
	}
	r.Recorded = p.ForgetSecret(name)
	for role, secret := range p.RoleKeys {
		if secret == name { // the role has no key any more
			delete(p.RoleKeys, role)
			r.Roles = append(r.Roles, role)
			r.Recorded = true
		}
	}
	slices.Sort(r.Roles)
	if r.Recorded {
		if err := profile.Save(p); err != nil {
			return r, err
		}
	}
	return r, nil
}

// ShapeWarnings are the causes a value stored under an API key's name
// shows (Base64-encoded, whitespace): the checks diagnose applies too. A
// name is an API key's when it says so (api-key, apikey, api_key, …token)
// or the profile names it as its API key.
func ShapeWarnings(p *profile.Profile, name, value string) []*cause.Cause {
	n := strings.ToLower(name)
	isKey := strings.Contains(n, "api-key") || strings.Contains(n, "apikey") || strings.Contains(n, "api_key") ||
		strings.HasSuffix(n, "token") || (p != nil && p.APIKeySecret == name)
	if !isKey {
		return nil
	}
	var out []*cause.Cause
	for _, id := range keystore.APIKeyShape(value) {
		if c, ok := cause.Lookup(id); ok {
			out = append(out, &c)
		}
	}
	return out
}
