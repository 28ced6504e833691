package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/redact"
	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/profile"
)

// Exit statuses of ../shared/CONTRACT.md.
const (
	exitOK        = 0
	exitDiagnosed = 1 // a check failed and the output names the cause
	exitUsage     = 2 // the command could not run as asked
	exitCancelled = 130
)

// exitError carries an exit status. A nil Err means the command already
// printed what the user needs (a diagnosis), so nothing more is said.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageErrorf is a mistake in how the command was called (exit 2).
func usageErrorf(format string, a ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, a...)}
}

// failedErrorf is a diagnosed failure with a message (exit 1).
func failedErrorf(format string, a ...any) error {
	return &exitError{code: exitDiagnosed, err: fmt.Errorf(format, a...)}
}

// errDiagnosed ends a command whose output already names the cause (exit 1).
var errDiagnosed = &exitError{code: exitDiagnosed}

// errCancelled is a user's ctrl+c or an aborted prompt.
var errCancelled = &exitError{code: exitCancelled, err: iostreams.ErrCancelled}

func newRootCmd(f *factory) *cobra.Command {
	io := f.IO
	var home homeOptions
	root := &cobra.Command{
		Annotations: rawStdoutAnnotation("the home screen owns the terminal"),
		Use:         "onramp",
		Short:       "Get connected to APIs secured with mutual TLS, API keys and signed-JWT OAuth",
		Long: `onramp sets up and diagnoses connections to APIs secured with mutual TLS,
API keys and signed-JWT OAuth (HMPPS, NHS API Management, GOV.UK DCS,
Securosys, or any HTTPS API), and says exactly why a connection fails.

Run it on a terminal with no arguments for the interactive home screen.
Try it without any provider credentials against the built-in practice API:

  onramp sandbox &                      # a local mutual-TLS API
  onramp diagnose --profile sandbox     # all checks pass`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// NoArgs would hide cobra's "did you mean" for a mistyped command.
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
			}
			return usageErrorf("%s\nRun 'onramp --help' for the commands.", msg)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.Home != nil && io.CanPrompt() {
				home.accessible = home.accessible || os.Getenv("ACCESSIBLE") != ""
				return f.Home(cmd.Context(), f, home)
			}
			cmd.SetOut(io.Out)
			return cmd.Help()
		},
	}
	root.Flags().StringVar(&home.store, "store", "", storeFlagUsage)
	root.Flags().BoolVar(&home.accessible, "accessible", false, "plain line-by-line prompts and menus for screen readers, no full-screen UI (also ACCESSIBLE=1)")
	// --version, as gh and curl users expect; the same line as `onramp version`.
	root.Version = Version()
	root.SetVersionTemplate(versionLine())
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{code: exitUsage, err: fmt.Errorf("%w (see '%s --help')", err, c.CommandPath())}
	})
	root.AddCommand(
		newInitCmd(f), newDiagnoseCmd(f), newExplainCmd(f),
		newKeygenCmd(f), newImportCmd(f), newInspectCmd(f), newConvertCmd(f),
		newSecretCmd(f), newProfileCmd(f), newTokenCmd(f), newAWSCredentialsCmd(f),
		newSandboxCmd(f), newWatchCmd(f), newStatusCmd(f), newRenewCmd(f), newExecCmd(f), newVersionCmd(f),
	)
	registerCompletions(root)
	return root
}

// registerCompletions teaches `onramp completion bash|zsh|fish` the
// profile names (every --profile flag and profile NAME argument) and the
// cause ids (explain --id).
func registerCompletions(c *cobra.Command) {
	if c.Flags().Lookup("profile") != nil {
		_ = c.RegisterFlagCompletionFunc("profile", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			names, _ := profile.List()
			return names, cobra.ShellCompDirectiveNoFileComp
		})
	}
	if c.Flags().Lookup("id") != nil && c.Name() == "explain" {
		_ = c.RegisterFlagCompletionFunc("id", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			var ids []string
			for _, k := range cause.All() {
				ids = append(ids, string(k.ID)+"\t"+k.Title)
			}
			return ids, cobra.ShellCompDirectiveNoFileComp
		})
	}
	if c.Flags().Lookup("client") != nil {
		_ = c.RegisterFlagCompletionFunc("client", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return cause.Clients(), cobra.ShellCompDirectiveNoFileComp
		})
	}
	if c.Parent() != nil && c.Parent().Name() == "profile" && (c.Name() == "show" || c.Name() == "rm") && c.ValidArgsFunction == nil {
		c.ValidArgsFunction = completeProfiles
	}
	for _, sub := range c.Commands() {
		registerCompletions(sub)
	}
}

