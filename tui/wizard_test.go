package tui

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/testkeyring"

	tea "charm.land/bubbletea/v2"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
	"github.com/onramp-cli/onramp/wizard"
)

// testKeys makes a P-256 key and CSR: real files, quickly.
type testKeys struct{}

func (testKeys) CheckSubject(s string) error {
	if !strings.Contains(s, "CN=") {
		return errors.New("the subject needs a CN=")
	}
	return nil
}

func (testKeys) MakeKey(ctx context.Context, req wizard.KeyRequest) (wizard.KeyFiles, error) {
	time.Sleep(300 * time.Millisecond) // long enough to see the spinner
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	files := wizard.KeyFiles{Key: filepath.Join(req.Dir, req.Name+".key"), CSR: filepath.Join(req.Dir, req.Name+".csr")}
	if err := keystore.WriteFileAtomic(files.Key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600, false); err != nil {
		return files, err
	}
	csr, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "practice-client"}}, key)
	return files, keystore.WriteFileAtomic(files.CSR, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr}), 0o644, false)
}

// caIssuer signs CSRs with a test CA, as the sandbox does.
type caIssuer struct {
	ca     *testpki.CA
	caFile string
}

func (i caIssuer) Issue(ctx context.Context, csrPEM []byte) (wizard.Issued, error) {
	b, _ := pem.Decode(csrPEM)
	csr, err := x509.ParseCertificateRequest(b.Bytes)
	if err != nil {
		return wizard.Issued{}, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: csr.Subject,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, i.ca.Cert, csr.PublicKey, i.ca.Key)
	if err != nil {
		return wizard.Issued{}, err
	}
	return wizard.Issued{CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), CACertFile: i.caFile}, nil
}

// matchImporter checks the certificate matches the key, as import does.
type matchImporter struct{}

func (matchImporter) Import(ctx context.Context, req wizard.ImportRequest) (string, []diagnose.Finding, error) {
	certs, err := keystore.ReadCertificates(req.CertFile)
	if err != nil {
		return "", nil, err
	}
	key, err := keystore.ReadPrivateKey(req.KeyFile, nil)
	if err != nil {
		return "", nil, err
	}
	if f := diagnose.KeyMatchFinding(certs[0], key); f != nil {
		return "", nil, &keystore.Error{ID: f.Cause.ID, Path: req.CertFile, Msg: f.Detail}
	}
	return req.CertFile, nil, nil
}

// spinnerFrames are the frames of spinner.Dot, for goldens of a spinner.
var spinnerFrames = regexp.MustCompile(`[⣾⣽⣻⢿⡿⣟⣯⣷]`)

var practiceProvider = wizard.Provider{
	ID: "sandbox", Name: "onramp sandbox", AskURL: true, Sandbox: true,
	Environments: []wizard.Environment{{Name: "local", URL: "https://127.0.0.1:8443/v1/status"}},
	AuthChoices:  [][]string{{wizard.AuthMTLS, wizard.AuthAPIKey}},
	APIKeyHeader: "x-api-key", Key: wizard.KeySpec{Type: "ecdsa", Curve: "P-256"},
	Subject: "/O=Practice/CN=practice-client", SubjectRule: "The sandbox accepts any subject with a CN.",
	Instructions: "A real provider would get this by email. The sandbox plays the provider: in the certificate step choose \"Have the sandbox issue my certificate now\".",
}

var hmppsProvider = wizard.Provider{
	ID: "hmpps", Name: "HMPPS Integration API",
	Environments: []wizard.Environment{
		{Name: "dev", URL: "https://dev.integration-api.hmpps.service.justice.gov.uk"},
		{Name: "preprod", URL: "https://preprod.integration-api.hmpps.service.justice.gov.uk"},
	},
	AuthChoices: [][]string{{wizard.AuthMTLS, wizard.AuthAPIKey}}, APIKeyHeader: "x-api-key",
}

