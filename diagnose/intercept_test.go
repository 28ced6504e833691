package diagnose

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/egress"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/internal/testproxy"
)

// caBundle is a CA's certificate and key as mitmproxy reads its CA.
func caBundle(t *testing.T, ca *testpki.CA) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return append(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), ca.CertPEM()...)
}

// intercepted runs a real mitmproxy whose CA is named vendorCA in front of
// a mutual-TLS server for proxiedHost. It returns healthy options for the
// server (its CA, a client certificate), routed through the interceptor,
// and the interceptor's CA file.
func intercepted(t *testing.T, vendorCA string) (Options, string) {
	t.Helper()
	f := newFixture(t)
	f.server = f.ca.Server(t, testpki.Options{DNSNames: []string{proxiedHost}})
	srv := startTLS(t, f.serverConfig(), nil)
	u, _ := url.Parse(srv.URL)
	corp := testpki.NewCA(t, vendorCA)
	m := testproxy.StartInterceptor(t, caBundle(t, corp), map[string]string{proxiedHost: "127.0.0.1"})
	o := f.opts("https://" + net.JoinHostPort(proxiedHost, u.Port()) + "/status")
	o.Route = egress.Settings{Proxy: m.URL(), ProxySet: true}
	return o, testpki.WriteFile(t, t.TempDir(), "corp-ca.pem", corp.CertPEM())
}

func TestInterceptionIsNamed(t *testing.T) {
	o, corpCA := intercepted(t, "Zscaler Root CA")

	// The provider's CA bundle: the vendor's chain does not verify, and
	// it is named for what it is, with the issuing CA.
	r := Run(context.Background(), o, nil)
	if r.Cause == nil || r.Cause.ID != cause.TLSIntercepted {
		t.Fatalf("cause %v, want tls-intercepted: %+v", r.Cause, r.Steps)
	}
	if d := stepOf(r, StepTLS).Detail; !strings.Contains(d, `issued by "Zscaler Root CA" (Zscaler`) || !strings.Contains(d, "exempt "+proxiedHost) {
		t.Errorf("tls detail %q should name the issuing CA and the host to exempt", d)
	}

	// The corporate root trusted (as IT installs it): the handshake
	// verifies, but the server never asks for the client certificate.
	o.CACertFile = corpCA
	r = Run(context.Background(), o, nil)
	if r.OK || r.Cause == nil || r.Cause.ID != cause.TLSIntercepted {
		t.Fatalf("cause %v, want tls-intercepted (never All checks passed): %+v", r.Cause, r.Steps)
	}
	if d := stepOf(r, StepTLS).Detail; !strings.Contains(d, "never asked for a client certificate") {
		t.Errorf("tls detail %q", d)
	}
}

// An interceptor whose CA is no known product's: a mutual-TLS profile
// still never passes, as client-cert-not-requested.
func TestUnknownInterceptorIsClientCertNotRequested(t *testing.T) {
	o, corpCA := intercepted(t, "Acme Hospital Trust Root")
	o.CACertFile = corpCA
	o.CertFile, o.KeyFile = "", ""
	o.MutualTLS = true          // the profile's provider requires it
	o.Timeout = 2 * time.Second // mitmproxy holds the request: its upstream refused it
	r := Run(context.Background(), o, nil)
	if r.OK || r.Cause == nil || r.Cause.ID != cause.ClientCertNotRequested {
		t.Fatalf("cause %v, want client-cert-not-requested: %+v", r.Cause, r.Steps)
	}
	if d := stepOf(r, StepHTTP).Detail; !strings.Contains(d, `issued by "Acme Hospital Trust Root"`) {
		t.Errorf("tls detail %q should name the issuer", d)
	}
}

// Direct, without a proxy: a server that does not ask for the client
// certificate given fails the run, in TLS 1.3 and 1.2 (which could still
// ask by renegotiating) alike, after its answer.
func TestClientCertNotRequested(t *testing.T) {
	for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			f := newFixture(t)
			cfg := f.serverConfig()
			cfg.ClientAuth, cfg.MaxVersion = tls.NoClientCert, v
			srv := startTLS(t, cfg, nil)
			r := Run(context.Background(), f.opts(srv.URL+"/status"), nil)
			if r.OK || r.Cause == nil || r.Cause.ID != cause.ClientCertNotRequested {
				t.Fatalf("cause %v, want client-cert-not-requested: %+v", r.Cause, r.Steps)
			}
			step := StepHTTP
			s := stepOf(r, step)
			if s.Status != Fail || !strings.Contains(s.Detail, "a client certificate was given, but the server never asked") {
				t.Errorf("%s step: %+v", step, s)
			}
			if !strings.Contains(s.Detail, "it answered HTTP 200 OK") {
				t.Errorf("the detail should say what answered: %q", s.Detail)
			}
		})
	}
}

// A server-TLS-only API behind an inspection product whose root this
// machine trusts: the run passes (an API key gets through), with the
// interception as a warning naming the product's CA.
func TestTrustedInterceptionIsAWarning(t *testing.T) {
	f := newFixture(t)
	corp := testpki.NewCA(t, "Netskope Root CA")
	srv := startTLS(t, &tls.Config{Certificates: []tls.Certificate{corp.Server(t, testpki.Options{}).TLSCertificate(true)}}, nil)
	o := Options{URL: srv.URL + "/status", CACertFile: testpki.WriteFile(t, f.dir, "corp.pem", corp.CertPEM()), Timeout: 5 * time.Second}
	r := Run(context.Background(), o, nil)
	s := stepOf(r, StepTLS)
	if !r.OK || s.Status != Warn || s.Cause == nil || s.Cause.ID != cause.TLSIntercepted {
		t.Fatalf("ok %v, tls step %+v: want a pass with a tls-intercepted warning", r.OK, s)
	}
	if !strings.Contains(s.Detail, `issued by "Netskope Root CA" (Netskope`) {
		t.Errorf("detail %q", s.Detail)
	}
}
