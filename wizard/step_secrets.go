package wizard

import (
	"context"
	"errors"
	"slices"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/provider"
	"github.com/onramp-cli/onramp/usecase"
)

// The secrets step: the API key, into the keyring.
func (r *run) secrets() error {
	pr := r.currentProvider()
	header := cmpOr(r.p.APIKeyHeader, pr.APIKeyHeader, "x-api-key")
	for {
		why := "It goes to the OS keyring, never to a file or your shell history; onramp sends it in the " + header + " header."
		if !r.uses(AuthAPIKey) {
			why = "It goes to the OS keyring, never to a file or your shell history; onramp signs it into each token request as the JWT's iss and sub."
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
		err = r.Prompter.Work(r.ctx, r.frame("Storing the key in the OS keyring…", ""), func(context.Context) error {
			return usecase.Secrets{Store: r.Secrets, Now: r.Now}.Put(r.p, provider.SecretAPIKey, key)
		})
		if err != nil {
			if err := r.keyringFailed(err); err != nil {
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

func (r *run) keyringFailed(err error) error {
	c, ok := cause.Of(err)
	if !ok {
		c = cause.Get(cause.KeyringUnavailable)
	}
	body := cause.Show{Label: "Cause", Detail: err.Error()}.Text(c) + "\nonramp goes on without storing the key. Once the keyring works, store it with:\n  onramp secret set api-key --profile " + r.p.Name
	return r.Prompter.Note(r.ctx, NotePrompt{
		Frame: r.frame(c.Title, "A key that is not stored has to be given each time (e.g. --api-key-env)."),
		Body:  body,
	})
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