// wizardDeps wires the wizard to test doubles and a checker.
func wizardDeps(t *testing.T, kr *testkeyring.Keyring, checker wizard.Checker) *Deps {
	ca := testpki.NewCA(t, "Sandbox CA")
	dir, _ := profile.Dir()
	caFile := testpki.WriteFile(t, dir, "sandbox-ca.pem", ca.CertPEM())
	return &Deps{
		Keyring: kr,
		NewFlow: func(p wizard.Prompter) *wizard.Flow {
			return &wizard.Flow{Prompter: p, Providers: []wizard.Provider{hmppsProvider, practiceProvider},
				Keys: testKeys{}, Certs: matchImporter{}, Secrets: kr, Checker: checker, Issuer: caIssuer{ca, caFile}}
		},
	}
}

type reportChecker struct{ rep *diagnose.Report }

func (c reportChecker) Check(ctx context.Context, p *profile.Profile) *diagnose.Report { return c.rep }

func passingReport() *diagnose.Report {
	return &diagnose.Report{OK: true, HTTPStatus: 200, Steps: []diagnose.Step{
		{Name: "local", Status: diagnose.Pass, MS: 1}, {Name: "dns", Status: diagnose.Pass},
		{Name: "tcp", Status: diagnose.Pass, MS: 1}, {Name: "tls", Status: diagnose.Pass, MS: 5},
		{Name: "http", Status: diagnose.Pass, MS: 3}}}
}

func TestWizardSandboxJourney(t *testing.T) {
	for _, size := range screenSizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			dir := configDir(t)
			kr := testkeyring.New()
			s := startSized(t, wizardDeps(t, kr, reportChecker{passingReport()}), Options{Start: StartWizard}, size.w, size.h)
			repl := []string{dir, "$CONFIG"}
			shot := func(name, scr string, replace ...string) {
				t.Helper()
				s.snapshot(name, scr, replace...)
				checkFits(t, scr, size.w, size.h)
			}

			shot("1-provider", s.waitFor("Which API"))
			s.down()
			s.waitFor("> onramp sandbox")
			s.enter()
			scr := s.waitFor("What is the API's URL?")
			shot("2-url", scr)
			// Edit the pre-filled URL: port 9443.
			for range len("8443/v1/status") {
				s.key(tea.KeyBackspace)
			}
			s.text("9443/v1/status")
			s.enter()
			shot("3-name", s.waitFor("Name this connection"))
			s.text("-bad name")
			shot("3-name-invalid", s.waitFor(`invalid profile name "practice-bad name"`))
			for range len("-bad name") {
				s.key(tea.KeyBackspace)
			}
			s.enter()
			shot("4-keys", s.waitFor("Your private key"))
			s.enter()
			shot("5-subject", s.waitFor("Certificate subject"))
			s.enter()
			shot("5-generating", spinnerFrames.ReplaceAllString(s.waitFor("Generating an ECDSA P-256 key…"), "*"))
			shot("6-send", s.waitFor("Send this to onramp sandbox"), repl...)
			s.key('c')
			scr = s.waitFor("Sent the CSR to the terminal's clipboard (if it supports OSC 52)")
			if !strings.Contains(strings.Join(strings.Fields(scr), " "), "Nothing to paste? The same text is in ") || !strings.Contains(scr, ".csr") {
				t.Errorf("no file to fall back on:\n%s", scr)
			}
			s.enter()
			shot("7-api-key", s.waitFor("Paste your API key"))
			s.text("bad key")
			s.waitFor("space or line break")
			for range len("bad key") {
				s.key(tea.KeyBackspace)
			}
			s.text("practice-key-1234")
			scr = s.waitFor(strings.Repeat("*", len("practice-key-1234")))
			if strings.Contains(scr, "practice-key") {
				t.Fatalf("the API key is shown in clear:\n%s", scr)
			}
			shot("7-api-key-typed", scr)
			s.enter()
			shot("8-certificate", s.waitFor("Your client certificate"))
			s.enter()
			shot("9-connected", s.waitFor("You're connected"), repl...)
			s.enter()
			s.tm.WaitFinished(t, teatestTimeout)

			if v, _ := kr.Get("practice", "api-key"); v != "practice-key-1234" {
				t.Errorf("keyring holds %q", v)
			}
			p, err := profile.Load("practice")
			if err != nil {
				t.Fatal(err)
			}
			if p.URL != "https://127.0.0.1:9443/v1/status" || !p.Wizard[wizard.StepCheck] || p.Cert == "" {
				t.Errorf("profile %+v", p)
			}
			app := s.rec.app
			if app.WizardResult == nil || !app.WizardResult.Connected || app.Cancelled {
				t.Errorf("result %+v cancelled %v", app.WizardResult, app.Cancelled)
			}
		})
	}
}

