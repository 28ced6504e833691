package testpki

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Serve runs h over TLS on a loopback port with a server certificate from
// ca for localhost, 127.0.0.1 and any hosts given (so a test can reach it
// under a real host name through a resolve override). It is closed when
// the test ends.
func (ca *CA) Serve(t testing.TB, h http.Handler, hosts ...string) *httptest.Server {
	t.Helper()
	return ca.serve(t, h, false, hosts)
}

// ServeMutual is Serve requiring a client certificate issued by ca.
func (ca *CA) ServeMutual(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	return ca.serve(t, h, true, nil)
}

func (ca *CA) serve(t testing.TB, h http.Handler, mutual bool, hosts []string) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	opts := Options{DNSNames: append([]string{"localhost"}, hosts...), IPs: []net.IP{net.IPv4(127, 0, 0, 1)}}
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Server(t, opts).TLSCertificate(true)}}
	if mutual {
		srv.TLS.ClientAuth, srv.TLS.ClientCAs = tls.RequireAndVerifyClientCert, ca.Pool()
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what tests provoke
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}
