package provider

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/profile"
)

func TestBuiltinsParseAndCoverTheDocumentedProviders(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	var ids []string
	for _, tm := range All() {
		ids = append(ids, tm.ID)
		if tm.Instructions == "" || tm.Description == "" {
			t.Errorf("%s: no instructions or description", tm.ID)
		}
		if tm.Origin != "built-in" {
			t.Errorf("%s: origin %q", tm.ID, tm.Origin)
		}
	}
	want := []string{"hmpps", "nhs-apim", "govuk-dcs", "securosys", "generic", "sandbox"}
	if !slices.Equal(ids, want) {
		t.Fatalf("built-ins = %v, want %v", ids, want)
	}
}

func TestProviderFacts(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	get := func(id string) *Template {
		tm, err := Get(id)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	hmpps, nhs, dcs, sec := get("hmpps"), get("nhs-apim"), get("govuk-dcs"), get("securosys")
	if hmpps.APIKeyHeader != "x-api-key" || nhs.APIKeyHeader != "apikey" || sec.APIKeyHeader != "X-API-KEY" {
		t.Errorf("API key headers: %q %q %q", hmpps.APIKeyHeader, nhs.APIKeyHeader, sec.APIKeyHeader)
	}
	if k, ok := nhs.KeyFor("signing"); !ok || k.Type != "rsa" || k.Bits != 4096 {
		t.Errorf("NHS signing key: %+v", k)
	}
	if k, ok := hmpps.KeyFor("tls"); !ok || k.Bits != 2048 {
		t.Errorf("HMPPS key: %+v", k)
	}
	if len(dcs.Keys) != 3 {
		t.Errorf("DCS needs three key pairs, template has %d", len(dcs.Keys))
	}
	// What profile providers shows and what the wizard's send step shows
	// both say where the signing and encryption certificates go.
	for _, text := range []string{dcs.Instructions, dcs.Send} {
		for _, w := range []string{"--profile <profile> --purpose signing", "--profile <profile> --purpose encryption"} {
			if !strings.Contains(text, w) {
				t.Errorf("DCS text lacks %q:\n%s", w, text)
			}
		}
	}
	if got := Expand(dcs.CSR.CNFormat, map[string]string{"organisation": "Bob's Widgets", "purpose": "TLS", "environment": "Integration", "date": "2020-02-02"}); got != "Bob's Widgets TLS Integration 2020-02-02" {
		t.Errorf("DCS CN = %q", got)
	}
	if got := Expand(hmpps.CSR.Subject, map[string]string{"client_id": "acme"}); !strings.HasSuffix(got, "/CN=acme") || !strings.Contains(got, "{state}") {
		t.Errorf("HMPPS subject = %q (CN must be the client id; unknown placeholders stay visible)", got)
	}
	if hmpps.Token.Path != "/token" || hmpps.Token.Method != "POST" {
		t.Errorf("HMPPS token: %+v", hmpps.Token)
	}
	if dcs.Status.Path != "/checks/passport" || dcs.Status.ExpectJSON != `{"available":true,"scheduledOutages":[]}` {
		t.Errorf("DCS status: %+v", dcs.Status)
	}
	if e, ok := nhs.Env("sandbox"); !ok || !e.NoAuth {
		t.Errorf("NHS sandbox must need no auth: %+v", e)
	}
	if got := nhs.TokenURL("int"); got != "https://int.api.service.nhs.uk/oauth2/token" {
		t.Errorf("NHS token URL = %q", got)
	}
}

func TestNewProfile(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	nhs, _ := Get("nhs-apim")
	p := nhs.NewProfile("nhs", "int")
	if p.Name != "nhs" || p.Provider != "nhs-apim" || p.Environment != "int" || p.URL != "https://int.api.service.nhs.uk" {
		t.Errorf("profile: %+v", p)
	}
	if !slices.Equal(p.Auth, []string{"signed-jwt"}) || p.TokenURL != "https://int.api.service.nhs.uk/oauth2/token" ||
		p.APIKeyHeader != "" || p.APIKeySecret != "api-key" {
		t.Errorf("NHS signed-JWT profile: %+v", p)
	}
	sb := nhs.NewProfile("nhs-sb", "sandbox")
	if len(sb.Auth) != 0 || sb.TokenURL != "" || sb.APIKeyHeader != "" {
		t.Errorf("the NHS sandbox needs no auth, profile: %+v", sb)
	}

	dcs, _ := Get("govuk-dcs")
	d := dcs.NewProfile("dcs", "")
	if d.Environment != "integration" || d.StatusPath != "/checks/passport" || d.ExpectJSON == "" || !slices.Equal(d.Auth, []string{"mtls"}) || d.APIKeyHeader != "" {
		t.Errorf("DCS profile: %+v", d)
	}
	hm, _ := Get("hmpps")
	h := hm.NewProfile("h", "prod")
	if !slices.Equal(h.Auth, []string{"mtls", "api-key"}) || h.URL != "https://integration-api.hmpps.service.justice.gov.uk" || h.TokenURL != "" {
		t.Errorf("HMPPS profile (its /token gives STS credentials, not a bearer token): %+v", h)
	}
	if u := hm.NewProfile("x", "staging").URL; u != "" {
		t.Errorf("unknown environment got URL %q", u)
	}
}

func TestSecurosysRequiredRole(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	sec, _ := Get("securosys")
	cases := map[string]string{
		"/v1/key":                             "keyManagementToken",
		"/v1/key/my-key":                      "keyManagementToken",
		"/v1/key/my-key/attributes":           "keyManagementToken",
		"/v1/sign":                            "keyOperationToken",
		"/v1/certificate/abc/request":         "keyOperationToken",
		"/v1/generateRandom/32?x=1":           "keyOperationToken",
		"/v1/filteredSomeApprovalTask":        "approverToken",
		"/v1/approval":                        "approverToken",
		"/v1/versionInfo":                     "serviceToken",
		"/v1/keystore/statistics":             "serviceToken",
		"/v1/hsm/log/today":                   "serviceToken",
		"/v1/approverManagement/approvers":    "approverKeyManagementToken",
		"https://tsb.example/v1/licenseInfo/": "serviceToken",
	}
	for path, want := range cases {
		if got, ok := RequiredRole(sec, path); !ok || got != want {
			t.Errorf("RequiredRole(%q) = %q, %v; want %q", path, got, ok, want)
		}
	}
	for _, path := range []string{"/v1/keys", "/v2/key", "/v1/unknown", "/"} {
		if got, ok := RequiredRole(sec, path); ok {
			t.Errorf("RequiredRole(%q) = %q, want no match", path, got)
		}
	}
	hm, _ := Get("hmpps")
	if _, ok := RequiredRole(hm, "/v1/key"); ok {
		t.Error("a template without roles matched a path")
	}
}

func TestUserTemplateOverridesAndErrors(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ONRAMP_CONFIG_DIR", dir)
	pdir := filepath.Join(dir, "providers")
	if err := os.MkdirAll(pdir, 0o700); err != nil {
		t.Fatal(err)
	}
	override := `id: govuk-dcs
name: DCS (our production)
description: with production
environments:
  - name: production
    url: https://dcs.example.gov.uk
auth:
  - method: mtls
    need: required
instructions: ask the DCS team
`
	extra := `id: acme
name: ACME
description: ours
environments:
  - name: live
    url: https://api.acme.test
auth:
  - method: api-key
    need: required
api_key_header: X-Acme-Key
instructions: ask ACME
`
	broken := "id: bad\nname: Bad\nenviroments: []\n"
	for name, body := range map[string]string{"dcs.yaml": override, "acme.yaml": extra, "bad.yaml": broken} {
		if err := os.WriteFile(filepath.Join(pdir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	dcs, err := Get("govuk-dcs")
	if err != nil || dcs.Name != "DCS (our production)" || !strings.HasSuffix(dcs.Origin, "dcs.yaml") {
		t.Fatalf("override not used: %+v, %v", dcs, err)
	}
	acme, err := Get("acme")
	if err != nil || acme.NewProfile("a", "").APIKeyHeader != "X-Acme-Key" {
		t.Fatalf("user template: %+v, %v", acme, err)
	}
	_, err = Templates()
	if err == nil || !strings.Contains(err.Error(), "bad.yaml") || !strings.Contains(err.Error(), "enviroments") {
		t.Fatalf("broken user template error = %v, want it to name the file and the field", err)
	}
	_, err = Get("nope")
	if err == nil || !strings.Contains(err.Error(), "hmpps") || !strings.Contains(err.Error(), "bad.yaml") {
		t.Fatalf("unknown id error = %v", err)
	}
}

func TestValidateRejectsBadTemplates(t *testing.T) {
	cases := map[string]string{
		"http url":    "id: x\nname: X\nenvironments: [{name: a, url: 'http://a.test'}]\nauth: [{method: mtls, need: required}]\n",
		"bad method":  "id: x\nname: X\nenvironments: [{name: a, url: 'https://a.test'}]\nauth: [{method: password, need: required}]\n",
		"bad need":    "id: x\nname: X\nenvironments: [{name: a, url: 'https://a.test'}]\nauth: [{method: mtls, need: maybe}]\n",
		"bad pattern": "id: x\nname: X\nenvironments: [{name: a, url: 'https://a.test'}]\nauth: [{method: mtls, need: required}]\nroles: [{name: r, patterns: ['v1/x']}]\n",
		"bad id":      "id: X Y\nname: X\nenvironments: [{name: a, url: 'https://a.test'}]\nauth: [{method: mtls, need: required}]\n",
		"bad default": "id: x\nname: X\ndefault_environment: b\nenvironments: [{name: a, url: 'https://a.test'}]\nauth: [{method: mtls, need: required}]\n",
	}
	for name, body := range cases {
		if _, err := Parse("t.yaml", []byte(body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestKeyRequirementCheck(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	nhs, _ := Get("nhs-apim")
	req, _ := nhs.KeyFor("signing")
	small, _ := rsa.GenerateKey(rand.Reader, 2048)
	err := req.Check(&small.PublicKey)
	if c, ok := cause.Of(err); !ok || c.ID != "key-unsupported" || !strings.Contains(err.Error(), "RSA 4096") || !strings.Contains(err.Error(), "--bits 4096") {
		t.Fatalf("RSA 2048 for NHS signing: %v", err)
	}
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if c, ok := cause.Of(req.Check(&ec.PublicKey)); !ok || c.ID != "key-unsupported" {
		t.Fatal("ECDSA accepted for NHS signing")
	}
	hm, _ := Get("hmpps")
	tls, _ := hm.KeyFor("tls")
	if err := tls.Check(&small.PublicKey); err != nil {
		t.Fatalf("RSA 2048 refused for HMPPS: %v", err)
	}
}

func TestAuthChoices(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	want := map[string]string{
		"nhs-apim":  "[[signed-jwt] [api-key]]",
		"hmpps":     "[[mtls api-key]]",
		"govuk-dcs": "[[mtls]]",
		"generic":   "[[mtls api-key] [mtls api-key bearer-jwt] [mtls bearer-jwt] [api-key bearer-jwt] [mtls] [api-key] [bearer-jwt]]",
		"securosys": "[[api-key] [api-key mtls bearer-jwt] [api-key mtls] [api-key bearer-jwt] [mtls bearer-jwt] [mtls] [bearer-jwt]]",
	}
	for id, w := range want {
		tm, _ := Get(id)
		if got := fmt.Sprint(tm.AuthChoices()); got != w {
			t.Errorf("%s: AuthChoices = %s, want %s", id, got, w)
		}
		if got := fmt.Sprint(tm.DefaultAuth()); got != fmt.Sprint(tm.AuthChoices()[0]) {
			t.Errorf("%s: DefaultAuth %s is not the first choice", id, got)
		}
	}
	nhs, _ := Get("nhs-apim")
	if nhs.DefaultKID != "test-1" {
		t.Errorf("NHS default kid %q", nhs.DefaultKID)
	}
}

// TestCertificateFindingsOCSP: Securosys warns about a client certificate
// without an AIA OCSP URI; one with it, and other providers, pass.
func TestCertificateFindingsOCSP(t *testing.T) {
	ca := testpki.NewCA(t, "CA")
	plain := ca.Client(t, testpki.Options{}).Cert
	withOCSP := ca.Client(t, testpki.Options{OCSPServer: []string{"http://ocsp.example.test"}}).Cert
	sec, err := Get("securosys")
	if err != nil {
		t.Fatal(err)
	}
	f := sec.CertificateFindings(plain)
	if len(f) != 1 || !f[0].Warning || f[0].Cause.ID != cause.ClientCertRejected || !strings.Contains(f[0].Cause.Fix, "OCSP") {
		t.Errorf("securosys, no OCSP URI: %+v", f)
	}
	if f := sec.CertificateFindings(withOCSP); len(f) != 0 {
		t.Errorf("securosys, with an OCSP URI: %+v", f)
	}
	hmpps, _ := Get("hmpps")
	if f := hmpps.CertificateFindings(plain); len(f) != 0 {
		t.Errorf("hmpps: %+v", f)
	}
}

// TestProfileRoundTripEveryAuthMode: every combination every template
// accepts survives save and load, and names exactly the secrets it uses.
func TestProfileRoundTripEveryAuthMode(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	n := 0
	for _, tm := range Builtin() {
		for _, auth := range tm.AuthChoices() {
			if err := tm.ValidAuth(auth); err != nil {
				t.Errorf("%s: its own choice %v is refused: %v", tm.ID, auth, err)
			}
			n++
			p := tm.NewProfile(fmt.Sprintf("p%d", n), "")
			if p.URL == "" {
				p.URL = "https://api.example.test"
			}
			tm.ApplyAuth(p, auth)
			if err := profile.Save(p); err != nil {
				t.Fatal(err)
			}
			got, err := profile.Load(p.Name)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Auth, auth) || got.APIKeySecret != p.APIKeySecret || got.BearerSecret != p.BearerSecret ||
				got.APIKeyHeader != p.APIKeyHeader || got.TokenURL != p.TokenURL {
				t.Errorf("%s %v: saved %+v, loaded %+v", tm.ID, auth, p, got)
			}
			usesKey := slices.Contains(auth, AuthAPIKey) || slices.Contains(auth, AuthSignedJWT)
			if (got.APIKeySecret != "") != usesKey {
				t.Errorf("%s %v: api_key_secret %q", tm.ID, auth, got.APIKeySecret)
			}
			if (got.APIKeyHeader != "") != slices.Contains(auth, AuthAPIKey) {
				t.Errorf("%s %v: api_key_header %q (only api-key sends the key as a header)", tm.ID, auth, got.APIKeyHeader)
			}
			if (got.BearerSecret == SecretBearer) != slices.Contains(auth, AuthBearerJWT) {
				t.Errorf("%s %v: bearer_secret %q", tm.ID, auth, got.BearerSecret)
			}
			if (got.TokenURL != "") != slices.Contains(auth, AuthSignedJWT) {
				t.Errorf("%s %v: token_url %q", tm.ID, auth, got.TokenURL)
			}
		}
	}
	// Switching away from a method drops its settings.
	sec, _ := Get("securosys")
	p := sec.NewProfile("switch", "")
	sec.ApplyAuth(p, []string{AuthAPIKey, AuthBearerJWT})
	sec.ApplyAuth(p, []string{AuthMTLS})
	if p.APIKeySecret != "" || p.BearerSecret != "" || p.APIKeyHeader != "" {
		t.Errorf("mtls-only after api-key+bearer: %+v", p)
	}
}

func TestValidAuth(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	for _, c := range []struct {
		id   string
		auth []string
		want string
	}{
		{"hmpps", []string{"mtls"}, "always needs api-key"},
		{"hmpps", []string{"mtls", "api-key", "bearer-jwt"}, `does not accept "bearer-jwt"`},
		{"nhs-apim", []string{"api-key", "signed-jwt"}, "exactly one of"},
		{"nhs-apim", nil, "exactly one of"},
		{"generic", nil, "no auth method"},
		{"govuk-dcs", []string{"mtls"}, ""},
		{"securosys", []string{"bearer-jwt", "mtls"}, ""},
	} {
		tm, _ := Get(c.id)
		err := tm.ValidAuth(c.auth)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s %v: %v, want %q", c.id, c.auth, err, c.want)
		}
	}
}

// TestNHSCheckPathsAsDocumented: NHS API Management's check paths state
// only what seed 001 and PROVIDERS.md say: the default is the CGP guide's
// own example request, and every Hello World path (in neither document)
// says it is to be confirmed with NHS England, in its notes and its 404.
func TestNHSCheckPathsAsDocumented(t *testing.T) {
	tm, err := Get("nhs-apim")
	if err != nil {
		t.Fatal(err)
	}
	if p := tm.Status.Path; p != "/genomic-data-access/FHIR/R4/ServiceRequest?identifier=r30000000001" {
		t.Errorf("default check path %q is not the seed's example", p)
	}
	var checks []StatusCheck
	for _, e := range tm.Environments {
		checks = append(checks, e.Status.Checks()...)
	}
	checks = append(checks, tm.Status.Checks()...)
	hello := 0
	for _, c := range checks {
		if !strings.Contains(c.Path, "hello-world") {
			continue
		}
		hello++
		for what, text := range map[string]string{"notes": c.Notes, "not_found": c.NotFound} {
			if !strings.Contains(text, "to be confirmed with NHS England") {
				t.Errorf("%s %s: %q does not say it is to be confirmed", c.Path, what, text)
			}
		}
	}
	if hello != 2 {
		t.Errorf("%d Hello World checks, want the sandbox's and the alternative", hello)
	}
}

// TestUnconfirmedChecksMarked: a check path whose notes say the documents
// do not give it (to be confirmed with the provider) is marked unconfirmed
// (a 404 there then says how to set the API's own path), and only such a
// path (HMPPS's POST /token is documented; only what it answers some
// consumers is to be confirmed).
func TestUnconfirmedChecksMarked(t *testing.T) {
	for _, tm := range Builtin() {
		envs := append([]string{""}, tm.EnvironmentNames()...)
		for _, env := range envs {
			for _, c := range tm.StatusFor(env).Checks() {
				if tbc := strings.Contains(c.Notes, "Not in the published guides (to be confirmed"); tbc != c.Unconfirmed {
					t.Errorf("%s %s %s: notes say to be confirmed: %v, marked unconfirmed: %v", tm.ID, env, c.Path, tbc, c.Unconfirmed)
				}
			}
		}
	}
}