// ctrl+c mid-wizard: the program ends as cancelled, finished steps are saved
// and the next run resumes at the first unfinished one.
func TestWizardCancelAndResume(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	kr := testkeyring.New()
	deps := wizardDeps(t, kr, reportChecker{passingReport()})
	s := start(t, deps, Options{Start: StartWizard})
	s.waitFor("Which API")
	s.enter() // HMPPS
	s.waitFor("Which HMPPS Integration API environment?")
	s.enter()
	s.waitFor("Name this connection")
	s.enter() // hmpps-dev
	s.waitFor("Your private key")
	s.tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	s.tm.WaitFinished(t, teatestTimeout)
	if !s.rec.app.Cancelled {
		t.Error("ctrl+c did not end the wizard as cancelled")
	}
	p, err := profile.Load("hmpps-dev")
	if err != nil || !p.Wizard[wizard.StepTarget] || p.Wizard[wizard.StepKeys] {
		t.Fatalf("profile %+v err %v", p, err)
	}

	s2 := start(t, deps, Options{Start: StartWizard, Profile: "hmpps-dev"})
	s2.snapshot("summary", s2.waitFor("Welcome back to hmpps-dev"))
	s2.enter() // go on
	s2.snapshot("resumed", s2.waitFor("Your private key"))
}

// A failed check shows the steps with the cause, then offers to run them
// again or stop; stopping keeps the step unfinished for the next run.
func TestWizardFailedCheck(t *testing.T) {
	configDir(t)
	done := map[string]bool{wizard.StepTarget: true, wizard.StepAuth: true, wizard.StepKeys: true, wizard.StepSend: true, wizard.StepSecrets: true, wizard.StepCert: true}
	saveProfile(t, &profile.Profile{Name: "hmpps-dev", Provider: "hmpps", Environment: "dev", Auth: []string{"mtls", "api-key"},
		URL: "https://dev.integration-api.hmpps.service.justice.gov.uk", Wizard: done})
	cause := cause.Get("tcp-timeout")
	rep := &diagnose.Report{Cause: cause, Steps: []diagnose.Step{
		{Name: "local", Status: diagnose.Pass, MS: 2}, {Name: "dns", Status: diagnose.Pass, MS: 11},
		{Name: "tcp", Status: diagnose.Fail, MS: 10000, Cause: cause, Detail: "no answer from 18.135.0.1:443 within 10s"},
		{Name: "tls", Status: diagnose.Skip}, {Name: "http", Status: diagnose.Skip}}}
	s := start(t, wizardDeps(t, testkeyring.New(), reportChecker{rep}), Options{Start: StartWizard, Profile: "hmpps-dev"})
	s.snapshot("summary", s.waitFor("Welcome back to hmpps-dev"))
	s.enter() // run the checks again
	s.snapshot("report", s.waitFor("The checks failed"))
	s.enter()
	s.snapshot("again-or-stop", s.waitFor("Run the checks again"))
	s.down()
	s.enter()
	s.tm.WaitFinished(t, teatestTimeout)
	if r := s.rec.app.WizardResult; r == nil || !r.Paused {
		t.Errorf("result %+v", r)
	}
	p, _ := profile.Load("hmpps-dev")
	if p.Wizard[wizard.StepCheck] || p.LastCheck == nil || p.LastCheck.CauseID != "tcp-timeout" {
		t.Errorf("profile %+v %+v", p.Wizard, p.LastCheck)
	}
}

