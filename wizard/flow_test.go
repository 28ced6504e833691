package wizard

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
	"github.com/onramp-cli/onramp/secretstore"
)

// fakeKeys writes a real P-256 key and CSR, fast enough for unit tests.
type fakeKeys struct{ made []KeyRequest }

func (k *fakeKeys) CheckSubject(s string) error {
	if !strings.Contains(s, "CN=") {
		return errors.New("the subject needs a CN")
	}
	return nil
}

func (k *fakeKeys) MakeKey(ctx context.Context, req KeyRequest) (KeyFiles, error) {
	k.made = append(k.made, req)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	files := KeyFiles{Key: filepath.Join(req.Dir, req.Name+".key")}
	if err := keystore.WriteFileAtomic(files.Key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600, false); err != nil {
		return files, err
	}
	if req.CSR {
		csr, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "client"}}, key)
		files.CSR = filepath.Join(req.Dir, req.Name+".csr")
		if err := keystore.WriteFileAtomic(files.CSR, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr}), 0o644, false); err != nil {
			return files, err
		}
	}
	return files, nil
}

type fakeImporter struct{ err error }

func (f fakeImporter) Import(ctx context.Context, req ImportRequest) (string, []diagnose.Finding, error) {
	if f.err != nil {
		return "", nil, f.err
	}
	return req.CertFile, nil, nil
}

type memStore struct {
	values map[string]string
	err    error
}

func (m *memStore) Get(profile, name string) (string, error) {
	return m.values[profile+"/"+name], m.err
}
func (m *memStore) Delete(profile, name string) error { return m.err }

func (m *memStore) Set(profile, name, value string) error {
	if m.err != nil {
		return m.err
	}
	if m.values == nil {
		m.values = map[string]string{}
	}
	m.values[profile+"/"+name] = value
	return nil
}

type fakeChecker struct{ ok bool }

func (c fakeChecker) Check(ctx context.Context, p *profile.Profile) *diagnose.Report {
	r := &diagnose.Report{OK: c.ok, Target: p.URL}
	if !c.ok {
		r.Cause = cause.Get("client-cert-rejected")
	}
	return r
}

type fakeIssuer struct{}

func (fakeIssuer) Issue(ctx context.Context, csr []byte) (Issued, error) {
	return Issued{CertPEM: []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), CACertFile: "/tmp/sandbox-ca.pem"}, nil
}

var sandboxProvider = Provider{
	ID: "sandbox", Name: "onramp sandbox", AskURL: true, Sandbox: true,
	Environments: []Environment{{Name: "local", URL: "https://127.0.0.1:8443/v1/status"}},
	AuthChoices:  [][]string{{AuthMTLS, AuthAPIKey}},
	APIKeyHeader: "x-api-key", Key: KeySpec{Type: "rsa", Bits: 2048},
	Subject: "/O=Practice/CN=practice-client", Instructions: "The sandbox issues the certificate in the next step.",
}

var nhsProvider = Provider{
	ID: "nhs", Name: "NHS API Management",
	Environments: []Environment{{Name: "internal-dev", URL: "https://internal-dev.api.service.nhs.uk"}, {Name: "int", URL: "https://int.api.service.nhs.uk"}},
	AuthChoices:  [][]string{{AuthAPIKey}, {AuthSignedJWT}},
	APIKeyHeader: "apikey", Key: KeySpec{Type: "rsa", Bits: 4096}, DefaultKID: "test-1", TokenPath: "/oauth2/token",
}

func newFlow(p Prompter, store *memStore, check bool) (*Flow, *fakeKeys) {
	keys := &fakeKeys{}
	return &Flow{Prompter: p, Providers: []Provider{nhsProvider, sandboxProvider}, Keys: keys, Certs: fakeImporter{},
		Secrets: store, Checker: fakeChecker{ok: check}, Issuer: fakeIssuer{}}, keys
}

const canary = "canary-api-key-7d1f"

func sandboxAnswers() []Answer {
	return []Answer{
		{"Which API", "sandbox"},
		{"URL", "https://127.0.0.1:9443/v1/status"},
		{"Name this connection", "practice"},
		{"Your private key", "generate"},
		{"subject", ""},
		{"Paste your API key", canary},
		{"Your client certificate", "sandbox"},
	}
}

