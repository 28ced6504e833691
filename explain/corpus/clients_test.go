package corpus

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/onramp-cli/onramp/internal/testpki"
)

// request is what a client is asked to do in one scenario.
type request struct {
	url, host, port string
	http            bool // plain http:// URL
	ca, cert, key   string
	keyPass         string // passphrase of key
	p12, p12Pass    string // PKCS#12 file instead of cert and key
	header          string // "Name: value"
	proxy           string // host:port of an HTTP proxy
	timeout         time.Duration
	tool            []string // the command line of openssl-tool and keytool
	serverLog       string   // the server's log, for the client named logClient
	logClient       string
}

// clientFunc runs one client; ok is false when the client does not apply.
type clientFunc func(t *testing.T, e *env, r request) (command, text string, ok bool)

// clients are every client the generator drives, by name.
var clients = map[string]clientFunc{
	"curl":            curlClient(false),
	"curl-v":          curlClient(true),
	"openssl":         sClient,
	"openssl-tool":    toolClient("openssl"),
	"keytool":         toolClient("keytool"),
	"go":              goClient,
	"python-urllib":   pythonClient("/usr/bin/python3", pythonUrllib),
	"python-requests": pythonClient("/usr/bin/python3", pythonRequests),
	"node":            nodeClient,
	"java":            javaClient,
	"python-httpx":    pythonClient("/usr/bin/python3", pythonHttpx),
	"node-axios":      axiosClient,
	"nginx-log":       serverLogClient("nginx-log"),
	"apache-log":      serverLogClient("apache-log"),
	"haproxy-log":     serverLogClient("haproxy-log"),
}

// clientTools are the programs a client needs (testenv.Tool: missing fails
// under make test).
var clientTools = map[string][]string{
	"curl": {"curl"}, "curl-v": {"curl"}, "openssl": {"openssl"}, "openssl-tool": {"openssl"},
	"keytool": {"keytool"}, "python-urllib": {"/usr/bin/python3"}, "python-requests": {"/usr/bin/python3"},
	"node": {"node"}, "java": {"java", "javac"}, "nginx-log": {"curl", "nginx"},
	"python-httpx": {"/usr/bin/python3", httpxModule}, "node-axios": {"node", axiosModule},
	"apache-log": {"curl", "/usr/sbin/apache2"}, "haproxy-log": {"curl", "haproxy"},
}

// The Debian packages' library directories (python3-httpx, node-axios).
const (
	httpxModule = "/usr/lib/python3/dist-packages/httpx"
	axiosModule = "/usr/share/nodejs/axios"
)

func execClient(args []string, stdin string, timeout time.Duration) string {
	return runClient(args, stdin, nil, timeout)
}

// execClientEnv is execClient with env added to the environment.
func execClientEnv(args, env []string, timeout time.Duration) string {
	return runClient(args, "", env, timeout)
}

