package diagnose

import (
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
