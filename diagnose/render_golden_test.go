package diagnose

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/onramp-cli/onramp/cause"
)

// The renderers' output is compared whole with golden files in
// testdata/TestRender*/ (refresh them with `go test ./diagnose -run
// TestRender -update` and read the diff). The reports are built here, not
// run, so times, ports and milliseconds are fixed. Colour goldens keep the
// ANSI escapes as written to a terminal.

var goldenStarted = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// goldenReports are the reports a user meets most: a pass with a warning,
// a TLS refusal with the handshake's evidence, a DNS failure, an API that
// answers 401, and a warning step whose notes repeat across steps.
func goldenReports() map[string]*Report {
	serverChain := []CertSummary{
		{Subject: "CN=localhost,O=onramp tests", Issuer: "CN=Test Intermediate CA,O=onramp tests",
			NotBefore: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC),
			DNSNames: []string{"localhost"}, SHA256: "4f1c7a0b9e2d3c5a6b7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d"},
		{Subject: "CN=Test Intermediate CA,O=onramp tests", Issuer: "CN=Test Root CA,O=onramp tests",
			NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
			SHA256: "a0b1c2d3e4f5061728394a5b6c7d8e9fa0b1c2d3e4f5061728394a5b6c7d8e9f"},
	}
	mtls := &RequestInfo{Method: "GET", CertFile: "/home/dev/certs/client.crt", KeyFile: "/home/dev/certs/client.key",
		CACertFile: "/home/dev/certs/ca.pem", APIKeyHeader: "apikey"}
	// A Java user of a provider with its own note on the cause: every
	// renderer shows onramp's fix, the client's and the provider's.
	advice := cause.Advice{Client: cause.ClientJava, Provider: "Example Provider",
		Notes: map[cause.ID]string{cause.ClientCertWrongIssuer: "Each Example environment has its own client CA."}}
	advised := advice.Apply(cause.Get(cause.ClientCertWrongIssuer))
	return map[string]*Report{
		"advised": {
			Target: "https://localhost:8443/hello-world", Started: goldenStarted, Cause: advised,
			Steps: []Step{
				{Name: StepLocal, Status: Pass, MS: 2.9, Detail: `client certificate "client-1"`},
				{Name: StepDNS, Status: Pass, MS: 0.3, Detail: "localhost → 127.0.0.1"},
				{Name: StepTCP, Status: Pass, MS: 0.2, Detail: "connected to 127.0.0.1:8443"},
				{Name: StepTLS, Status: Fail, MS: 30.5, Cause: advised,
					Detail: `the server sent TLS alert 48 (unknown_ca); your certificate is issued by "CN=Other CA", but the server accepts certificates from: CN=Test Root CA`},
				{Name: StepHTTP, Status: Skip},
			},
			Request: &RequestInfo{Method: "GET", CertFile: "client.crt", KeyFile: "client.key"},
		},
		"pass": {
			OK: true, Target: "https://localhost:8443/hello-world", HTTPStatus: 200, Started: goldenStarted,
			Steps: []Step{
				{Name: StepLocal, Status: Pass, MS: 1.42, Detail: `client certificate "client-1"; CA bundle of 2`,
					Notes: []Finding{{Cause: ExpiringClientCert(15 * 24 * time.Hour), Warning: true,
						Detail: `"client-1" expires on 2026-03-30T00:00:00Z: 15 days left; renew it now`}}},
				{Name: StepDNS, Status: Pass, MS: 0.31, Detail: "localhost → 127.0.0.1, ::1"},
				{Name: StepTCP, Status: Pass, MS: 0.18, Detail: "connected to 127.0.0.1:8443"},
				{Name: StepTLS, Status: Pass, MS: 12.7, Detail: `TLS 1.3, TLS_AES_128_GCM_SHA256; server certificate "CN=localhost,O=onramp tests" from "CN=Test Intermediate CA,O=onramp tests", valid until 2027-01-05; client certificate requested and sent`},
				{Name: StepHTTP, Status: Pass, MS: 41.06, Detail: "GET /hello-world → 200 OK"},
				{Name: StepExpect, Status: Pass, MS: 0.02, Detail: `the body matches {"message":"Hello World!"}`},
			},
			TLS: &TLSInfo{Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ServerChain: serverChain,
				AcceptableCAs: []string{"CN=Test Root CA,O=onramp tests"}, ClientCertRequested: true, ClientCertSent: true},
			Request: mtls,
		},
		"tls-refused": {
			Target: "https://localhost:8443/hello-world", Started: goldenStarted, Cause: cause.Get(cause.ClientCertWrongIssuer),
			Steps: []Step{
				{Name: StepLocal, Status: Pass, MS: 2.9, Detail: `client certificate "client-1"; CA bundle of 2`},
				{Name: StepDNS, Status: Pass, MS: 0.3, Detail: "localhost → 127.0.0.1, ::1"},
				{Name: StepTCP, Status: Pass, MS: 0.2, Detail: "connected to 127.0.0.1:8443"},
				{Name: StepTLS, Status: Fail, MS: 304.5, Cause: cause.Get(cause.ClientCertWrongIssuer),
					Detail: `the server sent TLS alert 48 (unknown_ca); your certificate is issued by "CN=Other CA,O=onramp tests", but the server accepts certificates from: CN=Test Root CA,O=onramp tests; CN=Partner | Root,O=onramp tests`},
				{Name: StepHTTP, Status: Skip},
				{Name: StepExpect, Status: Skip},
			},
			TLS: &TLSInfo{Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ServerChain: serverChain,
				AcceptableCAs:       []string{"CN=Test Root CA,O=onramp tests", "CN=Partner | Root,O=onramp tests"},
				ClientCertRequested: true, ClientCertSent: true},
			Request: &RequestInfo{Method: "POST", CertFile: "client.crt", KeyFile: "client's key.pem", KeyEncrypted: true,
				Resolve: []string{"localhost:8443:127.0.0.1"}},
		},
		"dns-failure": {
			Target: "https://no-such-host.localhost/status", Started: goldenStarted, Cause: cause.Get(cause.DNSNoSuchHost),
			Steps: []Step{
				{Name: StepLocal, Status: Pass, MS: 0.05, Detail: "no client certificate; system CA roots"},
				{Name: StepDNS, Status: Fail, MS: 1203, Cause: cause.Get(cause.DNSNoSuchHost),
					Detail: "lookup no-such-host.localhost: no such host"},
				{Name: StepTCP, Status: Skip},
				{Name: StepTLS, Status: Skip},
				{Name: StepHTTP, Status: Skip},
			},
			Request: &RequestInfo{Method: "GET"},
		},
		"api-key-rejected": {
			Target: "https://localhost:8443/hello-application", HTTPStatus: 401, Started: goldenStarted, Cause: cause.Get(cause.APIKeyRejected),
			Steps: []Step{
				{Name: StepLocal, Status: Pass, MS: 0.9, Detail: "no client certificate; system CA roots"},
				{Name: StepDNS, Status: Pass, MS: 0.1, Detail: "localhost is an IP address"},
				{Name: StepTCP, Status: Pass, MS: 0.2, Detail: "connected to 127.0.0.1:8443"},
				{Name: StepTLS, Status: Pass, MS: 8.3, Detail: `TLS 1.3, TLS_AES_128_GCM_SHA256; server certificate "CN=localhost,O=onramp tests" from "CN=Test Intermediate CA,O=onramp tests", valid until 2027-01-05`},
				{Name: StepToken, Status: Pass, MS: 187.25, Detail: "got a bearer token"},
				{Name: StepHTTP, Status: Fail, MS: 93.7, Cause: cause.Get(cause.APIKeyRejected),
					Detail: "GET /hello-application → 401 Unauthorized: Invalid ApiKey"},
			},
			TLS:     &TLSInfo{Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ServerChain: serverChain[:1]},
			Request: &RequestInfo{Method: "GET", APIKeyHeader: "apikey", Bearer: true, HeaderNames: []string{"X-Correlation-ID", "NHSD-Session-URID"}},
		},
		"warnings": {
			OK: true, Target: "http://127.0.0.1:8080/status", HTTPStatus: 204, Started: goldenStarted,
			Steps: []Step{
				{Name: StepLocal, Status: Warn, MS: 0.7, Cause: cause.Get(cause.APIKeyBase64Encoded),
					Detail: "the API key decodes from Base64 to another key-like string; providers expect it sent as issued",
					Notes: []Finding{{Cause: ExpiringClientCert(23 * time.Hour), Warning: true,
						Detail: `"client-1" expires on 2026-03-15T09:00:00Z: 23 hours left; renew it now`}}},
				{Name: StepDNS, Status: Pass, MS: 0, Detail: "127.0.0.1 is an IP address"},
				{Name: StepTCP, Status: Pass, MS: 99999.4, Detail: "connected to 127.0.0.1:8080"},
				{Name: StepHTTP, Status: Warn, MS: 3.2, Cause: cause.Get(cause.ClockSkew),
					Detail: "this machine's clock is 7m12s behind the server's (server Date: Sat, 14 Mar 2026 09:34:05 GMT)"},
			},
			Request: &RequestInfo{Method: "GET", HeaderNames: []string{"x-request-id"}},
		},
		// Through a proxy from HTTPS_PROXY: the proxy resolves the name, so
		// the dns and tcp steps are skipped with a reason.
		"proxy-pass": {
			OK: true, Target: "https://api.example.nhs.uk/status", HTTPStatus: 200, Started: goldenStarted,
			Steps: []Step{
				{Name: StepLocal, Status: Pass, MS: 0.4, Detail: "no client certificate; system CA roots"},
				{Name: StepProxy, Status: Pass, MS: 3.1, Detail: "http://proxy.trust.nhs.uk:3128 (from HTTPS_PROXY): connected to 10.1.2.3:3128 in 1 ms; CONNECT api.example.nhs.uk:443 → 200 Connection established in 2 ms"},
				{Name: StepDNS, Status: Skip, Detail: "resolved by the proxy"},
				{Name: StepTCP, Status: Skip, Detail: "the proxy's tunnel is the connection"},
				{Name: StepTLS, Status: Pass, MS: 21.5, Detail: `TLS 1.3, TLS_AES_128_GCM_SHA256; server certificate "CN=localhost,O=onramp tests" from "CN=Test Intermediate CA,O=onramp tests", valid until 2027-01-05`},
				{Name: StepHTTP, Status: Pass, MS: 30.2, Detail: "GET /status → 200 OK"},
			},
			TLS:     &TLSInfo{Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ServerChain: serverChain[:1]},
			Proxy:   &ProxyInfo{URL: "http://proxy.trust.nhs.uk:3128", Source: "HTTPS_PROXY", Dialed: "10.1.2.3:3128", Connect: "200 Connection established"},
			Request: &RequestInfo{Method: "GET"},
		},
		// The proxy refused the credentials from --proxy-user-env.
		"proxy-auth": {
			Target: "https://api.example.nhs.uk/status", Started: goldenStarted, Cause: cause.Get(cause.ProxyAuthRequired),
			Steps: []Step{
				{Name: StepLocal, Status: Pass, MS: 0.4, Detail: "no client certificate; system CA roots"},
				{Name: StepProxy, Status: Fail, MS: 2.2, Cause: cause.Get(cause.ProxyAuthRequired),
					Detail: `proxy http://proxy.trust.nhs.uk:3128 (from --proxy) answered CONNECT api.example.nhs.uk:443 with 407 Proxy Authentication Required; it refused the credentials from --proxy-user-env PROXY_CREDS (Proxy-Authenticate: Basic realm="Trust proxy")`},
				{Name: StepDNS, Status: Skip},
				{Name: StepTCP, Status: Skip},
				{Name: StepTLS, Status: Skip},
				{Name: StepHTTP, Status: Skip},
			},
			Proxy: &ProxyInfo{URL: "http://proxy.trust.nhs.uk:3128", Source: "--proxy", Credentials: "--proxy-user-env PROXY_CREDS",
				Dialed: "10.1.2.3:3128", Connect: "407 Proxy Authentication Required"},
			Request: &RequestInfo{Method: "GET", APIKeyHeader: "apikey"},
		},
		// Every local problem at once: the first failure is the cause, a
		// second failure is "also", a warning stays a warning.
		"local-failures": {
			Target: "https://localhost:8443/hello-world", Started: goldenStarted, Cause: cause.Get(cause.KeyCertMismatch),
			Steps: []Step{
				{Name: StepLocal, Status: Fail, MS: 4.1, Cause: cause.Get(cause.KeyCertMismatch),
					Detail: `the private key's public key is not the one in "client-1"`,
					Notes: []Finding{
						{Cause: cause.Get(cause.APIKeyBase64Encoded), Warning: true,
							Detail: "the API key decodes from Base64 to another key-like string; providers expect it sent as issued"},
						{Cause: cause.Get(cause.ClientCertExpired),
							Detail: `"client-1" expired on 2026-03-01T00:00:00Z (13 days ago)`},
					}},
				{Name: StepDNS, Status: Skip},
				{Name: StepTCP, Status: Skip},
				{Name: StepTLS, Status: Skip},
				{Name: StepHTTP, Status: Skip},
			},
			Request: mtls,
		},
	}
}

