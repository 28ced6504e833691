package diagnose

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testpki"
)

// A CA bundle over the size cap is reported with the cap's one wording
// (as token and inspect say it), not as "no certificates"; a FIFO given
// as the bundle is refused at once instead of hanging past --timeout.
func TestCABundleOverTheCapOrAFIFO(t *testing.T) {
	f := newFixture(t)
	srv := startTLS(t, f.serverConfig(), nil)
	huge := filepath.Join(f.dir, "huge-ca.pem")
	if err := os.WriteFile(huge, []byte(strings.Repeat(string(f.ca.CertPEM()), 11<<20/len(f.ca.CertPEM())+1)), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(f.dir, "fifo-ca.pem")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{huge: "over the 10 MiB limit", fifo: "named pipe (FIFO), not a regular file"} {
		o := f.opts(srv.URL)
		o.CACertFile = file
		start := time.Now()
		r := runFail(t, o, "ca-bundle-invalid", StepLocal)
		if d := stepOf(r, StepLocal).Detail; !strings.Contains(d, want) || !strings.Contains(d, file) {
			t.Errorf("detail %q, want %q", d, want)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("%s took %v", file, took)
		}
	}
}

// hostileServer is a real TLS server on loopback that answers every
// request with head, then streams more until the client goes away.
func hostileServer(t *testing.T, f *fixture, head string, more func(w *bufio.Writer) error) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", f.serverConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(30 * time.Second))
				if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
					return
				}
				w := bufio.NewWriter(c)
				w.WriteString(head)
				for more != nil && more(w) == nil && w.Flush() == nil {
				}
				w.Flush()
			}()
		}
	}()
	return "https://" + ln.Addr().String() + "/"
}

// An endless header line (which took 1.9 GB and 15 s) and thousands of
// header fields end at the caps, in well under the --timeout.
func TestHostileResponseHeadersAreBounded(t *testing.T) {
	f := newFixture(t)
	chunk := strings.Repeat("a", 32<<10)
	endless := hostileServer(t, f, "HTTP/1.1 200 OK\r\nX-Endless: ", func(w *bufio.Writer) error {
		_, err := w.WriteString(chunk)
		return err
	})
	many := hostileServer(t, f, "HTTP/1.1 200 OK\r\n"+strings.Repeat("X-Many: v\r\n", 5000)+"Content-Length: 0\r\n\r\n", nil)
	for url, want := range map[string]string{
		endless: "the response header is over the 256 KiB limit",
		many:    "the response header is over the 300 header lines limit",
	} {
		o := f.opts(url)
		o.Timeout = 20 * time.Second
		start := time.Now()
		r := runFail(t, o, "unexpected-response", StepHTTP)
		if d := stepOf(r, StepHTTP).Detail; !strings.Contains(d, want) {
			t.Errorf("detail %q, want %q", d, want)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("took %v", took)
		}
	}
}

// A server that echoes the API key in a 403 body and the bearer token in
// WWW-Authenticate: neither reaches the text, --json or --report output,
// nor the progress events the TUI shows.
func TestEchoedSecretsAreRedactedEverywhere(t *testing.T) {
	f := newFixture(t)
	const apiKey = "sk-live-CANARY-7f3a9c11"
	const token = "eyJhbGciOiJSUzUxMiJ9.CANARY-token.sig"
	srv := startTLS(t, f.serverConfig(), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", token="`+r.Header.Get("Authorization")[len("Bearer "):]+`"`)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"message":"Invalid API key `+r.Header.Get("x-api-key")+` for this app","token":"`+r.Header.Get("Authorization")+`","proxy":"CANARY-proxy-pw"}`)
	}))
	o := f.opts(srv.URL)
	o.APIKey = apiKey
	o.TokenSource = func(context.Context) (string, error) { return token, nil }
	o.Secrets = []string{"CANARY-proxy-pw"} // another secret this run loaded
	var events []string
	r := Run(context.Background(), o, func(e Event) { events = append(events, e.Step.Detail) })
	if r.OK {
		t.Fatal("a 403 passed")
	}
	assertNoSecret(t, r, apiKey, token, "CANARY")
	for _, d := range events {
		if strings.Contains(d, "CANARY") {
			t.Errorf("a progress event shows a secret: %s", d)
		}
	}
	if !strings.Contains(textOf(r), "[redacted]") {
		t.Logf("text:\n%s", textOf(r))
		t.Error("the echo was not shown blanked (the test does not see the body it should)")
	}
}

// A server that names 250 acceptable CAs: the detail names ten and counts
// the rest, the report keeps MaxAcceptableCAs (a 30 KB line and 195 KB of
// JSON before).
func TestAcceptableCAListIsBounded(t *testing.T) {
	f := newFixture(t)
	cfg := f.serverConfig()
	cfg.ClientCAs = x509.NewCertPool()
	for i := range 250 {
		cfg.ClientCAs.AddCert(testpki.NewCA(t, fmt.Sprintf("Partner CA number %03d with a long organisational name", i)).Cert)
	}
	r := runFail(t, f.opts(startTLS(t, cfg, nil).URL), "client-cert-wrong-issuer", StepTLS)
	d := stepOf(r, StepTLS).Detail
	if !strings.Contains(d, "and 240 more") || len(d) > 2000 {
		t.Errorf("detail (%d bytes): %s", len(d), d)
	}
	if len(r.TLS.AcceptableCAs) != MaxAcceptableCAs || r.TLS.AcceptableCAsOmitted != 150 {
		t.Errorf("report keeps %d names, omits %d", len(r.TLS.AcceptableCAs), r.TLS.AcceptableCAsOmitted)
	}
	if js, _ := json.Marshal(r); len(js) > 20000 {
		t.Errorf("JSON is %d bytes", len(js))
	}
}
