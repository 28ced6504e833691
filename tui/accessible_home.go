package tui

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/wizard"
)

// RunAccessibleHome is Home for screen readers (--accessible,
// ACCESSIBLE=1): the same choices as numbered line prompts, results as
// plain lines, nothing drawn full-screen. It returns wizard.ErrCancelled
// on ctrl+c or end of input, nil when the user chooses Quit.
func RunAccessibleHome(ctx context.Context, deps *Deps, in io.Reader, out io.Writer) error {
	lp := &LinePrompter{In: in, Out: out}
	// The menus under Home's: "<" or "back" returns to Home's menu.
	sub := &LinePrompter{In: in, Out: out, Back: true}
	cancelled := func(err error) bool {
		if errors.Is(err, wizard.ErrBack) {
			fmt.Fprintln(out, "Back to the menu.")
			return false
		}
		return err != nil
	}
	storeProblem := false
	if deps.CheckStore != nil {
		if note := storeNote(deps.CheckStore(), secretstore.InMenu); note != "" {
			fmt.Fprintln(out, note)
			storeProblem = true
		}
	}
	for {
		opts := []wizard.Option{
			{Value: "setup", Label: "Set up a connection"},
			{Value: "diagnose", Label: "Diagnose a connection"},
			{Value: "explain", Label: "Explain an error"},
		}
		if deps.StartSandbox != nil {
			opts = append(opts, wizard.Option{Value: "sandbox", Label: "Try the sandbox"})
		}
		if storeProblem && deps.UseFileStore != nil {
			opts = append(opts, wizard.Option{Value: "file", Label: "Keep secrets in an encrypted file"})
		}
		opts = append(opts, wizard.Option{Value: "quit", Label: "Quit"})
		choice, err := lp.Select(ctx, wizard.SelectPrompt{Frame: wizard.Frame{Title: "onramp: what would you like to do?"}, Options: opts, Default: "setup"})
		if err != nil {
			return wizard.ErrCancelled
		}
		switch choice {
		case "quit":
			return nil
		case "setup":
			if deps.NewFlow == nil {
				continue
			}
			res, err := deps.NewFlow(&LinePrompter{In: in, Out: out, Back: true}).Run(ctx, "")
			if errors.Is(err, wizard.ErrCancelled) {
				return err
			}
			if err != nil {
				fmt.Fprintln(out, "The wizard stopped:", err)
			} else if res != nil && res.Profile != nil && res.Connected {
				fmt.Fprintf(out, "%s is connected.\n", res.Profile.Name)
			}
		case "diagnose":
			names, _ := profile.List()
			if len(names) == 0 {
				fmt.Fprintln(out, "No saved connections yet: choose Set up a connection, or Try the sandbox.")
				continue
			}
			var popts []wizard.Option
			for _, n := range names {
				popts = append(popts, wizard.Option{Value: n, Label: n})
			}
			name, err := sub.Select(ctx, wizard.SelectPrompt{Frame: wizard.Frame{Title: "Which connection?"}, Options: popts, Default: names[0]})
			if cancelled(err) {
				return wizard.ErrCancelled
			} else if err != nil {
				continue
			}
			accessibleCheck(ctx, deps, out, name)
		case "explain":
			text, err := sub.Input(ctx, wizard.InputPrompt{Frame: wizard.Frame{Title: "Paste the error message"}})
			if cancelled(err) {
				return wizard.ErrCancelled
			} else if err != nil {
				continue
			}
			matches, apart := deps.Explain(text)
			if len(matches) == 0 {
				fmt.Fprintln(out, "No known cause matches that message.")
			}
			for _, m := range matches {
				label := "Cause"
				if m.Candidate {
					label = "Could be" // one of several the text cannot tell apart
				}
				cause.Fprint(out, m.Cause, cause.Show{Label: label, Detail: m.Evidence})
			}
			if apart != "" {
				fmt.Fprintln(out, apart)
			}
		case "sandbox":
			modes := []wizard.Option{{Value: "", Label: "working: every check passes"}}
			for _, m := range deps.PracticeModes {
				modes = append(modes, wizard.Option{Value: string(m.ID), Label: string(m.ID) + ": the sandbox " + m.Does})
			}
			brk, err := sub.Select(ctx, wizard.SelectPrompt{Frame: wizard.Frame{Title: "How should the practice API behave?",
				Why: "It runs inside onramp until you quit."}, Options: modes})
			if cancelled(err) {
				return wizard.ErrCancelled
			} else if err != nil {
				continue
			}
			name, err := deps.StartSandbox(ctx, brk)
			if err != nil {
				fmt.Fprintln(out, "The sandbox did not start:", err)
				continue
			}
			accessibleCheck(ctx, deps, out, name)
		case "file":
			if accessibleFileStore(ctx, deps, sub, out) {
				storeProblem = false
			}
		}
	}
}

// accessibleCheck runs the checks of a profile and prints the report.
func accessibleCheck(ctx context.Context, deps *Deps, out io.Writer, name string) {
	p, err := profile.Load(name)
	if err != nil {
		fmt.Fprintln(out, err)
		return
	}
	opts, err := deps.ProfileOptions(ctx, p)
	if err != nil {
		fmt.Fprintln(out, err)
		return
	}
	fmt.Fprintf(out, "Running the checks of %s…\n", name)
	rep := deps.Diagnose(ctx, opts, nil)
	diagnose.RenderText(out, rep, false)
}

// accessibleFileStore asks for the file store's passphrase (twice for a new
// file) and moves secrets there; it reports whether that worked.
func accessibleFileStore(ctx context.Context, deps *Deps, lp *LinePrompter, out io.Writer) bool {
	path, exists := deps.FileStore()
	pass, err := lp.Password(ctx, wizard.InputPrompt{Frame: wizard.Frame{Title: "Passphrase for " + path}})
	if errors.Is(err, wizard.ErrBack) {
		fmt.Fprintln(out, "Back to the menu.")
	}
	if err != nil || pass == "" {
		return false
	}
	if !exists {
		again, err := lp.Password(ctx, wizard.InputPrompt{Frame: wizard.Frame{Title: "The same passphrase again"}})
		if err != nil || again != pass {
			fmt.Fprintln(out, "The two passphrases differ; nothing was created.")
			return false
		}
	}
	if err := deps.UseFileStore(pass); err != nil {
		fmt.Fprintln(out, "The encrypted file did not open:", err)
		return false
	}
	fmt.Fprintf(out, "Secrets are kept in %s (encrypted) from now on; later commands use it without flags.\n", path)
	return true
}
