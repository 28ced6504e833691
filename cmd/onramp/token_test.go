package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/onramp-cli/onramp/internal/testenv"
	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/internal/tokentest"
	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/sandbox/tokenapi"
	"github.com/onramp-cli/onramp/secretstore"
)

const tokenTestAPIKey = "CANARY-APIKEY-cmd-51e2"

// useTokenTestKeyring gives a test a fresh in-memory keyring (for
// runTokenCmd) and a throwaway config directory.
func useTokenTestKeyring(t *testing.T) *testkeyring.Keyring {
	t.Helper()
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	return testkeyring.New()
}

// fakeAPIM is the sandbox's APIM-like token endpoint served on loopback.
type fakeAPIM struct {
	*tokenapi.APIM
	URL, TokenURL, Addr string
}

type tokenCmdFixture struct {
	apim    *fakeAPIM
	caFile  string
	keyFile string
}

// newTokenCmdFixture serves the sandbox's APIM-like endpoint with the
// test-1 key registered; its certificate also names hosts.
func newTokenCmdFixture(t *testing.T, hosts ...string) *tokenCmdFixture {
	t.Helper()
	ca := testpki.NewCA(t, "onramp test CA")
	key := tokentest.RSAKey(t, 4096, 0)
	fake := tokenapi.NewAPIM(tokenapi.APIMOptions{APIKey: tokenTestAPIKey, Record: true,
		JWKS: tokenapi.StaticJWKS(tokentest.JWKS(t, key.Public(), "test-1"))})
	srv := ca.Serve(t, fake, hosts...)
	dir := t.TempDir()
	return &tokenCmdFixture{apim: &fakeAPIM{APIM: fake, URL: srv.URL, TokenURL: srv.URL + tokenapi.APIMTokenPath, Addr: srv.Listener.Addr().String()},
		caFile:  testpki.WriteFile(t, dir, "ca.pem", ca.CertPEM()),
		keyFile: testpki.WriteFile(t, dir, "test-1.pem", tokentest.KeyPEM(t, key))}
}

func (f *tokenCmdFixture) adHocArgs(extra ...string) []string {
	return append([]string{"token", "--token-url", f.apim.TokenURL, "--kid", "test-1", "--key", f.keyFile,
		"--api-key-env", "NHS_API_KEY", "--cacert", f.caFile}, extra...)
}

func runTokenCmd(t *testing.T, kr secretstore.Keyring, tty bool, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	r := runCmdStore(t, kr, "", tty, args...)
	return r.code, r.out, r.errOut
}

func assertNoSecret(t *testing.T, where, s string, secrets ...string) {
	t.Helper()
	for _, secret := range append(secrets, tokenTestAPIKey, "CANARY-AWS", "CANARY-SESSION") {
		if secret != "" && strings.Contains(s, secret) {
			t.Errorf("%s holds a secret (%.14s…): %q", where, secret, s)
		}
	}
}

