package egress

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testproxy"
)

// TestNoProxyUnicodeEntryBypassesTheProxy: hosts reach egress in punycode
// (xn--bcher-kva.example), but people write NO_PROXY and --noproxy in
// Unicode. Through a real tinyproxy: a Unicode entry must send the
// connection around the proxy, as the same entry in ASCII does, and a
// non-matching one must still go through it.
func TestNoProxyUnicodeEntryBypassesTheProxy(t *testing.T) {
	const ascii = "xn--bcher-kva.example"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = c.Write([]byte("hello\n"))
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	proxy := testproxy.Start(t, testproxy.Config{Hosts: map[string]string{ascii: "127.0.0.1", "api." + ascii: "127.0.0.1"}})
	target := func(host string) string { return net.JoinHostPort(host, port) }

	dial := func(t *testing.T, s Settings, vars map[string]string, host string) {
		t.Helper()
		s.Proxy, s.ProxySet = proxy.URL(), true
		s.Getenv = func(k string) string { return vars[k] }
		s.Resolve = map[string]string{target(host): "127.0.0.1"}
		d, err := NewDialer(s)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := d.DialContext(ctx, "tcp", target(host))
		if err != nil {
			t.Fatalf("dial %s: %v", host, err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		if b, _ := io.ReadAll(c); string(b) != "hello\n" {
			t.Fatalf("read %q", b)
		}
	}
	proxied := func(host string) bool {
		return strings.Contains(proxy.Log(), "CONNECT "+target(host))
	}

	for _, c := range []struct {
		name string
		s    Settings
		vars map[string]string
		host string
	}{
		{"--noproxy in Unicode", Settings{NoProxy: "bücher.example", NoProxySet: true}, nil, ascii},
		{"NO_PROXY in Unicode, a name under it", Settings{}, map[string]string{"NO_PROXY": "localhost,.BÜCHER.example"}, "api." + ascii},
	} {
		t.Run(c.name, func(t *testing.T) {
			dial(t, c.s, c.vars, c.host)
			if proxied(c.host) {
				t.Errorf("the connection to %s went through the proxy:\n%s", c.host, proxy.Log())
			}
		})
	}
	// The same route without a matching entry goes through the proxy: the
	// check above can see a proxied connection.
	dial(t, Settings{NoProxy: "bücher.other", NoProxySet: true}, nil, ascii)
	if !proxied(ascii) {
		t.Errorf("no CONNECT %s in the proxy's log:\n%s", target(ascii), proxy.Log())
	}
}
