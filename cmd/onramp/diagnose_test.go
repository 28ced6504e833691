package main

import (
	"crypto/tls"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/secretstore"

	"github.com/youmark/pkcs8"

	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/profile"
)

type cliFixture struct {
	dir                     string
	url                     string
	caFile, certFile, keyFl string
	ca                      *testpki.CA
	client                  *testpki.Leaf
	mu                      sync.Mutex
	gotKey                  string
}

// newCLIFixture starts a real mutual-TLS server on 127.0.0.1 that wants the
// API key "good-key" in x-api-key.
func newCLIFixture(t *testing.T) *cliFixture {
	t.Helper()
	f := &cliFixture{dir: t.TempDir(), ca: testpki.NewCA(t, "CLI Test CA")}
	f.client = f.ca.Client(t, testpki.Options{})
	f.caFile = testpki.WriteFile(t, f.dir, "ca.pem", f.ca.CertPEM())
	f.certFile, f.keyFl = f.client.Files(t, f.dir, "client")
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.gotKey = r.Header.Get("x-api-key")
		f.mu.Unlock()
		if r.Header.Get("x-api-key") != "good-key" {
			w.WriteHeader(403)
			return
		}
		io.WriteString(w, `{"available":true,"scheduledOutages":[]}`)
	}))
	s.TLS = &tls.Config{Certificates: []tls.Certificate{f.ca.Server(t, testpki.Options{}).TLSCertificate(true)},
		ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: f.ca.Pool()}
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.StartTLS()
	t.Cleanup(s.Close)
	f.url = s.URL + "/checks/passport"
	return f
}

func (f *cliFixture) args(extra ...string) []string {
	return append([]string{"diagnose", f.url, "--cert", f.certFile, "--key", f.keyFl, "--cacert", f.caFile, "--timeout", "5s"}, extra...)
}

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	io, _, out, errOut := iostreams.Test()
	code = run(io, args)
	if strings.Contains(errOut.String(), "goroutine ") || strings.Contains(errOut.String(), "panic") {
		t.Fatalf("panic: %s", errOut)
	}
	return code, out.String(), errOut.String()
}

// runCLIStore is runCLI with kr as the secret store.
func runCLIStore(t *testing.T, kr secretstore.Keyring, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	r := runCmdStore(t, kr, "", false, args...)
	if strings.Contains(r.errOut, "goroutine ") || strings.Contains(r.errOut, "panic") {
		t.Fatalf("panic: %s", r.errOut)
	}
	return r.code, r.out, r.errOut
}

type jsonReport struct {
	OK    bool `json:"ok"`
	Cause *struct {
		ID string `json:"id"`
	} `json:"cause"`
	Steps []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
	} `json:"steps"`
}

func parseReport(t *testing.T, out string) jsonReport {
	t.Helper()
	var r jsonReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("stdout is not one JSON report: %v\n%s", err, out)
	}
	return r
}