// needSubcommand is the RunE of a command that only groups others
// (secret, profile): without one it is a usage error (exit 2), with the
// help on stderr.
func needSubcommand(cmd *cobra.Command, args []string) error {
	cmd.SetOut(cmd.ErrOrStderr())
	_ = cmd.Help()
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	return usageErrorf("%s needs a subcommand: %s", cmd.CommandPath(), strings.Join(names, ", "))
}

// interruptGrace is how long a command has after Ctrl+C or SIGTERM to end
// by itself (its context is cancelled: work stops, files roll back, the
// terminal is restored). Past it, or at a second signal, onramp exits 130
// anyway: a read that cannot be interrupted never keeps the user waiting.
const interruptGrace = 800 * time.Millisecond

// signalsKey holds, in a command's context, whether the command ends on a
// signal in its own time and with its own status (ownSignals).
type signalsKey struct{}

// ownSignals says that from now on the command handles Ctrl+C and SIGTERM
// itself: exec waits for its COMMAND and passes on its status, a watch
// stops serving and exits 0. A second signal still ends onramp at once.
func ownSignals(ctx context.Context) {
	if own, ok := ctx.Value(signalsKey{}).(*atomic.Bool); ok {
		own.Store(true)
	}
}

// execute runs the command line with the factory's dependencies and
// returns the exit status: 130 when a signal ended it, whatever error the
// interrupted work returned.
//
// Everything the run prints goes through one redaction (f.Secrets): stderr
// always, stdout unless the command's output is the secret itself or a
// terminal program's (rawStdout).
func execute(f *factory, args []string) int {
	if f.Secrets == nil {
		f.Secrets = &redact.Set{MinLen: minShownSecret}
	}
	addFlagSecrets(f.Secrets, args, os.Getenv)
	rawOut := f.IO.Out
	f.IO.ErrOut = redactWriter(f.IO.ErrOut, f.Secrets)
	f.IO.Out = redactWriter(f.IO.Out, f.Secrets)
	own := new(atomic.Bool)
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), signalsKey{}, own))
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	var interrupted atomic.Bool
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-sigs:
		case <-done:
			return
		}
		interrupted.Store(true)
		cancel()
		grace := time.NewTimer(interruptGrace)
		defer grace.Stop()
		for {
			select {
			case <-sigs:
			case <-grace.C:
				if own.Load() {
					continue // the command ends in its own time
				}
			case <-done:
				return
			}
			fmt.Fprintln(f.IO.ErrOut, "onramp: cancelled")
			os.Exit(exitCancelled)
		}
	}()
	root := newRootCmd(f)
	root.PersistentPreRun = func(cmd *cobra.Command, _ []string) {
		if cmd.Annotations[rawStdout] != "" {
			f.IO.Out = rawOut
		}
	}
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil && interrupted.Load() && !own.Load() {
		err = errCancelled
	}
	return exitStatus(f.IO, err)
}

// rawStdout marks a command whose stdout is not redacted: it prints a
// secret on purpose (secret get, token, aws-credentials) or hands the
// terminal to a program (the TUI, an editor). Its stderr still is.
const rawStdout = "onramp/raw-stdout"

// rawStdoutAnnotation is the Annotations of such a command.
func rawStdoutAnnotation(why string) map[string]string { return map[string]string{rawStdout: why} }

func redactWriter(w io.Writer, s *redact.Set) io.Writer {
	if _, ok := w.(*redact.Writer); ok {
		return w
	}
	return &redact.Writer{W: w, Set: s}
}

func exitStatus(io *iostreams.IO, err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(io.ErrOut, "onramp:", ee.err)
		}
		return ee.code
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, iostreams.ErrCancelled) {
		fmt.Fprintln(io.ErrOut, "onramp: cancelled")
		return exitCancelled
	}
	// Cobra's own errors (unknown command, wrong number of arguments) are
	// usage errors.
	fmt.Fprintln(io.ErrOut, "onramp:", err)
	return exitUsage
}
