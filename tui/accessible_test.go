package tui

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/onramp-cli/onramp/internal/testkeyring"
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

// In line mode "<" or "back" goes back as shift+tab does: to the question
// before, within a step and across steps, and over a step that only
// printed a note (the CSR to send). The question asked again offers the
// answer given before.
func TestLinePrompterGoesBack(t *testing.T) {
	dir := configDir(t)
	mtls := wizard.Provider{ID: "mtls-api", Name: "Example mTLS API", AskURL: true,
		Environments: []wizard.Environment{{Name: "test", URL: "https://127.0.0.1:8443/status"}},
		AuthChoices:  [][]string{{wizard.AuthMTLS}}, Key: wizard.KeySpec{Type: "ecdsa", Curve: "P-256"},
		Subject: "/O=Example/CN=client"}
	lines := []string{
		"1", "", "", // provider, URL (kept), name (kept)
		"<",                             // Your private key: back to the URL
		"https://127.0.0.1:9443/status", // the URL again
		"",                              // generate
		"back",                          // the subject: back to the key choice
		"1", "",                         // generate, the subject as offered
		"<",                      // the certificate: back over the CSR note to the subject
		"/O=Example/CN=client-2", // a new subject: a new key and CSR
		"2",                      // not yet: stop here
	}
	var out bytes.Buffer
	lp := &LinePrompter{In: iotest.OneByteReader(strings.NewReader(strings.Join(lines, "\n") + "\n")), Out: &out, Back: true}
	kr := testkeyring.New()
	f := &wizard.Flow{Prompter: lp, Providers: []wizard.Provider{mtls}, Keys: testKeys{}, Certs: matchImporter{}, Secrets: kr, Checker: reportChecker{passingReport()}}
	res, err := f.Run(context.Background(), "")
	got := out.String()
	if err != nil || res == nil || !res.Paused {
		t.Fatalf("res %+v err %v\n%s", res, err, got)
	}
	if res.Profile.URL != "https://127.0.0.1:9443/status" {
		t.Errorf("URL %q", res.Profile.URL)
	}
	for _, want := range []string{
		"Answer (enter keeps https://127.0.0.1:8443/status) (< goes back):",
		"Answer (enter keeps /O=Example/CN=client) (< goes back):",
		"1. Generate a new ECDSA P-256 key and a CSR\n2. Use a key file I already have\nEnter a number from 1 to 2, or nothing for 1 (< goes back):",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "Send this to Example mTLS API"); n != 2 {
		t.Errorf("the CSR note printed %d times, want 2 (one per key):\n%s", n, got)
	}
	if n := strings.Count(got, "Which API"); n != 1 {
		t.Errorf("the provider was asked %d times:\n%s", n, got)
	}
	keys, _ := filepath.Glob(filepath.Join(dir, "keys", "mtls-api", "*.key"))
	if len(keys) != 2 {
		t.Errorf("keys made: %v", keys)
	}
	if strings.Contains(got, "\x1b[") {
		t.Errorf("escape sequences in line mode:\n%q", got)
	}
}

// A back word is an answer like any other where going back is not
// offered (Home's menus), and the end of input is a cancel, not a loop.
func TestLinePrompterEndOfInput(t *testing.T) {
	var out bytes.Buffer
	lp := &LinePrompter{In: strings.NewReader(""), Out: &out}
	_, err := lp.Select(context.Background(), wizard.SelectPrompt{Frame: wizard.Frame{Title: "Pick"}, Options: []wizard.Option{{Value: "a", Label: "A"}}})
	if !errors.Is(err, wizard.ErrCancelled) {
		t.Errorf("end of input: %v", err)
	}
	lp = &LinePrompter{In: strings.NewReader("<\n"), Out: &out}
	v, err := lp.Input(context.Background(), wizard.InputPrompt{Frame: wizard.Frame{Title: "Name"}})
	if err != nil || v != "<" || strings.Contains(out.String(), "goes back") {
		t.Errorf("without Back: %q %v\n%s", v, err, out.String())
	}
}

// Line-mode Home: "<" or "back" in a menu under Home's returns to Home's
// menu (as the wizard's line mode goes back), which then goes on.
func TestAccessibleHomeBack(t *testing.T) {
	deps := sandboxDeps(t)
	deps.Explain = func(string) ([]Match, string) { return nil, "" }
	var out bytes.Buffer
	// Try the sandbox, then back; Explain, then back; Try the sandbox,
	// working; Quit.
	in := iotest.OneByteReader(strings.NewReader("4\n<\n3\nback\n4\n1\n5\n"))
	if err := RunAccessibleHome(context.Background(), deps, in, &out); err != nil {
		t.Fatalf("RunAccessibleHome: %v\n%s", err, out.String())
	}
	got := out.String()
	if n := strings.Count(got, "Back to the menu."); n != 2 {
		t.Errorf("went back %d times, want 2:\n%s", n, got)
	}
	if n := strings.Count(got, "onramp: what would you like to do?"); n != 4 {
		t.Errorf("Home's menu shown %d times, want 4:\n%s", n, got)
	}
	if !strings.Contains(got, "(< goes back)") {
		t.Errorf("the menus do not say how to go back:\n%s", got)
	}
	if strings.Count(got, "All checks passed") != 1 {
		t.Errorf("Try the sandbox after going back did not run once:\n%s", got)
	}
}
