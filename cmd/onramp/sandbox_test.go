package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/sandbox"
)

func runSandboxCmd(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	// No secret store: the sandbox keeps its keys in 0600 files.
	r := runCmdStore(t, nil, stdin, false, args...)
	return r.code, r.out, r.errOut
}

func sandboxTestEnv(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("ONRAMP_CONFIG_DIR", dir)
	return dir
}

func TestSandboxBreakList(t *testing.T) {
	sandboxTestEnv(t)
	code, out, _ := runSandboxCmd(t, "", "sandbox", "--break", "list")
	if code != 0 || strings.Count(out, "\n") != len(sandbox.Breaks()) || !strings.Contains(out, "tls-version-mismatch") {
		t.Errorf("--break list: exit %d\n%s", code, out)
	}
	code, _, errOut := runSandboxCmd(t, "", "sandbox", "--break", "no-such-cause")
	if code != 2 || !strings.Contains(errOut, "unknown cause") || !strings.Contains(errOut, "server-cert-expired") {
		t.Errorf("--break no-such-cause: exit %d\n%s", code, errOut)
	}
}

func TestSandboxAddrErrors(t *testing.T) {
	sandboxTestEnv(t)
	for _, addr := range []string{"0.0.0.0:8443", "8443", "127.0.0.1:port"} {
		code, _, errOut := runSandboxCmd(t, "", "sandbox", "--addr", addr)
		if code != 2 || !strings.Contains(errOut, "--addr") {
			t.Errorf("--addr %s: exit %d\n%s", addr, code, errOut)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	code, _, errOut := runSandboxCmd(t, "", "sandbox", "--addr", ln.Addr().String())
	if code != 2 || !strings.Contains(errOut, "port "+port+" is in use") {
		t.Errorf("port in use: exit %d\n%s", code, errOut)
	}
}

func TestSandboxSign(t *testing.T) {
	cfg := sandboxTestEnv(t)
	dir := t.TempDir()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "cli-client", Country: []string{"GB"}}}, key)
	csr := filepath.Join(dir, "me.csr")
	os.WriteFile(csr, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), 0o644)
	out := filepath.Join(dir, "me.pem")

	code, stdout, errOut := runSandboxCmd(t, "", "sandbox", "sign", csr, "--out", out)
	if code != 0 || stdout != "" {
		t.Fatalf("sign --out: exit %d\n%s%s", code, stdout, errOut)
	}
	root := filepath.Join(cfg, "sandbox", sandbox.RootCertFile)
	if !strings.Contains(errOut, root) || !strings.Contains(errOut, "CN=cli-client") {
		t.Errorf("sign does not name the CA bundle or the subject:\n%s", errOut)
	}
	certs, err := keystore.ReadCertificates(out)
	if err != nil || certs[0].Subject.CommonName != "cli-client" {
		t.Fatalf("signed certificate: %v", err)
	}
	// Not overwritten without --force.
	if code, _, errOut := runSandboxCmd(t, "", "sandbox", "sign", csr, "--out", out); code != 2 || !strings.Contains(errOut, "--force") {
		t.Errorf("sign over an existing file: exit %d\n%s", code, errOut)
	}
	// From stdin to stdout.
	data, _ := os.ReadFile(csr)
	code, stdout, _ = runSandboxCmd(t, string(data), "sandbox", "sign", "-")
	if code != 0 || keystore.Sniff([]byte(stdout)) != keystore.KindCertificate {
		t.Errorf("sign - : exit %d, stdout %q", code, stdout)
	}
	// A certificate given where a CSR belongs.
	if code, _, errOut := runSandboxCmd(t, "", "sandbox", "sign", out); code != 2 || !strings.Contains(errOut, "not a certificate signing request") {
		t.Errorf("sign CERT: exit %d\n%s", code, errOut)
	}
	if code, _, errOut := runSandboxCmd(t, "", "sandbox", "sign", filepath.Join(dir, "missing.csr")); code != 2 || !strings.Contains(errOut, "missing.csr") {
		t.Errorf("sign missing file: exit %d\n%s", code, errOut)
	}
}

func TestSandboxRegisterJWKSAndReset(t *testing.T) {
	cfg := sandboxTestEnv(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"keys":[{"kty":"RSA","kid":"k","n":"AQAB","e":"AQAB","d":"AQAB"}]}`), 0o600)
	if code, _, errOut := runSandboxCmd(t, "", "sandbox", "register-jwks", bad); code != 2 || !strings.Contains(errOut, "private key") {
		t.Errorf("register-jwks with a private JWKS: exit %d\n%s", code, errOut)
	}

	if code, _, errOut := runSandboxCmd(t, "", "sandbox", "reset"); code != 2 || !strings.Contains(errOut, "--force") {
		t.Errorf("reset without --force: exit %d\n%s", code, errOut)
	}
	if _, err := sandbox.LoadPKI(filepath.Join(cfg, "sandbox"), time.Now()); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runSandboxCmd(t, "", "sandbox", "reset", "--force"); code != 0 || !strings.Contains(errOut, "removed 10 files") {
		t.Errorf("reset --force: exit %d\n%s", code, errOut)
	}
}