var nhsProvider = wizard.Provider{
	ID: "nhs-apim", Name: "NHS API Management",
	Environments: []wizard.Environment{{Name: "int", URL: "https://int.api.service.nhs.uk"}},
	AuthChoices:  [][]string{{wizard.AuthSignedJWT}, {wizard.AuthAPIKey}},
	AuthWhy:      "Signed JWT is recommended; the API key alone works for APIs that say so.",
	APIKeyHeader: "apikey", Key: wizard.KeySpec{Type: "rsa", Bits: 4096}, DefaultKID: "test-1", TokenPath: "/oauth2/token",
}

// The other screens of the wizard: a choice of auth, the kid, an existing
// key checked as it is typed, and a keyring that does not answer.
func TestWizardOtherSteps(t *testing.T) {
	dir := configDir(t)
	csr := testpki.WriteFile(t, dir, "request.csr", []byte("-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n"))
	key := testpki.WriteFile(t, dir, "jwt.key", testpki.NewCA(t, "x").Client(t, testpki.Options{}).KeyPEM(t))
	kr := &testkeyring.Keyring{FailSet: true}
	deps := &Deps{Keyring: kr, NewFlow: func(p wizard.Prompter) *wizard.Flow {
		return &wizard.Flow{Prompter: p, Providers: []wizard.Provider{nhsProvider}, Keys: testKeys{}, Certs: matchImporter{},
			Secrets: kr, Checker: reportChecker{passingReport()}}
	}}
	s := start(t, deps, Options{Start: StartWizard, Profile: "nhs"})
	s.waitFor("Which API")
	s.enter()
	s.snapshot("auth", s.waitFor("How will you authenticate"))
	s.enter()
	s.waitFor("Your private key")
	s.down()
	s.enter()
	s.waitFor("Where is the private key file?")
	s.text(csr)
	s.snapshot("existing-key-wrong-file", s.waitFor("the request, not the issued certificate"), dir, "$CONFIG")
	for range len(csr) {
		s.key(tea.KeyBackspace)
	}
	s.text(key)
	s.waitGoneLive()
	s.enter()
	s.snapshot("kid", s.waitFor("Key id (kid)"))
	s.enter()
	// No JWKS next to the user's own key: the send step says what the
	// provider needs rather than vanishing from the count.
	s.snapshot("nothing-to-send", s.waitFor("Nothing to send from here"), dir, "$CONFIG")
	s.enter()
	s.snapshot("api-key-for-jwt", s.waitFor("Paste your API key"))
	s.text("nhs-key-1234")
	s.enter()
	s.snapshot("keyring-unavailable", s.waitFor("No OS keyring answers"))
	s.enter()
	s.waitFor("You're connected")
}

// A certificate that is not for the key: the import stops with the cause
// and its fix, and offers the choice again.
func TestWizardImportMismatch(t *testing.T) {
	dir := configDir(t)
	ca := testpki.NewCA(t, "HMPPS Client CA")
	_, key := ca.Client(t, testpki.Options{}).Files(t, dir, "mine")
	other, _ := ca.Client(t, testpki.Options{CommonName: "someone-else"}).Files(t, dir, "other")
	done := map[string]bool{wizard.StepTarget: true, wizard.StepAuth: true, wizard.StepKeys: true, wizard.StepSend: true, wizard.StepSecrets: true}
	saveProfile(t, &profile.Profile{Name: "hmpps-dev", Provider: "hmpps", Environment: "dev", Auth: []string{"mtls", "api-key"},
		URL: "https://dev.integration-api.hmpps.service.justice.gov.uk", Key: key, Wizard: done})
	s := start(t, wizardDeps(t, testkeyring.New(), reportChecker{passingReport()}), Options{Start: StartWizard, Profile: "hmpps-dev"})
	s.waitFor("Welcome back to hmpps-dev")
	s.enter() // go on
	s.waitFor("Your client certificate")
	s.enter() // the file has arrived
	s.waitFor("Where is the certificate file?")
	s.text(other)
	s.waitGoneLive()
	s.enter()
	scr := s.waitFor("Fix:")
	s.snapshot("mismatch", scr, dir, "$CONFIG")
	if !strings.Contains(scr, cause.Get("key-cert-mismatch").Title) {
		t.Errorf("cause not named:\n%s", scr)
	}
	s.enter()
	s.waitFor("Your client certificate")
	p, _ := profile.Load("hmpps-dev")
	if p.Cert != "" || p.Wizard[wizard.StepCert] {
		t.Errorf("a mismatched certificate was kept: %+v", p)
	}
}

