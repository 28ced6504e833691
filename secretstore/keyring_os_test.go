package secretstore

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// Real-keyring tests. Under `make test` (scripts/with-secret-service.sh sets
// ONRAMP_TEST_SECRET_SERVICE=1) and in CI they must run: a missing Secret
// Service fails them instead of skipping.

func TestMain(m *testing.M) {
	// The test binary doubles as a keyring client on another D-Bus: go-keyring
	// (godbus) caches the session bus per process, so a different bus needs a
	// different process.
	if op := os.Getenv("ONRAMP_KEYRING_CHILD"); op != "" {
		os.Exit(keyringChild(op))
	}
	if path := os.Getenv("ONRAMP_FILESTORE_CHILD"); path != "" {
		os.Exit(fileStoreChild(path))
	}
	os.Exit(m.Run())
}

type childResult struct {
	ID  string  `json:"id"`
	MS  float64 `json:"ms"`
	Err string  `json:"err"`
	Fix string  `json:"fix"`
}

func keyringChild(op string) int {
	timeout, _ := time.ParseDuration(os.Getenv("ONRAMP_KEYRING_TIMEOUT"))
	k := OSKeyring{Timeout: timeout}
	start := time.Now()
	var err error
	switch op {
	case "set":
		err = k.Set("child", "probe", "child-value")
	case "get":
		_, err = k.Get("child", "probe")
	}
	r := childResult{MS: float64(time.Since(start).Microseconds()) / 1000}
	if err != nil {
		r.ID, r.Err = CauseIDOf(err), err.Error()
		var ke *Error
		if errors.As(err, &ke) {
			r.Fix = ke.Fix
		}
		if r.ID == "" {
			r.ID = "unmapped"
		}
	}
	_ = json.NewEncoder(os.Stdout).Encode(r)
	return 0
}

// runChild runs one keyring operation in a child process on the given bus.
func runChild(t *testing.T, op, busAddr string, timeout time.Duration) (childResult, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout+10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "ONRAMP_KEYRING_CHILD="+op, "ONRAMP_KEYRING_TIMEOUT="+timeout.String(),
		"DBUS_SESSION_BUS_ADDRESS="+busAddr)
	start := time.Now()
	out, err := cmd.Output()
	took := time.Since(start)
	if err != nil {
		t.Fatalf("child %s: %v (after %s)", op, err, took)
	}
	var r childResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("child %s output %q: %v", op, out, err)
	}
	return r, took
}

func keyringRequired() bool {
	return os.Getenv("ONRAMP_TEST_SECRET_SERVICE") == "1" || os.Getenv("CI") == "true"
}

// needTools fails (when the real keyring is required) or skips without them.
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if keyringRequired() {
				t.Fatalf("%s is missing (apt-get install gnome-keyring dbus-x11 libsecret-tools)", tool)
			}
			t.Skipf("%s is missing", tool)
		}
	}
}

func nameOwned(ctx context.Context, busAddr, name string) bool {
	cmd := exec.CommandContext(ctx, "dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
		"/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", "string:"+name)
	cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+busAddr)
	out, err := cmd.Output()
	return err == nil && strings.Contains(string(out), "boolean true")
}

// requireSecretService skips, or fails when the real keyring is required,
// unless a Secret Service answers on the session bus.
func requireSecretService(t *testing.T) {
	t.Helper()
	needTools(t, "dbus-send")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" || !nameOwned(ctx, addr, "org.freedesktop.secrets") {
		if keyringRequired() {
			t.Fatal("no Secret Service on the session bus, but ONRAMP_TEST_SECRET_SERVICE=1 or CI=true: run the tests under scripts/with-secret-service.sh")
		}
		t.Skip("no Secret Service on the session bus (run `make test` for the real-keyring tests)")
	}
}

func uniqueProfile(t *testing.T) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "test-" + hex.EncodeToString(b)
}

