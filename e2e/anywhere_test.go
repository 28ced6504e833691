package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testenv"
)

// sandboxProfileOnFreePort writes a `sandbox` profile pointing at a free
// loopback port, so the sandbox the TUI starts listens there (not on 8443,
// which another test or a user's own sandbox may hold).
func (e *env) sandboxProfileOnFreePort(t *testing.T) string {
	t.Helper()
	addr := freeAddr(t)
	port := addr[strings.LastIndex(addr, ":")+1:]
	dir := filepath.Join(e.cfgDir, "profiles")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	p := "provider: sandbox\nurl: https://localhost:" + port + "/checks/passport\n"
	if err := os.WriteFile(filepath.Join(dir, "sandbox.yaml"), []byte(p), 0o600); err != nil {
		t.Fatal(err)
	}
	return port
}

// TestTrySandboxAnywhere: `onramp` → Try the sandbox → green, on a machine
// with no D-Bus session at all and with a real gnome-keyring. Without a
// keyring Home says so once, and f moves secrets to the encrypted file,
// which later commands use without flags. Quitting says the sandbox stops
// and how to run it on its own.
func TestTrySandboxAnywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: runs the onramp binary in tmux")
	}
	testenv.Tool(t, "tmux")
	for _, tc := range []struct {
		name  string
		noBus bool
	}{{"no-dbus", true}, {"gnome-keyring", false}} {
		t.Run(tc.name, func(t *testing.T) {
			e := &env{bin: testenv.OnrampBinary(t), cfgDir: t.TempDir(), noBus: tc.noBus}
			if !tc.noBus {
				e.needsKeyring(t)
			}
			e.sandboxProfileOnFreePort(t)
			e.newTerminal(t, e.bin+"; echo \"EXIT=$?\"; sleep 300")
			e.waitFor(t, "Saved connections", 20*time.Second)
			var scr string
			if tc.noBus {
				scr = e.waitFor(t, "No OS keyring answers here", 10*time.Second)
				if strings.Count(scr, "No OS keyring answers") != 1 || !strings.Contains(scr, "Press f to keep secrets") || strings.Contains(scr, "--api-key-env") {
					t.Errorf("Home's note about the missing keyring:\n%s", scr)
				}
			} else {
				time.Sleep(500 * time.Millisecond) // the store check has answered
				if scr = e.screen(t); strings.Contains(scr, "keyring") && strings.Contains(scr, "Press f") {
					t.Errorf("Home offers the file store while the keyring answers:\n%s", scr)
				}
			}
			for range 4 {
				e.keys(t, "Down")
			}
			e.waitFor(t, "▸ Try the sandbox", 5*time.Second)
			e.keys(t, "Enter")
			e.waitFor(t, "▸ working", 5*time.Second)
			e.keys(t, "Enter")
			scr = e.waitFor(t, "Connected", 30*time.Second)
			if !strings.Contains(scr, "✓ Connected: every check passed") {
				t.Fatalf("Try the sandbox is not green:\n%s", scr)
			}
			// A practice mode from the list: the sandbox restarts in it and
			// the diagnosis names its cause.
			e.keys(t, "Escape")
			e.waitFor(t, "Saved connections", 5*time.Second)
			e.keys(t, "Enter")
			e.waitFor(t, "▸ working", 5*time.Second)
			e.keys(t, "Down")
			e.waitFor(t, "▸ api-key-rejected", 5*time.Second)
			e.keys(t, "Enter")
			e.waitFor(t, "[api-key-rejected]", 30*time.Second)

			if tc.noBus {
				// The encrypted file store, chosen from the TUI.
				e.keys(t, "Escape")
				e.waitFor(t, "Saved connections", 5*time.Second)
				e.keys(t, "f")
				e.waitForField(t, "Passphrase", 5*time.Second)
				e.typeText(t, "tui chosen passphrase")
				e.keys(t, "Enter")
				e.waitForField(t, "Same passphrase again", 5*time.Second)
				e.typeText(t, "tui chosen passphrase")
				e.keys(t, "Enter")
				scr = e.waitFor(t, "Secrets are kept in", 30*time.Second)
				if strings.Contains(scr, "No OS keyring answers") {
					t.Errorf("the note stays after the file store was chosen:\n%s", scr)
				}
				cfg, err := os.ReadFile(filepath.Join(e.cfgDir, "config.yaml"))
				if err != nil || !strings.Contains(string(cfg), "store: file") {
					t.Errorf("the choice is not remembered: %v %s", err, cfg)
				}
				if fi, err := os.Stat(filepath.Join(e.cfgDir, "secrets.age")); err != nil || fi.Mode().Perm() != 0o600 {
					t.Errorf("secrets.age: %v", err)
				}
			}

			e.keys(t, "q")
			scr = e.waitFor(t, "EXIT=", 10*time.Second)
			if !strings.Contains(scr, "EXIT=0") || !strings.Contains(scr, "has stopped") || !strings.Contains(scr, "onramp sandbox &") {
				t.Errorf("after q:\n%s", scr)
			}

			if tc.noBus {
				// Later commands use the file without flags: a secret set
				// now lands there, and reads back.
				e.extra = []string{"ONRAMP_STORE_PASSPHRASE=tui chosen passphrase"}
				out, code := e.onrampIn(t, "k-123", "secret", "set", "api-key", "--profile", "later")
				if code != 0 || !strings.Contains(out, "secrets.age") {
					t.Errorf("secret set without flags after the TUI chose the file: exit %d\n%s", code, out)
				}
				out, code = e.onramp(t, "secret", "get", "api-key", "--profile", "later")
				if code != 0 || strings.TrimSpace(out) != "k-123" {
					t.Errorf("secret get: exit %d %q", code, out)
				}
				// Without the passphrase and no terminal: its own message.
				e.extra = nil
				out, code = e.onramp(t, "secret", "get", "api-key", "--profile", "later")
				if code != 1 || !strings.Contains(out, "ONRAMP_STORE_PASSPHRASE") || strings.Contains(out, "D-Bus") {
					t.Errorf("file store without its passphrase: exit %d\n%s", code, out)
				}
			}
		})
	}
}

