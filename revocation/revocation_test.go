package revocation_test

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/revocation"
)

// TestOCSPWithOpenSSLResponder: good, revoked and unknown certificates as
// a real `openssl ocsp` responder answers them.
func TestOCSPWithOpenSSLResponder(t *testing.T) {
	ca := testpki.NewCA(t, "OCSP Test CA")
	port := testpki.FreePort(t)
	url := "http://127.0.0.1:" + port
	o := testpki.Options{OCSPServer: []string{url}}
	good := ca.Client(t, o)
	revoked := ca.Client(t, o)
	unknown := ca.Client(t, o)
	revokedAt := time.Now().Add(-48 * time.Hour).Truncate(time.Second)
	testpki.StartOCSPResponder(t, ca, port, testpki.IndexLine(good.Cert, time.Time{})+testpki.IndexLine(revoked.Cert, revokedAt))

	opts := revocation.Options{Issuers: []*x509.Certificate{ca.Cert}, Timeout: 10 * time.Second}
	for name, tc := range map[string]struct {
		leaf *testpki.Leaf
		want revocation.Status
	}{"good": {good, revocation.Good}, "revoked": {revoked, revocation.Revoked}, "unknown": {unknown, revocation.Unknown}} {
		res, err := revocation.Check(context.Background(), tc.leaf.Cert, opts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if res.Status != tc.want || res.Method != "ocsp" || res.URL != url {
			t.Errorf("%s: %+v, want %s from %s", name, res, tc.want, url)
		}
		if tc.want == revocation.Revoked {
			if !res.RevokedAt.Equal(revokedAt) || res.Reason != "keyCompromise" {
				t.Errorf("revoked at %v (%q), want %v (keyCompromise)", res.RevokedAt, res.Reason, revokedAt)
			}
			if s := res.String(); !strings.Contains(s, "revoked on") || !strings.Contains(s, url) {
				t.Errorf("String() = %q", s)
			}
		}
	}

	// An answer signed by another CA's key is refused, not believed.
	other := testpki.NewCA(t, "Impostor CA")
	port2 := testpki.FreePort(t)
	forged := ca.Client(t, testpki.Options{OCSPServer: []string{"http://127.0.0.1:" + port2}})
	testpki.StartOCSPResponder(t, other, port2, "")
	if res, err := revocation.Check(context.Background(), forged.Cert, opts); err == nil {
		t.Errorf("an answer from the wrong responder was accepted: %+v", res)
	}
}

// TestCRLOverHTTP: the CRL is fetched from its distribution point, its
// signature and freshness checked, and the serial looked up.
func TestCRLOverHTTP(t *testing.T) {
	ca := testpki.NewCA(t, "CRL Test CA")
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	o := testpki.Options{CRLDistributionPoints: []string{srv.URL + "/ca.crl"}, IssuingCertificateURL: []string{srv.URL + "/ca.crt"}}
	good, revoked := ca.Client(t, o), ca.Client(t, o)
	revokedAt := time.Now().Add(-time.Hour).Truncate(time.Second)
	crl := func(signer *testpki.CA, next time.Time) []byte {
		der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
			Number: big.NewInt(1), ThisUpdate: time.Now().Add(-2 * time.Hour), NextUpdate: next,
			RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: revoked.Cert.SerialNumber, RevocationTime: revokedAt, ReasonCode: 4}},
		}, signer.Cert, signer.Key)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	served := crl(ca, time.Now().Add(24*time.Hour))
	mux.HandleFunc("/ca.crl", func(w http.ResponseWriter, _ *http.Request) { w.Write(served) })
	mux.HandleFunc("/ca.crt", func(w http.ResponseWriter, _ *http.Request) { w.Write(ca.Cert.Raw) })

	// No issuer given: it is fetched from the CA Issuers URL.
	opts := revocation.Options{Timeout: 5 * time.Second}
	res, err := revocation.Check(context.Background(), good.Cert, opts)
	if err != nil || res.Status != revocation.Good || res.Method != "crl" {
		t.Fatalf("good: %+v %v", res, err)
	}
	res, err = revocation.Check(context.Background(), revoked.Cert, opts)
	if err != nil || res.Status != revocation.Revoked || !res.RevokedAt.Equal(revokedAt) || res.Reason != "superseded" {
		t.Fatalf("revoked: %+v %v", res, err)
	}

	served = crl(ca, time.Now().Add(-time.Minute))
	if _, err := revocation.Check(context.Background(), good.Cert, opts); err == nil || !strings.Contains(err.Error(), "stale") {
		t.Errorf("stale CRL: %v", err)
	}
	served = crl(testpki.NewCA(t, "Impostor CA"), time.Now().Add(time.Hour))
	if _, err := revocation.Check(context.Background(), good.Cert, opts); err == nil || !strings.Contains(err.Error(), "not signed") {
		t.Errorf("CRL of another CA: %v", err)
	}
}

// TestDeadlineAndNoInfo: a responder that never answers is given up on at
// the deadline; a certificate without pointers says so.
func TestDeadlineAndNoInfo(t *testing.T) {
	ca := testpki.NewCA(t, "Slow CA")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // hold the connection open, say nothing
		}
	}()
	leaf := ca.Client(t, testpki.Options{OCSPServer: []string{"http://" + ln.Addr().String()}})
	start := time.Now()
	_, err = revocation.Check(context.Background(), leaf.Cert, revocation.Options{Issuers: []*x509.Certificate{ca.Cert}, Timeout: 500 * time.Millisecond})
	if err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("silent responder: %v after %s", err, time.Since(start))
	}
	if _, err := revocation.Check(context.Background(), ca.Client(t, testpki.Options{}).Cert, revocation.Options{}); !errors.Is(err, revocation.ErrNoRevocationInfo) {
		t.Errorf("no pointers: %v", err)
	}
	// No issuer anywhere: the error says where to put it.
	lone := ca.Client(t, testpki.Options{OCSPServer: []string{"http://127.0.0.1:1"}})
	if _, err := revocation.Check(context.Background(), lone.Cert, revocation.Options{}); err == nil || !strings.Contains(err.Error(), "--cacert") {
		t.Errorf("no issuer: %v", err)
	}
}
