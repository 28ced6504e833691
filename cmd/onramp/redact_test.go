package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/monitor"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/usecase"
)

func assertBlanked(t *testing.T, where, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("%s shows the secret %.12s…:\n%s", where, s, text)
		}
	}
}

// explain blanks the secrets the run knows, not only the ones its patterns
// recognise by their label: inside onramp exec (ONRAMP_API_KEY set), a
// log piped to explain that quotes the key bare shows it blanked, in text
// and --json, and so is a password in a URL.
func TestExplainBlanksKnownSecrets(t *testing.T) {
	const key = "CANARY-explain-key-5a7e91"
	t.Setenv(usecase.EnvAPIKey, key)
	log := "curl: (60) SSL certificate problem: unable to get local issuer certificate (sent key " + key + " via https://bob:pr0xy-pa55@proxy.corp:3128)\n"
	for _, args := range [][]string{{"explain", "-"}, {"explain", "--json", "-"}, {"explain", log}} {
		r := runCmd(t, log, false, args...)
		if r.code != 0 || !strings.Contains(r.out, "server-cert-untrusted") || !strings.Contains(r.out, "[redacted]") {
			t.Fatalf("%q: %+v", args, r)
		}
		assertBlanked(t, strings.Join(args, " "), r.out+r.errOut, key, "pr0xy-pa55")
	}
}

// onramp exec's own output and COMMAND's pass through the redaction: a
// command that prints the API key (curl -v does, in its request headers),
// even cut across two writes, shows it blanked on stdout and stderr.
func TestExecOutputBlanksTheSecrets(t *testing.T) {
	const key = "CANARY-exec-key-0d4c2b77"
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	saveProfile(t, &profile.Profile{Name: "keyed", URL: "https://api.example.test/", Auth: []string{"api-key"}})
	kr := &testkeyring.Keyring{Items: map[string]string{"keyed/api-key": key}}
	r := runCmdStore(t, kr, "", false, "exec", "--profile", "keyed", "--", "sh", "-c",
		`head=${ONRAMP_API_KEY%????????}; printf '> x-api-key: %s' "$head"; sleep 0.1; printf '%s\n' "${ONRAMP_API_KEY#"$head"}"; echo "$ONRAMP_API_KEY_HEADER: $ONRAMP_API_KEY" >&2; exit 3`)
	if r.code != 3 || !strings.Contains(r.out, "> x-api-key: [redacted]\n") || !strings.Contains(r.errOut, "x-api-key: [redacted]") {
		t.Fatalf("%+v", r)
	}
	assertBlanked(t, "exec", r.out+r.errOut, key)
}

// watch, its /probe answers, its textfile and status never show a secret,
// even when the server echoes the API key in a 403 and the profile file
// carries a proxy URL with a password.
func TestWatchAndStatusShowNoSecret(t *testing.T) {
	const key = "CANARY-watch-key-7c1e3d90"
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	ca := testpki.NewCA(t, "Echo CA")
	srv := ca.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", key="`+r.Header.Get("x-api-key")+`"`)
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"message":"key ` + r.Header.Get("x-api-key") + ` is not subscribed"}`))
	}))
	caFile := testpki.WriteFile(t, t.TempDir(), "ca.pem", ca.CertPEM())
	saveProfile(t, &profile.Profile{Name: "echo", URL: srv.URL + "/status", CACert: caFile, Auth: []string{"api-key"}})
	kr := &testkeyring.Keyring{Items: map[string]string{"echo/api-key": key}}
	dir := t.TempDir()

	r := runCmdStore(t, kr, "", false, "watch", "--once", "--textfile", dir)
	if r.code != 1 {
		t.Fatalf("watch: %+v", r)
	}
	prom, _ := os.ReadFile(filepath.Join(dir, monitor.TextfileName))
	if !strings.Contains(string(prom), `onramp_check_success{profile="echo"} 0`) {
		t.Errorf("textfile:\n%s", prom)
	}
	assertBlanked(t, "watch", r.out+r.errOut+string(prom), key)
	r = runCmdStore(t, kr, "", false, "status", "--json")
	assertBlanked(t, "status", r.out+r.errOut, key)

	// /probe of a profile file that does not load: the error names the
	// file, not the password in it.
	bad := filepath.Join(os.Getenv("ONRAMP_CONFIG_DIR"), "profiles", "broken.yaml")
	os.WriteFile(bad, []byte("url: https://bob:pr0xy-pa55w0rd@api.example/\nexpect_json: [1\n"), 0o600)
	m, err := monitor.New(monitor.Options{Checker: usecase.Checks{Store: kr}, Secrets: knownSecrets(os.Getenv)})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/probe?profile=broken", nil))
	if rec.Code != http.StatusBadRequest {
		t.Errorf("probe: %d %s", rec.Code, rec.Body)
	}
	assertBlanked(t, "/probe", rec.Body.String(), key, "pr0xy-pa55w0rd")
}
