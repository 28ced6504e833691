package sandbox_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
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
	"github.com/onramp-cli/onramp/secretstore"

	"github.com/onramp-cli/onramp/sandbox"
)

// The end-to-end test drives the real binary the way a new user does:
// start the sandbox, diagnose its profile, make a key and CSR, have the
// sandbox sign it, import it, keep the API key in the keyring, diagnose;
// then every practice mode must be diagnosed as exactly its cause.

type e2e struct {
	bin     string
	cfgDir  string
	keyring bool // a keyring answers (test-scoped under with-secret-service.sh)
	// keyEnv is ONRAMP_SANDBOX_API_KEY=the practice key, for commands
	// given --api-key-env.
	keyEnv string
}

func (e *e2e) env(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ONRAMP_CONFIG_DIR=") && !strings.HasPrefix(kv, "ONRAMP_STORE=") {
			env = append(env, kv)
		}
	}
	return append(append(env, "ONRAMP_CONFIG_DIR="+e.cfgDir, "NO_COLOR=1"), extra...)
}

type result struct {
	code           int
	stdout, stderr string
}

// run runs onramp with a deadline and returns its exit status and output.
func (e *e2e) run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, args...)
	cmd.Env = e.env(e.keyEnv)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("onramp %s: %v", strings.Join(args, " "), err)
	}
	return result{code, out.String(), errOut.String()}
}

type runningSandbox struct {
	cmd    *exec.Cmd
	addr   string
	stderr *testenv.Buffer
	done   chan error
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startSandbox runs `onramp sandbox` until the test ends (or stop).
func (e *e2e) startSandbox(t *testing.T, args ...string) *runningSandbox {
	t.Helper()
	s := &runningSandbox{addr: freeAddr(t), stderr: &testenv.Buffer{}, done: make(chan error, 1)}
	s.cmd = exec.Command(e.bin, append([]string{"sandbox", "--addr", s.addr, "--apim-addr", "127.0.0.1:0"}, args...)...)
	s.cmd.Env = e.env()
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() { s.stop(t) })
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(s.stderr.String(), "Press ctrl+c to stop.") {
		select {
		case err := <-s.done:
			s.done <- err
			t.Fatalf("onramp sandbox exited: %v\n%s", err, s.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("onramp sandbox not ready after 20s:\n%s", s.stderr.String())
		}
	}
	return s
}

// stop sends ctrl+c and returns the exit error (nil for status 0).
func (s *runningSandbox) stop(t *testing.T) error {
	if s.cmd.ProcessState != nil {
		return nil
	}
	s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-s.done:
		s.done <- err
		return err
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		t.Errorf("onramp sandbox did not stop within 10s of ctrl+c")
		return errors.New("killed")
	}
}

type diagnoseJSON struct {
	OK    bool `json:"ok"`
	Cause *struct {
		ID string `json:"id"`
	} `json:"cause"`
	Steps []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
		Detail string `json:"detail"`
	} `json:"steps"`
}

func (e *e2e) diagnose(t *testing.T, args ...string) (diagnoseJSON, result) {
	t.Helper()
	r := e.run(t, "", append([]string{"diagnose", "--json", "--timeout", "10s"}, args...)...)
	var rep diagnoseJSON
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("diagnose --json (exit %d) is not JSON: %v\nstdout: %s\nstderr: %s", r.code, err, r.stdout, r.stderr)
	}
	return rep, r
}

// keyringAnswers says whether the OS keyring works here. Under
// scripts/with-secret-service.sh (ONRAMP_TEST_SECRET_SERVICE=1) it must.
func keyringAnswers(t *testing.T) bool {
	t.Helper()
	kr := secretstore.OSKeyring{}
	name := fmt.Sprintf("probe-%d", time.Now().UnixNano())
	err := kr.Set("onramp-e2e", name, "x")
	if err == nil {
		kr.Delete("onramp-e2e", name)
		return true
	}
	if os.Getenv("ONRAMP_TEST_SECRET_SERVICE") == "1" {
		t.Fatalf("ONRAMP_TEST_SECRET_SERVICE=1 but the keyring does not answer: %v", err)
	}
	t.Logf("no keyring answers (%v): the sandbox works without one; keyring parts are skipped", err)
	return false
}