// The provider screens as the built-in templates make them, checked
// against the seeds: NHS API Management offers its no-auth sandbox (last,
// not the default); Securosys offers JWT bearer and role keys, asks for
// the role key its check needs and lists the roles; HMPPS's send step
// says what goes with the CSR and that the channel is to be confirmed.
func TestWizardProviderScreens(t *testing.T) {
	configDir(t)
	var ps []wizard.Provider
	for _, id := range []string{"hmpps", "nhs-apim", "securosys"} {
		tm, err := provider.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, wizard.ProviderFrom(tm))
	}
	kr := testkeyring.New()
	deps := &Deps{Keyring: kr, NewFlow: func(p wizard.Prompter) *wizard.Flow {
		return &wizard.Flow{Prompter: p, Providers: ps, Keys: testKeys{}, Certs: matchImporter{}, Secrets: kr, Checker: reportChecker{passingReport()}}
	}}

	s := start(t, deps, Options{Start: StartWizard})
	s.waitFor("Which API")
	s.down()
	s.enter()
	s.snapshot("nhs-environments", s.waitFor("Which NHS API Management environment?"))
	for range 3 {
		s.down()
	}
	s.enter() // the sandbox: nothing to set up but the checks
	s.waitFor("Name this connection")
	s.enter()
	s.waitFor("You're connected")
	if p, _ := profile.Load("nhs-apim-sandbox"); p == nil || len(p.Auth) != 0 || p.StatusPath != "/hello-world/hello/world" {
		t.Errorf("NHS sandbox profile %+v", p)
	}

	s = start(t, deps, Options{Start: StartWizard, Profile: "tsb"})
	s.waitFor("Which API")
	s.down()
	s.down()
	s.enter()
	s.waitFor("What is the API's URL?")
	s.text("https://tsb.example.test")
	s.enter()
	s.snapshot("securosys-auth", s.waitFor("How will you authenticate"))
	s.enter()
	s.snapshot("securosys-role-key", s.waitFor("Paste your serviceToken API key"))
	s.text("svc-key-5b1d0c77")
	s.enter()
	s.waitFor("You're connected")
	if p, _ := profile.Load("tsb"); p == nil || p.APIKeySecret != "serviceToken" || p.RoleKeys["serviceToken"] != "serviceToken" {
		t.Errorf("profile %+v", p)
	}

	s = start(t, deps, Options{Start: StartWizard, Profile: "hmpps-dev"})
	s.waitFor("Which API")
	s.enter()
	s.waitFor("Which HMPPS Integration API environment?")
	s.enter()
	// No health check is documented: the guide's example read (its person
	// id an example), POST /token, or a path of the user's.
	s.snapshot("hmpps-check", s.waitFor("another path your client is authorised for"))
	s.enter()
	s.hmppsKey()
	dir, _ := profile.Dir()
	s.snapshot("hmpps-send", s.waitFor("Send this to HMPPS"), dir, "$CONFIG")
}

// The resume summary at 60×20: change a finished step; it runs again.
func TestWizardResumeChange(t *testing.T) {
	configDir(t)
	done := map[string]bool{wizard.StepTarget: true, wizard.StepAuth: true}
	saveProfile(t, &profile.Profile{Name: "hmpps-dev", Provider: "hmpps", Environment: "dev", Auth: []string{"mtls", "api-key"},
		URL: "https://dev.integration-api.hmpps.service.justice.gov.uk", Wizard: done})
	s := startSized(t, wizardDeps(t, testkeyring.New(), reportChecker{passingReport()}), Options{Start: StartWizard, Profile: "hmpps-dev"}, 60, 20)
	s.snapshot("summary", s.waitFor("Welcome back to hmpps-dev"))
	s.down() // change Provider
	s.enter()
	s.waitFor("Which API")
}

