package wizard

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/usecase"
)

// The secrets step: the API key and/or the bearer token the auth needs,
// into the keyring. A secret left empty (not issued yet) leaves the step
// unfinished, so resuming asks again; one already stored is not asked for.
func (r *run) secrets() error {
	if r.uses(AuthAPIKey) || r.uses(AuthSignedJWT) {
		done, err := r.apiKey()
		if err != nil || !done {
			return err
		}
	}
	if r.uses(AuthBearerJWT) {
		done, err := r.bearerToken()
		if err != nil || !done {
			return err
		}
	}
	return r.done(StepSecrets)
}

// apiKey asks for the API key; with role keys (Securosys), for the key of
// the role the checks' endpoint needs, stored under the role's name.
func (r *run) apiKey() (bool, error) {
	pr := r.currentProvider()
	name, title := provider.SecretAPIKey, "Paste your API key"
	if pr.StatusRole != "" && r.uses(AuthAPIKey) {
		name, title = pr.StatusRole, "Paste your "+pr.StatusRole+" API key"
	}
	if _, ok := r.p.Secrets[name]; ok && r.p.APIKeySecret == name && r.redo != StepSecrets {
		return true, nil
	}
	header := cmp.Or(r.p.APIKeyHeader, pr.APIKeyHeader, "x-api-key")
	for {
		why := "onramp keeps it in its secret store (the OS keyring, or the encrypted file if you chose it), never in the profile or your shell history; it sends it in the " + header + " header."
		if !r.uses(AuthAPIKey) {
			why = "onramp keeps it in its secret store (the OS keyring, or the encrypted file if you chose it), never in the profile or your shell history; it signs it into each token request as the JWT's iss and sub."
		}
		if name != provider.SecretAPIKey {
			why += fmt.Sprintf(" Each key has one role; the checks call %s, which needs a %s key. Store the other roles' keys later with onramp secret set --role ROLE --profile %s (their endpoints: onramp profile providers %s).\nRoles:\n%s",
				r.p.StatusPath, name, r.p.Name, pr.ID, pr.RoleTable)
		}
		if pr.APIKeyHint != "" {
			why += " " + pr.APIKeyHint
		}
		key, err := r.Prompter.Password(r.ctx, InputPrompt{
			Frame:       r.frame(title, why),
			Placeholder: "not issued yet? leave it empty and press enter",
			Validate: func(s string) error {
				if s == "" {
					return nil // skip for now
				}
				return CheckAPIKey(s)
			},
		})
		if err != nil {
			return false, err
		}
		if key == "" {
			// Not issued yet (HMPPS sends it with the certificate).
			r.skip(StepSecrets)
			return false, r.save()
		}
		if LooksBase64Text(key) {
			ok, err := r.Prompter.Confirm(r.ctx, ConfirmPrompt{
				Frame: r.frame("This key looks Base64-encoded",
					cause.Get(cause.APIKeyBase64Encoded).Meaning),
				Affirmative: "Store it as it is", Negative: "Paste it again", Default: false,
			})
			if err != nil {
				return false, err
			}
			if !ok {
				continue
			}
		}
		if stored, err := r.store(name, key, "the key"); err != nil || !stored {
			return false, err
		}
		r.p.APIKeySecret = name
		r.p.APIKeyHeader = header
		if name != provider.SecretAPIKey { // a role's key: the profile's role_keys name it
			if r.p.RoleKeys == nil {
				r.p.RoleKeys = map[string]string{}
			}
			r.p.RoleKeys[name] = name
		}
		return true, nil
	}
}

