package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/usecase"
)

// acmeTemplate is a user's provider template with its own advice for an
// untrusted server certificate.
const acmeTemplate = `id: acme
name: Acme API
description: A provider a user described.
environments: [{name: live, url: 'https://api.acme.example'}]
auth: [{method: mtls, need: required}, {method: api-key, need: required}]
api_key_header: x-api-key
instructions: Ask Acme.
cause_notes:
  server-cert-untrusted: Acme's servers use the Acme Private Root; download it from the Acme portal.
`

// oneLine joins wrapped text so a phrase can be found across line breaks.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// diagnose says the fix in the user's client's words (the profile's client
// setting, or --client) and adds the provider's own note, in the text,
// --json and --report outputs, against a real mutual-TLS server whose
// certificate the profile's CA bundle does not trust.
func TestDiagnoseSpeaksTheClientAndTheProvider(t *testing.T) {
	f := newCLIFixture(t)
	dir := t.TempDir()
	t.Setenv("ONRAMP_CONFIG_DIR", dir)
	if err := os.MkdirAll(filepath.Join(dir, "providers"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "providers", "acme.yaml"), []byte(acmeTemplate), 0o600); err != nil {
		t.Fatal(err)
	}
	otherCA := testpki.WriteFile(t, f.dir, "other-ca.pem", testpki.NewCA(t, "Other CA").CertPEM())
	p := &profile.Profile{Name: "acme", Provider: "acme", Client: "python", URL: strings.TrimSuffix(f.url, "/checks/passport"),
		StatusPath: "/checks/passport", Auth: []string{"mtls", "api-key"}, APIKeyHeader: "x-api-key",
		Cert: f.certFile, Key: f.keyFl, CACert: otherCA}
	if err := profile.Save(p); err != nil {
		t.Fatal(err)
	}
	kr := &testkeyring.Keyring{Items: map[string]string{"acme/api-key": "good-key"}}

	code, out, errOut := runCLIStore(t, kr, "diagnose", "--profile", "acme", "--json")
	var rep struct {
		Cause struct {
			ID, Fix, Client, ClientFix, Provider, ProviderNote string
		} `json:"cause"`
	}
	if err := json.Unmarshal([]byte(strings.ReplaceAll(strings.ReplaceAll(out, `"client_fix"`, `"clientfix"`), `"provider_note"`, `"providernote"`)), &rep); err != nil {
		t.Fatalf("exit %d: %v\n%s%s", code, err, out, errOut)
	}
	c := rep.Cause
	if code != 1 || c.ID != "server-cert-untrusted" || c.Client != "python" || !strings.Contains(c.ClientFix, `verify="/path/ca.pem"`) ||
		c.Provider != "Acme API" || !strings.Contains(c.ProviderNote, "Acme Private Root") || !strings.Contains(c.Fix, "--cacert") {
		t.Errorf("exit %d, cause %+v", code, c)
	}

	report := filepath.Join(f.dir, "report.md")
	code, out, _ = runCLIStore(t, kr, "diagnose", "--profile", "acme", "--client", "java", "--report", report)
	text := oneLine(out)
	for _, want := range []string{"Fix: Pass the provider's CA bundle with --cacert FILE", "Fix (Java): Import the provider's CA certificate into a truststore",
		"`keytool -importcert -alias provider-ca -file ca.pem -keystore truststore.p12 -storetype PKCS12`",
		"Fix (Acme API): Acme's servers use the Acme Private Root"} {
		if !strings.Contains(text, want) {
			t.Errorf("exit %d: the text lacks %q:\n%s", code, want, out)
		}
	}
	if strings.Contains(out, "Python") {
		t.Errorf("--client java did not replace the profile's python:\n%s", out)
	}
	md, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(md); !strings.Contains(s, "**Fix (Java):** Import") || !strings.Contains(s, "**Fix (Acme API):** Acme's servers") {
		t.Errorf("the report lacks the client's fix or the provider's note:\n%s", s)
	}

	// Without a profile, --client alone: curl's words, no provider's note.
	code, out, _ = runCLI(t, "diagnose", f.url, "--cert", f.certFile, "--key", f.keyFl, "--cacert", otherCA, "--client", "curl", "--timeout", "5s")
	if text := oneLine(out); code != 1 || !strings.Contains(text, "Fix (curl): Pass the provider's CA bundle: `curl --cacert /path/ca.pem …`") || strings.Contains(text, "Acme") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	if code, _, errOut := runCLI(t, "diagnose", f.url, "--client", "cobol"); code != 2 || !strings.Contains(errOut, "java, python, node, dotnet, curl, go") {
		t.Errorf("--client cobol: exit %d, %s", code, errOut)
	}
}

