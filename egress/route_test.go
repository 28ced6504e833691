package egress

import (
	"strings"
	"testing"
)

// Cases from curl's own unit test of Curl_check_noproxy (tests/unit/unit1614.c)
// and docs/cmdline-opts/noproxy.md.
func TestNoProxyMatchLikeCurl(t *testing.T) {
	cases := []struct {
		host, list string
		want       bool
	}{
		{"www.example.com", "example.com", true},
		{"example.com", "example.com", true},
		{"www.example.com", ".example.com", true},
		{"example.com", ".example.com", true},
		{"example.com.", "example.com", true},
		{"www.example.com", "example.com.", true},
		{"nonexample.com", "example.com", false},
		{"www.EXAMPLE.com", "example.COM", true},
		{"example.com", "other.org, example.com", true},
		{"example.com", "other.org,,  example.com", true},
		{"example.com", "*", true},
		{"example.com", "*, other.org", false}, // only a lone * is a wildcard
		{"example.com", "example.com:443", false},
		{"192.168.0.1", "192.168.0.0/16", true},
		{"192.169.0.1", "192.168.0.0/16", false},
		{"10.0.0.1", "10.0.0.1", true},
		{"10.0.0.1", "10.0.0.2", false},
		{"10.0.0.1", "10.0.0.0/0", false}, // curl: /0 compares the whole address
		{"[::1]", "::1", true},
		{"2001:db8::5", "2001:db8::/32", true},
		{"2001:db9::5", "2001:db8::/32", false},
		{"10.0.0.1", "10.", false},
		{"localhost", "", false},
	}
	for _, c := range cases {
		if _, got := NoProxyMatch(c.host, c.list); got != c.want {
			t.Errorf("NoProxyMatch(%q, %q) = %v, want %v", c.host, c.list, got, c.want)
		}
	}
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestRouteToChoosesLikeCurl(t *testing.T) {
	cases := []struct {
		name   string
		s      Settings
		want   string // proxy URL, "" for direct
		source string
		bypass string
	}{
		{"lowercase first", Settings{Getenv: env(map[string]string{"https_proxy": "http://a:1", "HTTPS_PROXY": "http://b:2"})}, "http://a:1", "https_proxy", ""},
		{"uppercase", Settings{Getenv: env(map[string]string{"HTTPS_PROXY": "b:2"})}, "http://b:2", "HTTPS_PROXY", ""},
		{"all_proxy", Settings{Getenv: env(map[string]string{"ALL_PROXY": "https://c"})}, "https://c:443", "ALL_PROXY", ""},
		{"http_proxy is not for https", Settings{Getenv: env(map[string]string{"http_proxy": "http://a:1"})}, "", "", ""},
		{"default port 1080", Settings{Getenv: env(map[string]string{"https_proxy": "proxy.corp"})}, "http://proxy.corp:1080", "https_proxy", ""},
		{"flag beats env", Settings{Proxy: "http://f:3", ProxySet: true, Getenv: env(map[string]string{"https_proxy": "http://a:1"})}, "http://f:3", "--proxy", ""},
		{"empty flag disables", Settings{ProxySet: true, Getenv: env(map[string]string{"https_proxy": "http://a:1"})}, "", "", ""},
		{"NO_PROXY applies to --proxy", Settings{Proxy: "f:3", ProxySet: true, Getenv: env(map[string]string{"NO_PROXY": ".api.test"})}, "", "--proxy", `NO_PROXY entry ".api.test" matches x.api.test`},
		{"--noproxy overrides NO_PROXY", Settings{Proxy: "f:3", ProxySet: true, NoProxySet: true, Getenv: env(map[string]string{"NO_PROXY": "*"})}, "http://f:3", "--proxy", ""},
		{"loopback is proxied as curl does", Settings{Getenv: env(map[string]string{"https_proxy": "p:1", "no_proxy": "x.api.test.other"})}, "http://p:1", "https_proxy", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			host := "x.api.test"
			if strings.HasPrefix(c.name, "loopback") {
				host = "127.0.0.1"
			}
			rt, err := c.s.RouteTo(host)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if rt.Proxy != nil {
				got = rt.Proxy.String()
				if rt.Proxy.Source != c.source {
					t.Errorf("source %q, want %q", rt.Proxy.Source, c.source)
				}
			}
			if got != c.want {
				t.Errorf("proxy %q, want %q", got, c.want)
			}
			if rt.Bypass != c.bypass {
				t.Errorf("bypass %q, want %q", rt.Bypass, c.bypass)
			}
		})
	}
}