func TestDiagnoseHealthyAndReport(t *testing.T) {
	f := newCLIFixture(t)
	t.Setenv("API_KEY", "good-key")
	reportFile := f.dir + "/report.md"
	code, out, errOut := runCLI(t, f.args("--api-key-env", "API_KEY", "--json", "--report", reportFile, "--expect-json", `{"available":true}`, "-H", "X-Trace: trace-value")...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	r := parseReport(t, out)
	if !r.OK || r.Cause != nil || len(r.Steps) != 6 {
		t.Errorf("report %+v", r)
	}
	md, err := os.ReadFile(reportFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"good-key", "trace-value"} {
		if strings.Contains(out, secret) || strings.Contains(errOut, secret) || strings.Contains(string(md), secret) {
			t.Errorf("a secret leaked into the output or the report")
		}
	}
	if md := string(md); !strings.Contains(md, `printf 'x-api-key: %s\n'`) || !strings.Contains(md, `"$API_KEY"`) || !strings.Contains(md, "-H @-") {
		t.Errorf("report lacks the curl command:\n%s", md)
	}

	code, out, _ = runCLI(t, f.args("--api-key-env", "API_KEY")...)
	if code != 0 || !strings.Contains(out, "✓ tls") || !strings.Contains(out, "All checks passed") {
		t.Errorf("text output (exit %d):\n%s", code, out)
	}
}

func TestDiagnoseFailureExitsOneWithCause(t *testing.T) {
	f := newCLIFixture(t)
	t.Setenv("API_KEY", "bad-key")
	code, out, _ := runCLI(t, f.args("--api-key-env", "API_KEY", "--json")...)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if r := parseReport(t, out); r.OK || r.Cause == nil || r.Cause.ID != "api-key-rejected" {
		t.Errorf("report %s", out)
	}
	code, out, _ = runCLI(t, f.args()...)
	if code != 1 || !strings.Contains(out, "api-key-missing") || !strings.Contains(out, "Fix:") {
		t.Errorf("exit %d, text:\n%s", code, out)
	}
}

func TestDiagnoseBadInput(t *testing.T) {
	f := newCLIFixture(t)
	empty := testpki.WriteFile(t, f.dir, "empty.pem", nil)
	garbage := testpki.WriteFile(t, f.dir, "garbage.pem", []byte{0x00, 0x01, 0xff, 'x'})
	der, err := pkcs8.MarshalPrivateKey(f.client.Key, []byte("right-pass"), nil)
	if err != nil {
		t.Fatal(err)
	}
	encKey := testpki.WriteFile(t, f.dir, "enc.key", pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: der}))
	t.Setenv("WRONG_PASS", "wrong-pass")
	t.Setenv("RIGHT_PASS", "right-pass")
	t.Setenv("EMPTY_VAR", "")
	os.Unsetenv("UNSET_VAR_ONRAMP")

	usage := []struct {
		name string
		args []string
		want string
	}{
		{"no URL", []string{"diagnose"}, "no URL"},
		{"malformed URL", []string{"diagnose", "https://exa mple.com/"}, "malformed URL"},
		{"no host", []string{"diagnose", "https:///path"}, "malformed URL"},
		{"http scheme", []string{"diagnose", "http://example.com/"}, "use https://"},
		{"bad port", []string{"diagnose", "https://example.com:99999/"}, "port"},
		{"bad resolve", []string{"diagnose", "https://example.com/", "--resolve", "example.com:443"}, "--resolve"},
		{"resolve not an IP", []string{"diagnose", "https://example.com/", "--resolve", "example.com:443:host"}, "--resolve"},
		{"unset env", []string{"diagnose", "https://example.com/", "--api-key-env", "UNSET_VAR_ONRAMP"}, "--api-key-env UNSET_VAR_ONRAMP"},
		{"empty env", []string{"diagnose", "https://example.com/", "--key-pass-env", "EMPTY_VAR"}, "--key-pass-env EMPTY_VAR"},
		{"key without cert", []string{"diagnose", "https://example.com/", "--key", f.keyFl}, "--key given without --cert"},
		{"bad expect-json", []string{"diagnose", "https://example.com/", "--expect-json", "{available"}, "--expect-json"},
		{"bad header", []string{"diagnose", "https://example.com/", "-H", "no colon here"}, "-H/--header"},
		{"bad timeout", []string{"diagnose", "https://example.com/", "--timeout", "0s"}, "--timeout"},
		{"unknown flag", []string{"diagnose", "https://example.com/", "--insecure"}, "unknown flag"},
		{"two URLs", []string{"diagnose", "https://a/", "https://b/"}, "arg"},
		{"missing profile", []string{"diagnose", "--profile", "nope"}, "--profile nope"},
	}
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	for _, c := range usage {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, c.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2\n%s%s", code, out, errOut)
			}
			if !strings.Contains(errOut, c.want) {
				t.Errorf("message %q does not name %q", errOut, c.want)
			}
			if strings.Contains(errOut, "wrong-pass") {
				t.Errorf("secret in message")
			}
		})
	}

	material := []struct {
		name string
		args []string
		want string
	}{
		{"unreadable cert", f.args("--cert", f.dir+"/missing.crt"), "input-file-unreadable"},
		{"empty cert", f.args("--cert", empty), "input-wrong-file-type"},
		{"garbage cert", f.args("--cert", garbage), "input-wrong-file-type"},
		{"key as cert", f.args("--cert", f.keyFl), "input-wrong-file-type"},
		{"cert as key", f.args("--key", f.certFile), "input-wrong-file-type"},
		{"empty CA bundle", f.args("--cacert", empty), "ca-bundle-invalid"},
		{"encrypted key, no passphrase", f.args("--key", encKey), "key-encrypted-no-passphrase"},
		{"wrong passphrase", f.args("--key", encKey, "--key-pass-env", "WRONG_PASS"), "key-passphrase-wrong"},
	}
	for _, c := range material {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, append(c.args, "--json")...)
			if code != 1 {
				t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
			}
			r := parseReport(t, out)
			if r.Cause == nil || r.Cause.ID != c.want {
				t.Errorf("cause %+v, want %s\n%s", r.Cause, c.want, out)
			}
			if strings.Contains(out, "wrong-pass") {
				t.Errorf("passphrase in output")
			}
		})
	}
	t.Run("right passphrase", func(t *testing.T) {
		t.Setenv("API_KEY", "good-key")
		code, out, _ := runCLI(t, f.args("--key", encKey, "--key-pass-env", "RIGHT_PASS", "--api-key-env", "API_KEY")...)
		if code != 0 {
			t.Errorf("exit %d\n%s", code, out)
		}
	})
}

