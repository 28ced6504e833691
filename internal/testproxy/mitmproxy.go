package testproxy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/internal/testenv"
)

// Interceptor is a running mitmproxy: a TLS-intercepting proxy that mints
// each server's certificate from its own CA, as inspection products do.
type Interceptor struct {
	Addr string
	dir  string
}

// URL is the proxy's URL, http://127.0.0.1:PORT.
func (m *Interceptor) URL() string { return "http://" + m.Addr }

// Log is what mitmdump printed so far.
func (m *Interceptor) Log() string {
	b, _ := os.ReadFile(filepath.Join(m.dir, "mitmdump.log"))
	return string(b)
}

// StartInterceptor runs Debian's mitmdump on a loopback port until the
// test ends, signing with the CA in caPEM (certificate and private key,
// PEM: name it like a vendor's to play one) and resolving names with
// hosts. It does not verify the servers it connects to (the tests' servers
// have test CAs), and presents no client certificate to them: mutual TLS
// cannot pass through it, as through any inspection product.
func StartInterceptor(t testing.TB, caPEM []byte, hosts map[string]string) *Interceptor {
	t.Helper()
	bin := testenv.Tool(t, "mitmdump", "/usr/bin/mitmdump")
	dir := t.TempDir()
	conf := filepath.Join(dir, "conf")
	if err := os.MkdirAll(conf, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(conf, "mitmproxy-ca.pem"), caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	m := &Interceptor{Addr: addr, dir: dir}
	host, port, _ := strings.Cut(addr, ":")
	// sh redirects mitmdump's output to its log inside the namespace.
	script := `exec "$0" "$@" >"` + filepath.Join(dir, "mitmdump.log") + `" 2>&1`
	startIsolated(t, dir, hosts, addr, m.Log, "sh", "-c", script, bin,
		"--listen-host", host, "--listen-port", port, "--set", "confdir="+conf, "--ssl-insecure", "--quiet")
	return m
}
