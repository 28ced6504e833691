package tui

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/profile"
)

// At 60×20 nothing is cut mid-word: the menu's descriptions give way to
// the chosen one's, whole; a profile row keeps only the parts that fit.
func TestHomeAt60Columns(t *testing.T) {
	configDir(t)
	threeProfiles(t)
	s := startSized(t, &Deps{}, Options{}, 60, 20)
	scr := s.waitFor("hmpps-dev")
	s.snapshot("home", stable(scr))
	if regexp.MustCompile(`\w…`).MatchString(scr) {
		t.Errorf("something is cut:\n%s", scr)
	}
	if !strings.Contains(scr, "keys, certificate and API key, step by step") {
		t.Errorf("the chosen item's description is missing:\n%s", scr)
	}
}

// Diagnose → Another URL: ~ in a path is the home directory, and esc
// from the run goes back to the form with every field as it was.
func TestDiagnoseAnotherURLKeepsFields(t *testing.T) {
	dir := configDir(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	ca := testpki.NewCA(t, "Practice CA")
	url := mtlsServer(t, ca, ca)
	cert, key := ca.Client(t, testpki.Options{CommonName: "practice-client"}).Files(t, home, "client")
	if err := os.WriteFile(filepath.Join(home, "ca.pem"), ca.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	saveProfile(t, &profile.Profile{Name: "other", URL: "https://other.example.test"})
	_ = dir

	s := start(t, diagnoseDeps(t.TempDir()), Options{})
	s.waitFor("never checked")
	s.down()
	s.enter()
	s.waitFor("Which connection?")
	s.down() // "Another URL"
	s.enter()
	s.waitFor("status endpoint")
	s.text(url)
	s.enter()
	s.waitFor("Client certificate (optional)")
	// huh moves the focus in a Cmd: wait for each field before typing.
	s.waitFor("┃ Client certificate")
	s.text("~/" + filepath.Base(cert))
	s.enter()
	s.waitFor("┃ Private key")
	s.text("~/" + filepath.Base(key))
	s.enter()
	s.waitFor("┃ CA bundle")
	s.text("~/ca.pem")
	s.enter()
	s.waitFor("┃ API key (optional")
	s.enter()
	s.waitFor("┃ API key header")
	s.enter()
	scr := s.waitFor("r run again")
	if !strings.Contains(scr, "✓ Connected") {
		t.Fatalf("~ paths did not work:\n%s", scr)
	}
	s.esc()
	scr = s.waitFor("status endpoint")
	if !strings.Contains(scr, url) {
		t.Errorf("esc lost the URL:\n%s", scr)
	}
	s.enter()
	scr = s.waitFor("Client certificate (optional)")
	for _, want := range []string{"~/" + filepath.Base(cert), "~/" + filepath.Base(key), "~/ca.pem"} {
		if !strings.Contains(scr, want) {
			t.Errorf("esc lost %s:\n%s", want, scr)
		}
	}
}

var keyDown = tea.KeyPressMsg{Code: tea.KeyDown}

// A clipped credentials list says how many lines are above and below.
func TestCredentialsListSaysMore(t *testing.T) {
	configDir(t)
	for _, n := range []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"} {
		saveProfile(t, &profile.Profile{Name: n, Auth: []string{"mtls"}})
	}
	cs := newCredentialsScreen(testCommon(&Deps{}))
	cs.SetSize(58, 12)
	cs.Update(loadCreds())
	view := plain(cs.View())
	if !strings.Contains(view, "↓ ") || !strings.Contains(view, "more lines") || strings.Contains(view, "a9") {
		t.Errorf("top of the list:\n%s", view)
	}
	for range 30 {
		cs.listKey(keyDown)
	}
	view = plain(cs.View())
	if !strings.Contains(view, "↑ ") || !strings.Contains(view, "▸ a9") {
		t.Errorf("end of the list:\n%s", view)
	}
	if cs.cursor != len(cs.rows)-1 {
		t.Errorf("down past the end moved the cursor to %d", cs.cursor)
	}
}
