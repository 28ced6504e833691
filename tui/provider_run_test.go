package tui

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
	"github.com/onramp-cli/onramp/usecase"
	"github.com/onramp-cli/onramp/wizard"
)

// The wizard for GOV.UK DCS and for HMPPS, driven through the TUI to its
// checks, which run for real (diagnose, through usecase.Checks) against a
// loopback mutual-TLS server answering as the provider documents. The
// test plays the provider: it signs the CSR the wizard made and hands
// back the certificate and the CA bundle.

// providerServer is a loopback TLS server requiring a client certificate
// from ca; maxVersion 0 is Go's default.
func providerServer(t *testing.T, ca *testpki.CA, maxVersion uint16, h http.Handler) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	leaf := ca.Server(t, testpki.Options{DNSNames: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf.TLSCertificate(true)}, MaxVersion: maxVersion,
		ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: ca.Pool()}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

// templateProvider is a built-in template as the wizard offers it, with
// each environment pointed at url.
func templateProvider(t *testing.T, id, url string) wizard.Provider {
	t.Helper()
	tm, err := provider.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	p := wizard.ProviderFrom(tm)
	for i := range p.Environments {
		p.Environments[i].URL = url
	}
	return p
}

// realChecksDeps wires the wizard to the real checks over kr.
func realChecksDeps(kr *testkeyring.Keyring, ps ...wizard.Provider) *Deps {
	now := func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) }
	return &Deps{Keyring: kr, NewFlow: func(p wizard.Prompter) *wizard.Flow {
		return &wizard.Flow{Prompter: p, Providers: ps, Keys: testKeys{}, Certs: matchImporter{},
			Secrets: kr, Checker: usecase.Checks{Store: kr}, Now: now}
	}}
}

// signCSR plays the provider: it signs the wizard's CSR and writes the
// certificate where the user saved the provider's email attachment.
func signCSR(t *testing.T, ca *testpki.CA, csrFile, certFile string) {
	t.Helper()
	csr, err := os.ReadFile(csrFile)
	if err != nil {
		t.Fatal(err)
	}
	issued, err := caIssuer{ca: ca}.Issue(context.Background(), csr)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, issued.CertPEM, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWizardDCSToItsChecks(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 20}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) { wizardDCSRun(t, size[0], size[1]) })
	}
}

