package inspect

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/revocation"
)

// TestCheckRevocationWithOpenSSLResponder: inspect shows where revocation
// is published, and with a real `openssl ocsp` responder names a revoked
// certificate as client-cert-revoked; a good one passes, and an issuer
// given as a separate CA bundle is used.
func TestCheckRevocationWithOpenSSLResponder(t *testing.T) {
	ca := testpki.NewCA(t, "Revocation CA")
	port := testpki.FreePort(t)
	ocspURL := "http://127.0.0.1:" + port
	o := testpki.Options{OCSPServer: []string{ocspURL}, CRLDistributionPoints: []string{"http://127.0.0.1:1/ca.crl"}}
	good, revoked := ca.Client(t, o), ca.Client(t, o)
	testpki.StartOCSPResponder(t, ca, port, testpki.IndexLine(good.Cert, time.Time{})+testpki.IndexLine(revoked.Cert, time.Now().Add(-time.Hour)))

	now := time.Now()
	results := []*Result{
		Inspect("good.pem", good.CertPEM(false), now),
		Inspect("revoked.pem", revoked.CertPEM(false), now),
		Inspect("ca.pem", ca.CertPEM(), now),
	}
	CheckRevocation(context.Background(), results, revocation.Options{Timeout: 5 * time.Second})

	if results[0].Failed() || results[0].Certificates[0].Revocation == nil || results[0].Certificates[0].Revocation.Status != revocation.Good {
		t.Errorf("good certificate: %+v %+v", ids(results[0]), results[0].Certificates[0])
	}
	if !has(results[1], SeverityFail, "client-cert-revoked") {
		t.Errorf("revoked certificate: findings %v", ids(results[1]))
	}
	var b bytes.Buffer
	RenderText(&b, results[:2], false)
	for _, want := range []string{"OCSP:        " + ocspURL, "CRL:         http://127.0.0.1:1/ca.crl",
		"Revocation:  not revoked, says the OCSP responder " + ocspURL, "Revocation:  revoked on ", "(client-cert-revoked)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	if err := JSON(&b, results[1:2]); err != nil {
		t.Fatal(err)
	}
	var parsed struct {
		Certificates []struct {
			OCSP       []string
			Revocation struct{ Status, Method string }
		}
	}
	if err := json.Unmarshal(b.Bytes(), &parsed); err != nil || parsed.Certificates[0].OCSP[0] != ocspURL ||
		parsed.Certificates[0].Revocation.Status != "revoked" || parsed.Certificates[0].Revocation.Method != "ocsp" {
		t.Errorf("JSON: %v\n%s", err, b.String())
	}

	// Without the issuer anywhere, nothing can be asked: said, not failed.
	alone := []*Result{Inspect("good.pem", good.CertPEM(false), now)}
	CheckRevocation(context.Background(), alone, revocation.Options{Timeout: 2 * time.Second})
	if alone[0].Failed() || !strings.Contains(alone[0].Certificates[0].RevocationError, "--cacert") {
		t.Errorf("no issuer: %+v", alone[0].Certificates[0])
	}
}
