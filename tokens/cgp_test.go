package tokens

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/internal/tokentest"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/sandbox/tokenapi"
)

func writeCGPConfig(t *testing.T, dir, body string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return testpki.WriteFile(t, dir, "config.yaml", []byte(body))
}

// The CGP config is imported, the API key goes to the keyring, and the
// profile then gets a token from a verifying server reached as the real
// internal-dev host.
func TestImportCGPConfigRoundTrip(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	home := t.TempDir()
	cgpDir := filepath.Join(home, ".cgpclient")
	keyFile := testpki.WriteFile(t, t.TempDir(), "test-1.pem", tokentest.KeyPEM(t, tokentest.RSAKey(t, 4096, 0)))
	cfgPath := writeCGPConfig(t, cgpDir, `api_host: internal-dev.api.service.nhs.uk
api_name: genomic-data-access
api_key: `+apiKeyCanary+`
private_key_pem_file: `+keyFile+`
apim_kid: test-1
output_dir: /tmp/cgp
extra_setting: kept by CGP, ignored here
`)
	p, apiKey, err := ImportCGPConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if apiKey != apiKeyCanary {
		t.Errorf("api key = %q", apiKey)
	}
	want := profile.Profile{Provider: "nhs-apim", Environment: "internal-dev", URL: "https://internal-dev.api.service.nhs.uk",
		TokenURL: "https://internal-dev.api.service.nhs.uk/oauth2/token", Key: keyFile, KID: "test-1", APIKeyHeader: "apikey"}
	if p.Provider != want.Provider || p.Environment != want.Environment || p.URL != want.URL || p.TokenURL != want.TokenURL ||
		p.Key != want.Key || p.KID != want.KID || p.APIKeyHeader != want.APIKeyHeader || len(p.Auth) != 1 || p.Auth[0] != "signed-jwt" {
		t.Errorf("profile = %+v", p)
	}

	// What the import command does: key to the keyring, profile to disk.
	kr := testkeyring.New()
	p.Name = "cgp"
	if err := kr.Set(p.Name, "api-key", apiKey); err != nil {
		t.Fatal(err)
	}
	if err := profile.Save(p); err != nil {
		t.Fatal(err)
	}
	path, _ := profile.Path("cgp")
	saved, _ := os.ReadFile(path)
	noSecrets(t, string(saved))
	loaded, err := profile.Load("cgp")
	if err != nil {
		t.Fatal(err)
	}

	ca := testpki.NewCA(t, "onramp test CA")
	fake := tokenapi.NewAPIM(tokenapi.APIMOptions{APIKey: apiKeyCanary, Record: true,
		JWKS:     tokenapi.StaticJWKS(tokentest.JWKS(t, tokentest.RSAKey(t, 4096, 0).Public(), "test-1")),
		Audience: "https://internal-dev.api.service.nhs.uk/oauth2/token"})
	addr := ca.Serve(t, fake, "internal-dev.api.service.nhs.uk").Listener.Addr().String()
	caFile := testpki.WriteFile(t, t.TempDir(), "ca.pem", ca.CertPEM())
	cfg, err := NHSConfigForProfile(loaded, ProfileOptions{Keyring: kr, CACertFile: caFile,
		Resolve: map[string]string{"internal-dev.api.service.nhs.uk:443": addr}})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := FetchNHS(ctxT(t), cfg)
	if err != nil {
		t.Fatalf("token with the imported profile: %v", err)
	}
	if tok.AccessToken != fake.Tokens()[0] {
		t.Error("not the issued token")
	}
	// The diagnose hook gives the same (cached) token.
	src := TokenSource(loaded, ProfileOptions{Keyring: kr, CACertFile: caFile,
		Resolve: map[string]string{"internal-dev.api.service.nhs.uk:443": addr}}, false)
	t1, err := src(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	t2, _ := src(ctxT(t))
	if t1 != t2 || fake.Count() != 2 {
		t.Errorf("TokenSource did not reuse its cached token (issued %d)", fake.Count())
	}
}

func TestImportCGPConfigVariants(t *testing.T) {
	dir := t.TempDir()
	// API key only: API-key auth; the CGP default host is production.
	p, key, err := ImportCGPConfig(writeCGPConfig(t, filepath.Join(dir, "a"), "api_key: "+apiKeyCanary+"\n"))
	if err != nil || key != apiKeyCanary || p.URL != "https://api.service.nhs.uk" || p.Environment != "prod" || p.Auth[0] != "api-key" || p.Key != "" {
		t.Errorf("api-key only: %+v %v", p, err)
	}
	// A relative key path is taken from the config's directory; the kid
	// defaults to the CGP client's test-1; a scheme in api_host is dropped.
	p, _, err = ImportCGPConfig(writeCGPConfig(t, filepath.Join(dir, "b"), "api_host: https://int.api.service.nhs.uk/\napi_key: k\nprivate_key_pem_file: keys/test-1.pem\n"))
	if err != nil || p.Key != filepath.Join(dir, "b", "keys", "test-1.pem") || p.KID != "test-1" || p.Environment != "int" || p.TokenURL != "https://int.api.service.nhs.uk/oauth2/token" {
		t.Errorf("relative key: %+v %v", p, err)
	}
	p, _, err = ImportCGPConfig(writeCGPConfig(t, filepath.Join(dir, "c"), "api_host: sandbox.api.service.nhs.uk\n"))
	if err != nil || p.Environment != "sandbox" {
		t.Errorf("sandbox: %+v %v", p, err)
	}
	if _, err := NHSConfigForProfile(p, ProfileOptions{}); !errors.Is(err, ErrSandbox) {
		t.Errorf("sandbox profile: %v, want ErrSandbox", err)
	}

	for name, body := range map[string]string{
		"not yaml":     "api_key: [unclosed\n",
		"no CGP keys":  "foo: bar\n",
		"host is URL ": "api_host: int.api.service.nhs.uk/oauth2 ?x\napi_key: " + apiKeyCanary + "\n",
	} {
		_, _, err := ImportCGPConfig(writeCGPConfig(t, filepath.Join(dir, strings.ReplaceAll(name, " ", "")), body))
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if got := causeOf(t, err); got != "input-wrong-file-type" {
			t.Errorf("%s: %s", name, got)
		}
		noSecrets(t, err.Error())
	}
	if _, _, err := ImportCGPConfig(filepath.Join(dir, "missing.yaml")); err == nil || causeOf(t, err) != "input-file-unreadable" {
		t.Errorf("missing file: %v", err)
	}
}

func TestNHSConfigForProfileRefusals(t *testing.T) {
	kr := testkeyring.New()
	keyFile := testpki.WriteFile(t, t.TempDir(), "k.pem", tokentest.KeyPEM(t, tokentest.RSAKey(t, 4096, 0)))
	for _, tc := range []struct {
		p    profile.Profile
		want string
	}{
		{profile.Profile{Name: "a", URL: "https://int.api.service.nhs.uk", Auth: []string{"api-key"}}, "jwt-key-not-configured"},
		{profile.Profile{Name: "b", URL: "https://int.api.service.nhs.uk", Auth: []string{"signed-jwt"}, Key: keyFile}, "jwt-key-not-configured"},
		{profile.Profile{Name: "c", URL: "https://int.api.service.nhs.uk", Auth: []string{"signed-jwt"}, Key: keyFile, KID: "k"}, "keyring-secret-missing"},
		{profile.Profile{Name: "d", URL: "https://int.api.service.nhs.uk", Auth: []string{"signed-jwt"}, Key: "/nonexistent.pem", KID: "k"}, "input-file-unreadable"},
		{profile.Profile{Name: "e", Auth: []string{"signed-jwt"}, Key: keyFile, KID: "k"}, "jwt-key-not-configured"},
	} {
		_, err := NHSConfigForProfile(&tc.p, ProfileOptions{Keyring: kr})
		if err == nil {
			t.Errorf("%s: accepted", tc.p.Name)
			continue
		}
		if got := causeOf(t, err); got != tc.want {
			t.Errorf("%s: %s, want %s (%v)", tc.p.Name, got, tc.want, err)
		}
	}
}

func TestParseResolve(t *testing.T) {
	for in, want := range map[string][2]string{
		"api.example.test:443:127.0.0.1": {"api.example.test:443", "127.0.0.1:443"},
		"h:8443:[::1]":                   {"h:8443", "[::1]:8443"},
		"h:8443:::1":                     {"h:8443", "[::1]:8443"},
	} {
		hp, addr, err := ParseResolve(in)
		if err != nil || hp != want[0] || addr != want[1] {
			t.Errorf("%s: %s %s %v", in, hp, addr, err)
		}
	}
	for _, bad := range []string{"", "h:443", "h::1.2.3.4", "h:443:notanip"} {
		if _, _, err := ParseResolve(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
