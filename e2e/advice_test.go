package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testenv"
)

// TestClientAndProviderAdviceInTUI: a GOV.UK DCS profile of a Java user,
// against the real sandbox without the CA bundle, fails on the server's
// certificate. At 60×20 the diagnose screen gives onramp's fix, Java's and
// the DCS's own note; on the profile screen the user switches the client
// to Python, re-runs, and gets Python's words; `profile show --settings`
// agrees with the screen.
func TestClientAndProviderAdviceInTUI(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: runs the onramp binary in tmux")
	}
	testenv.Tool(t, "tmux")
	e := &env{bin: testenv.OnrampBinary(t), cfgDir: t.TempDir()}
	e.startSandbox(t)
	sandboxYAML, err := os.ReadFile(filepath.Join(e.cfgDir, "profiles", "sandbox.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// The sandbox's profile (its practice key is a file: no keyring
	// needed), as the DCS's, without the CA bundle.
	dcs := regexp.MustCompile(`(?m)^provider: .*$`).ReplaceAllString(string(sandboxYAML), "provider: govuk-dcs")
	dcs = regexp.MustCompile(`(?m)^environment: .*$`).ReplaceAllString(dcs, "environment: integration")
	dcs = regexp.MustCompile(`(?m)^cacert: .*\n`).ReplaceAllString(dcs, "")
	if err := os.WriteFile(filepath.Join(e.cfgDir, "profiles", "dcs.yaml"), []byte(dcs), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, code := e.onramp(t, "profile", "set", "dcs", "client", "java"); code != 0 {
		t.Fatalf("profile set client: %d %s", code, out)
	}
	out, code := e.onramp(t, "diagnose", "--profile", "dcs")
	flat := strings.Join(strings.Fields(out), " ")
	if code != 1 || !strings.Contains(flat, "(server-cert-untrusted)") || !strings.Contains(flat, "Fix (Java): Import the provider's CA certificate into a truststore") ||
		!strings.Contains(flat, "Fix (GOV.UK Document Checking Service): The DCS's certificates chain to a private GDS CA") {
		t.Fatalf("diagnose --profile dcs: exit %d\n%s", code, out)
	}

	e.newTerminalSized(t, e.bin+"; sleep 300", 60, 20)
	e.waitFor(t, "Saved connections", 20*time.Second)
	for range 5 {
		e.keys(t, "Down") // past the menu, onto "dcs" (sorted first)
	}
	e.waitFor(t, "▸ dcs", 5*time.Second)
	e.keys(t, "Enter")
	e.waitFor(t, "[server-cert-untrusted]", 30*time.Second)
	// scrollDown reads the report a line at a time, as a user would, to
	// its end; it returns each screen, words joined.
	scrollDown := func() []string {
		var screens []string
		for range 60 {
			scr := e.screen(t)
			for _, l := range strings.Split(scr, "\n") {
				if len([]rune(strings.TrimRight(l, " "))) > 60 {
					t.Errorf("a line wider than 60: %q", l)
				}
			}
			screens = append(screens, strings.Join(strings.Fields(scr), " "))
			if strings.Contains(scr, "(end; scroll back up") {
				return screens
			}
			e.pressAndWait(t, scr, "j", 5*time.Second)
		}
		t.Fatalf("never reached the end of the report:\n%s", e.screen(t))
		return nil
	}
	seen := func(screens []string, phrase string) bool {
		for _, s := range screens {
			if strings.Contains(s, phrase) {
				return true
			}
		}
		return false
	}
	screens := scrollDown()
	for _, want := range []string{"Fix: Pass the provider's CA bundle", "Fix (Java):", "Import the provider's CA certificate into a truststore",
		"keytool -importcert -alias provider-ca", "Fix (GOV.UK Document Checking Service): The DCS's certificates chain to a private GDS CA"} {
		if !seen(screens, want) {
			t.Errorf("scrolling the failed check at 60x20, never saw %q; the end:\n%s", want, e.screen(t))
		}
	}

	e.keys(t, "e")
	e.waitFor(t, "Profile · dcs", 5*time.Second)
	for range 40 {
		e.keys(t, "Down") // the list stops at its last row: the client
	}
	e.waitFor(t, "▸ Your client", 5*time.Second)
	e.keys(t, "Enter")
	e.waitFor(t, "Your client of dcs", 5*time.Second)
	e.selectOption(t, "python")
	e.waitFor(t, "✓ Set client to python", 5*time.Second)
	e.keys(t, "r")
	e.waitFor(t, "[server-cert-untrusted]", 30*time.Second)
	screens = scrollDown()
	if !seen(screens, "Fix (Python):") || !seen(screens, `verify="/path/ca.pem"`) || seen(screens, "keytool") {
		t.Errorf("after switching to Python, the end:\n%s", e.screen(t))
	}

	out, _ = e.onramp(t, "profile", "show", "dcs", "--settings")
	if !regexp.MustCompile(`(?m)^client\s+python\s+set in the profile$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^cacert\s+-\s+not set: onramp uses the system's trusted roots$`).MatchString(out) {
		t.Errorf("profile show --settings:\n%s", out)
	}
}
