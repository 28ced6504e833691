package main

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/internal/testproxy"
	"github.com/onramp-cli/onramp/profile"
)

// clearProxyEnv leaves only what the test sets.
func clearProxyEnv(t *testing.T) {
	for _, k := range []string{"https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"} {
		t.Setenv(k, "")
	}
}

// onramp exec takes the proxy flags diagnose and token take: the token it
// puts in COMMAND's environment is fetched through --proxy (a real
// tinyproxy that alone can resolve the token endpoint's name), with the
// credentials from --proxy-user-env; --noproxy sends it around the proxy.
func TestExecFetchesThroughTheProxyFlags(t *testing.T) {
	const host, proxyPass = "apim.onramp-test.invalid", "CANARY-PROXYPW-exec-41"
	kr := useTokenTestKeyring(t)
	clearProxyEnv(t)
	f := newTokenCmdFixture(t, host)
	_, port, _ := net.SplitHostPort(f.apim.Addr)
	base := "https://" + net.JoinHostPort(host, port)
	p := testproxy.Start(t, testproxy.Config{Hosts: map[string]string{host: "127.0.0.1"}, User: "carol", Password: proxyPass})
	prof := &profile.Profile{Name: "nhs-exec", Provider: "nhs-apim", URL: base, TokenURL: base + "/oauth2/token",
		Auth: []string{"signed-jwt"}, Key: f.keyFile, KID: "test-1", CACert: f.caFile, APIKeyHeader: "apikey"}
	if err := profile.Save(prof); err != nil {
		t.Fatal(err)
	}
	_ = kr.Set("nhs-exec", "api-key", tokenTestAPIKey)
	t.Setenv("ONRAMP_TEST_PROXY_CREDS", "carol:"+proxyPass)
	check := []string{"--", "sh", "-c", `test -n "$ONRAMP_TOKEN" && echo got-token`}

	r := runCmdStore(t, kr, "", false, append([]string{"exec", "--profile", "nhs-exec", "--no-cache",
		"-x", p.URL(), "--proxy-user-env", "ONRAMP_TEST_PROXY_CREDS"}, check...)...)
	if r.code != 0 || !strings.Contains(r.out, "got-token") {
		t.Fatalf("exec -x: %+v\n%s", r, p.Log())
	}
	if !strings.Contains(p.Log(), "CONNECT "+host) {
		t.Errorf("the token request did not go through the proxy:\n%s", p.Log())
	}
	// Without credentials the proxy refuses, and exec says so.
	r = runCmdStore(t, kr, "", false, append([]string{"exec", "--profile", "nhs-exec", "--no-cache", "--proxy", p.URL()}, check...)...)
	if r.code != 1 || !strings.Contains(r.errOut, "proxy-auth-required") || strings.Contains(r.out, "got-token") {
		t.Errorf("exec without proxy credentials: %+v", r)
	}
	// --noproxy: straight to the endpoint, whose name only the proxy
	// knows, so the fetch fails, and the proxy never sees it.
	before := strings.Count(p.Log(), "CONNECT "+host)
	r = runCmdStore(t, kr, "", false, append([]string{"exec", "--profile", "nhs-exec", "--no-cache",
		"-x", p.URL(), "--proxy-user-env", "ONRAMP_TEST_PROXY_CREDS", "--noproxy", "onramp-test.invalid"}, check...)...)
	if r.code != 1 || strings.Contains(r.out, "got-token") || strings.Count(p.Log(), "CONNECT "+host) != before {
		t.Errorf("exec --noproxy: %+v\n%s", r, p.Log())
	}
	for _, args := range [][]string{
		{"exec", "--profile", "nhs-exec", "-x", "http://carol:" + proxyPass + "@" + p.Addr, "--", "true"},
		{"exec", "--profile", "nhs-exec", "-x", "socks5://" + p.Addr, "--", "true"},
	} {
		if r := runCmdStore(t, kr, "", false, args...); r.code != 2 || strings.Contains(r.errOut, proxyPass) {
			t.Errorf("%q: %+v, want a usage error without the password", args[:5], r)
		}
	}
}

// The OCSP request of --check-revocation takes the run's route: with -x it
// goes through the proxy (a real tinyproxy, the only one that can resolve
// the responder's name) to a real openssl ocsp responder, which says the
// certificate is revoked.
func TestRevocationFetchTakesTheProxy(t *testing.T) {
	const ocspHost = "ocsp.onramp-test.invalid"
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	clearProxyEnv(t)
	ca := testpki.NewCA(t, "Client CA")
	port := testpki.FreePort(t)
	o := testpki.Options{OCSPServer: []string{"http://" + ocspHost + ":" + port}}
	revoked := ca.Client(t, o)
	testpki.StartOCSPResponder(t, ca, port, testpki.IndexLine(revoked.Cert, time.Now().Add(-time.Hour)))
	srv := ca.ServeMutual(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	p := testproxy.Start(t, testproxy.Config{Hosts: map[string]string{ocspHost: "127.0.0.1"}})
	dir := t.TempDir()
	caFile := testpki.WriteFile(t, dir, "ca.pem", ca.CertPEM())
	cert, key := revoked.Files(t, dir, "revoked")
	args := []string{"diagnose", srv.URL + "/", "--cert", cert, "--key", key, "--cacert", caFile, "--check-revocation", "--timeout", "10s"}

	code, out, errOut := runCLI(t, append(args, "-x", p.URL())...)
	if code != 1 || !strings.Contains(out, "client-cert-revoked") {
		t.Fatalf("through the proxy: exit %d\n%s%s\n%s", code, out, errOut, p.Log())
	}
	if !strings.Contains(p.Log(), ocspHost) {
		t.Errorf("the OCSP request did not go through the proxy:\n%s", p.Log())
	}
	// --noproxy for the responder's domain: onramp asks it directly,
	// cannot resolve its name, and says the check was not made.
	code, out, _ = runCLI(t, append(args, "-x", p.URL(), "--noproxy", "onramp-test.invalid")...)
	if strings.Contains(out, "client-cert-revoked") || !strings.Contains(out, "revocation not checked") {
		t.Errorf("--noproxy: exit %d\n%s", code, out)
	}
}