// bearerToken asks for a bearer token the user already has (a Securosys
// JWT, an API's static token).
func (r *run) bearerToken() (bool, error) {
	name := provider.SecretBearer
	if _, ok := r.p.Secrets[name]; ok && r.p.BearerSecret == name && r.redo != StepSecrets {
		return true, nil
	}
	tok, err := r.Prompter.Password(r.ctx, InputPrompt{
		Frame: r.frame("Paste your bearer token",
			"The token (for Securosys CloudHSM, the JWT Securosys gives you) goes to onramp's secret store, never to the profile or your shell history; onramp sends it as Authorization: Bearer."),
		Placeholder: "not issued yet? leave it empty and press enter",
		Validate: func(s string) error {
			if strings.ContainsFunc(s, unicode.IsSpace) {
				return errors.New("the token has a space or line break in it: paste it exactly as issued")
			}
			return nil
		},
	})
	if err != nil {
		return false, err
	}
	if tok == "" {
		r.skip(StepSecrets)
		return false, r.save()
	}
	if stored, err := r.store(name, tok, "the token"); err != nil || !stored {
		return false, err
	}
	r.p.BearerSecret = name
	return true, nil
}

// store puts a secret in the store and records it in the profile. Where
// the store cannot be used at all it offers the encrypted file store; when
// the secret still cannot be stored it says so, keeps it for this
// session's checks (where the store can), and leaves the step unfinished.
func (r *run) store(name, value, what string) (bool, error) {
	put := func() error {
		return r.Prompter.Work(r.ctx, r.frame("Storing "+what+"…", ""), func(context.Context) error {
			// Set records the name in the profile before it stores the
			// value: a kill between the two leaves a secret the profile
			// names as missing, never one stored that it does not name.
			return usecase.Secrets{Store: r.Secrets, Now: r.Now, Save: func(*profile.Profile) error { return r.save() }}.Set(r.p, name, value)
		})
	}
	err := put()
	if err != nil {
		chosen, perr := r.offerFileStore(err)
		if perr != nil {
			return false, perr
		}
		if chosen {
			err = put()
		}
	}
	if err == nil {
		return true, nil
	}
	kept := false
	if k, ok := r.Secrets.(interface {
		Keep(profile, name, value string)
	}); ok {
		k.Keep(r.p.Name, name, value)
		kept = true
	}
	if err := r.keyringFailed(err, name, what, kept); err != nil {
		return false, err
	}
	// Continue without storing: the step stays unfinished, so the next
	// `onramp init --profile NAME` asks again.
	r.skip(StepSecrets)
	return false, r.save()
}

// keyringFailed says the secret could not be stored, why, and whether
// this session's checks use it all the same (kept).
func (r *run) keyringFailed(err error, name, what string, kept bool) error {
	err = secretstore.FixAt(err, secretstore.InWizard) // the fix names the wizard's own offer
	c, ok := cause.Of(err)
	if !ok {
		c = cause.Get(cause.KeyringUnavailable)
	}
	why := "It is not stored, so it has to be given again next time."
	if kept {
		why = "It is not stored, but this session's checks use what you typed; next time it has to be given again."
	}
	body := cause.Show{Label: "Cause", Detail: err.Error()}.Text(c) + "\nOnce secrets can be stored, store " + what + " with Credentials on Home, or:\n  onramp secret set " + name + " --profile " + r.p.Name
	return r.Prompter.Note(r.ctx, NotePrompt{Frame: r.frame(c.Title, why), Body: body})
}

// CheckAPIKey rejects an empty key or one with whitespace in it (a stray
// newline from copying is the usual cause of a 403); the same shape check
// as `onramp secret set` and diagnose.
func CheckAPIKey(s string) error {
	if s == "" {
		return errors.New("paste the key the provider issued")
	}
	if slices.Contains(keystore.APIKeyShape(s), cause.APIKeyWhitespace) {
		return errors.New("the key has a space or line break in it: paste it exactly as issued")
	}
	return nil
}

// LooksBase64Text says whether the key looks like a Base64 encoding of a
// text key (HMPPS refuses those).
func LooksBase64Text(s string) bool {
	return slices.Contains(keystore.APIKeyShape(s), cause.APIKeyBase64Encoded)
}
