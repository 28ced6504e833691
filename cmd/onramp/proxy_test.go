package main

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/internal/testproxy"
	"github.com/onramp-cli/onramp/profile"
)

// The canary rule through a real proxy: the proxy password and the API
// key never appear on stdout, stderr, in --json or in the --report file,
// whether the run passes, the proxy refuses the credentials, or the input
// is bad.
func TestDiagnoseThroughAProxyShowsNoSecret(t *testing.T) {
	const host = "api.onramp-test.invalid"
	const proxyPass, apiKey = "CANARY-PROXYPW-3d9e1f", "CANARY-APIKEY-b81c07"
	ca := testpki.NewCA(t, "CLI Proxy Test CA")
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("x-api-key") != apiKey {
			w.WriteHeader(403)
			return
		}
		io.WriteString(w, `{"available":true}`)
	}))
	s.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Server(t, testpki.Options{DNSNames: []string{host}}).TLSCertificate(true)}}
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.StartTLS()
	t.Cleanup(s.Close)
	su, _ := url.Parse(s.URL)
	target := "https://" + net.JoinHostPort(host, su.Port()) + "/status"
	dir := t.TempDir()
	caFile := testpki.WriteFile(t, dir, "ca.pem", ca.CertPEM())
	p := testproxy.Start(t, testproxy.Config{Hosts: map[string]string{host: "127.0.0.1"}, User: "alice", Password: proxyPass})
	t.Setenv("ONRAMP_TEST_API_KEY", apiKey)
	t.Setenv("ONRAMP_TEST_PROXY_CREDS", "alice:"+proxyPass)
	t.Setenv("ONRAMP_TEST_PROXY_WRONG", "alice:x"+proxyPass)
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	clearProxyEnv(t)

	cases := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string // in stdout or stderr
	}{
		{"credentials from --proxy-user-env", nil,
			[]string{"diagnose", target, "--cacert", caFile, "--api-key-env", "ONRAMP_TEST_API_KEY", "-x", p.URL(), "--proxy-user-env", "ONRAMP_TEST_PROXY_CREDS"},
			0, `"connect": "200 Connection established"`},
		{"credentials in HTTPS_PROXY", map[string]string{"HTTPS_PROXY": "http://alice:" + proxyPass + "@" + p.Addr}, // the URL is the user's own
			[]string{"diagnose", target, "--cacert", caFile, "--api-key-env", "ONRAMP_TEST_API_KEY"},
			0, `"source": "HTTPS_PROXY"`},
		{"wrong credentials", nil,
			[]string{"diagnose", target, "--cacert", caFile, "--api-key-env", "ONRAMP_TEST_API_KEY", "--proxy", p.URL(), "--proxy-user-env", "ONRAMP_TEST_PROXY_WRONG"},
			1, `"id": "proxy-auth-required"`},
		{"SOCKS is refused", nil,
			[]string{"diagnose", target, "-x", "socks5://alice@" + p.Addr},
			2, "HTTP and HTTPS proxies only"},
		{"a password on the command line is refused", nil,
			[]string{"diagnose", target, "-x", "http://alice:" + proxyPass + "@" + p.Addr},
			2, "holds a password: onramp takes no secret on its command line"},
		{"a bad HTTPS_PROXY is named without its password", map[string]string{"HTTPS_PROXY": "socks5://alice:" + proxyPass + "@" + p.Addr},
			[]string{"diagnose", target},
			2, "HTTPS_PROXY \"socks5://alice:[redacted]@"},
		{"the variable is not set", nil,
			[]string{"diagnose", target, "-x", p.URL(), "--proxy-user-env", "ONRAMP_TEST_NOT_SET"},
			2, "ONRAMP_TEST_NOT_SET is not set"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			report := filepath.Join(t.TempDir(), "report.md")
			code, out, errOut := runCLI(t, append(c.args, "--json", "--report", report)...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s%s\n%s", code, c.code, out, errOut, p.Log())
			}
			if !strings.Contains(out+errOut, c.want) {
				t.Errorf("output lacks %q:\n%s%s", c.want, out, errOut)
			}
			rep, _ := os.ReadFile(report)
			for _, secret := range []string{proxyPass, apiKey} {
				if strings.Contains(out+errOut+string(rep), secret) {
					t.Errorf("secret %.14s… in the output:\n%s%s%s", secret, out, errOut, rep)
				}
			}
		})
	}

	// A profile's proxy-password secret completes the proxy URL's user.
	if err := profile.Save(&profile.Profile{Name: "corp", URL: target, CACert: caFile, Auth: []string{"api-key"}}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HTTPS_PROXY", "http://alice@"+p.Addr)
	kr := &testkeyring.Keyring{Items: map[string]string{"corp/api-key": apiKey, "corp/proxy-password": proxyPass}}
	code, out, errOut := runCLIStore(t, kr, "diagnose", "--profile", "corp")
	if code != 0 || !strings.Contains(out, "credentials from the secret proxy-password of profile corp") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, proxyPass) || strings.Contains(out+errOut, apiKey) {
		t.Errorf("a secret in the output:\n%s%s", out, errOut)
	}
}

// onramp token takes the same route: HTTPS_PROXY names the proxy and its
// user, the profile's proxy-password secret completes it, and a refusal is
// proxy-auth-required.
func TestTokenThroughAProxy(t *testing.T) {
	const host, proxyPass = "apim.onramp-test.invalid", "CANARY-PROXYPW-token-77"
	kr := useTokenTestKeyring(t)
	f := newTokenCmdFixture(t, host)
	_, port, _ := net.SplitHostPort(f.apim.Addr)
	base := "https://" + net.JoinHostPort(host, port)
	p := testproxy.Start(t, testproxy.Config{Hosts: map[string]string{host: "127.0.0.1"}, User: "bob", Password: proxyPass})
	prof := &profile.Profile{Name: "nhs-proxied", Provider: "nhs-apim", URL: base, TokenURL: base + "/oauth2/token",
		Auth: []string{"signed-jwt"}, Key: f.keyFile, KID: "test-1", CACert: f.caFile, APIKeyHeader: "apikey"}
	if err := profile.Save(prof); err != nil {
		t.Fatal(err)
	}
	_ = kr.Set("nhs-proxied", "api-key", tokenTestAPIKey)
	clearProxyEnv(t)
	t.Setenv("HTTPS_PROXY", "http://bob@"+p.Addr)

	code, _, errOut := runTokenCmd(t, kr, false, "token", "--profile", "nhs-proxied", "--no-cache")
	if code != 1 || !strings.Contains(errOut, "proxy-auth-required") {
		t.Errorf("without the proxy password: exit %d, %s", code, errOut)
	}
	_ = kr.Set("nhs-proxied", "proxy-password", proxyPass)
	code, out, errOut := runTokenCmd(t, kr, false, "token", "--profile", "nhs-proxied", "--no-cache")
	if code != 0 || out != f.apim.Tokens()[0]+"\n" {
		t.Fatalf("through the proxy: exit %d, %s%s\n%s", code, out, errOut, p.Log())
	}
	if !strings.Contains(p.Log(), "CONNECT "+host) {
		t.Errorf("the token request did not go through the proxy:\n%s", p.Log())
	}
	assertNoSecret(t, "stderr", errOut, proxyPass)
}
