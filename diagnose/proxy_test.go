package diagnose

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/egress"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/internal/testproxy"
)

// proxiedHost is a name only the test proxy resolves (its own hosts
// file): a run that looked it up locally would fail with dns-no-such-host.
const proxiedHost = "api.onramp-test.invalid"

// Canaries: neither may appear in any output of a run.
const (
	proxyPassword = "canary-proxy-pw-7f3a91"
	apiKeyCanary  = "canary-api-key-5c2e88"
)

// proxied starts a mutual-TLS server for proxiedHost and a real tinyproxy
// configured by c that maps proxiedHost to it. It returns options for a
// healthy call through the proxy (with the API key canary) and the proxy.
func proxied(t *testing.T, c testproxy.Config) (Options, *testproxy.Proxy) {
	t.Helper()
	f := newFixture(t)
	f.server = f.ca.Server(t, testpki.Options{DNSNames: []string{proxiedHost}})
	srv := startTLS(t, f.serverConfig(), nil)
	u, _ := url.Parse(srv.URL)
	c.Hosts = map[string]string{proxiedHost: "127.0.0.1"}
	p := testproxy.Start(t, c)
	o := f.opts("https://" + net.JoinHostPort(proxiedHost, u.Port()) + "/status")
	o.APIKey = apiKeyCanary
	o.Route = egress.Settings{Proxy: p.URL(), ProxySet: true}
	return o, p
}

// renderAll is every output a user can get of r: text, JSON, Markdown.
func renderAll(t *testing.T, r *Report) string {
	var b bytes.Buffer
	RenderText(&b, r, false)
	if err := json.NewEncoder(&b).Encode(r); err != nil {
		t.Fatal(err)
	}
	RenderMarkdown(&b, r, "test")
	return b.String()
}

func assertNoCanary(t *testing.T, r *Report) {
	t.Helper()
	out := renderAll(t, r)
	for _, secret := range []string{proxyPassword, apiKeyCanary} {
		if strings.Contains(out, secret) {
			t.Errorf("a secret (%s) appears in the output:\n%s", secret, out)
		}
	}
}

func TestProxyTunnelReachesAHostOnlyTheProxyResolves(t *testing.T) {
	o, p := proxied(t, testproxy.Config{})

	direct := o
	direct.Route = egress.Settings{ProxySet: true} // -x "": no proxy
	if r := Run(context.Background(), direct, nil); r.Cause == nil || r.Cause.ID != cause.DNSNoSuchHost {
		t.Fatalf("without the proxy the name must not resolve (else this test proves nothing): %+v", r.Steps)
	}

	for _, via := range []egress.Settings{
		{Proxy: p.URL(), ProxySet: true},
		{Getenv: func(k string) string { return map[string]string{"HTTPS_PROXY": p.URL()}[k] }},
	} {
		o.Route = via
		r := Run(context.Background(), o, nil)
		if !r.OK {
			t.Fatalf("through the proxy: %+v\nproxy log:\n%s", r.Steps, p.Log())
		}
		ps := stepOf(r, StepProxy)
		wantSource := "--proxy"
		if !via.ProxySet {
			wantSource = "HTTPS_PROXY"
		}
		for _, want := range []string{p.URL() + " (from " + wantSource + ")", "CONNECT " + proxiedHost, "→ 200"} {
			if !strings.Contains(ps.Detail, want) {
				t.Errorf("proxy step %q lacks %q", ps.Detail, want)
			}
		}
		if d := stepOf(r, StepDNS); d.Status != Skip || d.Detail != "resolved by the proxy" {
			t.Errorf("dns step: %+v", d)
		}
		if r.Proxy == nil || r.Proxy.Source != wantSource || !strings.HasPrefix(r.Proxy.Connect, "200") {
			t.Errorf("report's proxy: %+v", r.Proxy)
		}
		if !strings.Contains(p.Log(), "CONNECT "+proxiedHost) {
			t.Errorf("the proxy saw no CONNECT:\n%s", p.Log())
		}
		if !strings.Contains(CurlCommand(r), "-x '"+p.URL()+"'") {
			t.Errorf("the curl command does not name the proxy:\n%s", CurlCommand(r))
		}
		assertNoCanary(t, r)
	}
}

func TestProxyAuthentication(t *testing.T) {
	o, p := proxied(t, testproxy.Config{User: "alice", Password: proxyPassword})
	withUser := func(user, pass string) string {
		u, _ := url.Parse(p.URL())
		u.User = url.UserPassword(user, pass)
		return u.String()
	}
	cases := []struct {
		name   string
		route  egress.Settings
		want   cause.ID
		detail string
	}{
		{"none", egress.Settings{Proxy: p.URL(), ProxySet: true}, cause.ProxyAuthRequired, "no credentials were sent"},
		{"wrong", egress.Settings{Proxy: withUser("alice", "wrong-"+proxyPassword), ProxySet: true}, cause.ProxyAuthRequired,
			"refused the credentials from the proxy URL"},
		{"right in the URL", egress.Settings{Proxy: withUser("alice", proxyPassword), ProxySet: true}, "", "credentials from the proxy URL"},
		{"right from a variable", egress.Settings{Proxy: "http://alice@" + p.Addr, ProxySet: true, ProxyPassword: proxyPassword,
			ProxyUserSource: "--proxy-user-env PROXY_CREDS"}, "", "credentials from --proxy-user-env PROXY_CREDS"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o.Route = c.route
			r := Run(context.Background(), o, nil)
			ps := stepOf(r, StepProxy)
			if c.want == "" {
				if !r.OK {
					t.Fatalf("%+v\n%s", r.Steps, p.Log())
				}
			} else if r.Cause == nil || r.Cause.ID != c.want || ps.Status != Fail {
				t.Fatalf("cause %v, want %s: %+v", r.Cause, c.want, r.Steps)
			}
			if !strings.Contains(ps.Detail, c.detail) {
				t.Errorf("proxy step %q lacks %q", ps.Detail, c.detail)
			}
			assertNoCanary(t, r)
		})
	}
}