func runClient(args []string, stdin string, env []string, timeout time.Duration) string {
	ctx, cancel := context.WithTimeout(context.Background(), timeout+20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stdin = strings.NewReader(stdin)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 2 * time.Second
	_ = cmd.Run()
	return out.String()
}

func secs(d time.Duration) string { return fmt.Sprint(int(d.Seconds())) }

func curlArgs(r request, verbose bool) []string {
	args := []string{"curl", "-sS", "--fail-with-body", "--connect-timeout", secs(r.timeout), "--max-time", secs(r.timeout + 5*time.Second)}
	if verbose {
		args = append(args, "-v")
	}
	if r.ca != "" {
		args = append(args, "--cacert", r.ca)
	}
	switch {
	case r.p12 != "":
		args = append(args, "--cert-type", "P12", "--cert", r.p12+":"+r.p12Pass)
	case r.cert != "":
		args = append(args, "--cert", r.cert, "--key", r.key)
		if r.keyPass != "" {
			args = append(args, "--pass", r.keyPass)
		}
	}
	if r.header != "" {
		args = append(args, "-H", r.header)
	}
	if r.proxy != "" {
		args = append(args, "-x", "http://"+r.proxy)
	}
	return append(args, r.url)
}

func curlClient(verbose bool) clientFunc {
	return func(t *testing.T, e *env, r request) (string, string, bool) {
		args := curlArgs(r, verbose)
		return strings.Join(args, " "), execClient(args, "", r.timeout), true
	}
}

func sClient(t *testing.T, e *env, r request) (string, string, bool) {
	if r.http || r.proxy != "" || r.p12 != "" || r.header != "" {
		return "", "", false
	}
	args := []string{"openssl", "s_client", "-connect", r.host + ":" + r.port, "-verify_return_error", "-ign_eof"}
	if net.ParseIP(r.host) != nil {
		args = append(args, "-verify_ip", r.host)
	} else {
		args = append(args, "-verify_hostname", r.host)
	}
	if r.ca != "" {
		args = append(args, "-CAfile", r.ca)
	}
	if r.cert != "" {
		args = append(args, "-cert", r.cert, "-key", r.key)
		if r.keyPass != "" {
			args = append(args, "-pass", "pass:"+r.keyPass)
		}
	}
	stdin := "GET / HTTP/1.0\r\nHost: " + r.host + "\r\n\r\n"
	return "printf 'GET / HTTP/1.0\\r\\nHost: " + r.host + "\\r\\n\\r\\n' | " + strings.Join(args, " "), execClient(args, stdin, r.timeout), true
}

// toolClient runs the scenario's own command line for an OpenSSL or JDK tool.
func toolClient(name string) clientFunc {
	return func(t *testing.T, e *env, r request) (string, string, bool) {
		if len(r.tool) == 0 || r.tool[0] != name {
			return "", "", false
		}
		return strings.Join(r.tool, " "), execClient(r.tool, "", r.timeout), true
	}
}

// goClient is a small Go program's output: net/http with the given files,
// failing as such a program does (log.Fatal of the error, or of an
// unexpected status with the body).
func goClient(t *testing.T, e *env, r request) (string, string, bool) {
	command := "go run client.go (net/http GET " + r.url + ")"
	cfg := &tls.Config{}
	if r.ca != "" {
		pemData, err := os.ReadFile(r.ca)
		if err != nil {
			return command, err.Error(), true
		}
		cfg.RootCAs = x509.NewCertPool()
		cfg.RootCAs.AppendCertsFromPEM(pemData)
	}
	switch {
	case r.p12 != "":
		data, err := os.ReadFile(r.p12)
		if err != nil {
			return command, err.Error(), true
		}
		key, leaf, _, err := pkcs12.DecodeChain(data, r.p12Pass)
		if err != nil {
			return command, err.Error(), true
		}
		cfg.Certificates = []tls.Certificate{{Certificate: [][]byte{leaf.Raw}, PrivateKey: key}}
	case r.keyPass != "":
		certPEM, err := os.ReadFile(r.cert)
		if err != nil {
			return command, err.Error(), true
		}
		keyPEM, err := os.ReadFile(r.key)
		if err != nil {
			return command, err.Error(), true
		}
		block, _ := pem.Decode(keyPEM)
		if block == nil {
			return command, "no PEM data in " + r.key, true
		}
		//lint:ignore SA1019 legacy PEM encryption is what such keys use; this is the client people run.
		der, err := x509.DecryptPEMBlock(block, []byte(r.keyPass)) //nolint:staticcheck
		if err != nil {
			return command, err.Error(), true
		}
		c, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: block.Type, Bytes: der}))
		if err != nil {
			return command, err.Error(), true
		}
		cfg.Certificates = []tls.Certificate{c}
	case r.cert != "":
		c, err := tls.LoadX509KeyPair(r.cert, r.key)
		if err != nil {
			return command, err.Error(), true
		}
		cfg.Certificates = []tls.Certificate{c}
	}
	tr := &http.Transport{TLSClientConfig: cfg, TLSHandshakeTimeout: r.timeout}
	if r.proxy != "" {
		tr.Proxy = http.ProxyURL(&url.URL{Scheme: "http", Host: r.proxy})
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: r.timeout + 5*time.Second}
	req, err := http.NewRequest(http.MethodGet, r.url, nil)
	if err != nil {
		return command, err.Error(), true
	}
	if name, value, ok := strings.Cut(r.header, ": "); ok {
		req.Header.Set(name, value)
	}
	resp, err := client.Do(req)
	if err != nil {
		return command, err.Error(), true
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return command, err.Error(), true
	}
	if resp.StatusCode != http.StatusOK {
		return command, fmt.Sprintf("unexpected status %s: %s", resp.Status, body), true
	}
	return command, resp.Status + "\n" + string(body), true
}

// The Python clients let an exception end the program, as scripts do: the
// traceback is what gets pasted.
const pythonUrllib = `
import ssl, sys, urllib.request
url, ca, cert, key, keypass, header, proxy, timeout = sys.argv[1:9]
ctx = ssl.create_default_context(cafile=ca or None)
if cert:
    ctx.load_cert_chain(cert, key, password=keypass or None)
handlers = [urllib.request.HTTPSHandler(context=ctx)]
if proxy:
    handlers.append(urllib.request.ProxyHandler({"https": "http://" + proxy, "http": "http://" + proxy}))
opener = urllib.request.build_opener(*handlers)
req = urllib.request.Request(url)
if header:
    k, v = header.split(": ", 1)
    req.add_header(k, v)
with opener.open(req, timeout=int(timeout)) as r:
    print(r.status, r.read().decode())
`

