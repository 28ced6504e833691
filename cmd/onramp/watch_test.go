package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/testenv"
	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/monitor"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/sandbox"
)

func saveProfile(t *testing.T, p *profile.Profile) {
	t.Helper()
	if err := profile.Save(p); err != nil {
		t.Fatal(err)
	}
}

// closedPortURL is an https URL where nothing listens.
func closedPortURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return "https://" + ln.Addr().String() + "/"
}

func TestStatusExitStatus(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	kr := testkeyring.New()
	if r := runCmdStore(t, kr, "", false, "status"); r.code != 0 || !strings.Contains(r.errOut, "No profiles yet") {
		t.Fatalf("no profiles: %+v", r)
	}
	dir := t.TempDir()
	ca := testpki.NewCA(t, "Status CA")
	fineCert, fineKey := ca.Client(t, testpki.Options{NotAfter: time.Now().Add(200*24*time.Hour + time.Hour)}).Files(t, dir, "fine")
	soonCert, soonKey := ca.Client(t, testpki.Options{NotAfter: time.Now().Add(10*24*time.Hour + time.Hour)}).Files(t, dir, "soon")
	saveProfile(t, &profile.Profile{Name: "dcs", URL: "https://dcs.example.test/", Cert: fineCert, Key: fineKey,
		LastCheck: &profile.Check{At: time.Now().Add(-time.Hour), OK: true}})

	r := runCmdStore(t, kr, "", false, "status")
	if r.code != 0 || !strings.Contains(r.out, "dcs") || !strings.Contains(r.out, "200 days left") {
		t.Fatalf("all well: %+v", r)
	}

	saveProfile(t, &profile.Profile{Name: "hmpps", URL: "https://hmpps.example.test/", Cert: soonCert, Key: soonKey})
	r = runCmdStore(t, kr, "", false, "status")
	if r.code != 1 || !strings.Contains(r.out, "! hmpps: client certificate expires in 10 days: onramp renew --profile hmpps") {
		t.Fatalf("expiring within 30 days: %+v", r)
	}
	if r := runCmdStore(t, kr, "", false, "status", "--expires-in", "7d"); r.code != 0 {
		t.Fatalf("--expires-in 7d: %+v", r)
	}
	r = runCmdStore(t, kr, "", false, "status", "--json", "--profile", "hmpps")
	var got struct {
		OK       bool
		Profiles []monitor.ProfileStatus
	}
	if err := json.Unmarshal([]byte(r.out), &got); err != nil || r.code != 1 || got.OK || len(got.Profiles) != 1 ||
		got.Profiles[0].ClientCert.DaysLeft != 10 || len(got.Profiles[0].Attention) != 1 {
		t.Fatalf("--json: %v %+v", err, r)
	}
	for _, args := range [][]string{{"status", "--expires-in", "soon"}, {"status", "--profile", "nope"}, {"status", "extra"}} {
		if r := runCmdStore(t, kr, "", false, args...); r.code != 2 || r.errOut == "" {
			t.Errorf("%v: %+v, want a usage error", args, r)
		}
	}
}

func TestWatchFlagErrors(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	for _, args := range [][]string{
		{"watch", "--interval", "0s"},
		{"watch", "--interval", "10s", "--jitter", "10s"},
		{"watch", "--concurrency", "0"},
		{"watch", "--once"},
		{"watch", "--listen", "9469"},
		{"watch", "--listen", ""},
		{"watch", "--textfile", filepath.Join(t.TempDir(), "missing")},
		{"watch", "--profile", "nope"},
	} {
		r := runCmdStore(t, testkeyring.New(), "", false, args...)
		if r.code != 2 || !strings.Contains(r.errOut, "--") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and a message naming the flag", args, r.code, r.errOut)
		}
	}
}

// TestWatchOnceTextfile: one round over the sandbox and a server that is
// down, written for node_exporter, each result recorded for onramp status.
func TestWatchOnceTextfile(t *testing.T) {
	kr := testkeyring.New()
	startTestSandbox(t, kr)
	dir := t.TempDir()
	r := runCmdStore(t, kr, "", false, "watch", "--once", "--textfile", dir, "--profile", sandbox.ProfileName)
	data, _ := os.ReadFile(filepath.Join(dir, monitor.TextfileName))
	if r.code != 0 || !strings.Contains(string(data), `onramp_check_success{profile="sandbox"} 1`) {
		t.Fatalf("sandbox round: %+v\n%s", r, data)
	}

	saveProfile(t, &profile.Profile{Name: "down", URL: closedPortURL(t)})
	r = runCmdStore(t, kr, "", false, "watch", "--once", "--textfile", dir)
	data, _ = os.ReadFile(filepath.Join(dir, monitor.TextfileName))
	if r.code != 1 || !strings.Contains(string(data), `onramp_check_failure{cause="tcp-refused",profile="down",step="tcp"} 1`) ||
		!strings.Contains(r.errOut, "profile down:") {
		t.Fatalf("round with a failing profile: %+v\n%s", r, data)
	}
	p, err := profile.Load("down")
	if err != nil || p.LastCheck == nil || p.LastCheck.CauseID != cause.TCPRefused {
		t.Fatalf("the watch's check was not recorded: %v %+v", err, p)
	}
	if r := runCmdStore(t, kr, "", false, "status"); r.code != 1 || !strings.Contains(r.out, "✗") || !strings.Contains(r.out, "tcp-refused") {
		t.Errorf("status after the watch: %+v", r)
	}
}

// TestWatchBinaryServesAndStops runs the built binary as a service would:
// it serves /metrics on the port it was given, and stops on SIGTERM.
func TestWatchBinaryServesAndStops(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := testenv.OnrampBinary(t)
	cfg := t.TempDir()
	t.Setenv("ONRAMP_CONFIG_DIR", cfg)
	saveProfile(t, &profile.Profile{Name: "down", URL: closedPortURL(t)})

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "watch", "--listen", "127.0.0.1:0", "--interval", "1s")
	cmd.Env = append(os.Environ(), "ONRAMP_CONFIG_DIR="+cfg, "ONRAMP_STORE=file", "ONRAMP_STORE_PASSPHRASE=test-only")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stderr)
	addr := regexp.MustCompile(`metrics on (http://\S+/metrics)`)
	var url string
	for url == "" && lines.Scan() {
		if m := addr.FindStringSubmatch(lines.Text()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		t.Fatal("onramp watch never said where it listens")
	}
	rest := make(chan string, 1)
	go func() { // the same scanner: it may hold bytes read ahead
		var b strings.Builder
		for lines.Scan() {
			b.WriteString(lines.Text() + "\n")
		}
		rest <- b.String()
	}()

	want := `onramp_check_failure{cause="tcp-refused",profile="down",step="tcp"} 1`
	var body string
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(body, want); {
		if time.Now().After(deadline) {
			t.Fatalf("/metrics never showed the failure:\n%s", body)
		}
		time.Sleep(200 * time.Millisecond)
		resp, err := http.Get(url)
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(b)
	}
	if !strings.Contains(body, "process_resident_memory_bytes") {
		t.Error("/metrics lacks onramp's own process metrics")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// All of stderr is read before Wait, which closes the pipe.
	if out := <-rest; !strings.Contains(out, "onramp watch: stopped") {
		t.Errorf("stderr after SIGTERM: %q", out)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("after SIGTERM: %v", err)
	}
}