// shift+tab goes back to the question before: within a step, and from a
// step's first question to the last question of the step before.
func TestWizardBack(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	s := start(t, wizardDeps(t, testkeyring.New(), reportChecker{passingReport()}), Options{Start: StartWizard})
	s.waitFor("Which API")
	s.enter() // HMPPS
	s.waitFor("Which HMPPS Integration API environment?")
	s.tm.Send(tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift})
	s.waitFor("Which API")
	s.enter()
	s.waitFor("Which HMPPS Integration API environment?")
	s.enter()
	s.waitFor("Name this connection")
	s.enter()
	s.waitFor("Your private key")
	s.tm.Send(tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift})
	// Keys' first question: back to the provider step's last question
	// (the name, once given, stays), the environment chosen before offered.
	scr := s.waitFor("Which HMPPS Integration API environment?")
	if !strings.Contains(scr, "> dev") {
		t.Errorf("the environment chosen before is not offered:\n%s", scr)
	}
	if p, err := profile.Load("hmpps-dev"); err != nil || p.Wizard[wizard.StepTarget] {
		t.Errorf("the provider step is still marked done: %+v %v", p, err)
	}
	s.down()
	s.enter() // preprod
	s.waitFor("Your private key")
	if p, err := profile.Load("hmpps-dev"); err != nil || p.Environment != "preprod" || !p.Wizard[wizard.StepTarget] {
		t.Errorf("the new environment is not saved: %+v %v", p, err)
	}
}

// The wizard at 60×20: every key of the help shows (wrapped, never cut
// with "…"), and shift+tab from the certificate goes back to an API key
// that was left empty.
func TestWizardAt60Columns(t *testing.T) {
	dir := configDir(t)
	kr := testkeyring.New()
	s := startSized(t, wizardDeps(t, kr, reportChecker{passingReport()}), Options{Start: StartWizard}, 60, 20)
	repl := []string{dir, "$CONFIG"}
	s.snapshot("provider", s.waitFor("Which API"))
	s.down()
	s.enter()
	s.waitFor("What is the API's URL?")
	s.enter()
	s.waitFor("Name this connection")
	s.enter()
	s.snapshot("keys", s.waitFor("Your private key"))
	s.enter()
	s.waitFor("Certificate subject")
	s.enter()
	s.snapshot("send", s.waitFor("Send this to onramp sandbox"), repl...)
	s.enter()
	s.snapshot("api-key", s.waitFor("Paste your API key"))
	s.enter() // not issued yet
	s.snapshot("certificate", s.waitFor("Your client certificate"))
	s.tm.Send(tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift})
	s.waitFor("Paste your API key")
	s.text("practice-key-1234")
	s.enter()
	s.waitFor("Your client certificate")
	s.enter() // the sandbox issues it
	s.snapshot("connected", s.waitFor("You're connected"), repl...)
	if v, _ := kr.Get("practice", "api-key"); v != "practice-key-1234" {
		t.Errorf("the key typed after going back was not stored: %q", v)
	}
	for _, scr := range []string{s.rec.screen()} {
		if strings.Contains(scr, "…") {
			t.Errorf("a line is cut:\n%s", scr)
		}
	}
}

// hmppsKey answers HMPPS's keys step: generate, the subject's fields for
// client acme-client, and the subject as filled in.
func (s *session) hmppsKey() {
	s.t.Helper()
	s.waitFor("Your private key")
	s.enter()
	for _, f := range []struct{ title, value string }{
		{"County or state (ST)", "London"}, {"Town or city (L)", "London"},
		{"Your organisation's name", "Acme"}, {"Your client id", "acme-client"},
	} {
		s.waitFor(f.title)
		s.text(f.value)
		s.enter()
	}
	s.waitFor("Certificate subject for the CSR")
	s.enter()
}
