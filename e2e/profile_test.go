package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testenv"
)

// TestProfileFixFromTUI: a profile with the wrong URL and no CA bundle
// fails; from the TUI the user changes its URL and CA bundle on the
// profile screen and re-runs the checks to green.
func TestProfileFixFromTUI(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: runs the onramp binary in tmux")
	}
	testenv.Tool(t, "tmux")
	e := &env{bin: testenv.OnrampBinary(t), cfgDir: t.TempDir()}
	e.needsKeyring(t)
	addr := e.startSandbox(t)
	sandboxYAML, err := os.ReadFile(filepath.Join(e.cfgDir, "profiles", "sandbox.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// "broken" is the sandbox's profile with a dead URL and no CA bundle.
	if err := os.WriteFile(filepath.Join(e.cfgDir, "profiles", "broken.yaml"), sandboxYAML, 0o600); err != nil {
		t.Fatal(err)
	}
	goodURL := ""
	for _, l := range strings.Split(string(sandboxYAML), "\n") {
		if v, ok := strings.CutPrefix(l, "url: "); ok {
			goodURL = strings.TrimSpace(v)
		}
	}
	caFile := filepath.Join(e.cfgDir, "sandbox", "root-ca.pem")
	if out, code := e.onramp(t, "profile", "set", "broken", "url", "https://127.0.0.1:1"); code != 0 {
		t.Fatalf("profile set url: %d %s", code, out)
	}
	if out, code := e.onramp(t, "profile", "set", "broken", "cacert", ""); code != 0 {
		t.Fatalf("profile set cacert: %d %s", code, out)
	}
	key, code := e.onramp(t, "secret", "get", "api-key", "--profile", "sandbox")
	if code != 0 {
		t.Fatalf("secret get: %d", code)
	}
	e.secretSet(t, "broken", "api-key", strings.TrimSpace(key))

	e.newTerminal(t, e.bin+"; sleep 300")
	e.waitFor(t, "Saved connections", 20*time.Second)
	for range 5 {
		e.keys(t, "Down") // past the menu, onto "broken" (sorted first)
	}
	e.waitFor(t, "▸ broken", 5*time.Second)
	e.keys(t, "Enter")
	scr := e.waitFor(t, "r run again", 30*time.Second)
	if !strings.Contains(scr, "URL https://127.0.0.1:1") || strings.Contains(scr, "✓ Connected") {
		t.Fatalf("the broken profile should fail on its URL:\n%s", scr)
	}
	e.keys(t, "e")
	e.waitFor(t, "▸ URL", 5*time.Second)
	e.keys(t, "Enter")
	e.waitForField(t, "URL of broken", 5*time.Second)
	e.keys(t, "C-u")
	e.typeText(t, goodURL)
	e.keys(t, "Enter")
	e.waitFor(t, "✓ Set url to "+goodURL, 5*time.Second)
	for range 5 {
		e.keys(t, "Down")
	}
	e.waitFor(t, "▸ CA bundle", 5*time.Second)
	e.keys(t, "Enter")
	e.waitForField(t, "CA bundle of broken", 5*time.Second)
	e.typeText(t, caFile)
	e.keys(t, "Enter")
	scr = e.waitFor(t, "✓ Set cacert", 5*time.Second)
	// The command the screen shows for scripts runs as copied from it.
	command := shownCommand(t, scr, "From a script:")
	cmd := exec.Command("bash", "-c", strings.Replace(command, "onramp", e.bin, 1))
	cmd.Env = e.environ()
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "cacert of broken is already "+caFile) {
		t.Errorf("the shown command %q: %v\n%s", command, err, out)
	}
	e.keys(t, "r")
	scr = e.waitFor(t, "✓ Connected", 30*time.Second)
	if !strings.Contains(scr, "URL "+goodURL) {
		t.Errorf("the re-run does not show the new URL (sandbox at %s):\n%s", addr, scr)
	}
	if out, _ := e.onramp(t, "profile", "show", "broken"); !strings.Contains(out, caFile) || !strings.Contains(out, "Last check:  passed") && !strings.Contains(out, "passed") {
		t.Errorf("profile show after the fix:\n%s", out)
	}
}

func (e *env) secretSet(t *testing.T, profileName, name, value string) {
	t.Helper()
	cmd := exec.Command(e.bin, "secret", "set", name, "--profile", profileName)
	cmd.Env = e.environ()
	cmd.Stdin = strings.NewReader(value)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("secret set: %v\n%s", err, out)
	}
}
