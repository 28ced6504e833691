package tui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/explain"
	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/usecase"
)

// screenSizes are the terminals every screen is read at: the usual one
// and the narrowest onramp supports.
var screenSizes = []struct{ w, h int }{{80, 24}, {60, 20}}

// checkFits fails when a screen is wider or taller than the terminal, or
// a word was cut ("…" inside a word).
func checkFits(t *testing.T, scr string, w, h int) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(scr, "\n"), "\n")
	if len(lines) > h {
		t.Errorf("%d lines on a %d-line terminal:\n%s", len(lines), h, scr)
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > w {
			t.Errorf("line wider than %d: %q", w, l)
		}
	}
	checkNoCut(t, scr)
}

// The diagnose screen of a failed check at 80×24 and 60×20, for a DCS
// profile of a Java user, through the real profile → options path: the
// cause, onramp's fix, Java's and the DCS's own note, wrapped between
// words; a list too long for the screen says how much more there is.
func TestDiagnoseScreenSizes(t *testing.T) {
	for _, size := range screenSizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			dir := configDir(t)
			serverCA := testpki.NewCA(t, "Provider Root CA")
			clientCA := testpki.NewCA(t, "Provider Client CA")
			url := mtlsServer(t, serverCA, clientCA)
			cert, key := testpki.NewCA(t, "Some Other CA").Client(t, testpki.Options{CommonName: "practice-client"}).Files(t, dir, "client")
			caFile := testpki.WriteFile(t, dir, "ca.pem", serverCA.CertPEM())
			saveProfile(t, &profile.Profile{Name: "dcs", Provider: "govuk-dcs", Client: "java", Auth: []string{"mtls"},
				URL: url, Cert: cert, Key: key, CACert: caFile})
			deps := diagnoseDeps(t.TempDir())
			deps.ProfileOptions = func(_ context.Context, p *profile.Profile) (diagnose.Options, error) {
				o, err := usecase.ProfileOptions(p, true)
				o.Timeout = 5 * time.Second
				return o, err
			}
			s := startSized(t, deps, Options{}, size.w, size.h)
			s.waitFor("dcs")
			for range len(menu) {
				s.down()
			}
			s.enter()
			scr := s.waitFor("[client-cert-wrong-issuer]")
			s.snapshot("failed", stable(scr))
			checkFits(t, scr, size.w, size.h)
			if !strings.Contains(scr, "Fix (GOV.UK Document Checking Service):") && !strings.Contains(scr, "more lines") {
				t.Errorf("the provider's note is neither shown nor announced:\n%s", scr)
			}
			// Scrolled down: onramp's fix, Java's, then the DCS's note.
			for range 24 {
				s.key('j')
			}
			scr = s.waitFor("Fix (GOV.UK Document Checking Service):")
			s.snapshot("advice", stable(scr))
			checkFits(t, scr, size.w, size.h)
			flat := strings.Join(strings.Fields(scr), " ")
			for _, want := range []string{"Fix (Java): Check which entry the keystore holds", `The DCS calls this "SSL certificate error": send the TLS certificate it issued you.`} {
				if !strings.Contains(flat, want) {
					t.Errorf("scrolled down, no %q:\n%s", want, scr)
				}
			}
			s.key('t')
			scr = s.waitFor("Acceptable client CAs")
			s.snapshot("tls-details", stable(scr))
			checkFits(t, scr, size.w, size.h)
		})
	}
}

// The Credentials screen with more profiles than fit, at 80×24 and 60×20:
// the list says how many lines are below, then above once the cursor has
// gone down; the cursor stops at the last row.
func TestCredentialsScreenSizes(t *testing.T) {
	for _, size := range screenSizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			configDir(t)
			set := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
			for _, n := range []string{"dcs-integration", "dcs-production", "hmpps-dev", "hmpps-preprod", "hmpps-prod", "nhs-int", "nhs-internal-dev", "nhs-prod", "sandbox", "securosys-tsb-operations"} {
				p := &profile.Profile{Name: n, Auth: []string{"mtls", "api-key"}, APIKeySecret: "api-key",
					Secrets: map[string]time.Time{"api-key": set}}
				if strings.HasPrefix(n, "securosys") {
					p.Auth = []string{"api-key"}
					p.Secrets["keyOperationToken"], p.Secrets["serviceToken"] = set, set
				}
				saveProfile(t, p)
			}
			now := time.Date(2026, 11, 22, 17, 0, 0, 0, time.UTC)
			s := startSized(t, &Deps{Now: func() time.Time { return now }}, Options{}, size.w, size.h)
			s.waitFor("dcs-integration")
			for range 3 {
				s.down()
			}
			s.enter()
			scr := s.waitFor("set 2026-11-02")
			s.snapshot("top", scr)
			checkFits(t, scr, size.w, size.h)
			if !strings.Contains(scr, "↓") || strings.Contains(scr, "securosys-tsb-operations") {
				t.Errorf("the top of a clipped list does not say what is below:\n%s", scr)
			}
			for range 30 {
				s.down()
			}
			scr = s.waitFor("▸     serviceToken")
			s.snapshot("end", scr)
			checkFits(t, scr, size.w, size.h)
			if !strings.Contains(scr, "↑") {
				t.Errorf("the end of a clipped list does not say what is above:\n%s", scr)
			}
		})
	}
}

