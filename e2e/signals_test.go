package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
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

// stallServers are loopback servers that never answer: one accepts TCP and
// never speaks TLS, one completes the handshake and never answers the
// request (the API and the token endpoints alike).
type stallServers struct {
	tcpURL, httpsURL string
	caFile           string
}

func startStallServers(t *testing.T) *stallServers {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var held []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range held {
			c.Close()
		}
	})
	ca := testpki.NewCA(t, "Stall CA")
	end := make(chan struct{})
	srv := ca.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // hold the request until the client goes or the test ends
		case <-r.Context().Done():
		case <-end:
		}
	}))
	t.Cleanup(func() { close(end) }) // before the server's own cleanup
	return &stallServers{
		tcpURL:   "https://" + ln.Addr().String() + "/",
		httpsURL: srv.URL + "/",
		caFile:   testpki.WriteFile(t, t.TempDir(), "ca.pem", ca.CertPEM()),
	}
}

// interrupted runs onramp, sends sig once it is stuck in its long part,
// and returns its output, exit status and how long it took after sig.
func interrupted(t *testing.T, bin string, env []string, stdin *os.File, sig syscall.Signal, args ...string) (string, int, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	if stdin != nil {
		cmd.Stdin = stdin
	}
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatalf("onramp %v ended before the signal: %s", args, out.String())
	}
	sent := time.Now()
	err := cmd.Wait()
	took := time.Since(sent)
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), code, took
}

