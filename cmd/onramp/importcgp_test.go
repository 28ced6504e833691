package main

import (
	"os"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/internal/tokentest"
	"github.com/onramp-cli/onramp/profile"
)

func TestImportCGPCommand(t *testing.T) {
	kr := useTokenTestKeyring(t)
	dir := t.TempDir()
	keyFile := testpki.WriteFile(t, dir, "test-1.pem", tokentest.KeyPEM(t, tokentest.RSAKey(t, 4096, 0)))
	cfg := testpki.WriteFile(t, dir, "config.yaml", []byte("api_host: int.api.service.nhs.uk\napi_name: genomic-data-access\napi_key: "+tokenTestAPIKey+
		"\nprivate_key_pem_file: "+keyFile+"\napim_kid: test-1\noutput_dir: /tmp\n"))

	code, out, errOut := runTokenCmd(t, kr, false, "profile", "import-cgp", cfg, "--profile", "nhs-int")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if kr.Items["nhs-int/api-key"] != tokenTestAPIKey {
		t.Errorf("keyring = %v", kr.Items)
	}
	for _, want := range []string{"profile nhs-int", "signed JWT with kid test-1", "delete its api_key line", "onramp token --profile nhs-int"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("output lacks %q: %s", want, errOut)
		}
	}
	assertNoSecret(t, "stdout", out)
	assertNoSecret(t, "stderr", errOut)
	if strings.Contains(errOut, "$(onramp secret get") {
		t.Errorf("the advice puts the key on a command line: %s", errOut)
	}

	p, err := profile.Load("nhs-int")
	if err != nil {
		t.Fatal(err)
	}
	if p.TokenURL != "https://int.api.service.nhs.uk/oauth2/token" || p.KID != "test-1" || p.Key != keyFile || p.APIKeyHeader != "apikey" || p.Secrets["api-key"].IsZero() {
		t.Errorf("profile = %+v", p)
	}
	path, _ := profile.Path("nhs-int")
	data, _ := os.ReadFile(path)
	assertNoSecret(t, "the profile file", string(data))

	code, _, errOut = runTokenCmd(t, kr, false, "profile", "import-cgp", cfg, "--profile", "nhs-int")
	if code != 2 || !strings.Contains(errOut, "--force") {
		t.Errorf("existing profile: exit %d %s", code, errOut)
	}
	if code, _, errOut = runTokenCmd(t, kr, false, "profile", "import-cgp", cfg, "--profile", "nhs-int", "--force"); code != 0 {
		t.Errorf("--force: exit %d %s", code, errOut)
	}

	// A 2048-bit key imports, with a warning that APIM will refuse it.
	small := testpki.WriteFile(t, dir, "small.pem", tokentest.KeyPEM(t, tokentest.RSAKey(t, 2048, 0)))
	cfg2 := testpki.WriteFile(t, dir, "config2.yaml", []byte("api_host: internal-dev.api.service.nhs.uk\napi_key: k\nprivate_key_pem_file: "+small+"\n"))
	code, _, errOut = runTokenCmd(t, kr, false, "profile", "import-cgp", cfg2, "--profile", "dev")
	if code != 0 || !strings.Contains(errOut, "NHS API Management documents RSA 4096 keys") || !strings.Contains(errOut, "kid test-1") {
		t.Errorf("2048-bit key: exit %d %s", code, errOut)
	}

	code, _, errOut = runTokenCmd(t, kr, false, "profile", "import-cgp", dir+"/missing.yaml")
	if code != 1 || !strings.Contains(errOut, "input-file-unreadable") {
		t.Errorf("missing file: exit %d %s", code, errOut)
	}
}
