package classify_test

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/tokens"
)

// TestSameHandshakeSameCause runs the same failing handshakes through
// `onramp diagnose` (diagnose.Run) and `onramp aws-credentials` (the
// tokens client) against real loopback servers: both must name the same
// cause, and the refined one (not a bare client-cert-rejected).
func TestSameHandshakeSameCause(t *testing.T) {
	dir := t.TempDir()
	serverRoot := testpki.NewCA(t, "Test Server Root CA")
	clientCA := testpki.NewCA(t, "Accepted Client CA")
	otherCA := testpki.NewCA(t, "Other Client CA")
	clientInter := clientCA.Intermediate(t, "Accepted Client Intermediate CA")
	serverInter := serverRoot.Intermediate(t, "Test Server Intermediate CA")
	caFile := testpki.WriteFile(t, dir, "ca.pem", serverRoot.CertPEM())

	type client struct{ cert, key string }
	write := func(name string, l *testpki.Leaf, withChain bool) client {
		return client{testpki.WriteFile(t, dir, name+".crt", l.CertPEM(withChain)), testpki.WriteFile(t, dir, name+".key", l.KeyPEM(t))}
	}
	good := write("good", clientCA.Client(t, testpki.Options{}), true)
	other := write("other", otherCA.Client(t, testpki.Options{}), true)
	// Issued by an intermediate the file does not carry; the server lists
	// only the root.
	short := write("short", clientInter.Client(t, testpki.Options{}), false)

	okServer := serverRoot.Server(t, testpki.Options{}).TLSCertificate(true)
	// The server sends its leaf without the intermediate that issued it.
	shortServer := serverInter.Server(t, testpki.Options{}).TLSCertificate(false)

	tests := []struct {
		name   string
		server tls.Certificate
		client client
		want   cause.ID
	}{
		{"certificate from another CA", okServer, other, cause.ClientCertWrongIssuer},
		{"no client certificate", okServer, client{}, cause.ClientCertNotSent},
		{"client chain without its intermediate", okServer, short, cause.ClientChainIncomplete},
		{"server chain without its intermediate", shortServer, good, cause.ServerChainIncomplete},
	}
	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		for _, tc := range tests {
			t.Run(tls.VersionName(version)+"/"+tc.name, func(t *testing.T) {
				url := startServer(t, &tls.Config{
					Certificates: []tls.Certificate{tc.server},
					ClientAuth:   tls.RequireAndVerifyClientCert,
					ClientCAs:    clientCA.Pool(),
					MinVersion:   version, MaxVersion: version,
				})
				viaDiagnose := diagnoseCause(t, diagnose.Options{URL: url + "/token", CertFile: tc.client.cert, KeyFile: tc.client.key, CACertFile: caFile})
				hc, err := tokens.NewHTTPClient(tokens.TransportOptions{CertFile: tc.client.cert, KeyFile: tc.client.key, CACertFile: caFile})
				if err != nil {
					t.Fatal(err)
				}
				_, err = tokens.FetchAWS(context.Background(), &tokens.HMPPSConfig{TokenURL: url + "/token", APIKey: "k", HTTPClient: hc, Timeout: 5 * time.Second})
				c, _ := cause.Of(err)
				var viaTokens cause.ID
				if c != nil {
					viaTokens = c.ID
				}
				if viaDiagnose != tc.want || viaTokens != tc.want {
					t.Errorf("diagnose says %q, aws-credentials says %q (%v); want both %q", viaDiagnose, viaTokens, err, tc.want)
				}
			})
		}
	}
}

func diagnoseCause(t *testing.T, o diagnose.Options) cause.ID {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r := diagnose.Run(ctx, o, nil)
	for _, s := range r.Steps {
		if s.Status == diagnose.Fail && s.Cause != nil {
			return s.Cause.ID
		}
	}
	return ""
}

func startServer(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &http.Server{
		Handler:   http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "{}") }),
		TLSConfig: cfg, ErrorLog: log.New(io.Discard, "", 0),
	}
	go s.ServeTLS(ln, "", "")
	t.Cleanup(func() { s.Close() })
	return "https://" + ln.Addr().String()
}
