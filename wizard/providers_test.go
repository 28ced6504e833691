package wizard

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
)

// realFlow is a flow over the built-in provider templates.
func realFlow(t *testing.T, s *Script, store *memStore) *Flow {
	t.Helper()
	var ps []Provider
	for _, tm := range provider.Builtin() {
		ps = append(ps, ProviderFrom(tm))
	}
	return &Flow{Prompter: s, Providers: ps, Keys: &fakeKeys{}, Certs: fakeImporter{},
		Secrets: store, Checker: fakeChecker{ok: true}, Issuer: fakeIssuer{}}
}

func shownWhy(s *Script, title string) string {
	for _, f := range s.Shown {
		if strings.Contains(f.Title, title) {
			return f.Why
		}
	}
	return ""
}

// TestNHSSandboxNeedsNoSetup: NHS API Management's sandbox environment is
// offered (last, so not the default) and needs nothing but the checks,
// which call its open Hello World endpoint.
func TestNHSSandboxNeedsNoSetup(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	s := &Script{Answers: []Answer{{"Which API", "nhs-apim"}, {"environment", "sandbox"}, {"Name this connection", "nhs-sb"}}}
	res, err := realFlow(t, s, &memStore{}).Run(context.Background(), "")
	if err != nil || !res.Connected {
		t.Fatalf("res %+v err %v (shown %v)", res, err, s.Shown)
	}
	p := res.Profile
	if len(p.Auth) != 0 || p.APIKeySecret != "" || p.TokenURL != "" || p.StatusPath != "/hello-world/hello/world" || p.URL != "https://sandbox.api.service.nhs.uk" {
		t.Errorf("sandbox profile %+v", p)
	}
	for _, f := range s.Shown {
		if strings.Contains(f.Title, "key") || strings.Contains(f.Title, "authenticate") {
			t.Errorf("asked %q for an environment without authentication", f.Title)
		}
	}
	// No check endpoint question either: the sandbox has its own path.
	if got, want := stepLines(s.Shown), []string{"Step 1 · Provider", "Step 2 of 2 · Checks"}; !reflect.DeepEqual(got, want) {
		t.Errorf("steps shown:\n  %s", strings.Join(got, "\n  "))
	}
	if d := ProviderFrom(mustTemplate(t, "nhs-apim")).Environments[0]; d.NoAuth {
		t.Errorf("the default NHS environment is the sandbox")
	}
}

