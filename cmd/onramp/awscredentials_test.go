package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testenv"
	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/sandbox/tokenapi"
)

type awsCmdFixture struct {
	srv *tokenapi.HMPPS
	url string
	kr  *testkeyring.Keyring
}

func newAWSCmdFixture(t *testing.T) *awsCmdFixture {
	t.Helper()
	kr := useTokenTestKeyring(t)
	ca := testpki.NewCA(t, "HMPPS test CA")
	srv := tokenapi.NewHMPPS(tokenapi.HMPPSOptions{APIKey: tokenTestAPIKey, Wrapped: true, SecretPrefix: "CANARY-AWS-SECRET-", SessionPrefix: "CANARY-SESSION-", Record: true})
	srvURL := ca.ServeMutual(t, srv).URL
	dir := t.TempDir()
	cert, key := ca.Client(t, testpki.Options{CommonName: "acme"}).Files(t, dir, "client")
	p := &profile.Profile{Name: "hmpps-dev", Provider: "hmpps", URL: srvURL + "/v1/persons/X802678/risks/scores",
		Auth: []string{"mtls", "api-key"}, Cert: cert, Key: key, CACert: testpki.WriteFile(t, dir, "ca.pem", ca.CertPEM()),
		APIKeyHeader: "x-api-key", APIKeySecret: "api-key"}
	if err := profile.Save(p); err != nil {
		t.Fatal(err)
	}
	_ = kr.Set("hmpps-dev", "api-key", tokenTestAPIKey)
	return &awsCmdFixture{srv: srv, url: srvURL, kr: kr}
}

func TestAWSCredentialsCommand(t *testing.T) {
	f := newAWSCmdFixture(t)
	code, out, errOut := runTokenCmd(t, f.kr, false, "aws-credentials", "--profile", "hmpps-dev")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if errOut != "" {
		t.Errorf("stderr = %q; the AWS tools run it with output piped, say nothing", errOut)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	if m["Version"] != 1.0 || m["SecretAccessKey"] != f.srv.Secrets()[0] || !strings.HasPrefix(m["AccessKeyId"].(string), "ASIA") {
		t.Errorf("credential_process JSON = %s", out)
	}
	exp, err := time.Parse(time.RFC3339, m["Expiration"].(string))
	if err != nil || time.Until(exp) < 59*time.Minute {
		t.Errorf("Expiration %v: %v", m["Expiration"], err)
	}

	// Cached: the AWS tools may call it for every command.
	_, again, _ := runTokenCmd(t, f.kr, false, "aws-credentials", "--profile", "hmpps-dev")
	if again != out || f.srv.Count() != 1 {
		t.Errorf("second run: same=%v issued=%d", again == out, f.srv.Count())
	}

	code, env, errOut := runTokenCmd(t, f.kr, false, "aws-credentials", "--profile", "hmpps-dev", "--env")
	if code != 0 || !strings.Contains(env, "export AWS_ACCESS_KEY_ID=ASIA") || !strings.Contains(env, "export AWS_SECRET_ACCESS_KEY="+f.srv.Secrets()[0]) ||
		!strings.Contains(env, "export AWS_SESSION_TOKEN=") || !strings.Contains(env, "export AWS_REGION=eu-west-2") {
		t.Errorf("--env: exit %d %q %s", code, env, errOut)
	}

	// At a terminal it says how to hook it up, on stderr only.
	code, out, errOut = runTokenCmd(t, f.kr, true, "aws-credentials", "--profile", "hmpps-dev")
	if code != 0 || !strings.Contains(errOut, "credential_process = ") || !strings.Contains(errOut, "aws-credentials --profile hmpps-dev") ||
		!strings.Contains(errOut, "region = eu-west-2") || !strings.HasPrefix(out, "{") {
		t.Errorf("terminal: exit %d stdout %q stderr %q", code, out, errOut)
	}
	assertNoSecret(t, "stderr", errOut, f.srv.Secrets()...)
}

func TestAWSCredentialsCommandRefusals(t *testing.T) {
	f := newAWSCmdFixture(t)
	p, _ := profile.Load("hmpps-dev")
	p.TokenURL = f.url + "/v1/token"
	if err := profile.Save(p); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runTokenCmd(t, f.kr, false, "aws-credentials", "--profile", "hmpps-dev")
	if code != 1 || out != "" || !strings.Contains(errOut, "endpoint-not-found") || !strings.Contains(errOut, "not versioned") {
		t.Errorf("/v1/token: exit %d %q %s", code, out, errOut)
	}
	p.TokenURL = ""
	_ = profile.Save(p)
	_ = f.kr.Set("hmpps-dev", "api-key", "a-wrong-key")
	code, _, errOut = runTokenCmd(t, f.kr, false, "aws-credentials", "--profile", "hmpps-dev")
	if code != 1 || !strings.Contains(errOut, "api-key-rejected") {
		t.Errorf("wrong key: exit %d %s", code, errOut)
	}
	assertNoSecret(t, "stderr", errOut, "a-wrong-key")
	p.Cert = ""
	_ = profile.Save(p)
	code, _, errOut = runTokenCmd(t, f.kr, false, "aws-credentials", "--profile", "hmpps-dev")
	if code != 1 || !strings.Contains(errOut, "client-cert-not-sent") {
		t.Errorf("no certificate: exit %d %s", code, errOut)
	}
	if f.srv.Count() != 0 {
		t.Errorf("issued %d", f.srv.Count())
	}
}

// The AWS CLI's own engine runs the real binary as credential_process.
func TestAWSCredentialsBinaryAsCredentialProcess(t *testing.T) {
	bin := testenv.OnrampBinary(t)
	testenv.PythonModule(t, "botocore")
	f := newAWSCmdFixture(t)
	// The subprocess cannot see the in-memory keyring: the API key goes to
	// the encrypted file store.
	dir := t.TempDir()
	awsConfig := filepath.Join(dir, "aws-config")
	if err := os.WriteFile(awsConfig, []byte("[profile hmpps]\ncredential_process = "+bin+" aws-credentials --profile hmpps-dev\nregion = eu-west-2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	store := exec.Command(bin, "secret", "set", "api-key", "--profile", "hmpps-dev", "--store", "file")
	store.Env = append(os.Environ(), "ONRAMP_CONFIG_DIR="+os.Getenv("ONRAMP_CONFIG_DIR"), "ONRAMP_STORE_PASSPHRASE=test-passphrase")
	store.Stdin = strings.NewReader(tokenTestAPIKey + "\n")
	if out, err := store.CombinedOutput(); err != nil {
		t.Fatalf("onramp secret set --store file: %v %s", err, out)
	}
	script := `
import botocore.session
s = botocore.session.Session(profile="hmpps")
f = s.get_credentials().get_frozen_credentials()
print(f.access_key[:4], f.secret_key)
`
	cmd := exec.Command("python3", "-c", script)
	cmd.Env = append(os.Environ(), "AWS_CONFIG_FILE="+awsConfig, "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"),
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=", "AWS_PROFILE=",
		"ONRAMP_STORE=file", "ONRAMP_STORE_PASSPHRASE=test-passphrase")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("botocore with credential_process: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "ASIA "+f.srv.Secrets()[0] {
		t.Errorf("botocore got %q", got)
	}
}