func TestBadProxyIsAUsageErrorWithoutThePassword(t *testing.T) {
	for _, raw := range []string{"socks5://u:s3cret@h:1", "ftp://u:s3cret@h", "http://u:s3cret@h:99999", "http://u:s3cret@:80"} {
		err := Settings{Proxy: raw, ProxySet: true}.Check()
		if err == nil {
			t.Errorf("%s: no error", raw)
			continue
		}
		if _, ok := err.(*UsageError); !ok {
			t.Errorf("%s: %T, want *UsageError", raw, err)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: the error shows the password: %v", raw, err)
		}
	}
}

func TestProxyStringHasNoCredentials(t *testing.T) {
	rt, err := Settings{Proxy: "http://alice:s3cret@proxy.corp:3128", ProxySet: true}.RouteTo("api.test")
	if err != nil {
		t.Fatal(err)
	}
	if s := rt.Proxy.String(); s != "http://proxy.corp:3128" {
		t.Errorf("String() = %q", s)
	}
	if !rt.Proxy.HasCredentials() || rt.Proxy.CredentialSource() != "the proxy URL" {
		t.Errorf("credentials not kept: %+v", rt.Proxy)
	}
}

func TestProxyErrorSaysWhatTheProxyAskedFor(t *testing.T) {
	p, _ := parseProxy("http://proxy.corp:8080", "HTTPS_PROXY")
	basic := (&ProxyError{Proxy: p, Target: "api.test:443", Op: "CONNECT", Status: 407, Reason: "Proxy Authentication Required",
		Authenticate: `Basic realm="corp"`}).Error()
	if !strings.Contains(basic, "no credentials were sent") || strings.Contains(basic, "does not speak") {
		t.Errorf("Basic: %s", basic)
	}
	ntlm := (&ProxyError{Proxy: p, Target: "api.test:443", Op: "CONNECT", Status: 407, Reason: "Proxy Authentication Required",
		Authenticate: "NTLM, Negotiate"}).Error()
	if !strings.Contains(ntlm, "a scheme onramp does not speak (only Basic)") {
		t.Errorf("NTLM: %s", ntlm)
	}
}

// Plain http:// fetches (OCSP, CRLs) choose their proxy as curl does:
// http_proxy in lower case only (HTTP_PROXY may come from a CGI request's
// Proxy header), then all_proxy; --proxy and NO_PROXY apply as for https.
func TestRouteForPlainHTTP(t *testing.T) {
	for _, c := range []struct {
		name string
		s    Settings
		want string
	}{
		{"http_proxy", Settings{Getenv: env(map[string]string{"http_proxy": "http://h:1", "https_proxy": "http://s:2"})}, "http://h:1"},
		{"HTTP_PROXY is ignored", Settings{Getenv: env(map[string]string{"HTTP_PROXY": "http://h:1"})}, ""},
		{"https_proxy is not for http", Settings{Getenv: env(map[string]string{"https_proxy": "http://s:2"})}, ""},
		{"all_proxy", Settings{Getenv: env(map[string]string{"ALL_PROXY": "http://a:3"})}, "http://a:3"},
		{"--proxy", Settings{Proxy: "f:4", ProxySet: true, Getenv: env(map[string]string{"http_proxy": "http://h:1"})}, "http://f:4"},
		{"NO_PROXY", Settings{Getenv: env(map[string]string{"http_proxy": "http://h:1", "no_proxy": "ocsp.test"})}, ""},
	} {
		rt, err := c.s.RouteFor("http", "x.ocsp.test")
		got := ""
		if rt.Proxy != nil {
			got = rt.Proxy.String()
		}
		if err != nil || got != c.want {
			t.Errorf("%s: %q %v, want %q", c.name, got, err, c.want)
		}
	}
}