func TestSandboxFlowConnects(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	s := &Script{Answers: sandboxAnswers()}
	store := &memStore{}
	f, keys := newFlow(s, store, true)
	res, err := f.Run(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Connected || res.Paused {
		t.Fatalf("result %+v", res)
	}
	if len(s.Answers) != 0 {
		t.Errorf("unused answers %v", s.Answers)
	}
	if keys.made[0].Subject != "/O=Practice/CN=practice-client" || !keys.made[0].CSR || keys.made[0].JWKS {
		t.Errorf("key request %+v", keys.made[0])
	}
	if store.values["practice/api-key"] != canary {
		t.Errorf("key not stored: %v", store.values)
	}
	p, err := profile.Load("practice")
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{StepTarget, StepAuth, StepKeys, StepSend, StepSecrets, StepCert, StepCheck} {
		if !p.Wizard[st] {
			t.Errorf("step %s not recorded as done: %v", st, p.Wizard)
		}
	}
	if p.URL != "https://127.0.0.1:9443/v1/status" || p.CACert != "/tmp/sandbox-ca.pem" || !strings.HasSuffix(p.Cert, "sandbox-issued.crt") {
		t.Errorf("profile %+v", p)
	}
	path, _ := profile.Path("practice")
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), canary) {
		t.Fatal("the API key was written to the profile file")
	}
	// The send step showed the CSR to copy, and the finish names the commands.
	var sawCSR, sawCurl bool
	for _, n := range s.Notes {
		sawCSR = sawCSR || strings.Contains(n.Copy, "BEGIN CERTIFICATE REQUEST")
		sawCurl = sawCurl || strings.Contains(n.Body, "onramp diagnose --profile practice") && strings.Contains(n.Body, "--cert ")
	}
	if !sawCSR || !sawCurl {
		t.Errorf("notes missing CSR copy (%v) or next steps (%v)", sawCSR, sawCurl)
	}
	if got := s.Shown[0].Step; got != "Step 1 · Provider" {
		t.Errorf("first frame step %q", got)
	}
}

func TestPauseForCertificateThenResume(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	answers := sandboxAnswers()
	answers[len(answers)-1].Value = "later"
	s := &Script{Answers: answers}
	f, _ := newFlow(s, &memStore{}, true)
	res, err := f.Run(context.Background(), "")
	if err != nil || !res.Paused {
		t.Fatalf("res %+v err %v", res, err)
	}
	last := s.Notes[len(s.Notes)-1]
	if !strings.Contains(last.Body, "onramp init --profile practice") {
		t.Errorf("pause note %q", last.Body)
	}

	// Coming back days later resumes at the certificate.
	s2 := &Script{Answers: []Answer{{"Welcome back to practice", resumeGoOn}, {"Your client certificate", "sandbox"}}}
	f2, _ := newFlow(s2, &memStore{}, true)
	res, err = f2.Run(context.Background(), "practice")
	if err != nil || !res.Connected {
		t.Fatalf("resume: res %+v err %v", res, err)
	}
	if s2.Shown[1].Title != "Your client certificate" {
		t.Errorf("resumed at %q", s2.Shown[1].Title)
	}
	s2.Shown = s2.Shown[1:]
	// The counter goes on where the user left off: same total, next number.
	if got, want := stepLines(s2.Shown), []string{"Step 5 of 6 · Certificate", "Step 6 of 6 · Checks"}; !reflect.DeepEqual(got, want) {
		t.Errorf("resumed steps %q, want %q", got, want)
	}
}

func TestCancelKeepsFinishedSteps(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	s := &Script{Answers: sandboxAnswers()[:4]} // ctrl+c at the subject prompt
	f, _ := newFlow(s, &memStore{}, true)
	_, err := f.Run(context.Background(), "")
	if !errors.Is(err, ErrCancelled) {
		t.Fatalf("err %v", err)
	}
	p, err := profile.Load("practice")
	if err != nil {
		t.Fatal(err)
	}
	if !p.Wizard[StepTarget] || !p.Wizard[StepAuth] || p.Wizard[StepKeys] {
		t.Errorf("wizard state %v", p.Wizard)
	}
	dir, _ := profile.Dir()
	if _, err := os.Stat(filepath.Join(dir, "keys", "practice", "client.key")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a key file exists after cancelling before generation: %v", err)
	}
}

