package corpus

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testpki"
)

// target is where a scenario's clients connect.
type target struct {
	addr string
	http bool   // plain http:// URL
	leaf string // the server's certificate file, for the offline tools
	// serverLog is the log of the server (nginx, Apache httpd, HAProxy)
	// that logClient reads.
	serverLog, logClient string
	host                 string // the URL's host name, if not 127.0.0.1
}

// scenario is one way of getting a connection or a file wrong. cause is
// its ground truth; also lists causes equally true of it (for every client),
// alsoFor those true of what one client did.
type scenario struct {
	name    string
	cause   string
	also    []string
	alsoFor map[string][]string
	// racy marks refusals of the client certificate whose alert races the
	// client's writes: in TLS 1.3 its first write, and with Go's TLS 1.2
	// server the Finished that a client like JSSE sends right behind its
	// certificate. A client may see only the connection close (tcp-reset).
	racy    bool
	server  func(t *testing.T, e *env) target
	ca      func(e *env) string
	cert    func(e *env) (cert, key string)
	keyPass string
	p12Pass string // use e.p12 with this password
	header  string
	proxy   proxyKind
	// opaque are the clients whose text cannot tell the cause: what tells
	// it is only in the answer's body (nginx's 400 pages), which they do
	// not print (bodylessClients), or in what was sent; or the client
	// prints one message for several failures (curl's "unable to set
	// private key file", Python's "[SSL] PEM lib").
	opaque  []string
	timeout time.Duration
	tool    func(e *env, tg target) []string // openssl-tool or keytool command
	clients []string                         // default: every network client
}

var networkClients = []string{"curl", "curl-v", "openssl", "go", "python-urllib", "python-requests", "python-httpx", "node", "node-axios", "java"}

// bodylessClients print only the status of an error answer, not its body
// (urllib's HTTPError, raise_for_status, HttpURLConnection's IOException).
var bodylessClients = []string{"python-urllib", "python-requests", "python-httpx", "java"}

// proxyKind is the proxy a scenario's clients go through.
type proxyKind int

const (
	noProxy    proxyKind = iota
	authProxy            // wants a password (407)
	portsProxy           // tunnels to port 443 only (CONNECT 403)
)

func withCA(e *env) string      { return e.caFile }
func withOtherCA(e *env) string { return e.otherCAFile }

// forClients is an alsoFor map giving each of names the causes.
func forClients(names []string, causes ...string) map[string][]string {
	m := map[string][]string{}
	for _, n := range names {
		m[n] = causes
	}
	return m
}

func clientsPlus(extra ...string) []string {
	return append(append([]string{}, networkClients...), extra...)
}

func tlsServer(mut func(t *testing.T, e *env, c *tls.Config) *tls.Config) func(*testing.T, *env) target {
	return func(t *testing.T, e *env) target {
		c := serverConfig(t, e)
		if mut != nil {
			c = mut(t, e, c)
		}
		return target{addr: startTLS(t, c)}
	}
}

// leafServer serves a leaf issued by ca with options o and writes it to a
// file for the offline tools.
func leafServer(ca func(e *env) *testpki.CA, o testpki.Options, chain bool) func(*testing.T, *env) target {
	return func(t *testing.T, e *env) target {
		leaf := ca(e).Server(t, o).TLSCertificate(chain)
		crt, _ := writeServerFiles(t, e, leaf, "server-"+filepath.Base(t.Name()))
		return target{addr: startTLS(t, &tls.Config{Certificates: []tls.Certificate{leaf}}), leaf: crt}
	}
}

func rootCA(e *env) *testpki.CA  { return e.ca }
func interCA(e *env) *testpki.CA { return e.inter }

// statusServer answers every request with status, headers and body, as an
// API or its gateway does.
func statusServer(status int, body string, headers ...string) func(*testing.T, *env) target {
	return func(t *testing.T, e *env) target {
		return target{addr: startHTTPS(t, e, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for i := 0; i+1 < len(headers); i += 2 {
				w.Header().Set(headers[i], headers[i+1])
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}))}
	}
}

func nginxServer(t *testing.T, e *env) target {
	addr, log := startNginx(t, e, "")
	return target{addr: addr, serverLog: log, logClient: "nginx-log"}
}

