package tui

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"testing/iotest"

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

// onramp --accessible: Home as numbered line prompts. With no keyring it
// says so once and offers the file store; Try the sandbox starts the real
// practice API and prints the passing checks as plain lines.
func TestAccessibleHomeTriesTheSandbox(t *testing.T) {
	deps := sandboxDeps(t)
	deps.FileStore = func() (string, bool) { return "secrets.age", false }
	deps.UseFileStore = func(string) error { return nil }
	var out bytes.Buffer
	// One byte per read, as a terminal delivers lines: each prompt reads
	// only its own line.
	in := iotest.OneByteReader(strings.NewReader("4\n1\n6\n"))
	if err := RunAccessibleHome(context.Background(), deps, in, &out); err != nil {
		t.Fatalf("RunAccessibleHome: %v\n%s", err, out.String())
	}
	got := out.String()
	if strings.Count(got, "No OS keyring answers here") != 1 || !strings.Contains(got, "Keep secrets in an encrypted file\" in onramp's menu") || strings.Contains(got, "press f") {
		t.Errorf("the note about the keyring:\n%s", got)
	}
	if !strings.Contains(got, "All checks passed") {
		t.Errorf("Try the sandbox did not pass:\n%s", got)
	}
	if strings.Contains(got, "\x1b[") {
		t.Errorf("accessible output has escape sequences:\n%q", got)
	}
}