func TestTokenCommandWithFlags(t *testing.T) {
	kr := useTokenTestKeyring(t)
	f := newTokenCmdFixture(t)
	t.Setenv("NHS_API_KEY", tokenTestAPIKey)

	code, out, errOut := runTokenCmd(t, kr, false, f.adHocArgs()...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if out != f.apim.Tokens()[0]+"\n" {
		t.Errorf("stdout = %q, want the token alone", out)
	}
	assertNoSecret(t, "stderr", errOut, f.apim.Tokens()[0])

	code, out, errOut = runTokenCmd(t, kr, false, f.adHocArgs("--json")...)
	if code != 0 {
		t.Fatalf("--json exit %d: %s", code, errOut)
	}
	var resp struct {
		AccessToken string    `json:"access_token"`
		ExpiresIn   int64     `json:"expires_in"`
		TokenType   string    `json:"token_type"`
		ExpiresAt   time.Time `json:"expires_at"`
	}
	if err := json.Unmarshal([]byte(out), &resp); err != nil {
		t.Fatalf("--json output %q: %v", out, err)
	}
	if resp.AccessToken != f.apim.Tokens()[1] || resp.ExpiresIn != 599 || resp.TokenType != "Bearer" || time.Until(resp.ExpiresAt) < 9*time.Minute {
		t.Errorf("--json = %+v", resp)
	}
	assertNoSecret(t, "--json stdout", out)
}

func TestTokenCommandFromProfileIsCached(t *testing.T) {
	kr := useTokenTestKeyring(t)
	f := newTokenCmdFixture(t)
	p := &profile.Profile{Name: "nhs-int", Provider: "nhs-apim", URL: f.apim.URL, TokenURL: f.apim.TokenURL,
		Auth: []string{"signed-jwt"}, Key: f.keyFile, KID: "test-1", CACert: f.caFile, APIKeyHeader: "apikey"}
	if err := profile.Save(p); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runTokenCmd(t, kr, false, "token", "--profile", "nhs-int")
	if code != 1 || !strings.Contains(errOut, "keyring-secret-missing") {
		t.Errorf("without the API key: exit %d, %s", code, errOut)
	}
	_ = kr.Set("nhs-int", "api-key", tokenTestAPIKey)

	code, first, errOut := runTokenCmd(t, kr, true, "token", "--profile", "nhs-int")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "new token for profile nhs-int") {
		t.Errorf("stderr on a terminal = %q", errOut)
	}
	assertNoSecret(t, "stderr", errOut, f.apim.Tokens()[0])
	_, second, errOut := runTokenCmd(t, kr, true, "token", "--profile", "nhs-int")
	if first != second || f.apim.Count() != 1 || !strings.Contains(errOut, "cached token") {
		t.Errorf("second run: same=%v issued=%d stderr=%q", first == second, f.apim.Count(), errOut)
	}
	_, third, _ := runTokenCmd(t, kr, false, "token", "--profile", "nhs-int", "--no-cache")
	if third == first || f.apim.Count() != 2 {
		t.Errorf("--no-cache: issued=%d", f.apim.Count())
	}
	for item, v := range kr.Items {
		if item != "nhs-int/api-key" && strings.Contains(v, tokenTestAPIKey) {
			t.Errorf("keyring item %s holds the API key", item)
		}
	}
}

func TestTokenCommandRefusalsNameTheCause(t *testing.T) {
	kr := useTokenTestKeyring(t)
	f := newTokenCmdFixture(t)
	t.Setenv("NHS_API_KEY", tokenTestAPIKey)
	args := f.adHocArgs()
	args[4] = "test-2" // --kid

	code, out, errOut := runTokenCmd(t, kr, false, args...)
	if code != 1 || out != "" {
		t.Errorf("exit %d stdout %q", code, out)
	}
	for _, want := range []string{"Cause: No public key is registered for this kid (jwt-kid-unknown)", "Fix: ", "message_id"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q: %s", want, errOut)
		}
	}
	assertNoSecret(t, "stderr", errOut)

	code, out, _ = runTokenCmd(t, kr, false, append(args, "--json")...)
	var failure struct {
		OK    bool `json:"ok"`
		Cause struct {
			ID string `json:"id"`
		} `json:"cause"`
	}
	if err := json.Unmarshal([]byte(out), &failure); err != nil || code != 1 || failure.OK || failure.Cause.ID != "jwt-kid-unknown" {
		t.Errorf("--json failure: exit %d %q %v", code, out, err)
	}

	// A 2048-bit key is refused before anything is sent.
	small := testpki.WriteFile(t, t.TempDir(), "small.pem", tokentest.KeyPEM(t, tokentest.RSAKey(t, 2048, 0)))
	args = f.adHocArgs()
	args[6] = small // --key
	sent := len(f.apim.Forms())
	code, _, errOut = runTokenCmd(t, kr, false, args...)
	if code != 1 || !strings.Contains(errOut, "key-unsupported") || !strings.Contains(errOut, "4096") || len(f.apim.Forms()) != sent {
		t.Errorf("2048-bit key: exit %d, %s", code, errOut)
	}
}

