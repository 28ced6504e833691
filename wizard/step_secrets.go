package wizard

import (
	"context"
	"errors"
	"slices"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/provider"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/usecase"
)

// The secrets step: the API key, into the keyring.
func (r *run) secrets() error {
	pr := r.currentProvider()
	header := cmpOr(r.p.APIKeyHeader, pr.APIKeyHeader, "x-api-key")
	for {
		why := "onramp keeps it in its secret store (the OS keyring, or the encrypted file if you chose it), never in the profile or your shell history; it sends it in the " + header + " header."
		if !r.uses(AuthAPIKey) {
			why = "onramp keeps it in its secret store (the OS keyring, or the encrypted file if you chose it), never in the profile or your shell history; it signs it into each token request as the JWT's iss and sub."
		}
		if pr.APIKeyHint != "" {
			why += " " + pr.APIKeyHint
		}
		key, err := r.Prompter.Password(r.ctx, InputPrompt{
			Frame:       r.frame("Paste your API key", why),
			Placeholder: "not issued yet? leave it empty and press enter",
			Validate: func(s string) error {
				if s == "" {
					return nil // skip for now
				}
				return CheckAPIKey(s)
			},
		})
		if err != nil {
			return err
		}
		if key == "" {
			// Not issued yet (HMPPS sends it with the certificate): the
			// step stays unfinished, so resuming asks again.
			r.skip(StepSecrets)
			return r.save()
		}
		if LooksBase64Text(key) {
			ok, err := r.Prompter.Confirm(r.ctx, ConfirmPrompt{
				Frame: r.frame("This key looks Base64-encoded",
					cause.Get(cause.APIKeyBase64Encoded).Meaning),
				Affirmative: "Store it as it is", Negative: "Paste it again", Default: false,
			})
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
		}
		err = r.Prompter.Work(r.ctx, r.frame("Storing the key…", ""), func(context.Context) error {
			return usecase.Secrets{Store: r.Secrets, Now: r.Now}.Put(r.p, provider.SecretAPIKey, key)
		})
		if err != nil {
			chosen, perr := r.offerFileStore(err)
			if perr != nil {
				return perr
			}
			if chosen {
				err = r.Prompter.Work(r.ctx, r.frame("Storing the key…", ""), func(context.Context) error {
					return usecase.Secrets{Store: r.Secrets, Now: r.Now}.Put(r.p, provider.SecretAPIKey, key)
				})
			}
		}
		if err != nil {
			kept := false
			if k, ok := r.Secrets.(interface {
				Keep(profile, name, value string)
			}); ok {
				// This session's checks use the key all the same.
				k.Keep(r.p.Name, provider.SecretAPIKey, key)
				kept = true
			}
			if err := r.keyringFailed(err, kept); err != nil {
				return err
			}
			// Continue without storing: the step stays unfinished, so the
			// next `onramp init --profile NAME` asks again.
			r.skip(StepSecrets)
			return r.save()
		}
		r.p.APIKeySecret = provider.SecretAPIKey
		r.p.APIKeyHeader = header
		return r.done(StepSecrets)
	}
}

// offerFileStore offers the encrypted file store when err says the store
// cannot be used at all; it reports whether the user chose it and it
// opened. A prompt's error (a cancel) ends the step.
func (r *run) offerFileStore(err error) (bool, error) {
	problem := secretstore.ProblemOf(err)
	if r.FileStore == nil || problem == secretstore.Usable {
		return false, nil
	}
	path, exists := r.FileStore.Path()
	for {
		choice, err := r.Prompter.Select(r.ctx, SelectPrompt{
			Frame: r.frame(problem.Headline(), "onramp can keep secrets in "+path+" instead, encrypted with a passphrase you choose "+
				"(it protects them if the disk or a backup is stolen, not from programs running as you). onramp remembers the choice."),
			Options: []Option{
				{Value: "file", Label: "Keep secrets in the encrypted file"},
				{Value: "skip", Label: "Go on without storing the key (this session's checks use it)"},
			},
			Default: "file",
		})
		if err != nil || choice != "file" {
			return false, err
		}
		pass, err := r.Prompter.Password(r.ctx, InputPrompt{
			Frame: r.frame("Passphrase for "+path, "Type it when onramp asks for a secret, or set ONRAMP_STORE_PASSPHRASE."),
			Validate: func(s string) error {
				if s == "" {
					return errors.New("type a passphrase")
				}
				return nil
			},
		})
		if err != nil {
			return false, err
		}
		if !exists {
			again, err := r.Prompter.Password(r.ctx, InputPrompt{
				Frame: r.frame("The same passphrase again", "A typo here would lock the secrets away."),
			})
			if err != nil {
				return false, err
			}
			if again != pass {
				if err := r.Prompter.Note(r.ctx, NotePrompt{Frame: r.frame("The two passphrases differ", "Nothing was created; choose again.")}); err != nil {
					return false, err
				}
				continue
			}
		}
		var useErr error
		if err := r.Prompter.Work(r.ctx, r.frame("Opening the encrypted file…", ""), func(context.Context) error {
			useErr = r.FileStore.Use(pass)
			return nil
		}); err != nil {
			return false, err
		}
		if useErr == nil {
			return true, nil
		}
		if err := r.Prompter.Note(r.ctx, NotePrompt{Frame: r.frame("The encrypted file did not open", useErr.Error())}); err != nil {
			return false, err
		}
	}
}

// keyringFailed says the key could not be stored, why, and whether this
// session's checks use it all the same (kept).
func (r *run) keyringFailed(err error, kept bool) error {
	c, ok := cause.Of(err)
	if !ok {
		c = cause.Get(cause.KeyringUnavailable)
	}
	title := c.Title
	if p := secretstore.ProblemOf(err); p != secretstore.Usable {
		title = p.Headline()
	}
	why := "The key is not stored, so it has to be given again next time."
	if kept {
		why = "The key is not stored, but this session's checks use the key you typed; next time it has to be given again."
	}
	body := cause.Show{Label: "Cause", Detail: err.Error()}.Text(c) + "\nOnce secrets can be stored, store the key with Credentials on Home, or:\n  onramp secret set api-key --profile " + r.p.Name
	return r.Prompter.Note(r.ctx, NotePrompt{Frame: r.frame(title, why), Body: body})
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