func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: builds and runs the onramp binary")
	}
	e := &e2e{bin: testenv.OnrampBinary(t), cfgDir: t.TempDir()}
	e.keyring = keyringAnswers(t)

	sbx := e.startSandbox(t)
	// The practice key is a 0600 file beside the PKI, keyring or not, and
	// the banner says where.
	keyFile := filepath.Join(e.cfgDir, "sandbox", sandbox.APIKeyName)
	practiceKey, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatalf("the sandbox kept no key file: %v\n%s", err, sbx.stderr.String())
	}
	e.keyEnv = sandbox.APIKeyEnv + "=" + string(practiceKey)
	if !strings.Contains(sbx.stderr.String(), "API key:              "+keyFile) {
		t.Errorf("the banner does not say where the practice key is:\n%s", sbx.stderr.String())
	}
	if r := e.run(t, "", "secret", "get", "api-key", "--profile", "sandbox"); r.code != 0 || r.stdout != string(practiceKey) {
		t.Errorf("secret get api-key --profile sandbox (the practice key's file): exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(sbx.stderr.String(), "onramp diagnose --profile sandbox") {
		t.Errorf("the sandbox does not say what to try next:\n%s", sbx.stderr.String())
	}

	t.Run("second-sandbox-same-port", func(t *testing.T) {
		r := e.run(t, "", "sandbox", "--addr", sbx.addr)
		if r.code != 2 || !strings.Contains(r.stderr, "is in use") || !strings.Contains(r.stderr, "--addr") {
			t.Errorf("second sandbox on %s: exit %d\n%s", sbx.addr, r.code, r.stderr)
		}
	})

	t.Run("diagnose-sandbox-profile", func(t *testing.T) {
		rep, r := e.diagnose(t, "--profile", "sandbox")
		if r.code != 0 || !rep.OK || rep.Cause != nil {
			t.Errorf("diagnose --profile sandbox: exit %d ok=%v\n%s\n%s", r.code, rep.OK, r.stdout, r.stderr)
		}
	})

	t.Run("journey", func(t *testing.T) {
		dir := t.TempDir()
		r := e.run(t, "", "keygen", "--out", dir, "--name", "me", "--csr", "--subject", "/C=GB/O=onramp tests/CN=e2e-client")
		if r.code != 0 {
			t.Fatalf("keygen: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		issued := filepath.Join(dir, "issued.pem")
		r = e.run(t, "", "sandbox", "sign", filepath.Join(dir, "me.csr"), "--out", issued)
		if r.code != 0 || !strings.Contains(r.stderr, sandbox.RootCertFile) {
			t.Fatalf("sandbox sign: exit %d\n%s", r.code, r.stderr)
		}
		clientCA := filepath.Join(e.cfgDir, "sandbox", sandbox.ClientCACertFile)
		imported := filepath.Join(dir, "imported")
		r = e.run(t, "", "import", "--cert", issued, "--key", filepath.Join(dir, "me.key"), "--cacert", clientCA, "--out", imported, "--name", "me")
		if r.code != 0 {
			t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		cert, key := filepath.Join(imported, "me.crt"), filepath.Join(imported, "me.key")
		caBundle := filepath.Join(e.cfgDir, "sandbox", sandbox.RootCertFile)
		statusURL := "https://localhost:" + sbx.addr[strings.LastIndex(sbx.addr, ":")+1:] + sandbox.StatusPath

		if !e.keyring {
			rep, r := e.diagnose(t, statusURL, "--cert", cert, "--key", key, "--cacert", caBundle, "--api-key-env", sandbox.APIKeyEnv)
			if r.code != 0 || !rep.OK {
				t.Errorf("diagnose with the imported certificate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			t.Skip("keyring part skipped: no keyring answers")
		}
		// The user's own profile, from the built-in sandbox template, with
		// the API key in the keyring.
		name := fmt.Sprintf("e2e-%d", time.Now().UnixNano())
		base := strings.TrimSuffix(statusURL, sandbox.StatusPath)
		r = e.run(t, "", "profile", "new", name, "--provider", "sandbox", "--url", base, "--cert", cert, "--key", key, "--cacert", caBundle)
		if r.code != 0 {
			t.Fatalf("profile new --provider sandbox: exit %d\n%s", r.code, r.stderr)
		}
		r = e.run(t, string(practiceKey), "secret", "set", "api-key", "--profile", name)
		t.Cleanup(func() { secretstore.OSKeyring{}.Delete(name, "api-key") })
		if r.code != 0 {
			t.Fatalf("secret set: exit %d\n%s", r.code, r.stderr)
		}
		rep, r := e.diagnose(t, "--profile", name)
		if r.code != 0 || !rep.OK {
			t.Errorf("diagnose --profile %s: exit %d\n%s%s", name, r.code, r.stdout, r.stderr)
		}
		// No secret in any output of the journey.
		if strings.Contains(r.stdout+r.stderr+sbx.stderr.String(), string(practiceKey)) {
			t.Error("the API key appears in diagnose or sandbox output")
		}
	})

	t.Run("apim-token", func(t *testing.T) {
		apimURL := regexp.MustCompile(`APIM-like API on (https://\S+)`).FindStringSubmatch(sbx.stderr.String())
		if apimURL == nil {
			t.Fatalf("the banner does not name the APIM-like API:\n%s", sbx.stderr.String())
		}
		dir := t.TempDir()
		if r := e.run(t, "", "keygen", "--out", dir, "--name", "signer", "--type", "rsa", "--bits", "4096", "--jwks", "--kid", "sbx-1"); r.code != 0 {
			t.Fatalf("keygen --jwks: exit %d\n%s", r.code, r.stderr)
		}
		if r := e.run(t, "", "sandbox", "register-jwks", filepath.Join(dir, "signer.jwks.json")); r.code != 0 || !strings.Contains(r.stderr, "sbx-1") {
			t.Fatalf("register-jwks: exit %d\n%s", r.code, r.stderr)
		}
		apiKey := sandbox.APIKeyEnv + "=" + string(practiceKey)
		token := func(kid string) result {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, e.bin, "token", "--json", "--token-url", apimURL[1]+sandbox.TokenPath, "--kid", kid,
				"--key", filepath.Join(dir, "signer.key"), "--api-key-env", sandbox.APIKeyEnv,
				"--cacert", filepath.Join(e.cfgDir, "sandbox", sandbox.RootCertFile))
			cmd.Env = e.env(apiKey)
			var out, errOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errOut
			cmd.Run()
			return result{cmd.ProcessState.ExitCode(), out.String(), errOut.String()}
		}
		r := token("sbx-1")
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &tok) != nil || tok.AccessToken == "" {
			t.Fatalf("onramp token against the sandbox: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		// The token opens the application-restricted endpoint.
		pool := x509.NewCertPool()
		root, _ := os.ReadFile(filepath.Join(e.cfgDir, "sandbox", sandbox.RootCertFile))
		pool.AppendCertsFromPEM(root)
		client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
		req, _ := http.NewRequest("GET", apimURL[1]+sandbox.HelloPath, nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := client.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("hello with the token: %v %v", err, resp)
		}
		resp.Body.Close()
		// The ready sandbox-apim profile gets a token with no settings,
		// keyring or not.
		{
			deadline := time.Now().Add(60 * time.Second)
			for !strings.Contains(sbx.stderr.String(), "profile "+sandbox.APIMProfileName+" ") && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			r := e.run(t, "", "token", "--profile", sandbox.APIMProfileName, "--no-cache")
			if r.code != 0 || strings.TrimSpace(r.stdout) == "" {
				t.Errorf("onramp token --profile %s: exit %d\n%s\nsandbox log:\n%s", sandbox.APIMProfileName, r.code, r.stderr, sbx.stderr.String())
			}
			// diagnose runs the token step, then the bearer-protected call.
			rep, r2 := e.diagnose(t, "--profile", sandbox.APIMProfileName)
			if r2.code != 0 || !rep.OK {
				t.Errorf("diagnose --profile %s: exit %d\n%s%s", sandbox.APIMProfileName, r2.code, r2.stdout, r2.stderr)
			}
		}
		// An unregistered kid is named as such.
		r = token("sbx-unknown")
		if r.code != 1 || !strings.Contains(r.stdout, `"jwt-kid-unknown"`) {
			t.Errorf("onramp token with an unregistered kid: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	})

	t.Run("ctrl-c", func(t *testing.T) {
		if err := sbx.stop(t); err != nil {
			t.Errorf("sandbox after ctrl+c: %v (want exit 0)\n%s", err, sbx.stderr.String())
		}
		if !strings.Contains(sbx.stderr.String(), "sandbox stopped") {
			t.Errorf("no goodbye after ctrl+c:\n%s", sbx.stderr.String())
		}
	})

	t.Run("break", func(t *testing.T) {
		for _, b := range sandbox.Breaks() {
			id := string(b.ID)
			t.Run(id, func(t *testing.T) {
				s := e.startSandbox(t, "--break", id)
				if !strings.Contains(s.stderr.String(), "PRACTICE MODE "+id) {
					t.Errorf("the banner does not name the practice mode:\n%s", s.stderr.String())
				}
				args := []string{"--profile", "sandbox"}
				if b.ID == "tls-handshake-timeout" {
					args = append(args, "--timeout", "2s") // the last --timeout wins
				}
				rep, r := e.diagnose(t, args...)
				var got cause.ID
				if rep.Cause != nil {
					got = cause.ID(rep.Cause.ID)
				}
				if r.code != 1 || rep.OK || got != b.ID {
					t.Errorf("--break %s: diagnose exit %d, cause %q; want exit 1, cause %s\n%s", b.ID, r.code, got, b.ID, r.stdout)
				}
			})
		}
	})

	t.Run("unknown-break", func(t *testing.T) {
		r := e.run(t, "", "sandbox", "--break", "no-such-cause", "--addr", freeAddr(t))
		if r.code != 2 || !strings.Contains(r.stderr, "server-chain-incomplete") {
			t.Errorf("--break no-such-cause: exit %d\n%s", r.code, r.stderr)
		}
	})
}