// Every command that waits on the network or on its input ends within a
// second of Ctrl+C (SIGINT) or SIGTERM, with exit status 130 and
// "cancelled": never a diagnosis of the interruption (a handshake cut
// short is not a timeout), never a profile recording it. Before, diagnose
// and token blamed the server with exit 1, explain read an endless pipe to
// its end, and a prompt waiting on stdin ignored the signal.
func TestSignalsEndEveryLongCommand(t *testing.T) {
	bin := testenv.OnrampBinary(t)
	stall := startStallServers(t)
	env, cfg := storeEnv(t, true)
	dir := t.TempDir()
	rsaKey := writeRSAKey(t, dir)
	leaf := testpki.NewCA(t, "Client CA").Client(t, testpki.Options{CommonName: "client"})
	cert, key := leaf.Files(t, dir, "client")
	apiKey := testpki.WriteFile(t, dir, "api-key", []byte("e2e-api-key-value"))
	env = append(env, "E2E_API_KEY=e2e-api-key-value")
	profiles := map[string]string{
		"nhs": fmt.Sprintf("url: %s\nauth: [signed-jwt]\ntoken_url: %soauth2/token\nkid: k1\nkey: %s\ncacert: %s\nkey_files: {api-key: %s}\n",
			stall.httpsURL, stall.httpsURL, rsaKey, stall.caFile, apiKey),
		"hmpps": fmt.Sprintf("provider: hmpps\nurl: %s\nauth: [mtls, api-key]\ncert: %s\nkey: %s\ncacert: %s\nkey_files: {api-key: %s}\n",
			stall.httpsURL, cert, key, stall.caFile, apiKey),
		"apikey": fmt.Sprintf("url: %s\nauth: [api-key]\ncacert: %s\nkey_files: {api-key: %s}\n", stall.httpsURL, stall.caFile, apiKey),
	}
	if err := os.MkdirAll(filepath.Join(cfg, "profiles"), 0o700); err != nil {
		t.Fatal(err)
	}
	for name, yaml := range profiles {
		if err := os.WriteFile(filepath.Join(cfg, "profiles", name+".yaml"), []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	// stdin that never ends, and stdin that never sends a byte: real pipes,
	// as a shell gives them.
	endless, endlessW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer endless.Close()
	go func() {
		defer endlessW.Close()
		line := []byte("curl: (60) SSL certificate problem: unable to get local issuer certificate\n")
		for {
			if _, err := endlessW.Write(line); err != nil {
				return
			}
		}
	}()
	silent, silentW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	defer silentW.Close()

	for _, c := range []struct {
		sig   syscall.Signal
		stdin *os.File
		args  []string
	}{
		{syscall.SIGINT, nil, []string{"diagnose", stall.httpsURL, "--cacert", stall.caFile, "--api-key-env", "E2E_API_KEY"}},
		{syscall.SIGTERM, nil, []string{"diagnose", stall.tcpURL}},
		{syscall.SIGINT, nil, []string{"diagnose", "--profile", "hmpps"}},
		{syscall.SIGINT, nil, []string{"token", "--token-url", stall.httpsURL + "oauth2/token", "--kid", "k1", "--key", rsaKey, "--api-key-env", "E2E_API_KEY", "--cacert", stall.caFile, "--no-cache"}},
		{syscall.SIGTERM, nil, []string{"token", "--profile", "nhs", "--no-cache"}},
		{syscall.SIGINT, nil, []string{"aws-credentials", "--profile", "hmpps", "--no-cache"}},
		{syscall.SIGTERM, nil, []string{"exec", "--profile", "nhs", "--no-cache", "--", "sh", "-c", "echo COMMAND-RAN"}},
		{syscall.SIGINT, nil, []string{"watch", "--once", "--profile", "hmpps", "--textfile", dir}},
		{syscall.SIGINT, endless, []string{"explain", "-"}},
		{syscall.SIGTERM, silent, []string{"secret", "set", "api-key", "--profile", "typed"}},
	} {
		out, code, took := interrupted(t, bin, env, c.stdin, c.sig, c.args...)
		name := strings.Join(c.args[:min(3, len(c.args))], " ")
		t.Logf("%s, %v: exit %d after %v", name, c.sig, code, took.Round(time.Millisecond))
		if code != 130 || !strings.Contains(out, "onramp: cancelled") {
			t.Errorf("%s, %v: exit %d, want 130 and \"cancelled\":\n%s", name, c.sig, code, out)
		}
		if took > time.Second {
			t.Errorf("%s ended %v after %v, want within 1s", name, took.Round(time.Millisecond), c.sig)
		}
		for _, wrong := range []string{"timeout", "Cause:", "COMMAND-RAN", "not recognised"} {
			if strings.Contains(out, wrong) {
				t.Errorf("%s, %v: the interruption was reported as %q:\n%s", name, c.sig, wrong, out)
			}
		}
	}
	// The interrupted checks left the profile's last check alone.
	if data, _ := os.ReadFile(filepath.Join(cfg, "profiles", "hmpps.yaml")); bytes.Contains(data, []byte("last_check")) {
		t.Errorf("an interrupted check was recorded:\n%s", data)
	}

	// exec passes a SIGTERM on to its running COMMAND and exits with
	// COMMAND's status, not 130.
	out, code, took := interrupted(t, bin, env, nil, syscall.SIGTERM, "exec", "--profile", "apikey", "--",
		"sh", "-c", `trap 'echo got TERM; kill $!; exit 3' TERM; sleep 30 & wait`)
	if code != 3 || !strings.Contains(out, "got TERM") || took > time.Second {
		t.Errorf("exec with a running COMMAND: exit %d after %v:\n%s", code, took, out)
	}
	// A running watch is a service: SIGTERM stops it, even mid-check, exit 0.
	out, code, took = interrupted(t, bin, env, nil, syscall.SIGTERM, "watch", "--profile", "hmpps", "--interval", "1h", "--textfile", dir)
	if code != 0 || !strings.Contains(out, "onramp watch: stopped") || took > time.Second {
		t.Errorf("watch: exit %d after %v:\n%s", code, took, out)
	}
}

// --timeout ends the network commands on time against a server that never
// answers, with the cause named (exit 1).
func TestTimeoutBoundsNetworkCommands(t *testing.T) {
	bin := testenv.OnrampBinary(t)
	stall := startStallServers(t)
	env, _ := storeEnv(t, true)
	dir := t.TempDir()
	rsaKey := writeRSAKey(t, dir)
	env = append(env, "E2E_API_KEY=e2e-api-key-value")
	for _, args := range [][]string{
		{"diagnose", stall.httpsURL, "--cacert", stall.caFile, "--timeout", "1s"},
		{"diagnose", stall.tcpURL, "--timeout", "1s"},
		{"token", "--token-url", stall.httpsURL + "oauth2/token", "--kid", "k1", "--key", rsaKey, "--api-key-env", "E2E_API_KEY", "--cacert", stall.caFile, "--no-cache", "--timeout", "1s"},
	} {
		start := time.Now()
		out, code := run(t, bin, env, "", args...)
		took := time.Since(start)
		if code != 1 || !strings.Contains(out, "Cause:") {
			t.Errorf("%s --timeout 1s: exit %d:\n%s", args[0], code, out)
		}
		if took > 2*time.Second {
			t.Errorf("%s --timeout 1s took %v", args[0], took.Round(time.Millisecond))
		}
	}
}

// writeRSAKey writes the RSA 4096 key signed-JWT profiles need.
func writeRSAKey(t *testing.T, dir string) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 4096)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return testpki.WriteFile(t, dir, "rsa.key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}
