package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A passphrase flag that names no variable, or an unset or empty one, stops
// the command: keygen never falls back to writing the key unencrypted.
func TestPassphraseFlagsNeverFallBackToPlaintext(t *testing.T) {
	t.Setenv("ONRAMP_TEST_EMPTY_PASS", "")
	for _, tc := range []struct{ value, want string }{
		{"", "needs the NAME"},
		{"ONRAMP_TEST_UNSET_PASS_VARIABLE", "is not set"},
		{"ONRAMP_TEST_EMPTY_PASS", "is empty"},
	} {
		dir := t.TempDir()
		r := runCmd(t, "", false, "keygen", "--out", dir, "--name", "k", "--type", "ed25519", "--pass-env", tc.value)
		if r.code != exitUsage || !strings.Contains(r.errOut, tc.want) {
			t.Errorf("--pass-env %q: exit %d %q, want exit 2 saying %q", tc.value, r.code, r.errOut, tc.want)
		}
		if _, err := os.Stat(filepath.Join(dir, "k.key")); err == nil {
			t.Errorf("--pass-env %q: a key was written", tc.value)
		}
	}
}