// Home with more saved connections than fit, at 80×24 and 60×20, under a
// note that the keyring does not answer: the note is whole, and the list
// says how many there are, never cut silently.
func TestHomeScreenSizes(t *testing.T) {
	for _, size := range screenSizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			configDir(t)
			for _, n := range []string{"dcs-integration", "hmpps-dev", "hmpps-preprod", "hmpps-prod", "nhs-int", "nhs-prod", "securosys-tsb-operations"} {
				saveProfile(t, &profile.Profile{Name: n, Auth: []string{"mtls"}})
			}
			noKeyring := &secretstore.Error{ID: cause.KeyringUnavailable, Op: "get", Item: "onramp/store-check",
				Err: errors.New("no D-Bus session"), Problem: secretstore.NoKeyring}
			deps := &Deps{CheckStore: func() error { return noKeyring }}
			s := startSized(t, deps, Options{}, size.w, size.h)
			s.waitFor("needs no keyring")
			scr := s.waitFor("never checked") // the profiles are loaded too
			s.snapshot("menu", scr)
			checkFits(t, scr, size.w, size.h)
			if !strings.Contains(scr, "more") {
				t.Errorf("a clipped list without a count:\n%s", scr)
			}
			for range 11 { // to the last saved connection
				s.down()
			}
			scr = s.waitFor("▸ securosys-tsb-operations")
			s.snapshot("last", scr)
			checkFits(t, scr, size.w, size.h)
			if !strings.Contains(scr, "needs no keyring") || !strings.Contains(scr, "more") {
				t.Errorf("the note or the count is gone:\n%s", scr)
			}
		})
	}
}

// The Explain screen at 80×24 and 60×20: every candidate's title is
// wrapped whole (never cut with "…"), and a Java trace gets Java's fix
// after onramp's, as cmd/onramp wires it.
func TestExplainScreenSizes(t *testing.T) {
	withClient := func(text string) ([]Match, string) {
		ms := explain.Text(text)
		cands := len(explain.Candidates(ms))
		var out []Match
		for i, m := range ms {
			out = append(out, Match{Cause: cause.Advice{Client: m.Client}.Apply(m.Cause), Evidence: m.Evidence, Client: m.Client, Candidate: i < cands})
		}
		return out, explain.Disambiguate(ms)
	}
	for _, size := range screenSizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			configDir(t)
			s := startSized(t, &Deps{Explain: withClient}, Options{}, size.w, size.h)
			s.waitFor("Explain an error")
			s.down()
			s.down()
			s.enter()
			s.waitFor("The causes appear here")
			s.tm.Send(tea.PasteMsg{Content: "curl: (35) error:0A000410:SSL routines::sslv3 alert handshake failure"})
			s.waitFor("Could be one of")
			s.waitFor("[tls-no-common-cipher]")
			s.key(tea.KeyPgDown)
			scr := s.waitFor("[client-cert-not-sent]")
			s.snapshot("candidates", scr)
			checkFits(t, scr, size.w, size.h)
			for _, l := range strings.Split(scr, "\n") {
				if strings.Contains(l, "•") && strings.HasSuffix(strings.TrimSpace(l), "…") {
					t.Errorf("a candidate cut short: %q", l)
				}
			}
			s.tm.Send(tea.KeyPressMsg{Code: 'l', Mod: tea.ModCtrl}) // clears
			s.waitFor("The causes appear here")
			s.tm.Send(tea.PasteMsg{Content: "javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target"})
			s.waitFor("[server-cert-untrusted]")
			s.key(tea.KeyPgDown)
			scr = s.waitFor("keytool")
			s.snapshot("java", scr)
			checkFits(t, scr, size.w, size.h)
			if !strings.Contains(scr, "Fix (Java):") {
				t.Errorf("no Java fix:\n%s", scr)
			}
		})
	}
}

// The encrypted file store screen (f on Home when no keyring answers) at
// 80×24 and 60×20: its explanation wraps whole, both passphrase fields
// show, and the full path of the file is on the screen.
func TestFileStoreScreenSizes(t *testing.T) {
	for _, size := range screenSizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			dir := configDir(t)
			kr := testkeyring.New()
			kr.Unavailable = true
			path := filepath.Join(dir, "secrets.age")
			deps := &Deps{UseFileStore: func(string) error { return nil }, FileStore: func() (string, bool) { return path, false },
				CheckStore: func() error { _, err := kr.Get("onramp", "store-check"); return err }}
			s := startSized(t, deps, Options{}, size.w, size.h)
			s.waitFor("Press f")
			s.key('f')
			scr := s.waitFor("┃ Passphrase")
			s.snapshot("new-file", scr, dir, "DIR")
			checkFits(t, scr, size.w, size.h)
			flat := strings.Join(strings.Fields(scr), " ")
			for _, want := range []string{path, "Same passphrase again", "ONRAMP_STORE_PASSPHRASE"} {
				if !strings.Contains(strings.ReplaceAll(flat, " ", ""), strings.ReplaceAll(want, " ", "")) {
					t.Errorf("no %q:\n%s", want, scr)
				}
			}
		})
	}
}
