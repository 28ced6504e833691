package diagnose

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testenv"

	"github.com/onramp-cli/onramp/internal/testpki"
)

const nginxBin = "/usr/sbin/nginx"

// startNginx runs Debian's nginx on a free loopback port with mutual TLS
// (ssl_verify_client on) and the fixture's certificates, and stops it when
// the test ends. It returns the base URL.
func startNginx(t *testing.T, f *fixture, clientCAFile string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("real nginx: skipped with -short")
	}
	testenv.Tool(t, "nginx", nginxBin)
	dir := t.TempDir()
	srvCert := testpki.WriteFile(t, dir, "server.crt", f.server.CertPEM(true))
	srvKey := testpki.WriteFile(t, dir, "server.key", f.server.KeyPEM(t))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	conf := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  server {
    listen %[2]s ssl;
    ssl_certificate %[3]s;
    ssl_certificate_key %[4]s;
    ssl_client_certificate %[5]s;
    ssl_verify_client on;
    location / {
      default_type application/json;
      return 200 '{"available":true,"scheduledOutages":[]}';
    }
  }
}
`, dir, addr, srvCert, srvKey, clientCAFile)
	confFile := testpki.WriteFile(t, dir, "nginx.conf", []byte(conf))
	cmd := exec.Command(nginxBin, "-p", dir, "-c", confFile, "-e", filepath.Join(dir, "error.log"))
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx did not start: %v\n%s\n%s", err, out, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return "https://" + addr
}

// TestNginxErrorPages pins the two nginx pages the DCS guide quotes: "No
// required SSL certificate was sent" and "The SSL certificate error".
func TestNginxErrorPages(t *testing.T) {
	f := newFixture(t)
	base := startNginx(t, f, f.caFile)
	url := base + "/checks/passport"

	t.Run("healthy", func(t *testing.T) {
		o := f.opts(url)
		o.ExpectJSON = `{"available":true,"scheduledOutages":[]}`
		runOK(t, o)
	})
	t.Run("no client certificate", func(t *testing.T) {
		o := f.opts(url)
		o.CertFile, o.KeyFile = "", ""
		r := runFail(t, o, "client-cert-not-sent", StepHTTP)
		if d := stepOf(r, StepHTTP).Detail; !strings.Contains(d, "No required SSL certificate was sent") {
			t.Errorf("detail should quote nginx: %s", d)
		}
	})
	t.Run("certificate from a CA with the accepted name but another key", func(t *testing.T) {
		// The CertificateRequest names this issuer, so only nginx's
		// verification can refuse it: the "wrong client certificate" of the
		// DCS guide.
		impostor := testpki.NewCA(t, "Test Root CA")
		cert, key := impostor.Client(t, testpki.Options{}).Files(t, f.dir, "impostor")
		o := f.opts(url)
		o.CertFile, o.KeyFile = cert, key
		r := runFail(t, o, "client-cert-rejected", StepHTTP)
		if d := stepOf(r, StepHTTP).Detail; !strings.Contains(d, "The SSL certificate error") {
			t.Errorf("detail should quote nginx: %s", d)
		}
	})
	t.Run("certificate from another CA", func(t *testing.T) {
		other := testpki.NewCA(t, "Other Client CA")
		cert, key := other.Client(t, testpki.Options{}).Files(t, f.dir, "other")
		o := f.opts(url)
		o.CertFile, o.KeyFile = cert, key
		r := runFail(t, o, "client-cert-wrong-issuer", StepHTTP)
		if d := stepOf(r, StepHTTP).Detail; !strings.Contains(d, "The SSL certificate error") {
			t.Errorf("detail should quote nginx: %s", d)
		}
	})
}