func wizardDCSRun(t *testing.T, w, h int) {
	dir := configDir(t)
	ca := testpki.NewCA(t, "GDS Private CA")
	caFile := testpki.WriteFile(t, dir, "dcs-ca-bundle.pem", ca.CertPEM())
	var tlsVersion atomic.Uint32
	// The DCS's status endpoint, over TLS 1.2 as the guide says.
	url := providerServer(t, ca, tls.VersionTLS12, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tlsVersion.Store(uint32(r.TLS.Version))
		if r.Method != http.MethodGet || r.URL.Path != "/checks/passport" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"available":true,"scheduledOutages":[]}`)
	}))
	kr := testkeyring.New()
	s := startSized(t, realChecksDeps(kr, templateProvider(t, "govuk-dcs", url), templateProvider(t, "hmpps", url)), Options{Start: StartWizard}, w, h)
	repl := []string{dir, "$CONFIG", url, "https://127.0.0.1:PORT"}

	s.waitFor("Which API")
	s.enter() // GOV.UK DCS, listed first here
	s.waitFor("Name this connection")
	s.enter() // govuk-dcs
	s.waitFor("Your private key")
	s.enter() // generate
	for _, f := range []struct{ title, value string }{
		{"Your organisation's name", "Bob's Widgets"}, {"What this key is for", ""},
		{"The environment, as the CN names it", ""}, {"The date in the CN", ""},
	} {
		s.waitFor(f.title)
		s.text(f.value)
		s.enter()
	}
	s.snapshot("subject", s.waitFor("Certificate subject for the CSR"))
	s.enter()
	scr := s.waitFor("Send this to GOV.UK Document Checking Service")
	s.snapshot("send", scr, repl...)
	keys := filepath.Join(dir, "keys", "govuk-dcs")
	for _, csr := range []string{"client.csr", "signing.csr", "encryption.csr"} {
		if !strings.Contains(scr, filepath.Join(keys, csr)) {
			t.Errorf("the send screen does not list %s:\n%s", csr, scr)
		}
	}
	// c copies what it says: the paths of all three CSRs (OSC 52), and
	// says where else they are.
	s.key('c')
	scr = s.waitFor("Sent the paths")
	if flat := strings.Join(strings.Fields(scr), " "); !strings.Contains(flat, "Sent the paths of the 3 CSRs to the terminal's clipboard (if it supports OSC 52). Nothing to paste? Select it on the screen above.") {
		t.Errorf("copy feedback:\n%s", scr)
	}
	if got, want := clipboard(t, s), filepath.Join(keys, "client.csr")+"\n"+filepath.Join(keys, "signing.csr")+"\n"+filepath.Join(keys, "encryption.csr")+"\n"; got != want {
		t.Errorf("c copied %q, want %q", got, want)
	}
	certFile := filepath.Join(dir, "dcs-tls.crt")
	signCSR(t, ca, filepath.Join(keys, "client.csr"), certFile)
	s.enter()
	s.waitFor("Your client certificate")
	s.enter() // it has arrived
	s.waitFor("Where is the certificate file?")
	s.text(certFile)
	s.waitGoneLive()
	s.enter()
	s.waitFor("GOV.UK Document Checking Service's CA bundle")
	s.enter() // empty: refused, the bundle is required
	s.snapshot("ca-bundle-required", s.waitFor("needs its CA bundle"), repl...)
	s.text(caFile)
	s.waitGoneLive()
	s.enter()
	s.snapshot("connected", s.waitFor("You're connected"), repl...)
	s.enter()
	s.tm.WaitFinished(t, teatestTimeout)

	if tlsVersion.Load() != tls.VersionTLS12 {
		t.Errorf("the checks spoke TLS %x, want 1.2", tlsVersion.Load())
	}
	p, err := profile.Load("govuk-dcs")
	if err != nil {
		t.Fatal(err)
	}
	if p.LastCheck == nil || !p.LastCheck.OK || p.CACert != caFile || p.StatusPath != "/checks/passport" || len(p.Auth) != 1 || p.Auth[0] != "mtls" {
		t.Errorf("profile %+v last check %+v", p, p.LastCheck)
	}
	// The message key pairs are in the profile, for their certificates.
	if p.SigningKey != filepath.Join(keys, "signing.key") || p.EncryptionKey != filepath.Join(keys, "encryption.key") {
		t.Errorf("signing key %q, encryption key %q", p.SigningKey, p.EncryptionKey)
	}
}

func TestWizardHMPPSToItsChecks(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 20}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) { wizardHMPPSRun(t, size[0], size[1]) })
	}
}

func wizardHMPPSRun(t *testing.T, w, h int) {
	dir := configDir(t)
	ca := testpki.NewCA(t, "HMPPS test CA")
	caFile := testpki.WriteFile(t, dir, "hmpps-ca.pem", ca.CertPEM())
	const apiKey = "hmpps-dev-key-5f3a9c"
	var configured atomic.Bool
	// HMPPS's gateway as its guide documents it: a wrong key is a bare
	// 403, an unrouted path "Missing Authentication Token", a consumer not
	// set up its own 403 body; the guide's read endpoint answers with the
	// person's risk scores.
	url := providerServer(t, ca, 0, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Header.Get("x-api-key") != apiKey:
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"message":"Forbidden"}`)
		case r.Method != http.MethodGet || r.URL.Path != "/v1/persons/X802678/risks/scores":
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"message":"Missing Authentication Token"}`)
		case !configured.Load():
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"status":403,"userMessage":"No consumer authorisation config found for acme-client"}`)
		default:
			json.NewEncoder(w).Encode(map[string]any{"data": []map[string]any{{"assessmentStatus": "COMPLETE",
				"groupReconviction": map[string]any{"oneYear": 12, "twoYears": 23, "scoreLevel": "LOW"}}},
				"pagination": map[string]any{"isLastPage": true, "count": 1, "page": 1, "perPage": 10, "totalCount": 1, "totalPages": 1}})
		}
	}))
	kr := testkeyring.New()
	s := startSized(t, realChecksDeps(kr, templateProvider(t, "hmpps", url)), Options{Start: StartWizard}, w, h)
	repl := []string{dir, "$CONFIG", url, "https://127.0.0.1:PORT"}

	s.waitFor("Which API")
	s.enter()
	s.waitFor("Which HMPPS Integration API environment?")
	s.enter() // dev
	s.waitFor("Name this connection")
	s.enter() // hmpps-dev
	s.waitFor("Which endpoint should the checks call?")
	s.enter() // the guide's example read
	s.hmppsKey()
	s.waitFor("Send this to HMPPS")
	certFile := filepath.Join(dir, "hmpps-dev.crt")
	signCSR(t, ca, filepath.Join(dir, "keys", "hmpps-dev", "client.csr"), certFile)
	s.enter() // past the send screen
	s.waitFor("Paste your API key")
	s.text(apiKey)
	s.enter()
	s.waitFor("Your client certificate")
	s.enter()
	s.waitFor("Where is the certificate file?")
	s.text(certFile)
	s.waitGoneLive()
	s.enter()
	s.snapshot("ca-bundle", s.waitFor("The provider's CA bundle, if they sent one"))
	s.text(caFile)
	s.waitGoneLive()
	s.enter()
	// The certificate and the key get through; HMPPS has not set the
	// consumer up yet, and says so in its own words.
	scr := s.waitFor("The checks failed")
	s.snapshot("not-configured", scr, repl...)
	if h < 24 {
		for range 30 {
			s.down() // to the end of the report
		}
		scr += s.waitFor("(end; scroll back up for the rest)")
	}
	if flat := strings.Join(strings.Fields(scr), " "); !strings.Contains(flat, "no authorisation set up for this consumer") || !strings.Contains(flat, "consumer acme-client") {
		t.Errorf("the documented 403 is not named:\n%s", scr)
	}
	s.enter()
	s.waitFor("Run the checks again")
	configured.Store(true) // HMPPS sets it up
	s.enter()
	s.snapshot("connected", s.waitFor("You're connected"), repl...)
	s.enter()
	s.tm.WaitFinished(t, teatestTimeout)

	p, err := profile.Load("hmpps-dev")
	if err != nil {
		t.Fatal(err)
	}
	if p.LastCheck == nil || !p.LastCheck.OK || p.APIKeySecret != "api-key" || p.StatusPath != "/v1/persons/X802678/risks/scores" {
		t.Errorf("profile %+v last check %+v", p, p.LastCheck)
	}
	if v, _ := kr.Get("hmpps-dev", "api-key"); v != apiKey {
		t.Errorf("keyring holds %q", v)
	}
}

var osc52 = regexp.MustCompile("\x1b\\]52;c;([A-Za-z0-9+/=]*)(?:\x07|\x1b\\\\)")

// clipboard is the text the program last sent to the terminal's
// clipboard (OSC 52) so far.
func clipboard(t *testing.T, s *session) string {
	t.Helper()
	var out []byte
	var m [][][]byte
	// The program writes its output on its next frame: read until the
	// sequence is there.
	for deadline := time.Now().Add(5 * time.Second); len(m) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("nothing was sent to the clipboard (no OSC 52)")
		}
		more, err := io.ReadAll(s.tm.Output())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, more...)
		m = osc52.FindAllSubmatch(out, -1)
	}
	text, err := base64.StdEncoding.DecodeString(string(m[len(m)-1][1]))
	if err != nil {
		t.Fatal(err)
	}
	return string(text)
}