const pythonRequests = `
import sys, requests
url, ca, cert, key, keypass, header, proxy, timeout = sys.argv[1:9]
kw = {"verify": ca or True, "timeout": int(timeout)}
if cert:
    kw["cert"] = (cert, key)
if header:
    k, v = header.split(": ", 1)
    kw["headers"] = {k: v}
if proxy:
    kw["proxies"] = {"https": "http://" + proxy, "http": "http://" + proxy}
r = requests.get(url, **kw)
r.raise_for_status()
print(r.status_code, r.text)
`

// httpx raises for a status of 3xx too; it follows no redirect unless told.
const pythonHttpx = `
import sys, httpx
url, ca, cert, key, keypass, header, proxy, timeout = sys.argv[1:9]
kw = {"verify": ca or True, "timeout": int(timeout)}
if cert:
    kw["cert"] = (cert, key, keypass) if keypass else (cert, key)
if proxy:
    kw["proxies"] = "http://" + proxy
headers = {}
if header:
    k, v = header.split(": ", 1)
    headers[k] = v
with httpx.Client(**kw) as client:
    r = client.get(url, headers=headers)
    r.raise_for_status()
    print(r.status_code, r.text)
`

func pythonClient(python, script string) clientFunc {
	return func(t *testing.T, e *env, r request) (string, string, bool) {
		if r.p12 != "" || (script == pythonRequests && r.keyPass != "") {
			return "", "", false // none takes PKCS#12; requests takes no key passphrase
		}
		name := "client_urllib.py"
		switch script {
		case pythonRequests:
			name = "client_requests.py"
		case pythonHttpx:
			name = "client_httpx.py"
		}
		args := []string{python, "-c", script, r.url, r.ca, r.cert, r.key, r.keyPass, r.header, r.proxy, secs(r.timeout)}
		shown := append([]string{python, name}, args[3:]...)
		return strings.Join(shown, " "), execClient(args, "", r.timeout), true
	}
}

// nodePreamble starts both Node clients: the arguments, o (the TLS options:
// CA, certificate and key, or PKCS#12) and the request header.
const nodePreamble = `
const fs = require('fs');
const [url, ca, cert, key, pass, pfx, pfxPass, header, timeout] = process.argv.slice(1);
const o = {};
if (ca) o.ca = fs.readFileSync(ca);
if (cert) { o.cert = fs.readFileSync(cert); o.key = fs.readFileSync(key); }
if (pass) o.passphrase = pass;
if (pfx) { o.pfx = fs.readFileSync(pfx); o.passphrase = pfxPass; }
const headers = {};
if (header) { const i = header.indexOf(': '); headers[header.slice(0, i)] = header.slice(i + 2); }
`

const nodeScript = nodePreamble + `
const https = require('https'), http = require('http');
o.headers = headers;
o.signal = AbortSignal.timeout(Number(timeout) * 1000);
const req = (url.startsWith('https:') ? https : http).get(url, o, res => {
  let body = '';
  res.on('data', d => body += d);
  res.on('end', () => {
    if (res.statusCode >= 400) { console.error('HTTP ' + res.statusCode + ' ' + res.statusMessage + ': ' + body); process.exit(1); }
    console.log(res.statusCode, body);
  });
});
req.on('error', e => { console.error(e); process.exit(1); });
`

// nodeArgs is the command line of a Node client script.
func nodeArgs(script string, r request) []string {
	return []string{"node", "-e", script, r.url, r.ca, r.cert, r.key, r.keyPass, r.p12, r.p12Pass, r.header, secs(r.timeout)}
}

func nodeClient(t *testing.T, e *env, r request) (string, string, bool) {
	if r.proxy != "" {
		return "", "", false // Node's https module takes no proxy
	}
	args := nodeArgs(nodeScript, r)
	shown := append([]string{"node", "client.js"}, args[3:]...)
	return strings.Join(shown, " "), execClient(args, "", r.timeout), true
}

// The axios client prints what such programs print in their catch: the
// error's name, message and code, and the response body when there is one.
const axiosScript = nodePreamble + `
const axios = require('axios'), https = require('https');
axios.get(url, {httpsAgent: new https.Agent(o), headers, timeout: Number(timeout) * 1000})
  .then(res => console.log(res.status, res.data))
  .catch(err => {
    console.error(err.name + ': ' + err.message + (err.code ? ' (' + err.code + ')' : ''));
    if (err.response) console.error(err.response.status, JSON.stringify(err.response.data));
    process.exit(1);
  });
`

