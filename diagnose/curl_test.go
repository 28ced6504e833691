package diagnose

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testenv"
	"github.com/onramp-cli/onramp/internal/testpki"
)

// The report's curl command works as written: with the secrets set in the
// shell, curl receives every secret header (through stdin, not its argv)
// and the client certificate.
func TestReportCurlCommandRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("runs curl")
	}
	testenv.Tool(t, "curl")
	ca := testpki.NewCA(t, "Curl Test CA")
	var mu sync.Mutex
	got := http.Header{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = r.Header.Clone()
		mu.Unlock()
		if len(r.TLS.PeerCertificates) == 0 {
			w.WriteHeader(400)
		}
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Server(t, testpki.Options{}).TLSCertificate(true)},
		ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: ca.Pool()}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	certFile, keyFile := ca.Client(t, testpki.Options{}).Files(t, dir, "client")
	caFile := testpki.WriteFile(t, dir, "ca.pem", ca.CertPEM())

	r := &Report{Target: srv.URL + "/status", Request: &RequestInfo{Method: "GET", CertFile: certFile, KeyFile: keyFile,
		CACertFile: caFile, APIKeyHeader: "x-api-key", Bearer: true, HeaderNames: []string{"X-Correlation"}}}
	cmd := CurlCommand(r)
	if strings.Contains(cmd, "secret-") {
		t.Fatalf("the command holds a value: %s", cmd)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	run := exec.CommandContext(ctx, "bash", "-c", cmd+" -sS -o /dev/null -w '%{http_code}'")
	run.Env = append(os.Environ(), "API_KEY=secret-key", "TOKEN=secret-token", "X_CORRELATION_VALUE=secret-corr")
	var stderr strings.Builder
	run.Stderr = &stderr
	out, err := run.Output() // -v talks on stderr
	if err != nil || string(out) != "200" {
		t.Fatalf("%s\n→ %v %s\n%s", cmd, err, out, stderr.String())
	}
	mu.Lock()
	defer mu.Unlock()
	for name, want := range map[string]string{"X-Api-Key": "secret-key", "Authorization": "Bearer secret-token", "X-Correlation": "secret-corr"} {
		if got.Get(name) != want {
			t.Errorf("%s = %q, want %q\n%s", name, got.Get(name), want, cmd)
		}
	}
}
