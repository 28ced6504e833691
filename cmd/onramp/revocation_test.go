package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/monitor"
	"github.com/onramp-cli/onramp/profile"
)

// TestInspectCheckRevocation: onramp inspect --check-revocation against a
// real openssl ocsp responder, the issuer given as a second file.
func TestInspectCheckRevocation(t *testing.T) {
	ca := testpki.NewCA(t, "Client CA")
	port := testpki.FreePort(t)
	url := "http://127.0.0.1:" + port
	o := testpki.Options{OCSPServer: []string{url}}
	good, revoked := ca.Client(t, o), ca.Client(t, o)
	testpki.StartOCSPResponder(t, ca, port, testpki.IndexLine(good.Cert, time.Time{})+testpki.IndexLine(revoked.Cert, time.Now().Add(-time.Hour)))
	dir := t.TempDir()
	caFile := testpki.WriteFile(t, dir, "ca.pem", ca.CertPEM())
	goodFile := testpki.WriteFile(t, dir, "good.pem", good.CertPEM(false))
	revokedFile := testpki.WriteFile(t, dir, "revoked.pem", revoked.CertPEM(false))
	kr := testkeyring.New()

	r := runCmdStore(t, kr, "", false, "inspect", goodFile)
	if r.code != 0 || !strings.Contains(r.out, "OCSP:        "+url) || strings.Contains(r.out, "Revocation:") {
		t.Fatalf("inspect without the check: %+v", r)
	}
	r = runCmdStore(t, kr, "", false, "inspect", "--check-revocation", goodFile, caFile)
	if r.code != 0 || !strings.Contains(r.out, "Revocation:  not revoked") {
		t.Fatalf("good: %+v", r)
	}
	r = runCmdStore(t, kr, "", false, "inspect", "--check-revocation", "--timeout", "5s", revokedFile, caFile)
	if r.code != 1 || !strings.Contains(r.out, "client-cert-revoked") {
		t.Fatalf("revoked: %+v", r)
	}
	for _, args := range [][]string{
		{"inspect", "--timeout", "5s", goodFile},
		{"inspect", "--check-revocation", "--timeout", "0s", goodFile},
		{"diagnose", "https://127.0.0.1:1/", "--check-revocation"},
	} {
		if r := runCmdStore(t, kr, "", false, args...); r.code != 2 || !strings.Contains(r.errOut, "--") {
			t.Errorf("%q: %+v, want a usage error naming the flag", args, r)
		}
	}
}

// TestWatchCheckRevocation: onramp watch --check-revocation names a
// revoked client certificate (a real openssl ocsp responder says so) that
// the server itself still accepts.
func TestWatchCheckRevocation(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	ca := testpki.NewCA(t, "Client CA")
	port := testpki.FreePort(t)
	revoked := ca.Client(t, testpki.Options{OCSPServer: []string{"http://127.0.0.1:" + port}})
	testpki.StartOCSPResponder(t, ca, port, testpki.IndexLine(revoked.Cert, time.Now().Add(-time.Hour)))
	srv := ca.ServeMutual(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	dir := t.TempDir()
	cert, key := revoked.Files(t, dir, "client")
	saveProfile(t, &profile.Profile{Name: "revoked", URL: srv.URL + "/", Auth: []string{"mtls"}, Cert: cert, Key: key,
		CACert: testpki.WriteFile(t, dir, "ca.pem", ca.CertPEM())})
	kr := testkeyring.New()
	out := t.TempDir()
	if r := runCmdStore(t, kr, "", false, "watch", "--once", "--textfile", out); r.code != 0 {
		t.Fatalf("without --check-revocation the server accepts it: %+v", r)
	}
	r := runCmdStore(t, kr, "", false, "watch", "--once", "--textfile", out, "--check-revocation")
	data, _ := os.ReadFile(filepath.Join(out, monitor.TextfileName))
	if r.code != 1 || !strings.Contains(string(data), `onramp_check_failure{cause="client-cert-revoked",profile="revoked",step="local"} 1`) {
		t.Fatalf("--check-revocation: %+v\n%s", r, data)
	}
}