// nginxCRLServer is nginxServer checking client certificates against ca's CRL.
func nginxCRLServer(t *testing.T, e *env) target {
	addr, log := startNginx(t, e, "ssl_crl "+e.crlFile+";")
	return target{addr: addr, serverLog: log, logClient: "nginx-log"}
}

func mtlsServer(t *testing.T, e *env) target { return target{addr: e.mtlsAddr} }

func verifyTool(caFile func(e *env) string, extra ...string) func(e *env, tg target) []string {
	return func(e *env, tg target) []string {
		return append(append([]string{"openssl", "verify", "-CAfile", caFile(e)}, extra...), tg.leaf)
	}
}

func scenarios() []scenario {
	month := 30 * 24 * time.Hour
	return []scenario{
		// --- The server's certificate, seen by the client.
		{name: "server-untrusted-default-trust", cause: "server-cert-untrusted", also: []string{"server-chain-incomplete"},
			server: leafServer(rootCA, testpki.Options{}, true), tool: verifyTool(func(e *env) string { return "/etc/ssl/certs/ca-certificates.crt" }),
			clients: clientsPlus("openssl-tool")},
		{name: "server-untrusted-wrong-cacert", cause: "server-cert-untrusted", also: []string{"server-chain-incomplete"}, ca: withOtherCA,
			server: leafServer(rootCA, testpki.Options{}, true), tool: verifyTool(withOtherCA), clients: clientsPlus("openssl-tool")},
		{name: "server-self-signed", cause: "server-cert-self-signed", also: []string{"server-cert-untrusted"},
			server: func(t *testing.T, e *env) target {
				leaf := selfSigned(t)
				crt, _ := writeServerFiles(t, e, leaf, "self-signed")
				return target{addr: startTLS(t, &tls.Config{Certificates: []tls.Certificate{leaf}}), leaf: crt}
			},
			tool: verifyTool(withCA), clients: clientsPlus("openssl-tool")},
		{name: "server-cert-expired", cause: "server-cert-expired", ca: withCA,
			server: leafServer(rootCA, testpki.Options{NotBefore: time.Now().Add(-24 * month), NotAfter: time.Now().Add(-24 * time.Hour)}, true),
			tool:   verifyTool(withCA), clients: clientsPlus("openssl-tool")},
		{name: "server-cert-not-yet-valid", cause: "server-cert-not-yet-valid", ca: withCA,
			server: leafServer(rootCA, testpki.Options{NotBefore: time.Now().Add(24 * time.Hour), NotAfter: time.Now().Add(12 * month)}, true),
			tool:   verifyTool(withCA), clients: clientsPlus("openssl-tool")},
		{name: "server-wrong-host", cause: "server-cert-hostname-mismatch", ca: withCA,
			server: leafServer(rootCA, testpki.Options{DNSNames: []string{"other.example"}}, true),
			tool:   verifyTool(withCA, "-verify_ip", "127.0.0.1"), clients: clientsPlus("openssl-tool")},
		{name: "server-chain-incomplete", cause: "server-chain-incomplete", also: []string{"server-cert-untrusted"}, ca: withCA,
			server: leafServer(interCA, testpki.Options{}, false), tool: verifyTool(withCA), clients: clientsPlus("openssl-tool")},

		// --- The client's certificate, refused by the server.
		{name: "client-cert-not-sent-tls13", cause: "client-cert-not-sent", ca: withCA, racy: true,
			server: tlsServer(requireClientCerts(tls.VersionTLS13))},
		{name: "client-cert-not-sent-tls12", cause: "client-cert-not-sent", also: []string{"tls-no-common-cipher"}, ca: withCA,
			server: func(t *testing.T, e *env) target {
				addr := freePort(t)
				crt, key := writeServerFiles(t, e, e.ca.Server(t, testpki.Options{}).TLSCertificate(true), "s_server")
				startProcess(t, addr, "openssl", "s_server", "-accept", addr, "-cert", crt, "-key", key,
					"-CAfile", e.caFile, "-Verify", "1", "-tls1_2", "-www", "-quiet")
				return target{addr: addr}
			}},
		// Go's and Java's clients hold back a certificate whose issuer the
		// server does not list, so for them none was sent.
		{name: "client-cert-wrong-ca", cause: "client-cert-rejected", also: []string{"client-cert-wrong-issuer"}, ca: withCA, racy: true,
			cert:    func(e *env) (string, string) { return e.otherCert, e.otherKey },
			server:  tlsServer(requireClientCerts(tls.VersionTLS13)),
			alsoFor: map[string][]string{"go": {"client-cert-not-sent"}, "java": {"client-cert-not-sent"}}},
		{name: "client-cert-wrong-ca-tls12", cause: "client-cert-rejected", also: []string{"client-cert-wrong-issuer"}, ca: withCA, racy: true,
			cert:    func(e *env) (string, string) { return e.otherCert, e.otherKey },
			server:  tlsServer(requireClientCerts(tls.VersionTLS12)),
			alsoFor: map[string][]string{"go": {"client-cert-not-sent"}, "java": {"client-cert-not-sent"}},
			// Go holds the certificate back and prints only the server's
			// handshake_failure alert, which no shared cipher suite gives too.
			opaque: []string{"go"}},
		{name: "client-cert-expired", cause: "client-cert-expired", ca: withCA, racy: true,
			cert:   func(e *env) (string, string) { return e.expiredCert, e.expiredKey },
			server: tlsServer(requireClientCerts(tls.VersionTLS13))},
		{name: "client-cert-expired-tls12", cause: "client-cert-expired", ca: withCA, racy: true,
			cert:   func(e *env) (string, string) { return e.expiredCert, e.expiredKey },
			server: tlsServer(requireClientCerts(tls.VersionTLS12))},
		// Go's server answers bad_certificate: the client learns only that
		// its certificate was refused.
		{name: "client-cert-not-for-client-auth", cause: "client-cert-no-client-auth", also: []string{"client-cert-rejected"}, ca: withCA, racy: true,
			cert:   func(e *env) (string, string) { return e.serverOnlyCert, e.serverOnlyKey },
			server: tlsServer(requireClientCerts(tls.VersionTLS12)),
			tool: func(e *env, tg target) []string {
				return []string{"openssl", "verify", "-purpose", "sslclient", "-CAfile", e.caFile, e.serverOnlyCert}
			},
			clients: clientsPlus("openssl-tool")},

		// --- nginx refusing client certificates: what the clients get, and
		// what nginx logs (about the client's certificate).
		{name: "nginx-client-cert-not-sent", cause: "client-cert-not-sent", ca: withCA, server: nginxServer,
			opaque: bodylessClients, clients: clientsPlus("nginx-log")},
		{name: "nginx-client-cert-wrong-ca", cause: "client-cert-rejected", also: []string{"client-cert-wrong-issuer"}, ca: withCA,
			cert: func(e *env) (string, string) { return e.otherCert, e.otherKey }, server: nginxServer,
			alsoFor: map[string][]string{"go": {"client-cert-not-sent"}, "java": {"client-cert-not-sent"}},
			opaque:  bodylessClients, clients: clientsPlus("nginx-log")},
		// nginx answers every refused certificate with the same page ("400
		// The SSL certificate error"): the clients learn only that it was
		// refused; its log says why.
		{name: "nginx-client-cert-expired", cause: "client-cert-expired", ca: withCA,
			cert: func(e *env) (string, string) { return e.expiredCert, e.expiredKey }, server: nginxServer,
			alsoFor: forClients(networkClients, "client-cert-rejected"),
			opaque:  bodylessClients, clients: clientsPlus("nginx-log")},
		// nginx checks the certificate against the CA's CRL: the same page
		// again; its log says "certificate revoked".
		{name: "nginx-client-cert-revoked", cause: "client-cert-revoked", ca: withCA,
			cert: func(e *env) (string, string) { return e.revokedCert, e.revokedKey }, server: nginxCRLServer,
			alsoFor: forClients(networkClients, "client-cert-rejected"),
			opaque:  bodylessClients, clients: clientsPlus("nginx-log")},
		{name: "nginx-plain-http-to-https-port", cause: "tls-not-tls", server: func(t *testing.T, e *env) target {
			tg := nginxServer(t, e)
			tg.http = true
			return tg
		}, opaque: bodylessClients,
			clients: []string{"curl", "curl-v", "go", "python-urllib", "python-requests", "python-httpx", "node", "node-axios", "java", "nginx-log"}},
		// OpenSSL's server checks the CA's CRL and answers certificate_revoked.
		{name: "client-cert-revoked-tls12", cause: "client-cert-revoked", ca: withCA,
			cert: func(e *env) (string, string) { return e.revokedCert, e.revokedKey }, server: crlSServer,
			tool: func(e *env, tg target) []string {
				return []string{"openssl", "verify", "-crl_check", "-CRLfile", e.crlFile, "-CAfile", e.caFile, e.revokedCert}
			},
			clients: clientsPlus("openssl-tool")},

		// --- Apache httpd and HAProxy refusing client certificates (TLS 1.3,
		// so racy): their logs, and what the clients get.
		{name: "apache-client-cert-not-sent", cause: "client-cert-not-sent", racy: true, ca: withCA, server: apacheServer(false),
			clients: clientsPlus("apache-log")},
		{name: "apache-client-cert-wrong-ca", cause: "client-cert-rejected", racy: true, also: []string{"client-cert-wrong-issuer"}, ca: withCA,
			cert: func(e *env) (string, string) { return e.otherCert, e.otherKey }, server: apacheServer(false),
			alsoFor: map[string][]string{"go": {"client-cert-not-sent"}, "java": {"client-cert-not-sent"}},
			clients: []string{"curl", "apache-log"}},
		{name: "apache-client-cert-expired", cause: "client-cert-expired", racy: true, ca: withCA,
			cert: func(e *env) (string, string) { return e.expiredCert, e.expiredKey }, server: apacheServer(false),
			clients: []string{"curl", "apache-log"}},
		{name: "apache-client-cert-revoked", cause: "client-cert-revoked", racy: true, ca: withCA,
			cert: func(e *env) (string, string) { return e.revokedCert, e.revokedKey }, server: apacheServer(true),
			clients: []string{"curl", "apache-log"}},
		// HAProxy logs one text for every refused certificate (CO_ER_SSL_CRT_FAIL,
		// "SSL client certificate not trusted") and none for a missing one
		// (CO_ER_SSL_HANDSHAKE, "SSL handshake failure"): src/connection.c.
		{name: "haproxy-client-cert-not-sent", cause: "client-cert-not-sent", racy: true, ca: withCA, server: haproxyServer(false),
			opaque: []string{"haproxy-log"}, clients: clientsPlus("haproxy-log")},
		{name: "haproxy-client-cert-wrong-ca", cause: "client-cert-rejected", racy: true, also: []string{"client-cert-wrong-issuer"}, ca: withCA,
			cert: func(e *env) (string, string) { return e.otherCert, e.otherKey }, server: haproxyServer(false),
			clients: []string{"curl", "haproxy-log"}},
		{name: "haproxy-client-cert-expired", cause: "client-cert-expired", racy: true, ca: withCA,
			cert: func(e *env) (string, string) { return e.expiredCert, e.expiredKey }, server: haproxyServer(false),
			alsoFor: map[string][]string{"haproxy-log": {"client-cert-rejected"}}, clients: []string{"curl", "haproxy-log"}},
		{name: "haproxy-client-cert-revoked", cause: "client-cert-revoked", racy: true, ca: withCA,
			cert: func(e *env) (string, string) { return e.revokedCert, e.revokedKey }, server: haproxyServer(true),
			alsoFor: map[string][]string{"haproxy-log": {"client-cert-rejected"}}, clients: []string{"curl", "haproxy-log"}},

		// --- Protocol and transport.
		{name: "tls10-only-server", cause: "tls-version-mismatch", ca: withCA,
			server: tlsServer(func(t *testing.T, e *env, c *tls.Config) *tls.Config {
				c.MinVersion, c.MaxVersion = tls.VersionTLS10, tls.VersionTLS10
				return c
			})},
		// Only RC4 and 3DES, which no client here offers: a bare
		// handshake_failure, the same alert as a missing certificate in TLS 1.2.
		{name: "no-common-cipher", cause: "tls-no-common-cipher", also: []string{"client-cert-not-sent"}, ca: withCA,
			server: func(t *testing.T, e *env) target {
				k, err := rsa.GenerateKey(rand.Reader, 2048)
				if err != nil {
					t.Fatal(err)
				}
				return target{addr: startTLS(t, &tls.Config{
					Certificates: []tls.Certificate{e.ca.Server(t, testpki.Options{Key: k}).TLSCertificate(true)},
					MinVersion:   tls.VersionTLS12, MaxVersion: tls.VersionTLS12,
					CipherSuites: []uint16{tls.TLS_RSA_WITH_RC4_128_SHA, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA},
				})}
			}},
		{name: "plain-http-port", cause: "tls-not-tls", server: func(t *testing.T, e *env) target {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "plain\n") }),
				ReadHeaderTimeout: 5 * time.Second}
			go func() { _ = srv.Serve(ln) }()
			t.Cleanup(func() { _ = srv.Close() })
			return target{addr: ln.Addr().String()}
		}},
		{name: "closed-port", cause: "tcp-refused", server: func(t *testing.T, e *env) target { return target{addr: freePort(t)} }},
		{name: "connection-reset", cause: "tcp-reset", server: func(t *testing.T, e *env) target {
			return target{addr: startRaw(t, func(c net.Conn) {
				buf := make([]byte, 512)
				_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
				_, _ = c.Read(buf) // the ClientHello, then a reset
				_ = c.(*net.TCPConn).SetLinger(0)
				c.Close()
			})}
		}},
		{name: "tls-handshake-timeout", cause: "tls-handshake-timeout", also: []string{"tcp-timeout"}, timeout: 2 * time.Second,
			server: func(t *testing.T, e *env) target {
				return target{addr: startRaw(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })}
			},
			clients: []string{"curl", "curl-v", "go", "python-urllib", "python-requests", "python-httpx", "node", "node-axios", "java"}},

		// --- HTTP answers of an API that was reached.
		// The clients that print no body show a bare 401: refused and not
		// sent read the same.
		{name: "http-401-token-rejected", cause: "token-rejected", ca: withCA, header: "Authorization: Bearer corpus-token-value",
			server: statusServer(401, `{"error":"invalid_token","error_description":"The access token expired"}`,
				"WWW-Authenticate", `Bearer error="invalid_token"`),
			opaque: bodylessClients},
		{name: "http-403-api-key-rejected", cause: "api-key-rejected", ca: withCA, header: "X-API-Key: corpus-key-value",
			server: statusServer(403, `{"status":403,"error":"Forbidden"}`)},
		{name: "http-404", cause: "endpoint-not-found", ca: withCA, server: statusServer(404, `{"status":404,"error":"Not Found","path":"/"}`)},
		{name: "http-405", cause: "method-not-allowed", ca: withCA, server: statusServer(405, `{"status":405,"error":"Method Not Allowed"}`, "Allow", "POST")},
		{name: "http-429", cause: "rate-limited", ca: withCA, server: statusServer(429, `{"message":"Too Many Requests"}`, "Retry-After", "30")},
		{name: "http-500", cause: "server-error", ca: withCA, server: statusServer(500, `{"status":500,"error":"Internal Server Error"}`)},
		{name: "http-503", cause: "service-unavailable", ca: withCA, server: statusServer(503, `{"status":503,"error":"Service Unavailable"}`, "Retry-After", "120")},
		// A key read from a file written on Windows keeps its "\r": the
		// clients refuse to send the header at all.
		// The JDK sends it, and the server's 400 is all it prints.
		{name: "api-key-trailing-cr", cause: "api-key-whitespace", ca: withCA, header: "X-API-Key: corpus-key-value\r",
			server: statusServer(401, `{"message":"Unauthorized"}`), opaque: []string{"java"},
			clients: []string{"go", "python-urllib", "python-requests", "python-httpx", "node", "node-axios", "java"}},
		// No token sent: the challenge carries no error code (RFC 6750
		// section 3.1) and the body is express-jwt's. Only curl -v shows
		// both; the clients that print no body cannot tell it from a token
		// refused.
		{name: "http-401-no-token", cause: "token-missing", ca: withCA,
			server: statusServer(401, `{"error":"unauthorized","message":"No authorization token was found"}`,
				"WWW-Authenticate", `Bearer realm="api"`),
			opaque: bodylessClients},
		// A login page in front of the API: every path redirects to /login,
		// /login included. Clients that follow redirects give up; the rest
		// show the 302. (curl without -v prints only the page.)
		{name: "http-redirect-loop", cause: "unexpected-redirect", ca: withCA,
			server:  statusServer(302, `{"message":"Redirecting to /login"}`, "Location", "/login?next=%2F"),
			clients: []string{"curl-v", "go", "python-urllib", "python-requests", "python-httpx", "node", "node-axios", "java"}},
		{name: "dns-unknown-host", cause: "dns-no-such-host", ca: withCA,
			server: func(t *testing.T, e *env) target { return target{addr: "127.0.0.1:443", host: "no-such-host.invalid"} }},
		{name: "proxy-connect-403", cause: "proxy-tunnel-refused", ca: withCA, proxy: portsProxy,
			server:  func(t *testing.T, e *env) target { return target{addr: startHTTPS(t, e, http.NotFoundHandler())} },
			clients: []string{"curl", "curl-v", "go", "python-urllib", "python-requests", "python-httpx", "java"}},
		{name: "proxy-407", cause: "proxy-auth-required", ca: withCA, proxy: authProxy,
			server:  func(t *testing.T, e *env) target { return target{addr: startHTTPS(t, e, http.NotFoundHandler())} },
			clients: []string{"curl", "curl-v", "go", "python-urllib", "python-requests", "python-httpx", "java"}},

		// --- Local files: the client fails before or while connecting.
		{name: "key-wrong-passphrase", cause: "key-passphrase-wrong", ca: withCA, server: mtlsServer, keyPass: wrongPass,
			cert: func(e *env) (string, string) { return e.clientCert, e.encryptedKey },
			tool: func(e *env, tg target) []string {
				return []string{"openssl", "pkey", "-in", e.encryptedKey, "-passin", "pass:" + wrongPass, "-noout"}
			},
			// curl: SSL_CTX_use_PrivateKey_file failed, which a wrong
			// passphrase and a key that is not the certificate's both do
			// (lib/vtls/openssl.c); Python: load_cert_chain's bare
			// ERR_R_PEM_LIB (Modules/_ssl.c).
			opaque:  []string{"curl", "curl-v", "python-urllib"},
			clients: []string{"curl", "curl-v", "openssl", "openssl-tool", "go", "python-urllib", "node"}},
		{name: "key-cert-mismatch", cause: "key-cert-mismatch", ca: withCA, server: mtlsServer,
			cert:    func(e *env) (string, string) { return e.clientCert, e.otherKey },
			opaque:  []string{"curl", "curl-v"},
			clients: []string{"curl", "curl-v", "openssl", "go", "python-urllib", "python-requests", "node"}},
		{name: "cert-and-key-swapped", cause: "input-wrong-file-type", ca: withCA, server: mtlsServer,
			cert: func(e *env) (string, string) { return e.clientKey, e.clientCert },
			tool: func(e *env, tg target) []string {
				return []string{"openssl", "x509", "-in", e.clientKey, "-noout", "-subject"}
			},
			opaque:  []string{"python-urllib", "python-requests", "python-httpx"}, // "[SSL] PEM lib"
			clients: clientsPlus("openssl-tool")},
		{name: "cert-file-missing", cause: "input-file-unreadable", ca: withCA, server: mtlsServer,
			cert: func(e *env) (string, string) { return e.missing, e.clientKey },
			tool: func(e *env, tg target) []string {
				return []string{"openssl", "x509", "-in", e.missing, "-noout", "-enddate"}
			},
			clients: clientsPlus("openssl-tool")},
		{name: "cert-file-missing-keytool", cause: "input-file-unreadable",
			tool: func(e *env, tg target) []string {
				return []string{"keytool", "-printcert", "-file", e.missing}
			},
			clients: []string{"keytool"}},
		{name: "p12-wrong-password", cause: "key-passphrase-wrong", ca: withCA, server: mtlsServer, p12Pass: wrongPass,
			tool: func(e *env, tg target) []string {
				return []string{"openssl", "pkcs12", "-in", e.p12, "-passin", "pass:" + wrongPass, "-noout"}
			},
			clients: []string{"curl", "curl-v", "openssl-tool", "go", "node", "java"}},
		{name: "p12-wrong-password-keytool", cause: "key-passphrase-wrong",
			tool: func(e *env, tg target) []string {
				return []string{"keytool", "-list", "-keystore", e.p12, "-storetype", "PKCS12", "-storepass", wrongPass}
			},
			clients: []string{"keytool"}},
	}
}
