// Package e2e drives the built onramp binary in a real terminal: tmux runs
// it at 80×24, send-keys types what a new user types, capture-pane reads
// what they see.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testenv"
	"github.com/onramp-cli/onramp/internal/testpki"
)

type env struct {
	bin    string
	cfgDir string
	socket string // the test's own tmux server
	// noBus runs everything with no D-Bus session at all, as over SSH or
	// in a container: no DBUS_SESSION_BUS_ADDRESS and no bus socket in
	// XDG_RUNTIME_DIR.
	noBus bool
	// extra environment for every command.
	extra []string
}

func (e *env) environ() []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "ONRAMP_CONFIG_DIR=") || strings.HasPrefix(kv, "ONRAMP_STORE") || strings.HasPrefix(kv, "TMUX") {
			continue
		}
		if e.noBus && (strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") || strings.HasPrefix(kv, "XDG_RUNTIME_DIR=")) {
			continue
		}
		out = append(out, kv)
	}
	if e.noBus {
		out = append(out, "XDG_RUNTIME_DIR="+filepath.Join(e.cfgDir, "no-bus-runtime"))
	}
	return append(append(out, "ONRAMP_CONFIG_DIR="+e.cfgDir, "TERM=xterm-256color"), e.extra...)
}

// onramp runs a subcommand with a deadline.
func (e *env) onramp(t *testing.T, args ...string) (string, int) {
	t.Helper()
	return e.onrampIn(t, "", args...)
}

// onrampIn runs a subcommand with stdin and a deadline.
func (e *env) onrampIn(t *testing.T, stdin string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = e.environ()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("onramp %v: %v", args, err)
	}
	return out.String() + errOut.String(), code
}

func (e *env) tmux(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "tmux", append([]string{"-S", e.socket}, args...)...)
	cmd.Env = e.environ()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (e *env) screen(t *testing.T) string {
	return e.tmux(t, "capture-pane", "-p", "-t", "e2e")
}

