package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/iostreams"
)

func runExplainCmd(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	io, in, out, errOut := iostreams.Test()
	in.WriteString(stdin)
	code = run(io, append([]string{"explain"}, args...))
	return code, out.String(), errOut.String()
}

func TestExplainCommandText(t *testing.T) {
	code, out, _ := runExplainCmd(t, "", "curl: (60) SSL certificate problem: unable to get local issuer certificate")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"server-cert-untrusted", "unable to get local issuer certificate", "Fix (curl):", "--cacert", "Evidence (line 1): curl: (60)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// Unquoted words are one message, as a user pasting without quotes means.
func TestExplainCommandJoinsArgs(t *testing.T) {
	code, out, _ := runExplainCmd(t, "", "Received", "fatal", "alert:", "bad_certificate")
	if code != 0 || !strings.Contains(out, "client-cert-rejected") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

// A text that cannot tell its causes apart gets each candidate with its
// fix and what tells them apart, never one confident "Cause:".
func TestExplainCommandAmbiguous(t *testing.T) {
	for _, c := range []struct {
		text string
		ids  []string
		tell string
	}{
		{"[SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert handshake failure (_ssl.c:1006)", []string{"tls-no-common-cipher", "client-cert-not-sent"}, "Request CERT"},
		{"urllib.error.HTTPError: HTTP Error 401: Unauthorized", []string{"token-rejected", "token-missing", "api-key-missing"}, "curl -v"},
		{"requests.exceptions.HTTPError: 400 Client Error: Bad Request for url: https://api.example/", []string{"client-cert-not-sent", "client-cert-rejected", "tls-not-tls"}, "curl -v"},
	} {
		code, out, _ := runExplainCmd(t, "", c.text)
		if code != 0 || strings.Contains(out, "Cause:") || !strings.Contains(out, "Could be one of") || !strings.Contains(out, "Which one?") || !strings.Contains(out, c.tell) {
			t.Errorf("%s: exit %d, want the candidates and what tells them apart:\n%s", c.text, code, out)
		}
		at := 0
		for i, id := range c.ids {
			j := strings.Index(out, fmt.Sprintf("%d: ", i+1))
			if j < at || !strings.Contains(out[j:], "("+id+")") {
				t.Errorf("%s: candidate %d is not %s:\n%s", c.text, i+1, id, out)
			}
			at = j
		}
		if n := strings.Count(out, "  Fix:"); n != len(c.ids) {
			t.Errorf("%s: %d fixes for %d candidates:\n%s", c.text, n, len(c.ids), out)
		}
	}
	// One cause the text names: no candidates.
	_, out, _ := runExplainCmd(t, "", "curl: (60) SSL certificate problem: unable to get local issuer certificate")
	if strings.Contains(out, "Could be one of") || !strings.Contains(out, "Cause:") {
		t.Errorf("a clear text shown as ambiguous:\n%s", out)
	}
}

func TestExplainCommandAmbiguousJSON(t *testing.T) {
	for _, c := range []struct {
		text       string
		candidates int
	}{
		{"urllib.error.HTTPError: HTTP Error 401: Unauthorized", 3},
		{"curl: (58) unable to set private key file: 'client.key' type PEM", 2},
		{"curl: (60) SSL certificate problem: unable to get local issuer certificate", 0},
	} {
		_, out, _ := runExplainCmd(t, "", "--json", c.text)
		var got struct {
			Matches    []struct{ ID, Fix string }
			Ambiguous  bool
			Candidates int
			Hint       string
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%s: %v\n%s", c.text, err, out)
		}
		if got.Ambiguous != (c.candidates > 0) || got.Candidates != c.candidates || len(got.Matches) < c.candidates || c.candidates > 0 && got.Hint == "" {
			t.Errorf("%s: ambiguous %v, candidates %d, hint %q; want %d candidates:\n%s", c.text, got.Ambiguous, got.Candidates, got.Hint, c.candidates, out)
		}
	}
}

func TestExplainCommandStdin(t *testing.T) {
	log := "INFO ok\nError: connect ECONNREFUSED 127.0.0.1:8443\nError: connect ECONNREFUSED 127.0.0.1:8443\n"
	for _, args := range [][]string{{"-"}, {}} { // "-", and a pipe with no argument
		code, out, _ := runExplainCmd(t, log, args...)
		if code != 0 || !strings.Contains(out, "tcp-refused") || !strings.Contains(out, "line 2, and 1 more line") {
			t.Errorf("args %v: exit %d:\n%s", args, code, out)
		}
	}
}

func TestExplainCommandFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "app.log")
	if err := os.WriteFile(p, []byte("a\nb\nHTTP/1.1 429 Too Many Requests\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runExplainCmd(t, "", "--file", p)
	if code != 0 || !strings.Contains(out, "rate-limited") || !strings.Contains(out, "line 3") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	code, _, errOut := runExplainCmd(t, "", "--file", filepath.Join(t.TempDir(), "missing.log"))
	if code != 2 || !strings.Contains(errOut, "--file") || !strings.Contains(errOut, "missing.log") {
		t.Fatalf("missing file: exit %d: %s", code, errOut)
	}
}

func TestExplainCommandJSON(t *testing.T) {
	code, out, _ := runExplainCmd(t, "", "--json", "Authorization: Bearer abc.def.ghi HTTP/1.1 401 Unauthorized")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var got struct {
		Matches []map[string]any `json:"matches"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(got.Matches) != 1 {
		t.Fatalf("matches: %v", got.Matches)
	}
	m := got.Matches[0]
	for _, k := range []string{"id", "title", "fix", "evidence"} {
		if s, _ := m[k].(string); s == "" {
			t.Errorf("match lacks %q: %v", k, m)
		}
	}
	if len(m) != 4 {
		t.Errorf("match has fields beyond the contract: %v", m)
	}
	if m["id"] != "token-rejected" || strings.Contains(out, "abc.def") {
		t.Errorf("got %v (the token must be redacted)", m)
	}
}

func TestExplainCommandNotRecognised(t *testing.T) {
	code, out, errOut := runExplainCmd(t, "", "everything is fine")
	if code != 1 || out != "" || !strings.Contains(errOut, "not recognised") || !strings.Contains(errOut, "onramp diagnose") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, _ = runExplainCmd(t, "", "--json", "everything is fine")
	if code != 1 || strings.TrimSpace(out) != "{\n  \"matches\": []\n}" {
		t.Fatalf("json: exit %d, %q", code, out)
	}
}

func TestExplainCommandID(t *testing.T) {
	code, out, _ := runExplainCmd(t, "", "--id", "client-cert-not-sent")
	if code != 0 || !strings.Contains(out, "No required SSL certificate was sent") || !strings.Contains(out, "Fix:") ||
		!strings.Contains(out, "none was sent") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	code, _, errOut := runExplainCmd(t, "", "--id", "no-such-cause")
	if code != 2 || !strings.Contains(errOut, "--list") {
		t.Fatalf("unknown id: exit %d: %s", code, errOut)
	}
	code, out, _ = runExplainCmd(t, "", "--list")
	if code != 0 || !strings.Contains(out, "tcp-refused") || strings.Count(out, "\n") < 40 {
		t.Fatalf("--list: exit %d:\n%s", code, out)
	}
}

func TestExplainCommandUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--id", "tcp-refused", "text"},
		{"--file", "x.log", "text"},
		{"--list", "text"},
		{"--bogus"},
	} {
		if code, _, errOut := runExplainCmd(t, "", args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
	// No text and stdin is a terminal: say what to give.
	io, _, _, errOut := iostreams.Test()
	io.SetTTY(true, true, true)
	if code := run(io, []string{"explain"}); code != 2 || !strings.Contains(errOut.String(), "--file") {
		t.Fatalf("no input on a terminal: exit %d: %s", code, errOut)
	}
}

// The fix speaks the client that printed the error: a truststore for
// Java, verify= for Python, ca for Node, --cacert for curl, after
// onramp's own fix.
func TestExplainFixSpeaksTheClient(t *testing.T) {
	for _, c := range []struct {
		text, label, want string
	}{
		{"javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target", "Fix (Java):", "keytool -importcert"},
		{"requests.exceptions.SSLError: HTTPSConnectionPool(host='api.example.com', port=443): Max retries exceeded with url: / (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)')))", "Fix (Python):", `verify="/path/ca.pem"`},
		{"Error: unable to get local issuer certificate\n    at TLSSocket.onConnectSecure (node:_tls_wrap:1674:34) { code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' }", "Fix (Node.js):", "NODE_EXTRA_CA_CERTS"},
		{"Get \"https://api.example.com\": tls: failed to verify certificate: x509: certificate signed by unknown authority", "Fix (Go):", "RootCAs"},
	} {
		code, out, _ := runExplainCmd(t, c.text)
		flat := strings.Join(strings.Fields(out), " ")
		own, client := strings.Index(out, "Fix: Pass the provider's CA bundle with --cacert FILE"), strings.Index(out, c.label)
		if code != 0 || own < 0 || client < own || !strings.Contains(flat, c.want) {
			t.Errorf("%.40s…: exit %d\n%s", c.text, code, out)
		}
	}
	// --json carries both: the general fix and the client's.
	code, out, _ := runExplainCmd(t, "", "--json", "javax.net.ssl.SSLHandshakeException: PKIX path building failed")
	if code != 0 || !strings.Contains(out, `"client": "java"`) || !strings.Contains(out, `"client_fix": "Import the provider's CA`) {
		t.Errorf("json: %d\n%s", code, out)
	}
}
