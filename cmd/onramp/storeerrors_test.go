package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/secretstore"
)

// Errors name the store that failed and what was being done: `secret set`
// probes the store before asking for the value, and says "set", not "get";
// the file store's errors name its file, never "keyring".
func TestStoreErrorsNameTheStoreAndTheOperation(t *testing.T) {
	t.Run("file store without passphrase", func(t *testing.T) {
		useFileStore(t)
		t.Setenv(secretstore.PassphraseEnv, "")
		r := runCmd(t, "v4lue-1234\n", false, "secret", "set", "api-key", "--profile", "demo")
		file := filepath.Join(mustEnv(t, "ONRAMP_CONFIG_DIR"), secretstore.FileName)
		if r.code != 1 || !strings.Contains(r.errOut, "secret file "+file+": set demo/api-key") || strings.Contains(strings.ToLower(r.errOut), "keyring get") {
			t.Errorf("exit %d, stderr:\n%s", r.code, r.errOut)
		}
		if !strings.Contains(r.errOut, secretstore.PassphraseEnv) {
			t.Errorf("no fix naming %s:\n%s", secretstore.PassphraseEnv, r.errOut)
		}
	})
	t.Run("file store, missing secret", func(t *testing.T) {
		useFileStore(t)
		if r := runCmd(t, "v4lue-1234\n", false, "secret", "set", "other", "--profile", "demo"); r.code != 0 {
			t.Fatalf("set: exit %d: %s", r.code, r.errOut)
		}
		r := runCmd(t, "", false, "secret", "get", "api-key", "--profile", "demo")
		if r.code != 1 || !strings.Contains(r.errOut, "not in the encrypted secret file") || strings.Contains(r.errOut, "not in the keyring") ||
			!strings.Contains(r.errOut, "onramp secret set api-key --profile demo") {
			t.Errorf("exit %d, stderr:\n%s", r.code, r.errOut)
		}
	})
	t.Run("file store, too large", func(t *testing.T) {
		useFileStore(t)
		r := runCmd(t, strings.Repeat("k", 100<<10), false, "secret", "set", "big", "--profile", "demo")
		if r.code != 1 || !strings.Contains(r.errOut, "too large for the encrypted secret file") || strings.Contains(r.errOut, "OS keyring") {
			t.Errorf("exit %d, stderr:\n%s", r.code, r.errOut)
		}
	})
	t.Run("no OS keyring", func(t *testing.T) {
		t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
		r := runCmdStore(t, &testkeyring.Keyring{Unavailable: true}, "v4lue-1234\n", false, "secret", "set", "api-key", "--profile", "demo")
		if r.code != 1 || !strings.Contains(r.errOut, "OS keyring: set demo/api-key") {
			t.Errorf("exit %d, stderr:\n%s", r.code, r.errOut)
		}
	})
}

func mustEnv(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set", name)
	}
	return v
}