func axiosClient(t *testing.T, e *env, r request) (string, string, bool) {
	if r.proxy != "" {
		return "", "", false // axios sends https:// requests to an HTTP proxy without CONNECT
	}
	args := nodeArgs(axiosScript, r)
	shown := append([]string{"node", "client-axios.js"}, args[3:]...)
	return strings.Join(shown, " "), execClientEnv(args, []string{"NODE_PATH=/usr/share/nodejs"}, r.timeout), true
}

const javaSource = `
import javax.net.ssl.*;
import java.io.*;
import java.net.*;
import java.nio.file.*;
import java.security.*;
import java.security.cert.*;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.*;

public class Fetch {
  public static void main(String[] a) throws Exception {
    String url = a[0], ca = a[1], cert = a[2], key = a[3], pass = a[4], header = a[5];
    int timeout = Integer.parseInt(a[6]) * 1000;
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
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    if (cert.endsWith(".p12")) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = new FileInputStream(cert)) { ks.load(in, pass.toCharArray()); }
      kmf.init(ks, pass.toCharArray());
      kms = kmf.getKeyManagers();
    } else if (!cert.isEmpty()) {
      Collection<? extends java.security.cert.Certificate> chain;
      try (InputStream in = new FileInputStream(cert)) { chain = cf.generateCertificates(in); }
      String pem = new String(Files.readAllBytes(Paths.get(key)));
      byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
      PrivateKey pk;
      try { pk = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der)); }
      catch (Exception e) { pk = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der)); }
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("client", pk, "x".toCharArray(), chain.toArray(new java.security.cert.Certificate[0]));
      kmf.init(ks, "x".toCharArray());
      kms = kmf.getKeyManagers();
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kms, tms, null);
    URLConnection c = new URL(url).openConnection();
    if (c instanceof HttpsURLConnection) ((HttpsURLConnection) c).setSSLSocketFactory(ctx.getSocketFactory());
    c.setConnectTimeout(timeout);
    c.setReadTimeout(timeout);
    if (!header.isEmpty()) { String[] kv = header.split(": ", 2); c.setRequestProperty(kv[0], kv[1]); }
    try (InputStream in = c.getInputStream()) {
      System.out.println(new String(in.readAllBytes()));
    }
  }
}
`

// compileJava builds the Java client once per run.
func compileJava(t *testing.T) string {
	dir := t.TempDir()
	src := testpki.WriteFile(t, dir, "Fetch.java", []byte(javaSource))
	run(t, "javac", "-d", dir, src)
	return dir
}

func javaClient(t *testing.T, e *env, r request) (string, string, bool) {
	cert, key, pass := r.cert, r.key, r.keyPass
	if r.keyPass != "" {
		return "", "", false // the JDK reads no PEM-encrypted keys
	}
	if r.p12 != "" {
		cert, key, pass = r.p12, "", r.p12Pass
	}
	args := []string{"java"}
	if r.proxy != "" {
		host, port, _ := strings.Cut(r.proxy, ":")
		// The JDK goes direct to localhost and 127.* unless nonProxyHosts is
		// set; empty, it adds none of its defaults.
		args = append(args, "-Dhttps.proxyHost="+host, "-Dhttps.proxyPort="+port, "-Dhttp.proxyHost="+host, "-Dhttp.proxyPort="+port,
			"-Dhttp.nonProxyHosts=")
	}
	args = append(args, "-cp", e.javaDir, "Fetch", r.url, r.ca, cert, key, pass, r.header, secs(r.timeout))
	shown := strings.Replace(strings.Join(args, " "), "-cp "+e.javaDir+" ", "", 1)
	return shown, execClient(args, "", r.timeout), true
}

// serverLogClient makes the scenario's request with curl and returns what
// the server (nginx, Apache httpd, HAProxy) wrote to its log about it.
func serverLogClient(name string) clientFunc {
	return func(t *testing.T, e *env, r request) (string, string, bool) {
		if r.logClient != name {
			return "", "", false
		}
		before, _ := os.ReadFile(r.serverLog)
		args := curlArgs(r, false)
		execClient(args, "", r.timeout)
		var after []byte
		for range 20 { // the server writes the line after the connection ends
			time.Sleep(100 * time.Millisecond)
			after, _ = os.ReadFile(r.serverLog)
			if len(after) > len(before) {
				time.Sleep(200 * time.Millisecond) // and any lines that follow
				after, _ = os.ReadFile(r.serverLog)
				break
			}
		}
		return strings.Join(args, " ") + "; tail " + filepath.Base(r.serverLog), string(after[len(before):]), true
	}
}
