package main

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/profile"
)

// TestDiagnoseIDNHost reaches a real loopback TLS server under an
// internationalised name: onramp must use the punycode form for --resolve,
// SNI, the certificate check and the Host header, and show both forms.
func TestDiagnoseIDNHost(t *testing.T) {
	const ascii = "xn--bcher-kva.example"
	ca := testpki.NewCA(t, "IDN Test CA")
	caFile := testpki.WriteFile(t, t.TempDir(), "ca.pem", ca.CertPEM())
	var mu sync.Mutex
	var gotHost, gotSNI string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		gotHost, gotSNI = r.Host, r.TLS.ServerName
		mu.Unlock()
		w.Write([]byte(`{"ok":true}`))
	})
	diag := func(srvURL string, extra ...string) (int, string, string) {
		port := strings.TrimPrefix(srvURL, "https://127.0.0.1:")
		return runCLI(t, append([]string{"diagnose", "https://bücher.example:" + port + "/status",
			"--resolve", "bücher.example:" + port + ":127.0.0.1", "--cacert", caFile, "--timeout", "5s"}, extra...)...)
	}

	good := ca.Serve(t, h, ascii)
	code, out, errOut := diag(good.URL)
	if code != 0 || !strings.Contains(out, "All checks passed") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	port := strings.TrimPrefix(good.URL, "https://127.0.0.1:")
	mu.Lock()
	if gotHost != ascii+":"+port || gotSNI != ascii {
		t.Errorf("the server saw Host %q and SNI %q, want %s", gotHost, gotSNI, ascii)
	}
	mu.Unlock()
	if !strings.Contains(out, "bücher.example ("+ascii+") → 127.0.0.1 (from --resolve)") || !strings.Contains(out, "https://"+ascii+":"+port+"/status") {
		t.Errorf("the report does not show the ASCII form with the Unicode one beside it:\n%s", out)
	}
	code, out, _ = diag(good.URL, "--json")
	if r := parseReport(t, out); code != 0 || !r.OK {
		t.Errorf("--json: exit %d %+v", code, r)
	}

	other := ca.Serve(t, h, "other.example")
	code, out, _ = diag(other.URL)
	if code != 1 || !strings.Contains(out, "server-cert-hostname-mismatch") ||
		!strings.Contains(out, "not for bücher.example ("+ascii+")") {
		t.Errorf("a certificate for another name: exit %d\n%s", code, out)
	}
}

// TestIDNInvalidIsUsageError: a name that is not valid IDNA is refused
// before anything connects, naming the host, wherever onramp takes one.
func TestIDNInvalidIsUsageError(t *testing.T) {
	useFileStore(t)
	const bad = "-bücher.example"
	if r := runCmd(t, "", false, "profile", "new", "y", "--provider", "generic", "--url", "https://ok.example/"); r.code != 0 {
		t.Fatalf("profile new: %d %s", r.code, r.errOut)
	}
	for _, args := range [][]string{
		{"diagnose", "https://" + bad + "/"},
		{"diagnose", "https://ok.example/", "--resolve", bad + ":443:127.0.0.1"},
		{"diagnose", "https://ok.example/", "--proxy", "http://" + bad + ":3128"},
		{"token", "--token-url", "https://" + bad + "/oauth2/token", "--kid", "k", "--key", "k.pem", "--api-key-env", "K"},
		{"profile", "new", "x", "--provider", "generic", "--url", "https://" + bad + "/"},
		{"profile", "set", "y", "url", "https://" + bad + "/"},
		{"profile", "set", "y", "token_url", "https://" + bad + "/oauth2/token"},
	} {
		r := runCmd(t, "", false, args...)
		if r.code != 2 || !strings.Contains(r.errOut, bad) || !strings.Contains(r.errOut, "not a valid internationalised domain name") {
			t.Errorf("%q: exit %d %q", args, r.code, r.errOut)
		}
	}
	if _, err := profile.Load("x"); err == nil {
		t.Error("a profile was saved with an invalid host")
	}
	if p, err := profile.Load("y"); err != nil || p.URL != "https://ok.example/" || p.TokenURL != "" {
		t.Errorf("profile set changed the profile: %+v %v", p, err)
	}
}

// TestProfileIDNURLStoredASCII: profile new and set store an IDN URL in
// ASCII form, so every later check uses the name the certificate carries.
func TestProfileIDNURLStoredASCII(t *testing.T) {
	useFileStore(t)
	want := "https://xn--bcher-kva.example/v1"
	if r := runCmd(t, "", false, "profile", "new", "b", "--provider", "generic", "--url", "https://bücher.example/v1"); r.code != 0 {
		t.Fatalf("profile new: %d %s", r.code, r.errOut)
	}
	if p, _ := profile.Load("b"); p == nil || p.URL != want {
		t.Fatalf("profile new stored %+v", p)
	}
	if r := runCmd(t, "", false, "profile", "set", "b", "url", "https://straße.example/v2"); r.code != 0 {
		t.Fatalf("profile set: %d %s", r.code, r.errOut)
	}
	p, _ := profile.Load("b")
	if u, _ := url.Parse(p.URL); u == nil || u.Host != "strasse.example" && u.Host != "xn--strae-oqa.example" {
		t.Errorf("profile set stored %q", p.URL)
	}
}