func TestOSKeyringRoundTrip(t *testing.T) {
	requireSecretService(t)
	k := OSKeyring{}
	p := uniqueProfile(t)
	t.Cleanup(func() { _ = k.Delete(p, "api-key") })
	if _, err := k.Get(p, "api-key"); CauseIDOf(err) != "keyring-secret-missing" {
		t.Fatalf("get before set: %v", err)
	}
	for _, v := range []string{"first value", "second \u00e9 value with unicode"} {
		if err := k.Set(p, "api-key", v); err != nil {
			t.Fatal(err)
		}
		if got, err := k.Get(p, "api-key"); err != nil || got != v {
			t.Fatalf("get = %q, %v; want %q", got, err, v)
		}
	}
	if err := k.Delete(p, "api-key"); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete(p, "api-key"); CauseIDOf(err) != "keyring-secret-missing" {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := k.Get(p, "api-key"); CauseIDOf(err) != "keyring-secret-missing" {
		t.Fatalf("get after delete: %v", err)
	}
}

func TestSecretToolSeesWhatOnrampWrote(t *testing.T) {
	requireSecretService(t)
	needTools(t, "secret-tool")
	k := OSKeyring{}
	p := uniqueProfile(t)
	t.Cleanup(func() { _ = k.Delete(p, "api-key"); _ = k.Delete(p, "from-tool") })

	if err := k.Set(p, "api-key", "written-by-onramp"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "secret-tool", "lookup", "service", "onramp", "username", p+"/api-key").Output()
	if err != nil || string(out) != "written-by-onramp" {
		t.Fatalf("secret-tool lookup = %q, %v", out, err)
	}

	store := exec.CommandContext(ctx, "secret-tool", "store", "--label=onramp test", "service", "onramp", "username", p+"/from-tool")
	store.Stdin = strings.NewReader("written-by-secret-tool")
	if out, err := store.CombinedOutput(); err != nil {
		t.Fatalf("secret-tool store: %v %s", err, out)
	}
	if got, err := k.Get(p, "from-tool"); err != nil || got != "written-by-secret-tool" {
		t.Fatalf("onramp reads secret-tool's item: %q, %v", got, err)
	}
}

// privateBus starts a dbus-daemon of our own, with no service activation
// (so nothing answers for org.freedesktop.secrets unless we start it), and
// returns its address. The daemon is killed at cleanup.
func privateBus(t *testing.T) string {
	t.Helper()
	needTools(t, "dbus-daemon")
	dir := t.TempDir()
	conf := filepath.Join(dir, "bus.conf")
	err := os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=`+dir+`</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("dbus-daemon", "--config-file="+conf, "--print-address=1", "--nofork")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addrCh := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		addrCh <- strings.TrimSpace(line)
	}()
	select {
	case addr := <-addrCh:
		if addr == "" {
			t.Fatal("dbus-daemon printed no address")
		}
		return addr
	case <-time.After(10 * time.Second):
		t.Fatal("dbus-daemon did not start within 10s")
	}
	return ""
}

func TestKeyringUnavailableWithoutSecretService(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a D-Bus daemon")
	}
	const timeout = 3 * time.Second
	// A session bus on which nobody owns org.freedesktop.secrets.
	addr := privateBus(t)
	r, took := runChild(t, "get", addr, timeout)
	if r.ID != "keyring-unavailable" {
		t.Fatalf("no Secret Service: id %q (%s), want keyring-unavailable", r.ID, r.Err)
	}
	if took > timeout+2*time.Second {
		t.Fatalf("took %s to say the keyring is unavailable", took)
	}
	t.Logf("no Secret Service on the bus: keyring-unavailable in %.1f ms (%s)", r.MS, r.Err)

	// No session bus at all: unavailable at once, and no bus is autolaunched.
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(withoutEnv(os.Environ(), "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"), "ONRAMP_KEYRING_CHILD=get", "ONRAMP_KEYRING_TIMEOUT=3s")
	out, err := cmd.Output()
	var nr childResult
	if err != nil || json.Unmarshal(out, &nr) != nil || nr.ID != "keyring-unavailable" || !strings.Contains(nr.Err, "DBUS_SESSION_BUS_ADDRESS") || nr.MS > 100 {
		t.Fatalf("no session bus: %v %s", err, out)
	}

	// A bus address nothing listens on.
	r, _ = runChild(t, "get", "unix:path="+filepath.Join(t.TempDir(), "no-bus"), timeout)
	if r.ID != "keyring-unavailable" || r.MS > float64(timeout.Milliseconds()) {
		t.Fatalf("no D-Bus: id %q in %.0f ms (%s)", r.ID, r.MS, r.Err)
	}
}