func TestRenderText(t *testing.T) {
	for name, r := range goldenReports() {
		for _, color := range []bool{false, true} {
			sub := name
			if color {
				sub += "-color"
			}
			t.Run(sub, func(t *testing.T) {
				var b bytes.Buffer
				RenderText(&b, r, color)
				golden.RequireEqual(t, b.String())
			})
		}
	}
}

func TestRenderMarkdown(t *testing.T) {
	for name, r := range goldenReports() {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			RenderMarkdown(&b, r, "v1.2.3")
			golden.RequireEqual(t, b.String())
		})
	}
}

// TestRenderJSON fixes the --json shape (the CLI encodes the Report with
// two-space indents).
func TestRenderJSON(t *testing.T) {
	for name, r := range goldenReports() {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetIndent("", "  ")
			if err := enc.Encode(r); err != nil {
				t.Fatal(err)
			}
			golden.RequireEqual(t, b.String())
		})
	}
}

// TestRenderStepLine shows every status, the width of the ms column from
// 0 to five digits, and a cause on a passing step (not shown).
func TestRenderStepLine(t *testing.T) {
	steps := []Step{
		{Name: StepLocal, Status: Pass, MS: 0.4, Detail: "no client certificate; system CA roots"},
		{Name: StepDNS, Status: Pass, MS: 0},
		{Name: StepTCP, Status: Fail, MS: 3000.2, Cause: cause.Get(cause.TCPTimeout), Detail: "dial tcp 127.0.0.1:9: i/o timeout"},
		{Name: StepTLS, Status: Warn, MS: 12345.6, Cause: cause.Get(cause.ClientCertNotRequested), Detail: "the server did not ask for a client certificate"},
		{Name: StepToken, Status: Pass, MS: 99.5, Cause: cause.Get(cause.TokenRejected), Detail: "got a bearer token"},
		{Name: StepHTTP, Status: Skip},
		{Name: StepExpect, Status: Skip, Detail: "no --expect-json"},
	}
	for _, color := range []bool{false, true} {
		name := "plain"
		if color {
			name = "color"
		}
		t.Run(name, func(t *testing.T) {
			var b strings.Builder
			for _, s := range steps {
				fmt.Fprintln(&b, StepLine(s, color))
			}
			golden.RequireEqual(t, b.String())
		})
	}
}