// waitFor waits until the screen shows want, and returns the screen.
func (e *env) waitFor(t *testing.T, want string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	scr := ""
	for time.Now().Before(deadline) {
		scr = e.screen(t)
		if strings.Contains(scr, want) {
			return scr
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the terminal never showed %q; it shows:\n%s", want, scr)
	return ""
}

// waitForField waits until the huh field titled title has the focus (its
// thick left border), so keys typed next land in it: huh moves the focus
// in a Cmd, after the key that left the previous field.
func (e *env) waitForField(t *testing.T, title string, timeout time.Duration) string {
	t.Helper()
	return e.waitUntil(t, "the field "+title+" focused", timeout, func(scr string) bool {
		return hasLine(scr, "┃ "+title)
	})
}

// waitForPrompt waits for a wizard step titled title whose input has the
// focus ("┃ >"), so text typed next lands in it.
func (e *env) waitForPrompt(t *testing.T, title string, timeout time.Duration) string {
	t.Helper()
	return e.waitUntil(t, "a focused input under "+title, timeout, func(scr string) bool {
		return strings.Contains(scr, title) && hasLine(scr, "┃ >")
	})
}

// waitUntil polls the screen until ok holds, and returns it.
func (e *env) waitUntil(t *testing.T, what string, timeout time.Duration, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	scr := ""
	for time.Now().Before(deadline) {
		if scr = e.screen(t); ok(scr) {
			return scr
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the terminal never showed %s; it shows:\n%s", what, scr)
	return ""
}

// hasLine reports whether a line of scr starts with prefix (after spaces).
func hasLine(scr, prefix string) bool {
	for _, l := range strings.Split(scr, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), prefix) {
			return true
		}
	}
	return false
}

// pressAndWait sends a key and waits until the screen is no longer scr
// (the program has handled the key), rather than sleeping.
func (e *env) pressAndWait(t *testing.T, scr, key string, timeout time.Duration) string {
	t.Helper()
	e.keys(t, key)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if now := e.screen(t); now != scr {
			return now
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the terminal did not change after %s:\n%s", key, scr)
	return ""
}

func (e *env) keys(t *testing.T, keys ...string) {
	t.Helper()
	e.tmux(t, append([]string{"send-keys", "-t", "e2e"}, keys...)...)
}

// typeText types literally (no key names).
func (e *env) typeText(t *testing.T, s string) {
	t.Helper()
	e.tmux(t, "send-keys", "-t", "e2e", "-l", s)
}

// selectOption moves a huh select down until the cursor is on label:
// after each Down it waits for the cursor's line to change, so no key is
// sent on a screen the program has not drawn yet.
func (e *env) selectOption(t *testing.T, label string) {
	t.Helper()
	scr := e.waitUntil(t, "a select's cursor", 5*time.Second, func(scr string) bool { return selectCursor(scr) != "" })
	for range 12 {
		at := selectCursor(scr)
		if at == "> "+label {
			e.keys(t, "Enter")
			return
		}
		e.keys(t, "Down")
		scr = e.waitUntil(t, "the cursor move from "+at, 5*time.Second, func(scr string) bool {
			now := selectCursor(scr)
			return now != "" && now != at
		})
	}
	t.Fatalf("no option %q:\n%s", label, scr)
}

// selectCursor is the option a huh select's cursor is on ("> label").
func selectCursor(scr string) string {
	for _, l := range strings.Split(scr, "\n") {
		l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "┃"))
		if strings.HasPrefix(l, "> ") {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

func freeAddr(t *testing.T) string { return "127.0.0.1:" + testpki.FreePort(t) }

// startSandbox runs `onramp sandbox` on a free loopback port until the
// test ends.
func (e *env) startSandbox(t *testing.T) string {
	t.Helper()
	addr := freeAddr(t)
	stderr := &testenv.Buffer{}
	args := []string{"sandbox", "--addr", addr}
	if help, _ := e.onramp(t, "sandbox", "--help"); strings.Contains(help, "--apim-addr") {
		// The token API's own port: the default (the next port) may be taken.
		args = append(args, "--apim-addr", "127.0.0.1:0")
	}
	cmd := exec.Command(e.bin, args...)
	cmd.Env = e.environ()
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stderr.String(), "Press ctrl+c to stop.") {
		select {
		case err := <-done:
			t.Fatalf("onramp sandbox exited: %v\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("onramp sandbox not ready after 30s:\n%s", stderr.String())
		}
	}
	return addr
}

// needsKeyring skips unless the OS keyring answers; under `make test`
// (scripts/with-secret-service.sh sets ONRAMP_TEST_SECRET_SERVICE=1) it
// must answer, so there a missing keyring fails the test instead.
func (e *env) needsKeyring(t *testing.T) {
	t.Helper()
	name := fmt.Sprintf("e2e-probe-%d", time.Now().UnixNano())
	cmd := exec.Command(e.bin, "secret", "set", name, "--profile", "e2e-probe")
	cmd.Env = e.environ()
	cmd.Stdin = strings.NewReader("x")
	out, err := cmd.CombinedOutput()
	if err == nil {
		e.onramp(t, "secret", "rm", name, "--profile", "e2e-probe", "--yes")
		os.Remove(filepath.Join(e.cfgDir, "profiles", "e2e-probe.yaml"))
		return
	}
	if os.Getenv("ONRAMP_TEST_SECRET_SERVICE") == "1" {
		t.Fatalf("ONRAMP_TEST_SECRET_SERVICE=1 but the keyring does not answer: %v\n%s", err, out)
	}
	t.Skipf("no OS keyring answers (run it with `make e2e`): %s", out)
}

// newTerminal starts the test's own tmux server with an 80×24 window
// running command; the server is killed when the test ends.
func (e *env) newTerminal(t *testing.T, command string) {
	t.Helper()
	e.newTerminalSized(t, command, 80, 24)
}

// newTerminalSized runs command in a tmux terminal of w×h from the start:
// a resize while the program starts can be lost before it listens for
// one.
func (e *env) newTerminalSized(t *testing.T, command string, w, h int) {
	t.Helper()
	// A short socket path: unix sockets are limited to ~100 bytes.
	sockDir, err := os.MkdirTemp("", "onramp-e2e")
	if err != nil {
		t.Fatal(err)
	}
	e.socket = filepath.Join(sockDir, "tmux")
	e.tmux(t, "new-session", "-d", "-s", "e2e", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), command)
	t.Cleanup(func() {
		exec.Command("tmux", "-S", e.socket, "kill-server").Run()
		os.RemoveAll(sockDir)
	})
}

// TestHomeQuitRestoresTerminal: `onramp` opens Home full-screen; q leaves
// it with the shell's screen back and exit status 0.
func TestHomeQuitRestoresTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: runs the onramp binary in tmux")
	}
	testenv.Tool(t, "tmux")
	e := &env{bin: testenv.OnrampBinary(t), cfgDir: t.TempDir()}
	e.newTerminal(t, "echo before; "+e.bin+"; echo \"EXIT=$?\"; sleep 300")
	scr := e.waitFor(t, "Saved connections", 20*time.Second)
	for _, want := range []string{"onramp › Home", "Set up a connection", "Diagnose a connection", "Explain an error", "Credentials", "Try the sandbox", "q quit"} {
		if !strings.Contains(scr, want) {
			t.Errorf("home lacks %q:\n%s", want, scr)
		}
	}
	if strings.Contains(scr, "before") {
		t.Errorf("home is not on the alternate screen:\n%s", scr)
	}
	e.keys(t, "q")
	scr = e.waitFor(t, "EXIT=0", 10*time.Second)
	if !strings.Contains(scr, "before") || strings.Contains(scr, "Saved connections") {
		t.Errorf("the terminal was not restored:\n%s", scr)
	}
}

// TestWizardAgainstSandbox walks `onramp init` from nothing to a green
// connection against the sandbox: generate a key and CSR, the sandbox
// issues the certificate, import it, store the API key, run the checks.
func TestWizardAgainstSandbox(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: runs the onramp binary in tmux")
	}
	testenv.Tool(t, "tmux")
	// A short config path, so the curl command on the final screen fits
	// 80 columns unwrapped, as it would for a user's ~/.config/onramp.
	cfgDir, err := os.MkdirTemp("", "oe2e")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(cfgDir) })
	e := &env{bin: testenv.OnrampBinary(t), cfgDir: cfgDir}
	e.needsKeyring(t)
	addr := e.startSandbox(t)
	apiKey := e.practiceKey(t)

	e.newTerminal(t, e.bin+" init; echo \"EXIT=$?\"; sleep 300")

	scr := e.waitFor(t, "Which API are you connecting to?", 20*time.Second)
	// Six templates with different totals: no total before the pick.
	if !strings.Contains(scr, "onramp › Set up a connection") || !strings.Contains(scr, "esc save & leave") || !strings.Contains(scr, "Step 1 · Provider") {
		t.Errorf("first screen:\n%s", scr)
	}
	e.selectOption(t, "onramp practice API")

	scr = e.waitFor(t, "What is the API's URL?", 10*time.Second)
	_, port, _ := net.SplitHostPort(addr)
	if !strings.Contains(scr, "Step 1 of 6 · Provider") {
		t.Errorf("no settled total once the sandbox is picked:\n%s", scr)
	}
	if !strings.Contains(scr, ":"+port+"/") {
		t.Errorf("the URL is not the running sandbox's (port %s):\n%s", port, scr)
	}
	e.keys(t, "Enter")

	e.waitFor(t, "Name this connection", 10*time.Second)
	e.waitFor(t, "> practice", 5*time.Second)
	e.keys(t, "Enter")

	// The step counter: the sandbox's six steps (no auth screen: it takes
	// mutual TLS and an API key), numbered without a gap.
	steps := []string{e.waitFor(t, "Your private key", 10*time.Second)}
	e.keys(t, "Enter") // generate

	scr = e.waitFor(t, "Certificate subject for the CSR", 10*time.Second)
	if !strings.Contains(scr, "CN=practice-client") {
		t.Errorf("subject not pre-filled:\n%s", scr)
	}
	e.keys(t, "Enter")

	scr = e.waitFor(t, "Send this to onramp practice API", 60*time.Second)
	steps = append(steps, scr)
	csr := filepath.Join(e.cfgDir, "keys", "practice", "client.csr")
	if !strings.Contains(scr, "client.csr") {
		t.Errorf("the CSR path is not shown:\n%s", scr)
	}
	if _, err := os.Stat(csr); err != nil {
		t.Fatalf("no CSR written: %v", err)
	}
	if st, err := os.Stat(filepath.Join(e.cfgDir, "keys", "practice", "client.key")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("private key: %v %v", st, err)
	}
	e.keys(t, "Enter")

	steps = append(steps, e.waitForPrompt(t, "Paste your API key", 10*time.Second))
	e.typeText(t, apiKey)
	scr = e.waitFor(t, strings.Repeat("*", len(apiKey)), 5*time.Second)
	if strings.Contains(scr, apiKey) {
		t.Fatal("the API key is shown on screen")
	}
	e.keys(t, "Enter")

	steps = append(steps, e.waitFor(t, "Your client certificate", 15*time.Second))
	e.selectOption(t, "Have the sandbox issue my certificate now")
	for i, want := range []string{"Step 2 of 6 · Keys", "Step 3 of 6 · Send to the provider", "Step 4 of 6 · API key", "Step 5 of 6 · Certificate"} {
		if !strings.Contains(steps[i], want) {
			t.Errorf("screen %d lacks %q:\n%s", i, want, steps[i])
		}
	}

	scr = e.waitFor(t, "You're connected", 60*time.Second)
	for _, want := range []string{"onramp diagnose --profile practice", "curl", "--cert", "x-api-key: %s", "$(onramp secret get api-key --profile practice)", "-H @-"} {
		if !strings.Contains(scr, want) {
			t.Errorf("final screen lacks %q:\n%s", want, scr)
		}
	}
	// The curl command on the screen works as shown.
	if code := e.runShownCurl(t, scr); code != "200" {
		t.Errorf("the curl command shown answers %q, want 200", code)
	}
	e.keys(t, "Enter")
	scr = e.waitFor(t, "EXIT=", 10*time.Second)
	if !strings.Contains(scr, "EXIT=0") || !strings.Contains(scr, "practice is connected") {
		t.Errorf("after the wizard:\n%s", scr)
	}

	// What the wizard set up works on its own.
	out, code := e.onramp(t, "diagnose", "--profile", "practice")
	if code != 0 {
		t.Errorf("onramp diagnose --profile practice: exit %d\n%s", code, out)
	}
	prof, err := os.ReadFile(filepath.Join(e.cfgDir, "profiles", "practice.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(prof), apiKey) {
		t.Fatal("the API key was written to the profile")
	}
}

