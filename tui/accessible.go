package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/onramp-cli/onramp/wizard"
)

// LinePrompter is the Prompter for screen readers (--accessible,
// ACCESSIBLE=1): each prompt is a huh input in accessible mode, plain lines
// in and out, no full-screen drawing. Choices are numbered lines answered
// with a number. With Back set, "<" or "back" at any prompt goes back
// (wizard.ErrBack), as shift+tab does in the TUI.
type LinePrompter struct {
	In  io.Reader
	Out io.Writer
	// Back lets the user go back; the prompts say how.
	Back bool

	step string // the last step line written
}

// isBack says whether s is what a user types to go back: "<" or "back".
func isBack(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	return s == "<" || s == "back"
}

// ask shows the frame and reads one answer, checked by validate (which
// sees what was typed; an empty line is the caller's to allow). It
// returns wizard.ErrBack when the user typed a back word, ErrCancelled
// on ctrl+c or the end of input.
func (l *LinePrompter) ask(ctx context.Context, f wizard.Frame, prompt string, masked bool, validate func(string) error) (string, error) {
	back := l.Back && !f.NoBack
	if back {
		prompt += " (< goes back)"
	}
	v := ""
	ended := false
	in := huh.NewInput().Title(prompt + ":").Value(&v).Validate(func(s string) error {
		if back && isBack(s) {
			return nil
		}
		return validate(s)
	})
	var r io.Reader = endWatch{l.In, &ended}
	if masked {
		// huh reads a masked answer from the terminal itself.
		in, r = in.EchoMode(huh.EchoModePassword), l.In
	}
	err := l.run(ctx, f, in, r)
	if errors.Is(err, io.EOF) {
		err = wizard.ErrCancelled
	}
	switch {
	case err != nil:
		return "", err
	case back && isBack(v):
		return "", wizard.ErrBack
	case ended && v == "":
		fmt.Fprintln(l.Out)
		return "", wizard.ErrCancelled
	}
	return v, nil
}

// endWatch notes when the input has ended (huh's line reader cannot say).
type endWatch struct {
	r     io.Reader
	ended *bool
}

func (e endWatch) Read(b []byte) (int, error) {
	n, err := e.r.Read(b)
	if err == io.EOF {
		*e.ended = true
	}
	return n, err
}

func (l *LinePrompter) run(ctx context.Context, f wizard.Frame, field huh.Field, in io.Reader) error {
	l.frame(f)
	// Accessible forms read stdin line by line and do not watch ctx, so
	// ctrl+c (which cancels ctx) would wait for the next line: the read is
	// left behind instead, and the process exits.
	done := make(chan error, 1)
	go func() {
		done <- huh.NewForm(huh.NewGroup(field)).WithAccessible(true).WithInput(in).WithOutput(plainWriter{l.Out}).RunWithContext(ctx)
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

// choose lists the options, numbered, and reads a number; an empty line
// keeps the default.
func (l *LinePrompter) choose(ctx context.Context, f wizard.Frame, labels []string, def int) (int, error) {
	var b strings.Builder
	b.WriteString(f.Why)
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	for i, o := range labels {
		fmt.Fprintf(&b, "%d. %s\n", i+1, o)
	}
	f.Why = strings.TrimSuffix(b.String(), "\n")
	prompt := fmt.Sprintf("Enter a number from 1 to %d", len(labels))
	if def >= 0 {
		prompt += fmt.Sprintf(", or nothing for %d", def+1)
	}
	v, err := l.ask(ctx, f, prompt, false, func(s string) error {
		s = strings.TrimSpace(s)
		if s == "" && def >= 0 {
			return nil
		}
		if n, err := strconv.Atoi(s); err != nil || n < 1 || n > len(labels) {
			return fmt.Errorf("type a number from 1 to %d", len(labels))
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if strings.TrimSpace(v) == "" {
		return def, nil
	}
	n, _ := strconv.Atoi(strings.TrimSpace(v))
	return n - 1, nil
}

func (l *LinePrompter) Select(ctx context.Context, p wizard.SelectPrompt) (string, error) {
	labels := make([]string, len(p.Options))
	def := -1
	for i, o := range p.Options {
		labels[i] = o.Label
		if o.Value == p.Default {
			def = i
		}
	}
	i, err := l.choose(ctx, p.Frame, labels, def)
	if err != nil {
		return "", err
	}
	return p.Options[i].Value, nil
}

func (l *LinePrompter) input(ctx context.Context, p wizard.InputPrompt, masked bool) (string, error) {
	prompt := "Answer"
	if p.Default != "" && !masked {
		prompt = "Answer (enter keeps " + p.Default + ")"
	}
	v, err := l.ask(ctx, p.Frame, prompt, masked, func(s string) error {
		if s == "" && p.Default != "" {
			return nil // an empty line keeps the default
		}
		if p.Validate != nil {
			return p.Validate(s)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if v == "" {
		v = p.Default
	}
	return v, nil
}

func (l *LinePrompter) Input(ctx context.Context, p wizard.InputPrompt) (string, error) {
	return l.input(ctx, p, false)
}

func (l *LinePrompter) Password(ctx context.Context, p wizard.InputPrompt) (string, error) {
	return l.input(ctx, p, true)
}

// Confirm is a two-line choice, as in the TUI: the answers' own words,
// not a bare y/n.
func (l *LinePrompter) Confirm(ctx context.Context, p wizard.ConfirmPrompt) (bool, error) {
	def := 1
	if p.Default {
		def = 0
	}
	i, err := l.choose(ctx, p.Frame, []string{p.Affirmative, p.Negative}, def)
	return i == 0 && err == nil, err
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
