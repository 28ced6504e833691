package diagnose

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/testpki"
)

// TestCheckRevocationBeforeTheServer: a mutual-TLS server that does not
// check revocation would accept the revoked certificate; with
// CheckRevocation the local step asks a real openssl ocsp responder and
// names client-cert-revoked before anything is sent.
func TestCheckRevocationBeforeTheServer(t *testing.T) {
	ca := testpki.NewCA(t, "Client CA")
	port := testpki.FreePort(t)
	o := testpki.Options{OCSPServer: []string{"http://127.0.0.1:" + port}}
	good, revoked := ca.Client(t, o), ca.Client(t, o)
	testpki.StartOCSPResponder(t, ca, port, testpki.IndexLine(good.Cert, time.Time{})+testpki.IndexLine(revoked.Cert, time.Now().Add(-time.Hour)))
	srv := ca.ServeMutual(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	dir := t.TempDir()
	caFile := testpki.WriteFile(t, dir, "ca.pem", ca.CertPEM())

	run := func(leaf *testpki.Leaf, check bool) *Report {
		cert, key := leaf.Files(t, dir, leaf.Cert.SerialNumber.String())
		return Run(context.Background(), Options{URL: srv.URL + "/", CertFile: cert, KeyFile: key, CACertFile: caFile,
			CheckRevocation: check, Timeout: 10 * time.Second}, nil)
	}
	if rep := run(revoked, false); !rep.OK {
		t.Fatalf("the server itself accepts the revoked certificate, so this test shows nothing: %+v", rep.Cause)
	}
	rep := run(revoked, true)
	if rep.OK || rep.Cause == nil || rep.Cause.ID != cause.ClientCertRevoked || rep.Steps[0].Status != Fail ||
		!strings.Contains(rep.Steps[0].Detail, "revoked on") {
		t.Fatalf("revoked: %+v", rep.Steps[0])
	}
	if rep.Steps[1].Status != Skip {
		t.Error("the connection was tried after the local step found the certificate revoked")
	}
	rep = run(good, true)
	if !rep.OK || !strings.Contains(rep.Steps[0].Detail, "not revoked, says the OCSP responder") {
		t.Fatalf("good: %+v", rep.Steps[0])
	}
}
