package e2e

import (
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testenv"
)

// history is the terminal's scrollback and screen: line mode scrolls.
func (e *env) history(t *testing.T) string {
	return e.tmux(t, "capture-pane", "-p", "-S", "-2000", "-t", "e2e")
}

// waitForCount waits until the scrollback shows want n times.
func (e *env) waitForCount(t *testing.T, want string, n int, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	h := ""
	for time.Now().Before(deadline) {
		if h = e.history(t); strings.Count(h, want) >= n {
			return h
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the terminal never showed %q %d times; it shows:\n%s", want, n, h)
	return ""
}

// answer types a line at a line-mode prompt.
func (e *env) answer(t *testing.T, s string) {
	t.Helper()
	if s != "" {
		e.typeText(t, s)
	}
	e.keys(t, "Enter")
}

// `onramp init --accessible` in a real terminal with no D-Bus at all:
// "<" goes back at a choice, at a typed answer and at the masked API key
// (read from the terminal itself), over the note with the CSR, and from
// the certificate back into the API key step (its last question, then the
// key); the wizard still ends connected against the running sandbox.
func TestAccessibleWizardGoesBack(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: runs the onramp binary in tmux")
	}
	testenv.Tool(t, "tmux")
	e := &env{bin: testenv.OnrampBinary(t), cfgDir: t.TempDir(), noBus: true}
	addr := e.startSandbox(t)
	key := e.practiceKey(t)
	e.newTerminal(t, e.bin+" init --accessible --profile acc; echo \"EXIT=$?\"; sleep 300")

	scr := e.waitFor(t, "Enter a number from 1 to", 20*time.Second)
	m := regexp.MustCompile(`(\d+)\. onramp practice API`).FindStringSubmatch(scr)
	if m == nil {
		t.Fatalf("no practice API to choose:\n%s", scr)
	}
	if strings.Contains(scr, "goes back") {
		t.Errorf("back offered at the first question:\n%s", scr)
	}
	e.answer(t, m[1])
	scr = e.waitFor(t, "Answer (enter keeps https://", 10*time.Second)
	u := regexp.MustCompile(`enter keeps (https://\S+)\)`).FindStringSubmatch(scr)
	_, port, _ := net.SplitHostPort(addr)
	if u == nil || !strings.Contains(u[1], ":"+port+"/") {
		t.Fatalf("the running sandbox's URL is not offered:\n%s", scr)
	}
	e.answer(t, "https://localhost:1/typo")
	e.waitFor(t, "Your private key", 10*time.Second)
	e.answer(t, "<") // a choice: back to the URL, the answer given offered
	e.waitFor(t, "Answer (enter keeps https://localhost:1/typo) (< goes back):", 10*time.Second)
	e.answer(t, u[1])
	e.waitForCount(t, "Your private key", 2, 10*time.Second)
	e.answer(t, "") // generate
	e.waitFor(t, "Certificate subject for the CSR", 10*time.Second)
	e.answer(t, "")
	e.waitFor(t, "Paste your API key", 60*time.Second) // an RSA key
	e.answer(t, "<")                                   // masked: back over the CSR note to the subject
	e.waitForCount(t, "Certificate subject for the CSR", 2, 10*time.Second)
	e.answer(t, "")
	e.waitForCount(t, "Paste your API key", 2, 60*time.Second)
	e.answer(t, key)
	e.waitFor(t, "No OS keyring answers here", 20*time.Second)
	e.answer(t, "2") // go on without storing it
	e.waitFor(t, "Your client certificate", 20*time.Second)
	e.answer(t, "<") // the certificate: back to the API key step's last question
	e.waitForCount(t, "No OS keyring answers here", 2, 20*time.Second)
	e.waitFor(t, "or nothing for 2 (< goes back):", 5*time.Second) // the answer given offered
	e.answer(t, "<")                                               // and back to the key itself
	e.waitForCount(t, "Paste your API key", 3, 10*time.Second)
	e.answer(t, key)
	e.waitForCount(t, "No OS keyring answers here", 3, 20*time.Second)
	e.answer(t, "2")
	e.waitForCount(t, "Your client certificate", 2, 20*time.Second)
	e.answer(t, "1") // the sandbox issues it
	e.waitFor(t, "EXIT=", 60*time.Second)
	h := e.history(t)
	if !strings.Contains(h, "acc is connected") || !strings.Contains(h, "EXIT=0") {
		t.Errorf("not connected:\n%s", h)
	}
	if n := strings.Count(h, "Send this to onramp practice API"); n != 2 {
		t.Errorf("the CSR note showed %d times, want 2 (a new key after going back):\n%s", n, h)
	}
	if strings.Contains(h, key) {
		t.Errorf("the API key was echoed")
	}
	keys, _ := filepath.Glob(filepath.Join(e.cfgDir, "keys", "acc", "*.key"))
	if len(keys) != 2 {
		t.Errorf("keys: %v", keys)
	}
}

// `onramp init` full-screen in a real terminal at 60×20 with a real
// keyring: shift+tab (the terminal's own back-tab sequence) goes back,
// from the certificate to an API key left empty; every key of the help
// shows, wrapped, none cut with "…"; the wizard ends connected.
func TestWizardBackInTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: runs the onramp binary in tmux")
	}
	testenv.Tool(t, "tmux")
	e := &env{bin: testenv.OnrampBinary(t), cfgDir: t.TempDir()}
	e.needsKeyring(t)
	e.startSandbox(t)
	key := e.practiceKey(t)
	e.newTerminalSized(t, e.bin+" init --profile tui; echo \"EXIT=$?\"; sleep 300", 60, 20)

	e.waitFor(t, "Which API are you connecting to?", 20*time.Second)
	e.selectOption(t, "onramp practice API")
	e.waitFor(t, "What is the API's URL?", 10*time.Second)
	e.keys(t, "Enter")
	e.waitFor(t, "Your private key", 10*time.Second)
	e.keys(t, "BTab") // back to the URL
	e.waitFor(t, "What is the API's URL?", 10*time.Second)
	e.keys(t, "Enter")
	e.waitFor(t, "Your private key", 10*time.Second)
	e.keys(t, "Enter")
	e.waitFor(t, "Certificate subject for the CSR", 10*time.Second)
	e.keys(t, "Enter")
	e.waitFor(t, "Send this to onramp practice API", 60*time.Second)
	e.keys(t, "Enter")
	e.waitFor(t, "Paste your API key", 10*time.Second)
	e.keys(t, "Enter") // not issued yet
	scr := e.waitFor(t, "Your client certificate", 10*time.Second)
	if w := strings.TrimSpace(e.tmux(t, "display", "-p", "-t", "e2e", "#{window_width}x#{window_height}")); w != "60x20" {
		t.Fatalf("the terminal is %s", w)
	}
	lines := strings.Split(strings.TrimRight(scr, "\n"), "\n")
	if strings.Contains(lines[len(lines)-2], "quit") || !strings.Contains(lines[len(lines)-1], "q quit") {
		t.Errorf("the help is not on two lines:\n%s", scr)
	}
	help := strings.Join(lines[len(lines)-2:], " ")
	for _, k := range []string{"enter choose", "shift+tab back", "esc save & leave", "? more keys", "q quit"} {
		if !strings.Contains(help, k) {
			t.Errorf("the help lacks %q:\n%s", k, scr)
		}
	}
	if strings.Contains(scr, "…") {
		t.Errorf("a line is cut:\n%s", scr)
	}
	e.keys(t, "BTab") // back to the API key left empty
	e.waitForPrompt(t, "Paste your API key", 10*time.Second)
	e.typeText(t, key)
	e.keys(t, "Enter")
	e.waitFor(t, "Your client certificate", 15*time.Second)
	e.selectOption(t, "Have the sandbox issue my certificate now")
	e.waitFor(t, "You're connected", 60*time.Second)
	e.keys(t, "Enter")
	scr = e.waitFor(t, "EXIT=", 10*time.Second)
	if !strings.Contains(scr, "EXIT=0") {
		t.Errorf("after the wizard:\n%s", scr)
	}
	if out, code := e.onramp(t, "secret", "ls", "--profile", "tui"); code != 0 || !strings.Contains(out, "api-key") {
		t.Errorf("the key typed after going back is not stored: %d\n%s", code, out)
	}
}

