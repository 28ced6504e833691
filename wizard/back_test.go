package wizard

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
)

// defaults records the default each question offered, by title.
type defaults struct {
	Script
	seen map[string][]string
}

func (d *defaults) Select(ctx context.Context, p SelectPrompt) (string, error) {
	d.seen[p.Title] = append(d.seen[p.Title], p.Default)
	return d.Script.Select(ctx, p)
}

func (d *defaults) Input(ctx context.Context, p InputPrompt) (string, error) {
	d.seen[p.Title] = append(d.seen[p.Title], p.Default)
	return d.Script.Input(ctx, p)
}

func runScript(t *testing.T, answers []Answer) (*defaults, *Result, *fakeKeys, *memStore) {
	t.Helper()
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	s := &defaults{Script: Script{Answers: answers}, seen: map[string][]string{}}
	store := &memStore{}
	f, keys := newFlow(s, store, true)
	res, err := f.Run(context.Background(), "")
	if err != nil || res == nil || !res.Connected {
		t.Fatalf("res %+v err %v (script left %v)", res, err, s.Answers)
	}
	if len(s.Answers) != 0 {
		t.Errorf("unanswered: %v", s.Answers)
	}
	return s, res, keys, store
}

// Back asks the question before again, offering the answer given: within
// a step, and from a step's first question the last question of the step
// before (the name, once given, is not asked again).
func TestBackAsksTheQuestionBefore(t *testing.T) {
	a := sandboxAnswers()
	s, res, _, _ := runScript(t, []Answer{
		a[0], {"URL", "https://127.0.0.1:9444/v1/status"}, a[2], // provider, URL, name
		{"Your private key", Back}, // Keys' first question: back to the URL
		{"URL", "https://127.0.0.1:9445/v1/status"},
		{"Your private key", "generate"},
		{"subject", Back}, // back within Keys
		{"Your private key", "generate"},
		a[4], a[5], a[6],
	})
	if res.Profile.URL != "https://127.0.0.1:9445/v1/status" {
		t.Errorf("URL %q: the provider step did not take the new answer", res.Profile.URL)
	}
	if got := s.seen["What is the API's URL?"]; len(got) != 2 || got[1] != "https://127.0.0.1:9444/v1/status" {
		t.Errorf("the URL offered when asked again: %q", got)
	}
	if got := s.seen["Your private key"]; len(got) != 3 || got[2] != "generate" {
		t.Errorf("the key choice offered: %q", got)
	}
	// The provider was given again without asking.
	if n := countTitles(s.Shown, "Which API"); n != 1 {
		t.Errorf("Which API asked %d times", n)
	}
}

// Going back from the certificate step asks the API key again even when
// it was left empty (the step was put off, not finished).
func TestBackFromCertificateAsksTheEmptyKey(t *testing.T) {
	a := sandboxAnswers()
	_, res, _, store := runScript(t, []Answer{
		a[0], a[1], a[2], a[3], a[4],
		{"Paste your API key", ""}, // not issued yet
		{"Your client certificate", Back},
		{"Paste your API key", canary},
		a[6],
	})
	if store.values["practice/api-key"] != canary || res.Profile.APIKeySecret != "api-key" {
		t.Errorf("the key given after going back was not stored: %v %+v", store.values, res.Profile)
	}
}

