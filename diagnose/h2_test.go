package diagnose

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/testpki"
)

// startH2 is a mutual-TLS server that speaks HTTP/2 only (ALPN h2), as
// some gateways do.
func startH2(t *testing.T, cfg *tls.Config) string {
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor != 2 {
			w.WriteHeader(505)
			return
		}
		io.WriteString(w, `{"available":true}`)
	}))
	s.EnableHTTP2 = true
	s.TLS = cfg.Clone()
	s.TLS.NextProtos = []string{"h2"}
	s.Config.ErrorLog = quietLog()
	s.StartTLS()
	t.Cleanup(s.Close)
	return s.URL + "/status"
}

func TestHTTP2OnlyServer(t *testing.T) {
	f := newFixture(t)
	r := Run(context.Background(), f.opts(startH2(t, f.serverConfig())), nil)
	if !r.OK || r.HTTPProtocol != "HTTP/2.0" || r.TLS.ALPN != "h2" {
		t.Fatalf("ok %v protocol %q alpn %q: %+v", r.OK, r.HTTPProtocol, r.TLS.ALPN, r.Steps)
	}
	if d := stepOf(r, StepHTTP).Detail; !strings.HasSuffix(d, "200 OK over HTTP/2") {
		t.Errorf("http detail %q should name the protocol", d)
	}
}

// A TLS 1.3 server's refusal of the client certificate arrives after the
// handshake; over HTTP/2 it is named as over HTTP/1.1.
func TestHTTP2ClientCertRefusal(t *testing.T) {
	f := newFixture(t)
	cfg := f.serverConfig()
	cfg.ClientCAs = testpki.NewCA(t, "Another Client CA").Pool()
	h2 := Run(context.Background(), f.opts(startH2(t, cfg)), nil)
	h1 := Run(context.Background(), f.opts(startTLS(t, cfg, nil).URL), nil)
	if h1.Cause == nil || h2.Cause == nil || h2.Cause.ID != h1.Cause.ID || h2.Cause.ID == cause.UnexpectedResponse {
		t.Fatalf("HTTP/2 cause %v, HTTP/1.1 cause %v: want the same certificate cause\n%+v", h2.Cause, h1.Cause, h2.Steps)
	}
}