// TestRenderCurlCommand shows the command for each shape of request: none,
// mTLS files, an encrypted key with --resolve and POST, one secret header,
// several, and a target that needs quoting.
func TestRenderCurlCommand(t *testing.T) {
	cases := []struct {
		name string
		r    *Report
	}{
		{"no request recorded", &Report{Target: "https://localhost:8443/status"}},
		{"mTLS files", &Report{Target: "https://localhost:8443/status", Request: &RequestInfo{Method: "GET",
			CertFile: "certs/client.crt", KeyFile: "certs/client.key", CACertFile: "certs/ca.pem"}}},
		{"encrypted key, POST, --resolve", &Report{Target: "https://api.localhost/submit", Request: &RequestInfo{Method: "POST",
			CertFile: "/tmp/o'brien/client.crt", KeyFile: "/tmp/o'brien/client.key", KeyEncrypted: true,
			Resolve: []string{"api.localhost:443:127.0.0.1"}}}},
		{"API key only", &Report{Target: "https://localhost:8443/hello-application", Request: &RequestInfo{Method: "GET", APIKeyHeader: "apikey"}}},
		{"API key, bearer and headers", &Report{Target: "https://localhost:8443/hello-user?name=a b&x='y'", Request: &RequestInfo{Method: "DELETE",
			APIKeyHeader: "x-api-key", Bearer: true, HeaderNames: []string{"X-Correlation-ID", "nhsd-end-user-organisation-ods"}}}},
		{"through a proxy with credentials", &Report{Target: "https://api.example.nhs.uk/status", Request: &RequestInfo{Method: "GET", APIKeyHeader: "apikey"},
			Proxy: &ProxyInfo{URL: "http://proxy.trust.nhs.uk:3128", Source: "HTTPS_PROXY", Credentials: "the proxy URL"}}},
	}
	var b strings.Builder
	for _, c := range cases {
		fmt.Fprintf(&b, "## %s\n%s\n\n", c.name, CurlCommand(c.r))
	}
	golden.RequireEqual(t, b.String())
}
