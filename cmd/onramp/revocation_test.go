package main

import (
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/internal/testpki"
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
