package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/onramp-cli/onramp/wizard"
)

// LinePrompter is the Prompter for screen readers (--accessible,
// ACCESSIBLE=1): each prompt is a huh form in accessible mode, plain lines
// in and out, no full-screen drawing.
type LinePrompter struct {
	In  io.Reader
	Out io.Writer

	step string // the last step line written
}

func (l *LinePrompter) run(ctx context.Context, f wizard.Frame, field huh.Field) error {
	l.frame(f)
	// Accessible forms read stdin line by line and do not watch ctx, so
	// ctrl+c (which cancels ctx) would wait for the next line: the read is
	// left behind instead, and the process exits.
	done := make(chan error, 1)
	go func() {
		done <- huh.NewForm(huh.NewGroup(field)).WithAccessible(true).WithInput(l.In).WithOutput(plainWriter{l.Out}).RunWithContext(ctx)
	}()
	select {
	case err := <-done:
		if errors.Is(err, huh.ErrUserAborted) || ctx.Err() != nil {
			return wizard.ErrCancelled
		}
		return err
	case <-ctx.Done():
		fmt.Fprintln(l.Out)
		return wizard.ErrCancelled
	}
}

func (l *LinePrompter) frame(f wizard.Frame) {
	fmt.Fprintln(l.Out)
	if f.Step != "" {
		fmt.Fprintln(l.Out, f.Step)
		l.step = f.Step
	}
	fmt.Fprintln(l.Out, f.Title)
	if f.Why != "" {
		fmt.Fprintln(l.Out, f.Why)
	}
}

func (l *LinePrompter) Select(ctx context.Context, p wizard.SelectPrompt) (string, error) {
	v := p.Default
	var opts []huh.Option[string]
	for _, o := range p.Options {
		opts = append(opts, huh.NewOption(o.Label, o.Value))
	}
	err := l.run(ctx, p.Frame, huh.NewSelect[string]().Title("Choose").Options(opts...).Value(&v))
	return v, err
}

func (l *LinePrompter) input(ctx context.Context, p wizard.InputPrompt, masked bool) (string, error) {
	v := p.Default
	title := "Answer"
	if p.Default != "" && !masked {
		title = "Answer (enter keeps " + p.Default + ")"
	}
	in := huh.NewInput().Title(title).Value(&v)
	in = in.Validate(func(s string) error {
		if s == "" && p.Default != "" {
			return nil // an empty line keeps the default
		}
		if p.Validate != nil {
			return p.Validate(s)
		}
		return nil
	})
	if masked {
		in = in.EchoMode(huh.EchoModePassword)
	}
	err := l.run(ctx, p.Frame, in)
	if v == "" {
		v = p.Default
	}
	return v, err
}

func (l *LinePrompter) Input(ctx context.Context, p wizard.InputPrompt) (string, error) {
	return l.input(ctx, p, false)
}

func (l *LinePrompter) Password(ctx context.Context, p wizard.InputPrompt) (string, error) {
	return l.input(ctx, p, true)
}

func (l *LinePrompter) Confirm(ctx context.Context, p wizard.ConfirmPrompt) (bool, error) {
	v := p.Default
	err := l.run(ctx, p.Frame, huh.NewConfirm().Title("Answer").Affirmative(p.Affirmative).Negative(p.Negative).Value(&v))
	return v, err
}

func (l *LinePrompter) Note(ctx context.Context, p wizard.NotePrompt) error {
	if ctx.Err() != nil {
		return wizard.ErrCancelled
	}
	l.frame(p.Frame)
	if p.Body != "" {
		fmt.Fprintln(l.Out, p.Body)
	}
	if p.Report != nil {
		fmt.Fprintln(l.Out, strings.TrimRight(renderSteps(NewStyles(true, false), p.Report.Steps, "", "", 78), "\n"))
	}
	return nil
}

func (l *LinePrompter) Work(ctx context.Context, f wizard.Frame, fn func(context.Context) error) error {
	if f.Step != "" && f.Step != l.step {
		// Work that starts a step (the checks) says which step it is.
		fmt.Fprintln(l.Out)
		fmt.Fprintln(l.Out, f.Step)
		l.step = f.Step
	}
	fmt.Fprintln(l.Out, f.Title)
	err := fn(ctx)
	if err == nil {
		fmt.Fprintln(l.Out, "Done.")
	}
	return err
}

// plainWriter drops the escape sequences huh styles its accessible titles
// with: a screen reader (or NO_COLOR) gets plain text.
type plainWriter struct{ w io.Writer }

func (p plainWriter) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, ansi.Strip(string(b))); err != nil {
		return 0, err
	}
	return len(b), nil
}