// `onramp --accessible` (line-mode Home) in a real terminal with no D-Bus:
// "<" in Try the sandbox's list and "back" at Explain's prompt return to
// Home's menu, which then quits cleanly.
func TestAccessibleHomeGoesBack(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: runs the onramp binary in tmux")
	}
	testenv.Tool(t, "tmux")
	e := &env{bin: testenv.OnrampBinary(t), cfgDir: t.TempDir(), noBus: true}
	e.newTerminal(t, e.bin+" --accessible; echo \"EXIT=$?\"; sleep 300")
	scr := e.waitFor(t, "onramp: what would you like to do?", 20*time.Second)
	number := func(scr, label string) string {
		m := regexp.MustCompile(`(\d+)\. ` + label + `\n`).FindStringSubmatch(scr)
		if m == nil {
			t.Fatalf("no %q in the menu:\n%s", label, scr)
		}
		return m[1]
	}
	e.answer(t, number(scr, "Try the sandbox"))
	e.waitForCount(t, "(< goes back)", 1, 10*time.Second)
	e.answer(t, "<")
	e.waitForCount(t, "Back to the menu.", 1, 10*time.Second)
	scr = e.waitForCount(t, "onramp: what would you like to do?", 2, 10*time.Second)
	e.answer(t, number(scr, "Explain an error"))
	e.waitForCount(t, "Paste the error message", 1, 10*time.Second)
	e.answer(t, "back")
	e.waitForCount(t, "Back to the menu.", 2, 10*time.Second)
	scr = e.waitForCount(t, "onramp: what would you like to do?", 3, 10*time.Second)
	e.answer(t, number(scr, "Quit"))
	if h := e.waitFor(t, "EXIT=", 10*time.Second); !strings.Contains(h, "EXIT=0") {
		t.Errorf("Quit after going back:\n%s", h)
	}
}
