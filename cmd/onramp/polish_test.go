package main

import (
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/profile"
)

// Small things a user notices: readable auth modes, suggestions for a
// mistyped command, what inspect needs, completions that know names.
func TestCLIPolish(t *testing.T) {
	useFileStore(t)
	if r := runCmd(t, "", false, "profile", "providers"); r.code != 0 || !strings.Contains(r.out, "signed-jwt | api-key") || strings.Contains(r.out, "[[") {
		t.Errorf("providers: %d\n%s", r.code, r.out)
	}
	if r := runCmd(t, "", false, "profile", "new", "--help"); !strings.Contains(r.out, "--provider ID") {
		t.Errorf("--provider placeholder:\n%s", r.out)
	}
	if r := runCmd(t, "", false, "diagnos"); r.code != 2 || !strings.Contains(r.errOut, "Did you mean this?\n\tdiagnose") {
		t.Errorf("suggestion: %d %q", r.code, r.errOut)
	}
	if r := runCmd(t, "", false, "inspect"); r.code != 2 || !strings.Contains(r.errOut, "inspect needs a FILE") {
		t.Errorf("inspect without a file: %d %q", r.code, r.errOut)
	}
	if err := profile.Save(&profile.Profile{Name: "alpha"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"__complete", "diagnose", "--profile", ""}, "alpha\n"},
		{[]string{"__complete", "profile", "set", ""}, "alpha\n"},
		{[]string{"__complete", "profile", "set", "alpha", ""}, "cacert\n"},
		{[]string{"__complete", "explain", "--id", ""}, "server-cert-untrusted\t"},
		{[]string{"__complete", "diagnose", "--client", ""}, "java\npython\nnode\ndotnet\ncurl\ngo\n"},
		{[]string{"__complete", "explain", "--client", ""}, "dotnet\n"},
		{[]string{"__complete", "profile", "set", "alpha", "client", ""}, "java\npython\nnode\ndotnet\ncurl\ngo\n"},
	} {
		if r := runCmd(t, "", false, c.args...); !strings.Contains(r.out, c.want) {
			t.Errorf("%v: %q", c.args, r.out)
		}
	}
}

// With no keyring, `secret set` says so before it asks for the value.
func TestSecretSetWithoutStoreAsksNothing(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	kr := testkeyring.New()
	kr.Unavailable = true
	r := runCmdStore(t, kr, "typed-value\n", true, "secret", "set", "api-key", "--profile", "p")
	if r.code == 0 || strings.Contains(r.errOut, "Value of api-key") || !strings.Contains(r.errOut, "keyring-unavailable") {
		t.Errorf("exit %d:\n%s", r.code, r.errOut)
	}
}

// `onramp --version` works as in gh and curl, and says what `onramp version` says.
func TestVersionFlag(t *testing.T) {
	code, flagOut, stderr := runCLI(t, "--version")
	if code != 0 || stderr != "" {
		t.Fatalf("--version: exit %d, stderr %q", code, stderr)
	}
	_, cmdOut, _ := runCLI(t, "version")
	if !strings.HasPrefix(flagOut, "onramp ") || flagOut != cmdOut {
		t.Fatalf("--version printed %q, version printed %q", flagOut, cmdOut)
	}
}
