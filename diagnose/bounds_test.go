package diagnose

import (
	"bufio"
	"crypto/tls"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
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
