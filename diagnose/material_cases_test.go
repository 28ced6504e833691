package diagnose

import (
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/internal/testenv"
	"github.com/onramp-cli/onramp/internal/testpki"
)

// TestCertAndKeyInOnePEM: a certificate and its key in one PEM file, given
// to both --cert and --key (or to --cert alone), as curl accepts.
func TestCertAndKeyInOnePEM(t *testing.T) {
	f := newFixture(t)
	srv := startTLS(t, f.serverConfig(), nil)
	both := testpki.WriteFile(t, f.dir, "both.pem", append(f.client.CertPEM(true), f.client.KeyPEM(t)...))
	keyFirst := testpki.WriteFile(t, f.dir, "keyfirst.pem", append(f.client.KeyPEM(t), f.client.CertPEM(true)...))
	for _, c := range []struct{ cert, key string }{{both, both}, {both, ""}, {keyFirst, keyFirst}} {
		o := f.opts(srv.URL)
		o.CertFile, o.KeyFile = c.cert, c.key
		runOK(t, o)
	}
}

// TestDSAKeyUnsupported: a DSA key (made by openssl, as users make them)
// is key-unsupported, not the wrong file type, and nothing is sent.
func TestDSAKeyUnsupported(t *testing.T) {
	openssl := testenv.Tool(t, "openssl")
	f := newFixture(t)
	srv := startTLS(t, f.serverConfig(), nil)
	params := filepath.Join(f.dir, "dsa.params")
	key := filepath.Join(f.dir, "dsa.key")
	for _, args := range [][]string{
		{"genpkey", "-genparam", "-algorithm", "DSA", "-pkeyopt", "dsa_paramgen_bits:1024", "-out", params},
		{"genpkey", "-paramfile", params, "-out", key},
	} {
		if out, err := exec.Command(openssl, args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	if data, _ := os.ReadFile(key); !strings.Contains(string(data), "BEGIN PRIVATE KEY") {
		t.Fatalf("openssl did not write a PKCS#8 key:\n%s", data)
	}
	o := f.opts(srv.URL)
	o.KeyFile = key
	r := runFail(t, o, "key-unsupported", StepLocal)
	if !strings.Contains(stepOf(r, StepLocal).Detail, "DSA") {
		t.Errorf("detail %q does not say DSA", stepOf(r, StepLocal).Detail)
	}
	if srv.handshakes.Load() != 0 {
		t.Errorf("a DSA key still contacted the server")
	}
}

// TestIntermediateOnlyInCABundle: the client certificate's intermediate is
// in the CA bundle, not in the certificate file; the server (which trusts
// the root only) refuses it, and the cause is client-chain-incomplete with
// the fix to append the intermediate.
func TestIntermediateOnlyInCABundle(t *testing.T) {
	f := newFixture(t)
	srv := startTLS(t, f.serverConfig(), nil)                 // trusts the root only
	inter := f.ca.Intermediate(t, "Acme Client Certificates") // a name that does not say "intermediate"
	leaf := inter.Client(t, testpki.Options{CommonName: "acme-client"})
	certFile := testpki.WriteFile(t, f.dir, "leaf-only.crt", leaf.CertPEM(false))
	keyFile := testpki.WriteFile(t, f.dir, "leaf.key", leaf.KeyPEM(t))
	bundle := testpki.WriteFile(t, f.dir, "bundle.pem", append(f.ca.CertPEM(), inter.CertPEM()...))
	o := f.opts(srv.URL)
	o.CertFile, o.KeyFile, o.CACertFile = certFile, keyFile, bundle
	r := runFail(t, o, "client-chain-incomplete", StepTLS)
	local := stepOf(r, StepLocal)
	if local.Status != Warn || local.Cause.ID != "client-chain-incomplete" || !strings.Contains(local.Detail, "in the CA bundle") {
		t.Errorf("local step: %+v", local)
	}
	if !strings.Contains(r.Cause.Fix, "to the end of "+certFile) || !strings.Contains(r.Cause.Fix, "Acme Client Certificates") {
		t.Errorf("fix %q does not say to append the intermediate to %s", r.Cause.Fix, certFile)
	}
	// With the intermediate appended, as the fix says, it passes.
	o.CertFile = testpki.WriteFile(t, f.dir, "fixed.crt", leaf.CertPEM(true))
	runOK(t, o)
}

// TestBase64APIKeyRefused: a key refused with 403 that is the Base64
// encoding of a key is api-key-base64-encoded, as the HMPPS guide warns.
func TestBase64APIKeyRefused(t *testing.T) {
	f := newFixture(t)
	const key = "hmpps-dev-key-8d2f61c0a9"
	srv := startTLS(t, f.serverConfig(), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("x-api-key") != key {
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"message":"Forbidden"}`)
			return
		}
		io.WriteString(w, `{}`)
	}))
	o := f.opts(srv.URL)
	o.APIKey = base64.StdEncoding.EncodeToString([]byte(key))
	r := runFail(t, o, "api-key-base64-encoded", StepHTTP)
	assertNoSecret(t, r, o.APIKey, key)
	o.APIKey = "not-base64-but-wrong!"
	runFail(t, o, "api-key-rejected", StepHTTP)
	o.APIKey = key
	runOK(t, o)
}
