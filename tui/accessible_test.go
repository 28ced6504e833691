package tui

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/wizard"
)

// In line mode the step line shows once per step: work within the step a
// prompt showed says only what it does; work that starts a step (the
// checks) names the step first.
func TestLinePrompterWorkNamesANewStep(t *testing.T) {
	var out bytes.Buffer
	l := &LinePrompter{In: strings.NewReader(""), Out: &out}
	ctx := context.Background()
	l.Note(ctx, wizard.NotePrompt{Frame: wizard.Frame{Step: "Step 2 of 6 · Keys", Title: "Your key"}})
	l.Work(ctx, wizard.Frame{Step: "Step 2 of 6 · Keys", Title: "Generating a key…"}, func(context.Context) error { return nil })
	l.Work(ctx, wizard.Frame{Step: "Step 6 of 6 · Checks", Title: "Running the checks…"}, func(context.Context) error { return nil })
	want := "\nStep 2 of 6 · Keys\nYour key\nGenerating a key…\nDone.\n\nStep 6 of 6 · Checks\nRunning the checks…\nDone.\n"
	if got := out.String(); got != want {
		t.Errorf("line output:\n%q\nwant:\n%q", got, want)
	}
}
