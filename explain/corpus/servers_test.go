package corpus

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/onramp-cli/onramp/internal/testenv"
	"github.com/onramp-cli/onramp/internal/testpki"
)

// crlSServer is openssl s_server (TLS 1.2) wanting a client certificate
// from e.ca and checking it against e.ca's CRL.
func crlSServer(t *testing.T, e *env) target {
	addr := freePort(t)
	crt, key := writeServerFiles(t, e, e.ca.Server(t, testpki.Options{}).TLSCertificate(true), "s_server-crl")
	startProcess(t, addr, "openssl", "s_server", "-accept", addr, "-cert", crt, "-key", key,
		"-CAfile", e.caFile, "-Verify", "1", "-verify_return_error", "-CRL", e.crlFile, "-crl_check", "-tls1_2", "-www", "-quiet")
	return target{addr: addr}
}

// serverFiles makes a directory under e.dir for one server process, with a
// free loopback address and a certificate and key for it from e.ca.
func serverFiles(t *testing.T, e *env, name string) (addr, dir, crt, key string) {
	dir, err := os.MkdirTemp(e.dir, name)
	if err != nil {
		t.Fatal(err)
	}
	crt, key = writeServerFiles(t, e, e.ca.Server(t, testpki.Options{}).TLSCertificate(true), filepath.Base(dir)+"-server")
	return freePort(t), dir, crt, key
}

// apacheServer runs Apache httpd (mod_ssl, SSLVerifyClient require, CAs of
// e.ca, and with crl e.ca's CRL) with an info-level error log, where
// mod_ssl says why it refused a client certificate.
func apacheServer(crl bool) func(*testing.T, *env) target {
	return func(t *testing.T, e *env) target {
		bin := testenv.Tool(t, "apache2", "/usr/sbin/apache2")
		addr, dir, crt, key := serverFiles(t, e, "apache")
		log := filepath.Join(dir, "error.log")
		revocation := ""
		if crl {
			revocation = "SSLCARevocationFile " + e.crlFile + "\nSSLCARevocationCheck leaf"
		}
		mods := "/usr/lib/apache2/modules/"
		conf := fmt.Sprintf(`ServerRoot %[1]s
ServerName 127.0.0.1
Listen %[2]s
PidFile %[1]s/httpd.pid
DefaultRuntimeDir %[1]s
Mutex file:%[1]s default
ErrorLog %[3]s
LogLevel info
LoadModule mpm_event_module %[7]smod_mpm_event.so
LoadModule authz_core_module %[7]smod_authz_core.so
LoadModule socache_shmcb_module %[7]smod_socache_shmcb.so
LoadModule ssl_module %[7]smod_ssl.so
User www-data
Group www-data
DocumentRoot %[1]s
SSLEngine on
SSLCertificateFile %[4]s
SSLCertificateKeyFile %[5]s
SSLCACertificateFile %[6]s
SSLVerifyClient require
SSLVerifyDepth 3
%[8]s
`, dir, addr, log, crt, key, e.caFile, mods, revocation)
		confFile := testpki.WriteFile(t, dir, "httpd.conf", []byte(conf))
		startProcess(t, addr, bin, "-d", dir, "-f", confFile, "-DFOREGROUND")
		return target{addr: addr, serverLog: log, logClient: "apache-log"}
	}
}

// haproxyServer runs HAProxy terminating TLS with "verify required" (CAs of
// e.ca, and with crl e.ca's CRL); it logs to its standard output, copied to
// a file.
func haproxyServer(crl bool) func(*testing.T, *env) target {
	return func(t *testing.T, e *env) target {
		bin := testenv.Tool(t, "haproxy", "/usr/sbin/haproxy")
		addr, dir, crt, key := serverFiles(t, e, "haproxy")
		certPEM, _ := os.ReadFile(crt)
		keyPEM, _ := os.ReadFile(key)
		combined := testpki.WriteFile(t, dir, "server.pem", append(certPEM, keyPEM...))
		revocation := ""
		if crl {
			revocation = " crl-file " + e.crlFile
		}
		conf := fmt.Sprintf(`global
  log stdout format raw local0 info
defaults
  mode http
  log global
  option httplog
  timeout connect 5s
  timeout client 10s
  timeout server 10s
frontend fe
  bind %[1]s ssl crt %[2]s ca-file %[3]s verify required%[4]s
  http-request return status 200 content-type text/plain string "ok"
`, addr, combined, e.caFile, revocation)
		confFile := testpki.WriteFile(t, dir, "haproxy.cfg", []byte(conf))
		log := filepath.Join(dir, "haproxy.log")
		f, err := os.Create(log)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		startProcessTo(t, addr, f, bin, "-db", "-f", confFile)
		return target{addr: addr, serverLog: log, logClient: "haproxy-log"}
	}
}