// Back over a step that only showed a note (the CSR to send) lands on the
// question before it; going on again makes a new key and shows its CSR.
// Back inside the subject's fields asks the field before.
func TestBackOverTheSendNote(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	hmpps := Provider{ID: "hmpps", Name: "HMPPS", Environments: []Environment{{Name: "dev", URL: "https://dev.example"}},
		AuthChoices: [][]string{{AuthMTLS, AuthAPIKey}}, APIKeyHeader: "x-api-key", Key: KeySpec{Type: "rsa", Bits: 2048},
		Subject: "/C=GB/ST={state}/L={locality}/O={organisation}/CN={client_id}"}
	s := &defaults{Script: Script{Answers: []Answer{
		{"Which API", "hmpps"}, {"Name this connection", ""}, {"Your private key", "generate"},
		{"County or state", "Kent"}, {"Town or city", "Dover"},
		{"Your organisation's name", Back}, // back to the town
		{"Town or city", ""},               // keeps Dover
		{"Your organisation's name", "Acme"}, {"Your client id", "acme"}, {"Certificate subject", ""},
		{"Paste your API key", Back}, // over the send note to the subject
		{"Certificate subject", "/C=GB/O=Acme/CN=acme-2"},
		{"Paste your API key", canary},
		{"Your client certificate", "later"},
	}}, seen: map[string][]string{}}
	keys := &fakeKeys{}
	f := &Flow{Prompter: s, Providers: []Provider{hmpps}, Keys: keys, Certs: fakeImporter{}, Secrets: &memStore{}, Checker: fakeChecker{ok: true}}
	res, err := f.Run(context.Background(), "")
	if err != nil || !res.Paused || len(s.Answers) != 0 {
		t.Fatalf("res %+v err %v (left %v)", res, err, s.Answers)
	}
	if len(keys.made) != 2 || keys.made[0].Subject != "/C=GB/ST=Kent/L=Dover/O=Acme/CN=acme" || keys.made[1].Subject != "/C=GB/O=Acme/CN=acme-2" {
		t.Errorf("keys made: %+v", keys.made)
	}
	if got := s.seen["Town or city (L)"]; len(got) != 2 || got[1] != "Dover" {
		t.Errorf("the town offered again: %q", got)
	}
	if got := s.seen["Certificate subject for the CSR"]; len(got) != 2 || got[1] != "/C=GB/ST=Kent/L=Dover/O=Acme/CN=acme" {
		t.Errorf("the subject offered again: %q", got)
	}
	if n := countTitles(s.Shown, "Send this to HMPPS"); n != 2 {
		t.Errorf("the CSR to send was shown %d times, want 2 (once per key)", n)
	}
	if !strings.HasSuffix(res.Profile.Key, ".key") || strings.HasSuffix(res.Profile.Key, "/client.key") {
		t.Errorf("the profile keeps the first key: %q", res.Profile.Key)
	}
}

func countTitles(frames []Frame, title string) int {
	n := 0
	for _, f := range frames {
		if strings.Contains(f.Title, title) {
			n++
		}
	}
	return n
}

// Going back to the DCS's keys makes all three key pairs again, each
// under a new name: none is overwritten, and the wizard does not stop on
// a key file that exists.
func TestBackRemakesTheDCSKeyPairs(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	keys := &fakeKeys{}
	s := &Script{Answers: []Answer{{"Which API", "govuk-dcs"}, {"Name this connection", "dcs"},
		{"Your private key", "generate"}, {"Your organisation's name", "Bob's Widgets"}, {"What this key is for", ""},
		{"The environment", ""}, {"The date in the CN", "2026-12-01"}, {"Certificate subject", ""},
		{"Your client certificate", Back}, // over the send note to the subject
		{"Certificate subject", ""},
		{"Your client certificate", "later"}}}
	f := realFlow(t, s, &memStore{})
	f.Keys = keys
	f.Now = func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) }
	res, err := f.Run(context.Background(), "")
	if err != nil || !res.Paused {
		t.Fatalf("res %+v err %v (left %v)", res, err, s.Answers)
	}
	var names []string
	for _, k := range keys.made {
		names = append(names, k.Name)
	}
	want := "client signing encryption client-20261201-100000 signing-20261201-100000 encryption-20261201-100000"
	if strings.Join(names, " ") != want {
		t.Errorf("keys made: %v, want %s", names, want)
	}
	if !strings.HasSuffix(res.Profile.SigningKey, "signing-20261201-100000.key") || !strings.HasSuffix(res.Profile.EncryptionKey, "encryption-20261201-100000.key") {
		t.Errorf("the profile's message keys: %s %s", res.Profile.SigningKey, res.Profile.EncryptionKey)
	}
	if !strings.HasSuffix(res.Profile.Key, "client-20261201-100000.key") {
		t.Errorf("the profile's key: %s", res.Profile.Key)
	}
	var sent []string
	for _, n := range s.Notes {
		if strings.Contains(n.Title, "Send this to") {
			sent = append(sent, n.Body)
		}
	}
	if len(sent) != 2 || !strings.Contains(sent[1], "signing-20261201-100000.csr (signing)") || !strings.Contains(sent[1], "encryption-20261201-100000.csr (encryption)") {
		t.Errorf("the second send note does not list the new CSRs:\n%s", strings.Join(sent, "\n---\n"))
	}
}

// caSigner issues real certificates for CSRs, as the sandbox does.
type caSigner struct{ ca *testpki.CA }

