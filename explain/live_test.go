package explain

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testenv"

	"github.com/onramp-cli/onramp/internal/testpki"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite testdata/explain/corpus.json from the live client runs")

const corpusPath = "testdata/explain/corpus.json"

// corpusEntry is one message a real client printed, with the command that
// produced it and the cause it must explain to.
type corpusEntry struct {
	Name    string `json:"name"`
	Command string `json:"command"`
	Cause   string `json:"cause"`
	// Also lists causes the text fits equally well (a TLS 1.2
	// handshake_failure alert); any of them may rank first.
	Also []string `json:"also,omitempty"`
	Text string   `json:"text"`
}

// liveEnv is one test run's PKI and files.
type liveEnv struct {
	dir                     string
	ca, otherCA, inter      *testpki.CA
	caFile, otherCAFile     string
	clientCert, clientKey   string // issued by ca
	otherCert, otherKey     string // issued by otherCA
	expiredCert, expiredKey string // issued by ca, expired
	serverOnlyCert          string // issued by ca, EKU serverAuth only
	serverOnlyKey           string
	javaDir                 string
}

func newLiveEnv(t *testing.T) *liveEnv {
	dir := t.TempDir()
	e := &liveEnv{dir: dir, ca: testpki.NewCA(t, "Live Root CA"), otherCA: testpki.NewCA(t, "Other Root CA")}
	e.inter = e.ca.Intermediate(t, "Live Intermediate CA")
	e.caFile = testpki.WriteFile(t, dir, "ca.crt", e.ca.CertPEM())
	e.otherCAFile = testpki.WriteFile(t, dir, "other-ca.crt", e.otherCA.CertPEM())
	e.clientCert, e.clientKey = e.ca.Client(t, testpki.Options{}).Files(t, dir, "client")
	e.otherCert, e.otherKey = e.otherCA.Client(t, testpki.Options{}).Files(t, dir, "other-client")
	e.expiredCert, e.expiredKey = e.ca.Client(t, testpki.Options{
		NotBefore: time.Now().Add(-2 * 365 * 24 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour),
	}).Files(t, dir, "expired-client")
	e.serverOnlyCert, e.serverOnlyKey = e.ca.Client(t, testpki.Options{
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}).Files(t, dir, "server-only")
	return e
}