func TestDiagnoseProfile(t *testing.T) {
	f := newCLIFixture(t)
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	base := strings.TrimSuffix(f.url, "/checks/passport")
	p := &profile.Profile{Name: "dcs", URL: base, StatusPath: "/checks/passport", Auth: []string{"mtls", "api-key"},
		Cert: f.certFile, Key: f.keyFl, CACert: f.caFile, ExpectJSON: `{"available":true}`}
	if err := profile.Save(p); err != nil {
		t.Fatal(err)
	}
	kr := &testkeyring.Keyring{Items: map[string]string{"dcs/api-key": "good-key"}}
	code, out, errOut := runCLIStore(t, kr, "diagnose", "--profile", "dcs", "--json")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if r := parseReport(t, out); len(r.Steps) != 6 || r.Steps[5].Name != "expect" {
		t.Errorf("the profile's status path and expectation were not used: %s", out)
	}
	f.mu.Lock()
	if f.gotKey != "good-key" {
		t.Errorf("the API key from the keyring was not sent")
	}
	f.mu.Unlock()
	saved, err := profile.Load("dcs")
	if err != nil || saved.LastCheck == nil || !saved.LastCheck.OK {
		t.Errorf("last check not recorded: %+v %v", saved, err)
	}

	kr = &testkeyring.Keyring{Unavailable: true}
	code, out, _ = runCLIStore(t, kr, "diagnose", "--profile", "dcs", "--json")
	// The key is missing: mutual TLS is still checked, the HTTP step says why.
	if r := parseReport(t, out); code != 1 || r.Cause == nil || r.Cause.ID != "keyring-unavailable" || r.Steps[3].Status != "pass" || r.Steps[4].Status != "fail" {
		t.Errorf("exit %d: %s", code, out)
	}
	if saved, _ := profile.Load("dcs"); saved.LastCheck == nil || saved.LastCheck.OK || saved.LastCheck.CauseID != "keyring-unavailable" {
		t.Errorf("failed check not recorded: %+v", saved.LastCheck)
	}

	// An explicit flag wins over the profile: a wrong CA bundle fails.
	kr = &testkeyring.Keyring{Items: map[string]string{"dcs/api-key": "good-key"}}
	other := testpki.NewCA(t, "Other CA")
	otherCA := testpki.WriteFile(t, f.dir, "other-ca.pem", other.CertPEM())
	code, out, _ = runCLIStore(t, kr, "diagnose", "--profile", "dcs", "--cacert", otherCA, "--json")
	if r := parseReport(t, out); code != 1 || r.Cause == nil || r.Cause.ID != "server-cert-untrusted" {
		t.Errorf("exit %d: %s", code, out)
	}
}

func TestDiagnoseProgressOnlyOnTerminal(t *testing.T) {
	f := newCLIFixture(t)
	t.Setenv("API_KEY", "good-key")
	io, _, out, errOut := iostreams.Test()
	io.SetTTY(false, false, true)
	if code := run(io, f.args("--api-key-env", "API_KEY")); code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if !strings.Contains(errOut.String(), "… tls") {
		t.Errorf("no progress on a terminal stderr: %q", errOut)
	}
	io, _, _, errOut = iostreams.Test()
	run(io, f.args("--api-key-env", "API_KEY"))
	if errOut.Len() != 0 {
		t.Errorf("progress written to a non-terminal stderr: %q", errOut)
	}
}

// A user who keeps secrets in the encrypted file store (no OS keyring on a
// headless server) diagnoses a profile with the key stored there.
func TestDiagnoseProfileReadsTheChosenStore(t *testing.T) {
	f := newCLIFixture(t)
	useFileStore(t)
	base := strings.TrimSuffix(f.url, "/checks/passport")
	p := &profile.Profile{Name: "dcs", URL: base, StatusPath: "/checks/passport", Auth: []string{"mtls", "api-key"},
		Cert: f.certFile, Key: f.keyFl, CACert: f.caFile}
	if err := profile.Save(p); err != nil {
		t.Fatal(err)
	}
	if r := runCmd(t, "good-key\n", false, "secret", "set", "api-key", "--profile", "dcs"); r.code != 0 {
		t.Fatalf("secret set: %d %s", r.code, r.errOut)
	}
	if code, out, errOut := runCLI(t, "diagnose", "--profile", "dcs"); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.gotKey != "good-key" {
		t.Errorf("the API key from the file store was not sent (got %q)", f.gotKey)
	}
}