// explain adds the advice of the provider the user names (--profile,
// --provider) and only that provider's: an HMPPS rule never reaches a
// DCS user.
func TestExplainAddsOnlyTheNamedProvidersAdvice(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	code, out, _ := runCLI(t, "explain", "--id", "client-cert-expired", "--provider", "hmpps", "--client", "node")
	if text := oneLine(out); code != 0 || !strings.Contains(text, "Fix (HMPPS Integration API): HMPPS client certificates last 365 days") ||
		!strings.Contains(text, "Fix (Node.js): Once renewed, load the new certificate in the agent's `cert`") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	for _, args := range [][]string{
		{"explain", "--id", "client-cert-expired", "--provider", "govuk-dcs"},
		{"explain", "--id", "client-cert-expired"},
		{"explain", "alert certificate expired"},
	} {
		if _, out, _ := runCLI(t, args...); strings.Contains(out, "HMPPS") || strings.Contains(out, "365") {
			t.Errorf("%v gives HMPPS advice:\n%s", args, out)
		}
	}
	p := &profile.Profile{Name: "dcs", Provider: "govuk-dcs", Client: "dotnet", URL: "https://dcs-integration.ida.digital.cabinet-office.gov.uk"}
	if err := profile.Save(p); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCLI(t, "explain", "--profile", "dcs", "--json", "curl: (60) SSL certificate problem: unable to get local issuer certificate")
	var got struct {
		Matches []struct {
			ID           string `json:"id"`
			Client       string `json:"client"`
			ClientFix    string `json:"client_fix"`
			Provider     string `json:"provider"`
			ProviderNote string `json:"provider_note"`
		} `json:"matches"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Matches) == 0 {
		t.Fatalf("exit %d: %v\n%s", code, err, out)
	}
	// The text is curl's, so curl's words win over the profile's .NET.
	m := got.Matches[0]
	if m.ID != "server-cert-untrusted" || m.Client != "curl" || !strings.Contains(m.ClientFix, "--cacert") ||
		m.Provider != "GOV.UK Document Checking Service" || !strings.Contains(m.ProviderNote, "DCS CA bundle") {
		t.Errorf("%+v", m)
	}
	if code, _, errOut := runCLI(t, "explain", "--id", "tcp-timeout", "--profile", "dcs", "--provider", "hmpps"); code != 2 || !strings.Contains(errOut, "not both") {
		t.Errorf("--profile with --provider: exit %d, %s", code, errOut)
	}
}

// `profile show --settings` lists every setting `profile set` takes, with
// its value and source, from the same function as the TUI's profile screen.
func TestProfileShowSettings(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	if code, _, errOut := runCLI(t, "profile", "new", "hm", "--provider", "hmpps"); code != 0 {
		t.Fatalf("profile new: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, "profile", "set", "hm", "client", "Java"); code != 0 {
		t.Fatalf("profile set client: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, "profile", "set", "hm", "client", "cobol"); code != 1 || !strings.Contains(errOut, "use one of java, python") {
		t.Errorf("profile set client cobol: exit %d: %s", code, errOut)
	}
	code, out, errOut := runCLI(t, "profile", "show", "hm", "--settings")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rows := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		k, rest, _ := strings.Cut(l, " ")
		rows[k] = strings.Join(strings.Fields(rest), " ")
	}
	p, err := profile.Load("hm")
	if err != nil {
		t.Fatal(err)
	}
	want := usecase.Settings(p) // the TUI's profile screen lists these
	if len(rows) != len(want) {
		t.Errorf("%d settings, the profile screen has %d:\n%s", len(rows), len(want), out)
	}
	for _, s := range want {
		if rows[s.Key] != strings.Join(strings.Fields(s.Shown()+" "+s.Source), " ") {
			t.Errorf("setting %s: %q, the profile screen says %q, %q", s.Key, rows[s.Key], s.Shown(), s.Source)
		}
	}
	for k, want := range map[string]string{
		"url":            "https://dev.integration-api.hmpps.service.justice.gov.uk from the HMPPS Integration API template",
		"client":         "java set in the profile",
		"cacert":         "- not set: onramp uses the system's trusted roots",
		"cert":           "- not set",
		"api_key_header": "x-api-key from the HMPPS Integration API template",
	} {
		if rows[k] != want {
			t.Errorf("%s: got %q, want %q", k, rows[k], want)
		}
	}
	code, out, _ = runCLI(t, "profile", "show", "hm", "--settings", "--json")
	var got struct {
		Profile  string            `json:"profile"`
		Settings []usecase.Setting `json:"settings"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 || got.Profile != "hm" || len(got.Settings) != len(want) {
		t.Fatalf("exit %d: %v\n%s", code, err, out)
	}
	for _, s := range got.Settings {
		if s.Key == "url" && (s.SourceKind != "template" || s.Value == "") || s.Key == "client" && (s.SourceKind != "profile" || s.Value != "java") ||
			s.Key == "cacert" && s.SourceKind != "default" {
			t.Errorf("%+v", s)
		}
	}
	if code, _, errOut := runCLI(t, "profile", "show", "nope", "--settings"); code != 1 || !strings.Contains(errOut, "nope") {
		t.Errorf("a missing profile: exit %d: %s", code, errOut)
	}
}