// practiceKey is the sandbox's API key, from the file its banner names.
func (e *env) practiceKey(t *testing.T) string {
	t.Helper()
	key, err := os.ReadFile(filepath.Join(e.cfgDir, "sandbox", "api-key"))
	if err != nil || len(key) == 0 {
		t.Fatalf("the sandbox's practice key: %v", err)
	}
	return strings.TrimSpace(string(key))
}

// runShownCurl runs the command a screen shows under "Call the API with
// curl:" (up to the next blank line), exactly as a user would paste it, and
// returns the HTTP status.
func (e *env) runShownCurl(t *testing.T, scr string) string {
	t.Helper()
	command := shownCommand(t, scr, "Call the API with curl:") + " -sS -o /dev/null -w '%{http_code}'"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", command)
	// $(onramp secret get ...) in the command needs this onramp on the PATH.
	binDir := t.TempDir()
	if err := os.Symlink(e.bin, filepath.Join(binDir, "onramp")); err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(e.environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.Output()
	if err != nil {
		t.Errorf("%s: %v", command, err)
	}
	return strings.TrimSpace(string(out))
}

// shownCommand is the command a screen shows under header (up to the next
// blank line), its lines as a user selects them in the terminal.
func shownCommand(t *testing.T, scr, header string) string {
	t.Helper()
	var parts []string
	in := false
	for _, l := range strings.Split(scr, "\n") {
		if strings.Contains(l, header) {
			in = true
			continue
		}
		if !in {
			continue
		}
		if strings.TrimSpace(l) == "" {
			break
		}
		parts = append(parts, strings.TrimSpace(l))
	}
	if len(parts) == 0 {
		t.Fatalf("no command under %q on the screen:\n%s", header, scr)
	}
	return strings.Join(parts, "\n")
}

// TestInitWithoutTerminal: piped, `onramp init` exits 2 and names the
// subcommands that do the same.
func TestInitWithoutTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: runs the onramp binary")
	}
	e := &env{bin: testenv.OnrampBinary(t), cfgDir: t.TempDir()}
	out, code := e.onramp(t, "init")
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	for _, want := range []string{"onramp keygen", "onramp import", "onramp secret set", "onramp diagnose"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