func TestProxyPolicyRefusesThePort(t *testing.T) {
	o, _ := proxied(t, testproxy.Config{ConnectPorts: []int{443}})
	r := Run(context.Background(), o, nil)
	if r.Cause == nil || r.Cause.ID != cause.ProxyTunnelRefused {
		t.Fatalf("cause %v, want proxy-tunnel-refused: %+v", r.Cause, r.Steps)
	}
	if d := stepOf(r, StepProxy).Detail; !strings.Contains(d, "403") {
		t.Errorf("the detail does not show the proxy's answer: %q", d)
	}
	assertNoCanary(t, r)
}

func TestProxyDown(t *testing.T) {
	o, p := proxied(t, testproxy.Config{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://alice:" + proxyPassword + "@" + ln.Addr().String()
	ln.Close()
	o.Route = egress.Settings{Getenv: func(k string) string { return map[string]string{"https_proxy": dead}[k] }}
	r := Run(context.Background(), o, nil)
	if r.Cause == nil || r.Cause.ID != cause.ProxyUnreachable {
		t.Fatalf("cause %v, want proxy-unreachable: %+v", r.Cause, r.Steps)
	}
	if d := stepOf(r, StepProxy).Detail; !strings.Contains(d, "connection refused") || !strings.Contains(d, "https_proxy") {
		t.Errorf("detail %q should say the proxy from https_proxy refused the connection", d)
	}
	assertNoCanary(t, r)
	_ = p
}

// --resolve applies to the proxy's name, as in curl; an entry for the
// server's name is not used, because the proxy resolves it.
func TestResolveWithAProxy(t *testing.T) {
	o, p := proxied(t, testproxy.Config{})
	_, port, _ := net.SplitHostPort(p.Addr)
	u, _ := url.Parse(o.URL)
	o.Route = egress.Settings{Proxy: "corp-proxy.onramp-test.invalid:" + port, ProxySet: true}
	o.Resolve = map[string]string{
		"corp-proxy.onramp-test.invalid:" + port: "127.0.0.1",
		proxiedHost + ":" + u.Port():             "192.0.2.1", // TEST-NET: unreachable if it were used
	}
	r := Run(context.Background(), o, nil)
	if !r.OK {
		t.Fatalf("%+v", r.Steps)
	}
	if d := stepOf(r, StepProxy).Detail; !strings.Contains(d, "connected to 127.0.0.1:"+port+" (from --resolve)") ||
		!strings.Contains(d, "--resolve for "+proxiedHost+":"+u.Port()+" is not used") {
		t.Errorf("proxy step %q", d)
	}
}

// NO_PROXY sends the run direct; the proxy step says so.
func TestNoProxyBypassesTheProxy(t *testing.T) {
	o, p := proxied(t, testproxy.Config{})
	u, _ := url.Parse(o.URL)
	o.Resolve = map[string]string{proxiedHost + ":" + u.Port(): "127.0.0.1"}
	o.Route = egress.Settings{Getenv: func(k string) string {
		return map[string]string{"HTTPS_PROXY": p.URL(), "NO_PROXY": "localhost, .onramp-test.invalid"}[k]
	}}
	r := Run(context.Background(), o, nil)
	if !r.OK {
		t.Fatalf("%+v", r.Steps)
	}
	ps := stepOf(r, StepProxy)
	if !strings.Contains(ps.Detail, `not used: NO_PROXY entry ".onramp-test.invalid" matches `+proxiedHost) {
		t.Errorf("proxy step %q", ps.Detail)
	}
	if strings.Contains(p.Log(), "CONNECT "+proxiedHost) {
		t.Errorf("the proxy was used:\n%s", p.Log())
	}
}

// An https:// proxy: TLS to the proxy, verified against --proxy-cacert
// (or the system roots, which do not know the test CA).
func TestHTTPSProxy(t *testing.T) {
	o, p := proxied(t, testproxy.Config{})
	pca := testpki.NewCA(t, "Proxy Test CA")
	front := p.TLSFront(t, pca.Server(t, testpki.Options{IPs: []net.IP{net.IPv4(127, 0, 0, 1)}}).TLSCertificate(true))
	pcaFile := testpki.WriteFile(t, t.TempDir(), "proxy-ca.pem", pca.CertPEM())

	o.Route = egress.Settings{Proxy: front, ProxySet: true, ProxyCACertFile: pcaFile}
	r := Run(context.Background(), o, nil)
	if !r.OK {
		t.Fatalf("%+v", r.Steps)
	}
	if d := stepOf(r, StepProxy).Detail; !strings.Contains(d, "TLS with the proxy in") || !strings.Contains(d, "→ 200") {
		t.Errorf("proxy step %q", d)
	}

	o.Route.ProxyCACertFile = ""
	r = Run(context.Background(), o, nil)
	if r.Cause == nil || r.Cause.ID != cause.ProxyUnreachable {
		t.Fatalf("cause %v, want proxy-unreachable: %+v", r.Cause, r.Steps)
	}
	if d := stepOf(r, StepProxy).Detail; !strings.Contains(d, "TLS with the proxy failed") || !strings.Contains(d, "unknown authority") {
		t.Errorf("proxy step %q should say the proxy's certificate is not trusted", d)
	}
}