func mustTemplate(t *testing.T, id string) *provider.Template {
	t.Helper()
	tm, err := provider.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// TestSecurosysRoleKey: the wizard asks for the key of the role the check
// needs (serviceToken for /v1/versionInfo), shows the role table, and
// stores the key under the role's name.
func TestSecurosysRoleKey(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	store := &memStore{}
	s := &Script{Answers: []Answer{{"Which API", "securosys"}, {"URL", "https://tsb.example.test:8080"}, {"Name this connection", "tsb"},
		{"authenticate", "api-key"}, {"Paste your serviceToken API key", "svc-key-5b1d0c77"}}}
	res, err := realFlow(t, s, store).Run(context.Background(), "")
	if err != nil || !res.Connected {
		t.Fatalf("res %+v err %v", res, err)
	}
	if res.Profile.APIKeySecret != "serviceToken" || store.values["tsb/serviceToken"] != "svc-key-5b1d0c77" {
		t.Errorf("profile %+v store %v", res.Profile, store.values)
	}
	why := shownWhy(s, "serviceToken API key")
	for _, w := range []string{"/v1/versionInfo", "keyOperationToken: cryptographic operations", "onramp profile providers securosys"} {
		if !strings.Contains(why, w) {
			t.Errorf("the key prompt does not show %q:\n%s", w, why)
		}
	}
}

// TestBearerTokenStep: Securosys's JWT bearer auth is offered; the token
// goes to the keyring and the profile names it.
func TestBearerTokenStep(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	store := &memStore{}
	s := &Script{Answers: []Answer{{"Which API", "securosys"}, {"URL", "https://tsb.example.test"}, {"Name this connection", "cloudhsm"},
		{"authenticate", "bearer-jwt"}, {"Paste your bearer token", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"}}}
	res, err := realFlow(t, s, store).Run(context.Background(), "")
	if err != nil || !res.Connected {
		t.Fatalf("res %+v err %v", res, err)
	}
	if res.Profile.BearerSecret != "bearer-token" || store.values["cloudhsm/bearer-token"] == "" || res.Profile.APIKeySecret != "" {
		t.Errorf("profile %+v", res.Profile)
	}
	if !strings.Contains(CurlCommand(res.Profile), "Bearer $(onramp secret get bearer-token --profile cloudhsm)") {
		t.Errorf("curl command:\n%s", CurlCommand(res.Profile))
	}
}

// TestDCSNeedsItsCABundle: the DCS template makes the CA bundle required,
// in the guide's words, TLS 1.2 included.
func TestDCSNeedsItsCABundle(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	dcs := ProviderFrom(mustTemplate(t, "govuk-dcs"))
	if !dcs.CABundleRequired || !strings.Contains(dcs.CABundleWhy, "TLS 1.2") || !strings.Contains(dcs.CABundleWhy, "unable to get local issuer certificate") {
		t.Errorf("DCS CA bundle: %v %q", dcs.CABundleRequired, dcs.CABundleWhy)
	}
	for _, id := range []string{"hmpps", "govuk-dcs", "nhs-apim", "securosys"} {
		pr := ProviderFrom(mustTemplate(t, id))
		if pr.Send == "" || strings.Contains(pr.Send, "onramp keygen --type rsa --bits 2048 --csr") {
			t.Errorf("%s: the send step text %q (after the wizard made the CSR it must not ask for another)", id, pr.Send)
		}
	}
}

// TestDCSThreeKeyPairs: the DCS wants TLS, signing and encryption key
// pairs, each with its own CSR named by purpose; the send step lists all
// three; the certificate step does not take an empty CA bundle.
func TestDCSThreeKeyPairs(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ONRAMP_CONFIG_DIR", dir)
	certFile := testpki.WriteFile(t, dir, "issued.pem", testpki.NewCA(t, "DCS CA").Client(t, testpki.Options{}).CertPEM(false))
	keys := &fakeKeys{}
	s := &Script{Answers: []Answer{{"Which API", "govuk-dcs"}, {"Name this connection", "dcs"},
		{"Your private key", "generate"}, {"Your organisation's name", "Bob's Widgets"}, {"What this key is for", ""},
		{"The environment", ""}, {"The date in the CN", "2026-12-01"}, {"Certificate subject", ""},
		{"Your client certificate", "file"}, {"certificate file", certFile}, {"CA bundle", ""}}}
	f := realFlow(t, s, &memStore{})
	f.Keys = keys
	_, err := f.Run(context.Background(), "")
	if err == nil || !strings.Contains(err.Error(), "needs its CA bundle") {
		t.Errorf("an empty DCS CA bundle: %v", err)
	}
	var subjects []string
	for _, k := range keys.made {
		subjects = append(subjects, k.Name+": "+k.Subject)
	}
	want := []string{"client: /CN=Bob's Widgets TLS Integration 2026-12-01", "signing: /CN=Bob's Widgets Signing Integration 2026-12-01",
		"encryption: /CN=Bob's Widgets Encryption Integration 2026-12-01"}
	if strings.Join(subjects, "\n") != strings.Join(want, "\n") {
		t.Errorf("keys made:\n%s\nwant:\n%s", strings.Join(subjects, "\n"), strings.Join(want, "\n"))
	}
	var sent string
	for _, n := range s.Notes {
		if strings.Contains(n.Title, "Send this to") {
			sent = n.Body
		}
	}
	for _, w := range []string{"client.csr", "signing.csr (signing)", "encryption.csr (encryption)", "confirm it\nwith your DCS contact",
		"onramp import --cert FILE --key KEY --out DIR --profile dcs --purpose signing",
		"onramp import --cert FILE --key KEY --out DIR --profile dcs --purpose encryption"} {
		if !strings.Contains(sent, w) {
			t.Errorf("the send step lacks %q:\n%s", w, sent)
		}
	}
	if strings.Contains(sent, "<profile>") {
		t.Errorf("the send step leaves <profile> for the user to fill in, though the profile is named:\n%s", sent)
	}
	// The profile keeps the signing and encryption keys, for their
	// certificates to join them (onramp import --purpose).
	p, err := profile.Load("dcs")
	if err != nil || filepath.Base(p.SigningKey) != "signing.key" || filepath.Base(p.EncryptionKey) != "encryption.key" {
		t.Errorf("the profile's message keys: %v %+v", err, p)
	}
}

// TestHMPPSCheckChoice: HMPPS documents no health check, so the wizard
// asks what the checks call: the guide's example read (its person id said
// to be an example), POST /token, or the user's own path; the profile
// records the path and method, as profile new --status-path does.
func TestHMPPSCheckChoice(t *testing.T) {
	for _, c := range []struct {
		answers      []Answer
		path, method string
	}{
		{[]Answer{{"Which endpoint should the checks call", "/v1/persons/X802678/risks/scores"}}, "/v1/persons/X802678/risks/scores", ""},
		{[]Answer{{"Which endpoint should the checks call", "POST /token"}}, "/token", "POST"},
		{[]Answer{{"Which endpoint should the checks call", "other"}, {"Which path should the checks call", "/v1/persons/A1234BC/risks/scores"}}, "/v1/persons/A1234BC/risks/scores", ""},
	} {
		t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
		s := &Script{Answers: append([]Answer{{"Which API", "hmpps"}, {"Which HMPPS Integration API environment", "dev"}, {"Name this connection", "hmpps-dev"}}, c.answers...)}
		_, err := realFlow(t, s, &memStore{}).Run(context.Background(), "")
		if !errors.Is(err, ErrCancelled) {
			t.Fatalf("%s: the flow stopped with %v, want at the next prompt", c.path, err)
		}
		why := shownWhy(s, "Which endpoint should the checks call")
		for _, w := range []string{"X802678 is the guide's example person id", "POST /token: Documented in the HMPPS Integration API guide for consumers with an SQS queue", "to be confirmed with HMPPS"} {
			if !strings.Contains(why, w) {
				t.Errorf("the choice's text lacks %q:\n%s", w, why)
			}
		}
		p, err := profile.Load("hmpps-dev")
		if err != nil || p.StatusPath != c.path || p.StatusMethod != c.method {
			t.Errorf("profile %v: status %q %q, want %q %q", err, p.StatusMethod, p.StatusPath, c.method, c.path)
		}
	}
}

// TestNextStepsNameTheMessageCertificates: a profile with a signing or
// encryption key and no certificate yet is told the import that adds it.
func TestNextStepsNameTheMessageCertificates(t *testing.T) {
	p := &profile.Profile{Name: "dcs", Auth: []string{AuthMTLS}, SigningKey: "/k/dcs/signing.key", EncryptionKey: "/k/dcs/encryption.key", EncryptionCert: "/k/dcs/encryption.crt"}
	got := NextSteps(p)
	if !strings.Contains(got, "When the signing certificate arrives, add it to the profile:\n  onramp import --cert FILE --key /k/dcs/signing.key --out /k/dcs --profile dcs --purpose signing") ||
		strings.Contains(got, "--purpose encryption") {
		t.Errorf("next steps:\n%s", got)
	}
}

// TestCheckPathStepResumeAndBack: an HMPPS profile whose target step an
// older onramp finished (it asked the check endpoint inside that step)
// resumes at the keys without asking it again, keeping its path; going
// back from there lands on the check endpoint question, offering the path
// it calls now (enter keeps it).
func TestCheckPathStepResumeAndBack(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	if err := profile.Save(&profile.Profile{Name: "hmpps-dev", Provider: "hmpps", Environment: "dev", Auth: []string{AuthMTLS, AuthAPIKey},
		URL: "https://dev.integration-api.hmpps.service.justice.gov.uk", StatusPath: "/token", StatusMethod: "POST",
		Wizard: map[string]bool{StepTarget: true, StepAuth: true}}); err != nil {
		t.Fatal(err)
	}
	s := &Script{Answers: []Answer{{"Welcome back to hmpps-dev", resumeGoOn}, {"Your private key", Back},
		{"Which endpoint should the checks call", ""}}}
	_, err := realFlow(t, s, &memStore{}).Run(context.Background(), "hmpps-dev")
	if !errors.Is(err, ErrCancelled) {
		t.Fatalf("err %v", err)
	}
	var steps []string
	for _, f := range s.Shown {
		steps = append(steps, f.Step+" · "+f.Title)
	}
	if len(s.Shown) != 4 || s.Shown[1].Step != "Step 3 of 7 · Keys" || s.Shown[2].Step != "Step 2 of 7 · Check endpoint" || s.Shown[3].Step != "Step 3 of 7 · Keys" {
		t.Fatalf("screens:\n  %s", strings.Join(steps, "\n  "))
	}
	p, err := profile.Load("hmpps-dev")
	if err != nil || p.StatusPath != "/token" || p.StatusMethod != "POST" || !p.Wizard[StepCheckPath] {
		t.Errorf("profile %v: %q %q %v", err, p.StatusMethod, p.StatusPath, p.Wizard)
	}
}
