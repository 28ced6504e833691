package corpus

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testenv"
	"github.com/onramp-cli/onramp/internal/testpki"
)

// Passphrases of the throwaway keys made for one run (test values only).
const (
	rightPass = "right-passphrase"
	wrongPass = "wrong-passphrase"
)

// env is one generator run's PKI and files.
type env struct {
	dir                     string
	ca, otherCA, inter      *testpki.CA
	caFile, otherCAFile     string
	clientCert, clientKey   string // issued by ca
	otherCert, otherKey     string // issued by otherCA
	expiredCert, expiredKey string // issued by ca, expired
	revokedCert, revokedKey string // issued by ca, revoked in crlFile
	crlFile                 string // ca's CRL (PEM)
	serverOnlyCert          string // issued by ca, EKU serverAuth only
	serverOnlyKey           string
	encryptedKey            string // clientKey, PEM-encrypted with rightPass
	p12                     string // clientCert and clientKey, PKCS#12 with rightPass
	missing                 string // a path that does not exist
	javaDir                 string // compiled Java client, "" without a JDK
	mtlsAddr                string // a server that wants a client certificate from ca
	nginxLogs               map[string]string
}

func newEnv(t *testing.T) *env {
	dir := t.TempDir()
	e := &env{dir: dir, ca: testpki.NewCA(t, "Corpus Root CA"), otherCA: testpki.NewCA(t, "Other Root CA"), nginxLogs: map[string]string{}}
	e.inter = e.ca.Intermediate(t, "Corpus Intermediate CA")
	e.caFile = testpki.WriteFile(t, dir, "ca.crt", e.ca.CertPEM())
	e.otherCAFile = testpki.WriteFile(t, dir, "other-ca.crt", e.otherCA.CertPEM())
	e.clientCert, e.clientKey = e.ca.Client(t, testpki.Options{}).Files(t, dir, "client")
	e.otherCert, e.otherKey = e.otherCA.Client(t, testpki.Options{}).Files(t, dir, "other-client")
	e.expiredCert, e.expiredKey = e.ca.Client(t, testpki.Options{
		NotBefore: time.Now().Add(-2 * 365 * 24 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour),
	}).Files(t, dir, "expired-client")
	revoked := e.ca.Client(t, testpki.Options{CommonName: "revoked client"})
	e.revokedCert, e.revokedKey = revoked.Files(t, dir, "revoked-client")
	e.crlFile = testpki.WriteFile(t, dir, "ca.crl", revocationList(t, e.ca, revoked.Cert))
	e.serverOnlyCert, e.serverOnlyKey = e.ca.Client(t, testpki.Options{
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}).Files(t, dir, "server-only")
	e.encryptedKey = filepath.Join(dir, "client-encrypted.key")
	run(t, "openssl", "pkey", "-in", e.clientKey, "-traditional", "-aes256", "-passout", "pass:"+rightPass, "-out", e.encryptedKey)
	e.p12 = filepath.Join(dir, "client.p12")
	run(t, "openssl", "pkcs12", "-export", "-in", e.clientCert, "-inkey", e.clientKey, "-passout", "pass:"+rightPass, "-out", e.p12)
	e.missing = filepath.Join(dir, "no-such-client.crt")
	e.mtlsAddr = startTLS(t, requireClientCerts(tls.VersionTLS13)(t, e, serverConfig(t, e)))
	return e
}

// revocationList is ca's CRL (PEM) revoking leaf an hour ago.
func revocationList(t *testing.T, ca *testpki.CA, leaf *x509.Certificate) []byte {
	now := time.Now()
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(1), ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(24 * time.Hour),
		RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: leaf.SerialNumber, RevocationTime: now.Add(-time.Hour)}},
	}, ca.Cert, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})
}

// run runs a setup command, failing the test when it fails.
func run(t *testing.T, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func serverConfig(t *testing.T, e *env) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{e.ca.Server(t, testpki.Options{}).TLSCertificate(true)}}
}

func requireClientCerts(version uint16) func(t *testing.T, e *env, c *tls.Config) *tls.Config {
	return func(t *testing.T, e *env, c *tls.Config) *tls.Config {
		c.ClientAuth = tls.RequireAndVerifyClientCert
		c.ClientCAs = e.ca.Pool()
		c.MinVersion, c.MaxVersion = version, version
		return c
	}
}

