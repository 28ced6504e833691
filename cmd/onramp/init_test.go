package main

import (
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/iostreams"
)

func TestInitNeedsATerminal(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	io, _, _, errOut := iostreams.Test()
	if code := run(io, []string{"init"}); code != exitUsage {
		t.Fatalf("exit %d, want %d", code, exitUsage)
	}
	for _, want := range []string{"needs a terminal", "onramp keygen", "onramp import", "onramp secret set api-key", "onramp diagnose --profile"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

func TestInitRejectsBadProfileName(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	io, _, _, errOut := iostreams.Test()
	io.SetTTY(true, true, true)
	if code := run(io, []string{"init", "--profile", "../x"}); code != exitUsage {
		t.Fatalf("exit %d, want %d", code, exitUsage)
	}
	if !strings.Contains(errOut.String(), "--profile") {
		t.Errorf("stderr %q does not name the flag", errOut)
	}
}

// Without a terminal, bare `onramp` prints help instead of the TUI.
func TestRootWithoutTerminalPrintsHelp(t *testing.T) {
	io, _, out, _ := iostreams.Test()
	if code := run(io, nil); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), "Usage:") || !strings.Contains(out.String(), "init") {
		t.Errorf("help:\n%s", out)
	}
}