// startKeyringDaemon starts a gnome-keyring-daemon of the test's own on the
// bus (unlocked with a password when unlock is true) and waits until it owns
// org.freedesktop.secrets.
func startKeyringDaemon(t *testing.T, addr string, unlock bool) *exec.Cmd {
	t.Helper()
	home := t.TempDir()
	runDir := filepath.Join(home, "run")
	if err := os.Mkdir(runDir, 0o700); err != nil {
		t.Fatal(err)
	}
	args := []string{"--foreground", "--components=secrets"}
	if unlock {
		args = append(args, "--unlock")
	}
	gk := exec.Command("gnome-keyring-daemon", args...)
	gk.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+addr, "HOME="+home,
		"XDG_DATA_HOME="+filepath.Join(home, "share"), "XDG_RUNTIME_DIR="+runDir)
	if unlock {
		gk.Stdin = strings.NewReader("onramp-test-password")
	}
	if err := gk.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = gk.Process.Signal(syscall.SIGCONT)
		_ = gk.Process.Kill()
		_ = gk.Wait()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for !nameOwned(ctx, addr, "org.freedesktop.secrets") {
		if ctx.Err() != nil {
			t.Fatal("the test's gnome-keyring-daemon never registered org.freedesktop.secrets")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return gk
}

func TestLockedKeyringIsUnavailableNotAHang(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a D-Bus daemon and a gnome-keyring-daemon")
	}
	needTools(t, "gnome-keyring-daemon", "dbus-send")
	addr := privateBus(t)
	// Never unlocked: there is no login keyring, and creating one needs a
	// password prompt that no one can answer here.
	startKeyringDaemon(t, addr, false)
	const timeout = 2 * time.Second
	r, _ := runChild(t, "set", addr, timeout)
	if r.ID != "keyring-unavailable" || !strings.Contains(r.Fix, "--unlock") {
		t.Fatalf("locked keyring: id %q (%s; fix %q), want keyring-unavailable with how to unlock", r.ID, r.Err, r.Fix)
	}
	if r.MS > float64((timeout + time.Second).Milliseconds()) {
		t.Fatalf("locked keyring answered after %.0f ms", r.MS)
	}
	t.Logf("locked keyring: keyring-unavailable after %.0f ms (%s)", r.MS, r.Err)
}

func TestFrozenSecretServiceTimesOut(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a D-Bus daemon and a gnome-keyring-daemon")
	}
	needTools(t, "gnome-keyring-daemon", "dbus-send")
	addr := privateBus(t)

	// A dedicated gnome-keyring-daemon on the private bus, so freezing it
	// cannot disturb the shared one other tests use.
	gk := startKeyringDaemon(t, addr, true)
	// It works while running.
	if r, _ := runChild(t, "set", addr, 5*time.Second); r.ID != "" {
		t.Fatalf("set on the running daemon: %s (%s)", r.ID, r.Err)
	}

	if err := gk.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	const timeout = time.Second
	r, took := runChild(t, "get", addr, timeout)
	if r.ID != "keyring-unavailable" || !strings.Contains(r.Err, "no answer within") {
		t.Fatalf("frozen Secret Service: id %q (%s), want a keyring-unavailable timeout", r.ID, r.Err)
	}
	if r.MS > float64((timeout + time.Second).Milliseconds()) {
		t.Fatalf("the call returned after %.0f ms, want about %s", r.MS, timeout)
	}
	t.Logf("frozen Secret Service: keyring-unavailable after %.0f ms (child process %s)", r.MS, took)
}

// Pure unit tests of the error mapping use go-keyring's mock backend. The
// mock replaces go-keyring's backend for the whole process, so the test runs
// itself in a child process and the real-keyring tests stay real.
func TestKeyringErrorMapping(t *testing.T) {
	if os.Getenv("ONRAMP_KEYRING_MOCK_CHILD") != "1" {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestKeyringErrorMapping$", "-test.v")
		cmd.Env = append(os.Environ(), "ONRAMP_KEYRING_MOCK_CHILD=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestKeyringErrorMapping") {
			t.Fatalf("mock keyring tests: %v\n%s", err, out)
		}
		return
	}
	cases := []struct {
		err  error
		want string
	}{
		{keyring.ErrNotFound, "keyring-secret-missing"},
		{keyring.ErrSetDataTooBig, "keyring-item-too-large"},
		{errors.New("The name org.freedesktop.secrets was not provided by any .service files"), "keyring-unavailable"},
	}
	for _, c := range cases {
		keyring.MockInitWithError(c.err)
		err := OSKeyring{}.Set("p", "n", "v")
		var ke *Error
		if !errors.As(err, &ke) || string(ke.ID) != c.want || ke.Item != "p/n" {
			t.Errorf("%v -> %v, want %s", c.err, err, c.want)
		}
		if ke != nil && ke.Fix == "" {
			t.Errorf("%s: no fix", ke.ID)
		}
	}
	keyring.MockInit()
	k := OSKeyring{}
	if err := k.Set("p", "n", "v"); err != nil {
		t.Fatal(err)
	}
	if v, err := k.Get("p", "n"); err != nil || v != "v" {
		t.Fatalf("mock round trip: %q %v", v, err)
	}
	_, err := k.Get("p", "other")
	if CauseIDOf(err) != "keyring-secret-missing" || !strings.Contains(fmt.Sprint((err.(*Error)).Fix), "onramp secret set other --profile p") {
		t.Fatalf("missing: %v", err)
	}
}

func withoutEnv(env []string, names ...string) []string {
	var out []string
outer:
	for _, e := range env {
		for _, n := range names {
			if strings.HasPrefix(e, n+"=") {
				continue outer
			}
		}
		out = append(out, e)
	}
	return out
}