// startTLS serves cfg on 127.0.0.1: each connection is handshaken, answered
// with a tiny HTTP response and closed.
func startTLS(t *testing.T, cfg *tls.Config) string {
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	return testenv.ServeConns(t, ln, func(c net.Conn) {
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		if err := c.(*tls.Conn).Handshake(); err != nil {
			return
		}
		buf := make([]byte, 4096)
		_, _ = c.Read(buf)
		_, _ = io.WriteString(c, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n")
	})
}

// startHTTPS serves h over TLS with a certificate from e.ca.
func startHTTPS(t *testing.T, e *env, h http.Handler) string {
	ln, err := tls.Listen("tcp", "127.0.0.1:0", serverConfig(t, e))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// startRaw hands each accepted TCP connection to serve.
func startRaw(t *testing.T, serve func(net.Conn)) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return testenv.ServeConns(t, ln, serve)
}

// freePort returns a loopback address nothing listens on (just closed).
func freePort(t *testing.T) string { return "127.0.0.1:" + testpki.FreePort(t) }

// startProcess runs a server process (openssl s_server, nginx, tinyproxy)
// until the test ends and waits until addr accepts connections.
func startProcess(t *testing.T, addr string, name string, args ...string) {
	startProcessTo(t, addr, nil, name, args...)
}

// startProcessTo is startProcess that also copies the program's output to
// w (HAProxy logs to its standard output).
func startProcessTo(t *testing.T, addr string, w io.Writer, name string, args ...string) {
	cmd := exec.Command(name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if w != nil {
		cmd.Stdout, cmd.Stderr = io.MultiWriter(&out, w), io.MultiWriter(&out, w)
	}
	// Its own process group, so nginx's workers are stopped with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		pgid := cmd.Process.Pid
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(3 * time.Second):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-exited
		}
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-exited:
			t.Fatalf("%s exited: %s", name, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not listen on %s: %s", name, addr, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// writeServerFiles writes a server leaf (with chain) and its key as PEM.
func writeServerFiles(t *testing.T, e *env, leaf tls.Certificate, name string) (certFile, keyFile string) {
	var pemData []byte
	for _, der := range leaf.Certificate {
		pemData = append(pemData, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(leaf.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	return testpki.WriteFile(t, e.dir, name+".crt", pemData),
		testpki.WriteFile(t, e.dir, name+".key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
}

// selfSigned is a server certificate for 127.0.0.1 that signs itself.
func selfSigned(t *testing.T) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// startNginx runs nginx with a client-certificate check (ssl_verify_client
// on, CAs of e.ca) and an info-level error log, which is where nginx writes
// why it refused a client certificate.
func startNginx(t *testing.T, e *env, extra string) (addr, errorLog string) {
	bin := testenv.Tool(t, "nginx", "/usr/sbin/nginx")
	addr = freePort(t)
	dir, err := os.MkdirTemp(e.dir, "nginx")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		t.Fatal(err)
	}
	crt, key := writeServerFiles(t, e, e.ca.Server(t, testpki.Options{}).TLSCertificate(true), filepath.Base(dir)+"-server")
	errorLog = filepath.Join(dir, "error.log")
	conf := fmt.Sprintf(`worker_processes 1;
daemon off;
user root root;
pid %[1]s/nginx.pid;
error_log %[6]s info;
events { worker_connections 32; }
http {
  access_log off;
  client_body_temp_path %[1]s/tmp; proxy_temp_path %[1]s/tmp; fastcgi_temp_path %[1]s/tmp;
  uwsgi_temp_path %[1]s/tmp; scgi_temp_path %[1]s/tmp;
  server {
    listen %[2]s ssl;
    ssl_certificate %[3]s;
    ssl_certificate_key %[4]s;
    ssl_client_certificate %[5]s;
    ssl_verify_client on;
    %[7]s
    location / { return 200 "ok\n"; }
  }
}
`, dir, addr, crt, key, e.caFile, errorLog, extra)
	confFile := testpki.WriteFile(t, dir, "nginx.conf", []byte(conf))
	startProcess(t, addr, bin, "-p", dir, "-c", confFile, "-e", errorLog)
	return addr, errorLog
}