// TestPracticeWizardAnywhere walks `onramp init` against the sandbox to
// "You're connected" with no D-Bus session: the API key cannot go to a
// keyring, the wizard offers the encrypted file, and afterwards
// `onramp diagnose --profile practice` uses that file without flags.
func TestPracticeWizardAnywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: runs the onramp binary in tmux")
	}
	testenv.Tool(t, "tmux")
	cfgDir, err := os.MkdirTemp("", "oe2e")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(cfgDir) })
	e := &env{bin: testenv.OnrampBinary(t), cfgDir: cfgDir, noBus: true}
	e.startSandbox(t)
	apiKey := e.practiceKey(t)

	e.newTerminal(t, e.bin+" init; echo \"EXIT=$?\"; sleep 300")
	e.waitFor(t, "Which API are you connecting to?", 20*time.Second)
	e.selectOption(t, "onramp practice API")
	e.waitFor(t, "What is the API's URL?", 10*time.Second)
	e.keys(t, "Enter")
	e.waitFor(t, "> practice", 10*time.Second)
	e.keys(t, "Enter")
	e.waitFor(t, "Your private key", 10*time.Second)
	e.keys(t, "Enter")
	e.waitFor(t, "Certificate subject for the CSR", 10*time.Second)
	e.keys(t, "Enter")
	e.waitFor(t, "Send this to onramp practice API", 60*time.Second)
	e.keys(t, "Enter")
	scr := e.waitForPrompt(t, "Paste your API key", 10*time.Second)
	if strings.Contains(scr, "in your keyring") {
		t.Errorf("the key step claims the sandbox's key is in a keyring:\n%s", scr)
	}
	e.typeText(t, apiKey)
	e.waitFor(t, strings.Repeat("*", len(apiKey)), 5*time.Second)
	e.keys(t, "Enter")

	scr = e.waitFor(t, "No OS keyring answers here", 15*time.Second)
	if !strings.Contains(scr, "Keep secrets in the encrypted file") {
		t.Fatalf("no offer of the file store:\n%s", scr)
	}
	e.keys(t, "Enter")
	e.waitForPrompt(t, "Passphrase for", 5*time.Second)
	e.typeText(t, "wizard passphrase")
	e.keys(t, "Enter")
	e.waitForPrompt(t, "The same passphrase again", 5*time.Second)
	e.typeText(t, "wizard passphrase")
	e.keys(t, "Enter")

	e.waitFor(t, "Your client certificate", 60*time.Second)
	e.selectOption(t, "Have the sandbox issue my certificate now")
	scr = e.waitFor(t, "You're connected", 60*time.Second)
	if !strings.Contains(scr, "while the sandbox runs") || strings.Contains(scr, "not stored yet") {
		t.Errorf("Done screen:\n%s", scr)
	}
	e.keys(t, "Enter")
	scr = e.waitFor(t, "EXIT=", 10*time.Second)
	if !strings.Contains(scr, "EXIT=0") {
		t.Errorf("after the wizard:\n%s", scr)
	}

	// The file the wizard chose is used by diagnose without flags.
	e.extra = []string{"ONRAMP_STORE_PASSPHRASE=wizard passphrase"}
	out, code := e.onramp(t, "diagnose", "--profile", "practice")
	if code != 0 || !strings.Contains(out, "All checks passed") {
		t.Errorf("onramp diagnose --profile practice with the file store: exit %d\n%s", code, out)
	}
	// And the sandbox's own profile needs no store at all.
	e.extra = nil
	out, code = e.onramp(t, "diagnose", "--profile", "sandbox")
	if code != 0 {
		t.Errorf("onramp diagnose --profile sandbox with no D-Bus: exit %d\n%s", code, out)
	}
	if data, _ := os.ReadFile(filepath.Join(e.cfgDir, "secrets.age")); strings.Contains(string(data), apiKey) {
		t.Error("the API key is in the secret file in plain text")
	}
}

// TestHomeCtrlC: ctrl+c leaves Home with 130 (cancelled), as the README
// says; q leaves with 0 (TestHomeQuitRestoresTerminal).
func TestHomeCtrlC(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: runs the onramp binary in tmux")
	}
	testenv.Tool(t, "tmux")
	e := &env{bin: testenv.OnrampBinary(t), cfgDir: t.TempDir(), noBus: true}
	e.newTerminal(t, e.bin+"; echo \"EXIT=$?\"; sleep 300")
	e.waitFor(t, "Saved connections", 20*time.Second)
	e.keys(t, "C-c")
	if scr := e.waitFor(t, "EXIT=", 10*time.Second); !strings.Contains(scr, "EXIT=130") {
		t.Errorf("ctrl+c on Home:\n%s", scr)
	}
}
