// Package wizard is the onboarding flow of `onramp init`: plain Go over a
// Prompter (the TUI's huh forms are one implementation, a script is another)
// and over narrow interfaces for the real work (keys, certificates, secrets,
// checks). It decides what to ask and in what order; it draws nothing.
package wizard

import (
	"context"
	"errors"

	"github.com/onramp-cli/onramp/diagnose"
)

// ErrCancelled is returned by a Prompter when the user gives up (ctrl+c,
// esc); the flow stops and the profile keeps every step finished so far.
var ErrCancelled = errors.New("cancelled")

// Frame is what every screen of the wizard shows: where the user is, the
// one decision asked, and a sentence of why it matters.
type Frame struct {
	Step  string // "Step 3 of 6 · Keys"; "Step 1 · Provider" while the total is open
	Title string
	Why   string
	// NoBack: nothing is before this screen; a Prompter neither offers
	// back there nor answers ErrBack.
	NoBack bool
}

// Option is one choice of a Select.
type Option struct {
	Value string
	Label string
}

// SelectPrompt asks for one of a few choices.
type SelectPrompt struct {
	Frame
	Options []Option
	Default string
}

// InputPrompt asks for a line of text. Validate runs as the user types and
// its error is shown under the field.
type InputPrompt struct {
	Frame
	Placeholder string
	Default     string
	Validate    func(string) error
}

// ConfirmPrompt asks yes or no.
type ConfirmPrompt struct {
	Frame
	Affirmative string
	Negative    string
	Default     bool
}

// NotePrompt shows information and waits for the user to go on.
type NotePrompt struct {
	Frame
	Body string
	// Copy, when set, is text the user can copy to the clipboard (OSC 52):
	// the CSR or JWKS to send the provider. CopyLabel says what it is.
	Copy      string
	CopyLabel string
	// CopyFile is the file that holds the same text, for terminals that
	// ignore OSC 52.
	CopyFile string
	// Report, when set, is a diagnosis to show under Body.
	Report *diagnose.Report
}

// Prompter asks the user. Every method returns ErrCancelled when the user
// gives up or ctx ends.
type Prompter interface {
	Select(ctx context.Context, p SelectPrompt) (string, error)
	Input(ctx context.Context, p InputPrompt) (string, error)
	// Password is Input with the typed text masked.
	Password(ctx context.Context, p InputPrompt) (string, error)
	Confirm(ctx context.Context, p ConfirmPrompt) (bool, error)
	Note(ctx context.Context, p NotePrompt) error
	// Work runs fn while showing the frame's title with a spinner (under
	// its step), so slow work (an RSA-4096 key, a network check) never
	// looks like a hang.
	Work(ctx context.Context, f Frame, fn func(ctx context.Context) error) error
}