func (c caSigner) Issue(ctx context.Context, csrPEM []byte) (Issued, error) {
	b, _ := pem.Decode(csrPEM)
	csr, err := x509.ParseCertificateRequest(b.Bytes)
	if err != nil {
		return Issued{}, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: csr.Subject,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.ca.Cert, csr.PublicKey, c.ca.Key)
	return Issued{CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), CACertFile: "/tmp/sandbox-ca.pem"}, err
}

// keystoreImporter imports as onramp does: beside the key, never writing
// over a different certificate.
type keystoreImporter struct{}

func (keystoreImporter) Import(ctx context.Context, req ImportRequest) (string, []diagnose.Finding, error) {
	res, err := keystore.ImportCertificate(keystore.ImportRequest{CertFile: req.CertFile, KeyFile: req.KeyFile, Dir: req.Dir,
		Name: keystore.ImportName(req.KeyFile), Now: time.Now()})
	if err != nil {
		return "", nil, err
	}
	return res.CertPath, nil, nil
}

// A certificate again (back from the checks, or "change" on resume) for
// a profile that has one: the new one is imported, the old one kept under
// a dated name (the import never writes over a certificate).
func TestCertificateAgainKeepsTheOldOne(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ONRAMP_CONFIG_DIR", dir)
	s := &Script{Answers: sandboxAnswers()}
	f, _ := newFlow(s, &memStore{}, true)
	f.Issuer, f.Certs = caSigner{testpki.NewCA(t, "Sandbox CA")}, keystoreImporter{}
	f.Now = func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) }
	if res, err := f.Run(context.Background(), ""); err != nil || !res.Connected {
		t.Fatalf("first run: %+v %v", res, err)
	}
	first, _ := os.ReadFile(filepath.Join(dir, "keys", "practice", "client.crt"))
	s.Answers = []Answer{{"Welcome back", StepCert}, {"Your client certificate", "sandbox"}}
	res, err := f.Run(context.Background(), "practice")
	if err != nil || !res.Connected {
		t.Fatalf("change the certificate: %+v %v (notes %+v)", res, err, s.Notes)
	}
	now, _ := os.ReadFile(filepath.Join(dir, "keys", "practice", "client.crt"))
	kept, _ := os.ReadFile(filepath.Join(dir, "keys", "practice", "client-20261201-100000.crt"))
	if len(first) == 0 || !bytes.Equal(kept, first) || bytes.Equal(now, first) || res.Profile.Cert != filepath.Join(dir, "keys", "practice", "client.crt") {
		t.Errorf("the new certificate is not in use, or the old one not kept (profile cert %s)", res.Profile.Cert)
	}
}

// Resumed at the certificate, back goes to the step before that asks
// something: the send step, which an earlier run finished silently (an
// existing key, nothing to send), is passed over to the key.
func TestBackFromAResumedStepPassesSilentSteps(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ONRAMP_CONFIG_DIR", dir)
	key := testpki.WriteFile(t, dir, "own.key", testpki.NewCA(t, "x").Client(t, testpki.Options{}).KeyPEM(t))
	dcs := Provider{ID: "mtls-api", Name: "Example", Environments: []Environment{{Name: "test", URL: "https://api.example.test"}},
		AuthChoices: [][]string{{AuthMTLS}}, Key: KeySpec{Type: "rsa", Bits: 2048}}
	if err := profile.Save(&profile.Profile{Name: "own", Provider: "mtls-api", Environment: "test", URL: "https://api.example.test",
		Auth: []string{AuthMTLS}, Key: key, Wizard: map[string]bool{StepTarget: true, StepAuth: true, StepKeys: true, StepSend: true}}); err != nil {
		t.Fatal(err)
	}
	s := &Script{Answers: []Answer{{"Welcome back", resumeGoOn}, {"Your client certificate", Back},
		{"Your private key", "existing"}, {"Where is the private key file?", key}, {"Your client certificate", "later"}}}
	f := &Flow{Prompter: s, Providers: []Provider{dcs}, Keys: &fakeKeys{}, Certs: fakeImporter{}, Secrets: &memStore{}, Checker: fakeChecker{ok: true}}
	res, err := f.Run(context.Background(), "own")
	if err != nil || !res.Paused || len(s.Answers) != 0 {
		t.Fatalf("res %+v err %v (left %v)", res, err, s.Answers)
	}
}