// startLiveTLS serves cfg on 127.0.0.1: each connection is handshaken, answered
// with a tiny HTTP response and closed.
func startLiveTLS(t *testing.T, cfg *tls.Config) string {
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

func liveServerCert(t *testing.T, ca *testpki.CA, o testpki.Options, withChain bool) tls.Certificate {
	return ca.Server(t, o).TLSCertificate(withChain)
}

// freePort returns a loopback port nothing listens on (just closed).
func liveFreePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startLiveProcess runs a server process (openssl s_server, nginx) until
// the test ends and waits until addr accepts connections.
func startLiveProcess(t *testing.T, addr string, name string, args ...string) {
	cmd := exec.Command(name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Stdin = nil
	// Its own process group, so nginx's workers are stopped with it; and a
	// bound on waiting for output pipes a worker may still hold.
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
		// Workers that outlived the master (same group).
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

func writeLiveServerFiles(t *testing.T, e *liveEnv, leaf tls.Certificate, name string) (certFile, keyFile string) {
	var pemData []byte
	for _, der := range leaf.Certificate {
		pemData = append(pemData, livePEMCert(der)...)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(leaf.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	return testpki.WriteFile(t, e.dir, name+".crt", pemData), testpki.WriteFile(t, e.dir, name+".key", livePEMBlock("PRIVATE KEY", keyDER))
}

func livePEMCert(der []byte) []byte { return livePEMBlock("CERTIFICATE", der) }

func livePEMBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// selfSigned is a server certificate for 127.0.0.1 that signs itself.
func liveSelfSigned(t *testing.T) tls.Certificate {
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

// liveScenario is one way of getting a connection wrong.
type liveScenario struct {
	name   string
	server func(t *testing.T, e *liveEnv) string // returns host:port
	scheme string                                // default https
	host   string                                // host in the URL; default 127.0.0.1
	ca     func(e *liveEnv) string
	cert   func(e *liveEnv) (string, string)
	// cause is what the clients' messages must explain to; also lists causes
	// that fit the text equally well. want overrides both for one client
	// (which may know less or more than the others).
	cause   string
	also    []string
	want    map[string][]string
	clients []string // default: every client
	// racy marks TLS 1.3 refusals of the client certificate: the server's
	// alert races the client's first write, so a client may report only the
	// closed connection (tcp-reset) instead of the alert.
	racy    bool
	timeout time.Duration
}

var allLiveClients = []string{"go", "curl", "openssl", "python", "node", "java"}

func liveCA(e *liveEnv) string      { return e.caFile }
func liveOtherCA(e *liveEnv) string { return e.otherCAFile }

func liveTLSServer(mut func(t *testing.T, e *liveEnv, c *tls.Config)) func(*testing.T, *liveEnv) string {
	return func(t *testing.T, e *liveEnv) string {
		c := &tls.Config{Certificates: []tls.Certificate{liveServerCert(t, e.ca, testpki.Options{}, true)}}
		if mut != nil {
			mut(t, e, c)
		}
		return startLiveTLS(t, c)
	}
}

func liveRequireClientCerts(tlsVersion uint16) func(t *testing.T, e *liveEnv, c *tls.Config) {
	return func(t *testing.T, e *liveEnv, c *tls.Config) {
		c.ClientAuth = tls.RequireAndVerifyClientCert
		c.ClientCAs = e.ca.Pool()
		c.MinVersion, c.MaxVersion = tlsVersion, tlsVersion
	}
}

func liveNginxServer(t *testing.T, e *liveEnv) string {
	bin := testenv.Tool(t, "nginx", "/usr/sbin/nginx")
	addr := liveFreePort(t)
	dir := filepath.Join(e.dir, "nginx")
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		t.Fatal(err)
	}
	crt, key := writeLiveServerFiles(t, e, liveServerCert(t, e.ca, testpki.Options{}, true), "nginx-server")
	conf := fmt.Sprintf(`worker_processes 1;
daemon off;
user root root;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
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
    location / { return 200 "ok\n"; }
  }
}
`, dir, addr, crt, key, e.caFile)
	confFile := testpki.WriteFile(t, dir, "nginx.conf", []byte(conf))
	startLiveProcess(t, addr, bin, "-p", dir, "-c", confFile, "-e", filepath.Join(dir, "error.log"))
	return addr
}

func liveScenarios() []liveScenario {
	return []liveScenario{
		// Node (OpenSSL's "unable to verify the first certificate") cannot
		// tell an unknown root from a missing intermediate.
		{name: "server-untrusted-default-trust", server: liveTLSServer(nil), cause: "server-cert-untrusted", also: []string{"server-chain-incomplete"}},
		{name: "server-untrusted-wrong-cacert", server: liveTLSServer(nil), ca: liveOtherCA, cause: "server-cert-untrusted", also: []string{"server-chain-incomplete"}},
		{name: "server-self-signed", cause: "server-cert-self-signed",
			server: func(t *testing.T, e *liveEnv) string {
				return startLiveTLS(t, &tls.Config{Certificates: []tls.Certificate{liveSelfSigned(t)}})
			},
			// Go and Java do not single out a self-signed certificate.
			want: map[string][]string{"go": {"server-cert-untrusted"}, "java": {"server-cert-untrusted"}}},
		{name: "server-cert-expired", ca: liveCA, cause: "server-cert-expired",
			server: func(t *testing.T, e *liveEnv) string {
				return startLiveTLS(t, &tls.Config{Certificates: []tls.Certificate{liveServerCert(t, e.ca, testpki.Options{
					NotBefore: time.Now().Add(-2 * 365 * 24 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)}, true)}})
			}},
		{name: "server-cert-not-yet-valid", ca: liveCA, cause: "server-cert-not-yet-valid",
			server: func(t *testing.T, e *liveEnv) string {
				return startLiveTLS(t, &tls.Config{Certificates: []tls.Certificate{liveServerCert(t, e.ca, testpki.Options{
					NotBefore: time.Now().Add(24 * time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour)}, true)}})
			}},
		{name: "server-wrong-host", ca: liveCA, cause: "server-cert-hostname-mismatch",
			server: func(t *testing.T, e *liveEnv) string {
				return startLiveTLS(t, &tls.Config{Certificates: []tls.Certificate{liveServerCert(t, e.ca, testpki.Options{DNSNames: []string{"other.example"}}, true)}})
			}},
		{name: "server-chain-incomplete", ca: liveCA, cause: "server-chain-incomplete",
			server: func(t *testing.T, e *liveEnv) string {
				return startLiveTLS(t, &tls.Config{Certificates: []tls.Certificate{liveServerCert(t, e.inter, testpki.Options{}, false)}})
			},
			// Most clients only say the issuer is unknown.
			want: map[string][]string{"go": {"server-cert-untrusted"}, "curl": {"server-cert-untrusted"},
				"python": {"server-cert-untrusted"}, "java": {"server-cert-untrusted"},
				"openssl": {"server-chain-incomplete", "server-cert-untrusted"}, "node": {"server-chain-incomplete", "server-cert-untrusted"}}},
		{name: "client-cert-not-sent-tls13", ca: liveCA, server: liveTLSServer(liveRequireClientCerts(tls.VersionTLS13)), cause: "client-cert-not-sent", racy: true,
			clients: append(slices.Clone(allLiveClients), "curl-v")},
		{name: "client-cert-not-sent-tls12-openssl-server", ca: liveCA, cause: "client-cert-not-sent", also: []string{"tls-no-common-cipher"},
			server: func(t *testing.T, e *liveEnv) string {
				addr := liveFreePort(t)
				crt, key := writeLiveServerFiles(t, e, liveServerCert(t, e.ca, testpki.Options{}, true), "s_server")
				startLiveProcess(t, addr, "openssl", "s_server", "-accept", addr, "-cert", crt, "-key", key,
					"-CAfile", e.caFile, "-Verify", "1", "-tls1_2", "-www", "-quiet")
				return addr
			},
			// Go's client reports the server's alert in its own words; curl -v
			// shows the server asked for a certificate, which settles it.
			want:    map[string][]string{"curl-v": {"client-cert-not-sent"}},
			clients: append(slices.Clone(allLiveClients), "curl-v")},
		// With TLS 1.3 the server refuses a certificate after the client has
		// finished its handshake, so curl and Java sometimes only see the
		// connection close (tcp-reset); Go's and Java's clients hold back a
		// certificate whose issuer the server does not list, so they report
		// none sent.
		{name: "client-cert-wrong-ca", ca: liveCA, cert: func(e *liveEnv) (string, string) { return e.otherCert, e.otherKey },
			server: liveTLSServer(liveRequireClientCerts(tls.VersionTLS13)), cause: "client-cert-rejected", racy: true,
			want: map[string][]string{"go": {"client-cert-not-sent"}, "java": {"client-cert-rejected", "client-cert-not-sent"}}},
		{name: "client-cert-wrong-ca-tls12", ca: liveCA, cert: func(e *liveEnv) (string, string) { return e.otherCert, e.otherKey },
			server: liveTLSServer(liveRequireClientCerts(tls.VersionTLS12)), cause: "client-cert-rejected",
			want: map[string][]string{"go": {"client-cert-not-sent", "tls-no-common-cipher"}, "java": {"client-cert-rejected", "tcp-reset"}}},
		{name: "client-cert-expired", ca: liveCA, cert: func(e *liveEnv) (string, string) { return e.expiredCert, e.expiredKey },
			server: liveTLSServer(liveRequireClientCerts(tls.VersionTLS13)), cause: "client-cert-expired", racy: true},
		{name: "client-cert-not-for-client-auth", ca: liveCA, cert: func(e *liveEnv) (string, string) { return e.serverOnlyCert, e.serverOnlyKey },
			server: liveTLSServer(liveRequireClientCerts(tls.VersionTLS13)), cause: "client-cert-rejected", racy: true},
		{name: "key-cert-mismatch", ca: liveCA, cert: func(e *liveEnv) (string, string) { return e.clientCert, e.otherKey },
			server: liveTLSServer(liveRequireClientCerts(tls.VersionTLS13)), cause: "key-cert-mismatch",
			clients: []string{"go", "curl", "openssl", "python", "node"}},
		{name: "plain-http-port", cause: "tls-not-tls",
			server: func(t *testing.T, e *liveEnv) string {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "plain\n") }),
					ReadHeaderTimeout: 5 * time.Second}
				go func() { _ = srv.Serve(ln) }()
				t.Cleanup(func() { _ = srv.Close() })
				return ln.Addr().String()
			}},
		{name: "closed-port", cause: "tcp-refused", server: func(t *testing.T, e *liveEnv) string { return liveFreePort(t) }},
		{name: "tls10-only-server", ca: liveCA, cause: "tls-version-mismatch",
			server: liveTLSServer(func(t *testing.T, e *liveEnv, c *tls.Config) {
				c.MinVersion, c.MaxVersion = tls.VersionTLS10, tls.VersionTLS10
			})},
		{name: "no-common-cipher", ca: liveCA, cause: "tls-no-common-cipher", also: []string{"client-cert-not-sent"},
			server: func(t *testing.T, e *liveEnv) string {
				k, err := rsa.GenerateKey(rand.Reader, 2048)
				if err != nil {
					t.Fatal(err)
				}
				return startLiveTLS(t, &tls.Config{
					Certificates: []tls.Certificate{liveServerCert(t, e.ca, testpki.Options{Key: k}, true)},
					MinVersion:   tls.VersionTLS12, MaxVersion: tls.VersionTLS12,
					CipherSuites: []uint16{tls.TLS_RSA_WITH_RC4_128_SHA, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA},
				})
			},
			// The server offers only RC4 and 3DES, which no client here
			// offers; every client sees a bare handshake_failure alert, the
			// same as for a missing certificate under TLS 1.2.
		},
		{name: "tls-handshake-timeout", cause: "tls-handshake-timeout", clients: []string{"go", "curl", "python"}, timeout: 2 * time.Second,
			server: func(t *testing.T, e *liveEnv) string {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				return testenv.ServeConns(t, ln, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
			}},
		{name: "nginx-no-client-cert", ca: liveCA, server: liveNginxServer, cause: "client-cert-not-sent", clients: []string{"curl", "openssl"}},
		{name: "nginx-wrong-client-cert", ca: liveCA, cert: func(e *liveEnv) (string, string) { return e.otherCert, e.otherKey },
			server: liveNginxServer, cause: "client-cert-rejected", clients: []string{"curl", "openssl"}},
		{name: "nginx-plain-http-to-https-port", scheme: "http", server: liveNginxServer, cause: "tls-not-tls", clients: []string{"curl"}},
	}
}

// liveRun is what one client printed.
type liveRun struct {
	client, command, text string
}

func runLiveClient(t *testing.T, e *liveEnv, client string, sc liveScenario, addr string) (liveRun, bool) {
	host := sc.host
	if host == "" {
		host = "127.0.0.1"
	}
	_, port, _ := net.SplitHostPort(addr)
	scheme := sc.scheme
	if scheme == "" {
		scheme = "https"
	}
	url := fmt.Sprintf("%s://%s:%s/", scheme, host, port)
	var ca, cert, key string
	if sc.ca != nil {
		ca = sc.ca(e)
	}
	if sc.cert != nil {
		cert, key = sc.cert(e)
	}
	timeout := sc.timeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	secs := fmt.Sprint(int(timeout.Seconds()))

	if client == "go" {
		return liveRun{client: "go", command: "go net/http client: http.Get(" + url + ")", text: liveGoClient(url, ca, cert, key, timeout)}, true
	}
	var args []string
	var stdin string
	switch client {
	case "curl", "curl-v":
		args = []string{"curl", "-sS", "--connect-timeout", secs, "--max-time", "10"}
		if client == "curl-v" {
			args = append(args, "-v")
		}
		if ca != "" {
			args = append(args, "--cacert", ca)
		}
		if cert != "" {
			args = append(args, "--cert", cert, "--key", key)
		}
		args = append(args, url)
	case "openssl":
		args = []string{"openssl", "s_client", "-connect", "127.0.0.1:" + port, "-verify_return_error", "-ign_eof", "-verify_ip", host}
		if ca != "" {
			args = append(args, "-CAfile", ca)
		}
		if cert != "" {
			args = append(args, "-cert", cert, "-key", key)
		}
		if scheme == "http" {
			return liveRun{}, false
		}
		stdin = "GET / HTTP/1.0\r\nHost: " + host + "\r\n\r\n"
	case "python":
		if _, err := exec.LookPath("python3"); err != nil {
			return liveRun{}, false
		}
		args = []string{"python3", "-c", pythonClient, url, ca, cert, key, secs}
	case "node":
		if _, err := exec.LookPath("node"); err != nil {
			return liveRun{}, false
		}
		args = []string{"node", "-e", nodeClient, url, ca, cert, key}
	case "java":
		if e.javaDir == "" {
			return liveRun{}, false
		}
		args = []string{"java", "-cp", e.javaDir, "Fetch", url, ca, cert, key, fmt.Sprint(timeout.Milliseconds())}
	}
	if _, err := exec.LookPath(args[0]); err != nil {
		return liveRun{}, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 2 * time.Second
	_ = cmd.Run()
	shown := slices.Clone(args)
	switch client {
	case "python":
		shown[2] = "CLIENT.py"
	case "node":
		shown[2] = "CLIENT.js"
	case "java":
		shown[2] = "JAVA_CLASSES"
	}
	command := strings.Join(shown, " ")
	if stdin != "" {
		command = "printf 'GET / HTTP/1.0\\r\\nHost: " + host + "\\r\\n\\r\\n' | " + command
	}
	return liveRun{client: client, command: command, text: out.String()}, true
}

func liveGoClient(url, ca, cert, key string, timeout time.Duration) string {
	cfg := &tls.Config{}
	if ca != "" {
		pemData, err := os.ReadFile(ca)
		if err != nil {
			return err.Error()
		}
		cfg.RootCAs = x509.NewCertPool()
		cfg.RootCAs.AppendCertsFromPEM(pemData)
	}
	if cert != "" {
		c, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return err.Error()
		}
		cfg.Certificates = []tls.Certificate{c}
	}
	tr := &http.Transport{TLSClientConfig: cfg, TLSHandshakeTimeout: timeout}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err.Error()
	}
	return resp.Status + "\n" + string(body)
}

const pythonClient = `
import ssl, sys, urllib.request
url, ca, cert, key, timeout = sys.argv[1:6]
ctx = ssl.create_default_context(cafile=ca or None)
if cert:
    ctx.load_cert_chain(cert, key)
with urllib.request.urlopen(url, context=ctx, timeout=int(timeout)) as r:
    print(r.status, r.read().decode())
`

const nodeClient = `
const https = require('https'), fs = require('fs');
const [url, ca, cert, key] = process.argv.slice(1);
const o = {};
if (ca) o.ca = fs.readFileSync(ca);
if (cert) { o.cert = fs.readFileSync(cert); o.key = fs.readFileSync(key); }
const req = https.get(url, o, res => { console.log(res.statusCode); res.resume(); res.on('end', () => process.exit(0)); });
req.setTimeout(5000, () => req.destroy(new Error('client timeout')));
req.on('error', e => { console.error(e); process.exit(1); });
`

const javaClient = `
import javax.net.ssl.*;
import java.io.*;
import java.net.URL;
import java.nio.file.*;
import java.security.*;
import java.security.cert.*;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.*;

public class Fetch {
  public static void main(String[] a) throws Exception {
    String url = a[0], ca = a[1], cert = a[2], key = a[3];
    int timeout = Integer.parseInt(a[4]);
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    TrustManager[] tms = null;
    KeyManager[] kms = null;
    if (!ca.isEmpty()) {
      KeyStore ts = KeyStore.getInstance("PKCS12");
      ts.load(null, null);
      int i = 0;
      try (InputStream in = new FileInputStream(ca)) {
        for (java.security.cert.Certificate c : cf.generateCertificates(in)) ts.setCertificateEntry("ca" + (i++), c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ts);
      tms = tmf.getTrustManagers();
    }
    if (!cert.isEmpty()) {
      Collection<? extends java.security.cert.Certificate> chain;
      try (InputStream in = new FileInputStream(cert)) { chain = cf.generateCertificates(in); }
      String pem = new String(Files.readAllBytes(Paths.get(key)));
      byte[] der = Base64.getDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
      PrivateKey pk;
      try { pk = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der)); }
      catch (Exception e) { pk = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der)); }
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("client", pk, "x".toCharArray(), chain.toArray(new java.security.cert.Certificate[0]));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, "x".toCharArray());
      kms = kmf.getKeyManagers();
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kms, tms, null);
    HttpsURLConnection c = (HttpsURLConnection) new URL(url).openConnection();
    c.setSSLSocketFactory(ctx.getSocketFactory());
    c.setConnectTimeout(timeout);
    c.setReadTimeout(timeout);
    System.out.println(c.getResponseCode());
  }
}
`

// compileJava builds the Java client once per run; "" when no JDK.
func compileLiveJava(t *testing.T) string {
	if _, err := exec.LookPath("javac"); err != nil {
		return ""
	}
	if _, err := exec.LookPath("java"); err != nil {
		return ""
	}
	dir := t.TempDir()
	src := testpki.WriteFile(t, dir, "Fetch.java", []byte(javaClient))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "javac", "-d", dir, src).CombinedOutput(); err != nil {
		t.Logf("javac failed, skipping java: %v\n%s", err, out)
		return ""
	}
	return dir
}

