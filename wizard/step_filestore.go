package wizard

import (
	"context"
	"errors"

	"github.com/onramp-cli/onramp/secretstore"
)

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
