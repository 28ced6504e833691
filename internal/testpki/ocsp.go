package testpki

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testenv"
)

// FreePort is a loopback port nothing listens on (for a server that must
// be told its port before it starts).
func FreePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// IndexLine is a line of openssl ca's index.txt: V(alid) or R(evoked).
func IndexLine(c *x509.Certificate, revokedAt time.Time) string {
	serial := strings.ToUpper(c.SerialNumber.Text(16))
	if len(serial)%2 == 1 {
		serial = "0" + serial
	}
	exp := c.NotAfter.UTC().Format("060102150405Z")
	if revokedAt.IsZero() {
		return fmt.Sprintf("V\t%s\t\t%s\tunknown\t/CN=%s\n", exp, serial, c.Subject.CommonName)
	}
	return fmt.Sprintf("R\t%s\t%s,keyCompromise\t%s\tunknown\t/CN=%s\n", exp, revokedAt.UTC().Format("060102150405Z"), serial, c.Subject.CommonName)
}

// StartOCSPResponder runs `openssl ocsp` as the CA's responder with index
// (openssl ca's database) on a free port until the test ends. The
// responder listens on the port on every interface (openssl ocsp has no
// bind address); the test only ever connects to it on 127.0.0.1.
func StartOCSPResponder(t testing.TB, ca *CA, port, index string) {
	t.Helper()
	bin := testenv.Tool(t, "openssl")
	dir := t.TempDir()
	caFile := WriteFile(t, dir, "ca.crt", ca.CertPEM())
	keyFile := WriteFile(t, dir, "ca.key", ca.KeyPEM(t))
	indexFile := WriteFile(t, dir, "index.txt", []byte(index))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	cmd := exec.CommandContext(ctx, bin, "ocsp", "-index", indexFile, "-port", port,
		"-rsigner", caFile, "-rkey", keyFile, "-CA", caFile, "-ignore_err")
	log := &testenv.Buffer{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("openssl ocsp:\n%s", log.String())
		}
	})
	// Ready once it says so: a probe connection would hold up its single
	// accept loop.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(log.String(), "waiting for OCSP client connections") {
		if time.Now().After(deadline) {
			t.Fatalf("openssl ocsp did not start:\n%s", log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
