package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Usage errors exit 2 (the contract), never 0 or 1.
func TestUsageErrorsExitTwo(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	for _, args := range [][]string{
		{"secret"},
		{"profile"},
		{"diagnose", "https://127.0.0.1:1/", "--resolve", "h:443:[::1"},
		{"diagnose", "https://127.0.0.1:1/", "--resolve", "h:443:::1]"},
	} {
		if r := runCmd(t, "", false, args...); r.code != exitUsage {
			t.Errorf("onramp %s: exit %d, want 2\n%s", strings.Join(args, " "), r.code, r.errOut)
		}
	}
	if r := runCmd(t, "", false, "secret"); !strings.Contains(r.errOut, "needs a subcommand: get, ls, rm, set") || r.out != "" {
		t.Errorf("onramp secret: stdout %q, stderr %q", r.out, r.errOut)
	}
}

// A value pasted where a variable's name belongs is not echoed back.
func TestEnvFlagWithAValueIsNotEchoed(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	const value = "sk-live-Pasted-VALUE-123"
	r := runCmd(t, "", false, "diagnose", "https://127.0.0.1:1/", "--api-key-env", value)
	if r.code != exitUsage || strings.Contains(r.out+r.errOut, "VALUE") || !strings.Contains(r.errOut, "NAME of an environment variable") {
		t.Errorf("exit %d, output %q", r.code, r.out+r.errOut)
	}
}

// A URL with a password is refused for a profile (the file would hold
// it), and one already in a hand-edited file is not printed.
func TestProfileURLUserinfo(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ONRAMP_CONFIG_DIR", dir)
	r := runCmd(t, "", false, "profile", "new", "x", "--provider", "generic", "--url", "https://u:Sup3rPW@host.example/")
	if r.code != exitUsage || strings.Contains(r.out+r.errOut, "Sup3rPW") || !strings.Contains(r.errOut, "onramp secret set") {
		t.Errorf("profile new: exit %d, output %q", r.code, r.out+r.errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "profiles", "x.yaml")); err == nil {
		t.Error("the profile was saved")
	}
	if err := os.MkdirAll(filepath.Join(dir, "profiles"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "profiles", "old.yaml"), []byte("provider: generic\nurl: https://u:Sup3rPW@host.example/\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"profile", "show", "old"}, {"profile", "show", "old", "--json"}, {"profile", "ls"}, {"profile", "ls", "--json"}} {
		r := runCmd(t, "", false, args...)
		if strings.Contains(r.out+r.errOut, "Sup3rPW") || !strings.Contains(r.out, "host.example") {
			t.Errorf("%v: %q", args, r.out+r.errOut)
		}
	}
}