func TestKeyringUnavailableContinues(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	s := &Script{Answers: sandboxAnswers()}
	store := &memStore{err: &secretstore.Error{ID: "keyring-unavailable", Op: "set", Item: "practice/api-key", Err: secretstore.ErrUnavailable}}
	f, _ := newFlow(s, store, true)
	if _, err := f.Run(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	var said bool
	for _, n := range s.Notes {
		if n.Title == cause.Get("keyring-unavailable").Title && strings.Contains(n.Body, "onramp secret set api-key --profile practice") {
			said = true
		}
	}
	if !said {
		t.Error("no note explaining the keyring failure and how to store the key later")
	}
	p, _ := profile.Load("practice")
	if p.Wizard[StepSecrets] || p.Wizard["skip:"+StepSecrets] {
		t.Errorf("secrets step state %v: want unfinished and no skip mark saved", p.Wizard)
	}
}

func TestSignedJWTAsksForKID(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	s := &Script{Answers: []Answer{
		{"Which API", "nhs"},
		{"environment", "int"},
		{"Name this connection", ""},
		{"authenticate", "signed-jwt"},
		{"Your private key", "generate"},
		{"Key id", ""},
		{"Paste your API key", canary},
	}}
	f, keys := newFlow(s, &memStore{}, false)
	s.Answers = append(s.Answers, Answer{"The checks failed", "later"})
	res, err := f.Run(context.Background(), "")
	if err != nil || !res.Paused {
		t.Fatalf("res %+v err %v", res, err)
	}
	if keys.made[0].KID != "test-1" || keys.made[0].CSR || !keys.made[0].JWKS || keys.made[0].Spec.Bits != 4096 {
		t.Errorf("key request %+v", keys.made[0])
	}
	p := res.Profile
	if p.Name != "nhs-int" || p.TokenURL != "https://int.api.service.nhs.uk/oauth2/token" || p.APIKeyHeader != "apikey" {
		t.Errorf("profile %+v", p)
	}
	if p.LastCheck == nil || p.LastCheck.OK || p.LastCheck.CauseID != "client-cert-rejected" || p.Wizard[StepCheck] {
		t.Errorf("last check %+v wizard %v", p.LastCheck, p.Wizard)
	}
}

func TestInputChecks(t *testing.T) {
	dir := t.TempDir()
	csr := filepath.Join(dir, "x.csr")
	os.WriteFile(csr, []byte("-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n"), 0o644)
	if err := CheckCertFile(csr); err == nil || !strings.Contains(err.Error(), "a CSR") {
		t.Errorf("CSR as certificate: %v", err)
	}
	if err := CheckKeyFile(filepath.Join(dir, "missing.key")); err == nil {
		t.Error("a missing file passed")
	}
	for in, bad := range map[string]bool{"abc123": false, "abc 123": true, "abc123\n": true, "": true} {
		if got := CheckAPIKey(in) != nil; got != bad {
			t.Errorf("CheckAPIKey(%q) refused=%v", in, got)
		}
	}
	if !LooksBase64Text("bXktc2VjcmV0LWFwaS1rZXktMTIz") { // my-secret-api-key-123
		t.Error("an encoded text key was not spotted")
	}
	if LooksBase64Text("Zk3q9PLx7RvT2mYw8NcB4hJd") {
		t.Error("a random key was taken for Base64 text")
	}
	if CheckURL("http://x") == nil || CheckURL("https://") == nil || CheckURL("https://api.example.com") != nil {
		t.Error("CheckURL")
	}
}

func TestImportedFileAndCABundle(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	ca := testpki.NewCA(t, "Provider CA")
	dir := t.TempDir()
	certFile := testpki.WriteFile(t, dir, "issued.pem", ca.Client(t, testpki.Options{}).CertPEM(false))
	bundle := testpki.WriteFile(t, dir, "bundle.pem", ca.CertPEM())
	dcs := Provider{ID: "dcs", Name: "GOV.UK DCS", Environments: []Environment{{Name: "integration", URL: "https://dcs.example"}},
		AuthChoices: [][]string{{AuthMTLS}}, Key: KeySpec{Type: "rsa", Bits: 2048}, Subject: "/O=Org/CN=Org TLS"}
	s := &Script{Answers: []Answer{
		{"Which API", "dcs"},
		{"Name this connection", ""},
		{"Your private key", "generate"},
		{"subject", ""},
		{"Your client certificate", "file"},
		{"Where is the certificate file?", certFile},
		{"CA bundle", bundle},
	}}
	f := &Flow{Prompter: s, Providers: []Provider{dcs}, Keys: &fakeKeys{}, Certs: fakeImporter{}, Secrets: &memStore{}, Checker: fakeChecker{ok: true}}
	res, err := f.Run(context.Background(), "")
	if err != nil || !res.Connected {
		t.Fatalf("res %+v err %v", res, err)
	}
	if res.Profile.Cert != certFile || res.Profile.CACert != bundle {
		t.Errorf("profile cert %q cacert %q", res.Profile.Cert, res.Profile.CACert)
	}
	// No API key in this provider's auth: the step is not asked.
	for _, fr := range s.Shown {
		if strings.Contains(fr.Title, "API key") {
			t.Errorf("asked %q", fr.Title)
		}
	}
}

func TestSubjectFieldsAskedOneByOne(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	hmpps := Provider{ID: "hmpps", Name: "HMPPS", Environments: []Environment{{Name: "dev", URL: "https://dev.example"}},
		AuthChoices: [][]string{{AuthMTLS}}, Key: KeySpec{Type: "rsa", Bits: 2048},
		Subject: "/C=GB/ST={state}/L={locality}/O={organisation}/CN={client_id}"}
	s := &Script{Answers: []Answer{
		{"Which API", "hmpps"},
		{"Name this connection", ""},
		{"Your private key", "generate"},
		{"County or state", "Greater London"},
		{"Town or city", "London"},
		{"Your organisation's name", "Bob's Widgets"},
		{"Your client id", "bobs-widgets"},
		{"Certificate subject", ""},
		{"Your client certificate", "later"},
	}}
	keys := &fakeKeys{}
	f := &Flow{Prompter: s, Providers: []Provider{hmpps}, Keys: keys, Certs: fakeImporter{}, Secrets: &memStore{}, Checker: fakeChecker{ok: true}}
	if _, err := f.Run(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if got := keys.made[0].Subject; got != "/C=GB/ST=Greater London/L=London/O=Bob's Widgets/CN=bobs-widgets" {
		t.Errorf("subject %q", got)
	}
}

// TestURLPromptSaysWhatTheChecksCall: with no documented status endpoint
// (the generic template) the wizard asks for the endpoint and says what a
// 404 there means; with one (Securosys) it says which path it calls.
func TestURLPromptSaysWhatTheChecksCall(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	for _, c := range []struct{ id, want string }{
		{"generic", "A 404 there means the path is wrong"},
		{"securosys", "The checks call /v1/versionInfo on it."},
	} {
		tm, err := provider.Get(c.id)
		if err != nil {
			t.Fatal(err)
		}
		s := &Script{Answers: []Answer{{"Which API", c.id}}}
		f := &Flow{Prompter: s, Providers: []Provider{ProviderFrom(tm), sandboxProvider}, Keys: &fakeKeys{}, Certs: fakeImporter{},
			Secrets: &memStore{}, Checker: fakeChecker{ok: true}, Issuer: fakeIssuer{}}
		_, _ = f.Run(context.Background(), "")
		var why string
		for _, fr := range s.Shown {
			if strings.Contains(fr.Title, "URL") {
				why = fr.Why
			}
		}
		if !strings.Contains(why, c.want) {
			t.Errorf("%s: URL prompt says %q, want %q", c.id, why, c.want)
		}
	}
}

// On resume, a finished step can be changed: it runs again, then the
// checks; the other finished steps stay done.
func TestResumeChangeAFinishedStep(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	s := &Script{Answers: sandboxAnswers()}
	f, _ := newFlow(s, &memStore{}, true)
	if res, err := f.Run(context.Background(), ""); err != nil || !res.Connected {
		t.Fatalf("first run: %+v %v", res, err)
	}
	var summary *SelectPrompt
	rec := &recordingScript{Script: Script{Answers: []Answer{{"Welcome back to practice", StepSecrets}, {"Paste your API key", "practice-key-5678"}}}, selects: &summary}
	f2, _ := newFlow(rec, &memStore{}, true)
	res, err := f2.Run(context.Background(), "practice")
	if err != nil || !res.Connected {
		t.Fatalf("change: %+v %v", res, err)
	}
	var labels []string
	for _, o := range summary.Options {
		labels = append(labels, o.Label)
	}
	if labels[0] != "Run the checks again" || !slices.ContainsFunc(labels, func(l string) bool { return strings.HasPrefix(l, "change API key (api-key)") }) {
		t.Errorf("summary options %q", labels)
	}
	if got := stepLines(rec.Shown[1:]); len(got) == 0 || !strings.Contains(got[0], "API key") || !strings.Contains(got[len(got)-1], "Checks") {
		t.Errorf("after the change ran %q (left %v)", got, rec.Answers)
	}
}

// recordingScript keeps the first Select prompt it is shown.
type recordingScript struct {
	Script
	selects **SelectPrompt
}

func (r *recordingScript) Select(ctx context.Context, p SelectPrompt) (string, error) {
	if *r.selects == nil {
		*r.selects = &p
	}
	return r.Script.Select(ctx, p)
}