// normalise takes what varies between runs out of a captured message, so
// the checked-in corpus is stable: ports, temp paths, long PEM blocks.
func normaliseLive(text, tmp string) string {
	text = strings.ReplaceAll(text, tmp, "$TMP")
	text = regexp.MustCompile(`127\.0\.0\.1:\d+`).ReplaceAllString(text, "127.0.0.1:PORT")
	text = regexp.MustCompile(`(127\.0\.0\.1|localhost) port \d+`).ReplaceAllString(text, "$1 port PORT")
	text = regexp.MustCompile(`\) port \d+`).ReplaceAllString(text, ") port PORT")
	// OpenSSL's thread ids, and the throwaway session's master key.
	text = regexp.MustCompile(`\b[0-9A-F]{12,16}:error:`).ReplaceAllString(text, "THREAD:error:")
	text = regexp.MustCompile(`Master-Key: [0-9A-F]+`).ReplaceAllString(text, "Master-Key: (redacted)")
	text = regexp.MustCompile(`(?s)-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----`).ReplaceAllString(text, "-----BEGIN CERTIFICATE-----\n(certificate)\n-----END CERTIFICATE-----")
	return strings.TrimSpace(text)
}

// TestExplainLiveClients runs curl, openssl s_client, python3, node, java
// and Go's own client against misconfigured loopback servers and checks
// that what each prints explains to the right cause. With -update-corpus it
// rewrites the checked-in corpus from these runs.
func TestExplainLiveClients(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real clients; skipped with -short")
	}
	testenv.Tool(t, "curl")
	testenv.Tool(t, "openssl")
	e := newLiveEnv(t)
	e.javaDir = compileLiveJava(t)
	checked, err := loadCorpus()
	if err != nil && !*updateCorpus {
		t.Fatalf("read corpus: %v", err)
	}
	inCorpus := map[string]bool{}
	for _, c := range checked {
		inCorpus[c.Name] = true
	}

	var fresh []corpusEntry
	for _, sc := range liveScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			addr := sc.server(t, e)
			clients := sc.clients
			if clients == nil {
				clients = allLiveClients
			}
			for _, client := range clients {
				run, ok := runLiveClient(t, e, client, sc, addr)
				if !ok {
					continue
				}
				accept := append([]string{sc.cause}, sc.also...)
				if w, ok := sc.want[client]; ok {
					accept = w
				}
				if sc.racy && !slices.Contains(accept, "tcp-reset") {
					accept = append(slices.Clone(accept), "tcp-reset")
				}
				text := normaliseLive(run.text, e.dir)
				entry := corpusEntry{Name: sc.name + "/" + client, Command: normaliseLive(run.command, e.dir), Cause: accept[0], Also: accept[1:], Text: text}
				fresh = append(fresh, entry)
				if !*updateCorpus && !inCorpus[entry.Name] {
					t.Errorf("%s is not in %s: run go test ./explain -run TestExplainLiveClients -update-corpus", entry.Name, corpusPath)
				}
				if err := checkEntry(entry); err != nil {
					t.Errorf("%s: %v\ncommand: %s\noutput:\n%s", client, err, run.command, run.text)
				}
			}
		})
	}
	if *updateCorpus && !t.Failed() {
		sort.Slice(fresh, func(i, j int) bool { return fresh[i].Name < fresh[j].Name })
		data, err := json.MarshalIndent(fresh, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(corpusPath, append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %d entries to %s", len(fresh), corpusPath)
	}
}

func loadCorpus() ([]corpusEntry, error) {
	data, err := os.ReadFile(corpusPath)
	if err != nil {
		return nil, err
	}
	var entries []corpusEntry
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("%s: %w", corpusPath, err)
	}
	return entries, nil
}

// checkEntry explains an entry's text and checks the best match is its
// cause (or one of the causes it fits equally well).
func checkEntry(c corpusEntry) error {
	m := Text(c.Text)
	if len(m) == 0 {
		return errors.New("not recognised")
	}
	accept := append([]string{c.Cause}, c.Also...)
	if !slices.Contains(accept, string(m[0].Cause.ID)) {
		var got []string
		for _, x := range m {
			got = append(got, fmt.Sprintf("%s(w%d,line %d: %q)", x.Cause.ID, x.weight, x.Line, x.Evidence))
		}
		return fmt.Errorf("best match %s, want %v; all: %s", m[0].Cause.ID, accept, strings.Join(got, "; "))
	}
	return nil
}