func TestTokenCommandUsageErrors(t *testing.T) {
	kr := useTokenTestKeyring(t)
	t.Setenv("EMPTY_VAR", "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"token", "--token-url", "https://int.api.service.nhs.uk/oauth2/token", "--kid", "k"}, "--key, --api-key-env"},
		{[]string{"token", "--kid", "k"}, "--kid needs --token-url"},
		{[]string{"token", "--profile", "p", "--token-url", "https://h/oauth2/token", "--kid", "k", "--key", "f", "--api-key-env", "V"}, "do not go together"},
		{[]string{"token", "--token-url", "http://int.api.service.nhs.uk/oauth2/token", "--kid", "k", "--key", "f", "--api-key-env", "V"}, "want an https URL"},
		{[]string{"token", "--token-url", "https://int.api.service.nhs.uk/oauth2/token", "--kid", "k", "--key", "f", "--api-key-env", "EMPTY_VAR"}, "EMPTY_VAR"},
		{[]string{"token", "--resolve", "nonsense"}, "HOST:PORT:ADDR"},
		{[]string{"token", "--profile", "../etc"}, "invalid profile name"},
		{[]string{"token", "--profile", "nosuch"}, "no such profile"},
		{[]string{"token", "--api-key", "secret"}, "unknown flag"},
		{[]string{"aws-credentials", "--profile", "nosuch"}, "no such profile"},
		{[]string{"profile", "import-cgp", "a", "b"}, "accepts at most 1 arg"},
	} {
		code, out, errOut := runTokenCmd(t, kr, false, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) || out != "" {
			t.Errorf("%v: exit %d, stderr %q (want 2 and %q)", tc.args, code, errOut, tc.want)
		}
	}
}

func TestTokenCommandSandboxNeedsNoAuth(t *testing.T) {
	kr := useTokenTestKeyring(t)
	t.Setenv("NHS_API_KEY", tokenTestAPIKey)
	code, out, errOut := runTokenCmd(t, kr, false, "token", "--token-url", "https://sandbox.api.service.nhs.uk/oauth2/token",
		"--kid", "k", "--key", "/nonexistent", "--api-key-env", "NHS_API_KEY")
	if code != 0 || out != "" || !strings.Contains(errOut, "needs no authentication") {
		t.Errorf("exit %d stdout %q stderr %q", code, out, errOut)
	}
	if err := profile.Save(&profile.Profile{Name: "sbx", Provider: "nhs-apim", URL: "https://sandbox.api.service.nhs.uk"}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runTokenCmd(t, kr, false, "token", "--profile", "sbx")
	if code != 0 || out != "" || !strings.Contains(errOut, "sandbox.api.service.nhs.uk is an NHS API Management sandbox") {
		t.Errorf("profile: exit %d stdout %q stderr %q", code, out, errOut)
	}
}

// Secrets never travel as flag values (they would show in ps and shell
// history): every flag that names a secret reads it from the environment.
func TestCredentialCommandsTakeNoSecretFlags(t *testing.T) {
	io, _, _, _ := iostreams.Test()
	root := newRootCmd(newFactory(io))
	for _, path := range [][]string{{"token"}, {"aws-credentials"}, {"profile", "import-cgp"}} {
		cmd, _, err := root.Find(path)
		name := path[len(path)-1]
		if err != nil || cmd.Name() != name {
			t.Fatalf("%s: %v", name, err)
		}
		cmd.Flags().VisitAll(func(fl *pflag.Flag) {
			n := fl.Name
			if (strings.Contains(n, "pass") || strings.Contains(n, "api-key") || strings.Contains(n, "secret") || n == "token") && !strings.HasSuffix(n, "-env") {
				t.Errorf("%s --%s takes a secret as a flag value", name, n)
			}
		})
	}
}

// The real binary in a shell, as the contract promises:
// curl -H "Authorization: Bearer $(onramp token ...)".
func TestTokenBinaryInCurlCommand(t *testing.T) {
	bin := testenv.OnrampBinary(t)
	testenv.Tool(t, "curl")
	f := newTokenCmdFixture(t)
	dir := t.TempDir()
	script := `curl -sS --max-time 10 --cacert "$CA" -H "Authorization: Bearer $("$ONRAMP" token --token-url "$TOKEN_URL" --kid test-1 --key "$KEY" --api-key-env NHS_API_KEY --cacert "$CA")" "$API"`
	cmd := exec.Command("sh", "-c", script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Env = append(os.Environ(), "ONRAMP="+bin, "CA="+f.caFile, "KEY="+f.keyFile, "TOKEN_URL="+f.apim.TokenURL,
		"API="+f.apim.URL+tokenapi.HelloPath, "NHS_API_KEY="+tokenTestAPIKey, "ONRAMP_CONFIG_DIR="+filepath.Join(dir, "cfg"))
	out, err := cmd.Output()
	if err != nil || string(out) != tokenapi.HelloJSON {
		t.Fatalf("curl with $(onramp token): %v %q %s", err, out, stderr.String())
	}
	assertNoSecret(t, "stderr", stderr.String(), f.apim.Tokens()...)
}
