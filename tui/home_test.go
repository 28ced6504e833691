package tui

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/wizard"
)

func saveProfile(t *testing.T, p *profile.Profile) {
	t.Helper()
	if err := profile.Save(p); err != nil {
		t.Fatal(err)
	}
}

// threeProfiles saves a connected profile with a certificate, one whose
// last check failed, and one whose setup is unfinished.
func threeProfiles(t *testing.T) {
	t.Helper()
	ca := testpki.NewCA(t, "Practice CA")
	leaf := ca.Client(t, testpki.Options{CommonName: "client", NotAfter: time.Now().Add(90*24*time.Hour + time.Hour)})
	cert, key := leaf.Files(t, t.TempDir(), "client")
	all := map[string]bool{wizard.StepTarget: true, wizard.StepAuth: true, wizard.StepCheck: true}
	saveProfile(t, &profile.Profile{Name: "hmpps-dev", Provider: "hmpps", Environment: "dev", Cert: cert, Key: key,
		Wizard: all, LastCheck: &profile.Check{At: time.Now().Add(-2 * time.Hour), OK: true, ServerNotAfter: time.Now().Add(20*24*time.Hour + time.Hour)}})
	saveProfile(t, &profile.Profile{Name: "nhs-int", Provider: "nhs-apim", Environment: "int", Wizard: all,
		LastCheck: &profile.Check{At: time.Now(), OK: false, CauseID: "api-key-rejected"}})
	saveProfile(t, &profile.Profile{Name: "practice", Provider: "sandbox", Wizard: map[string]bool{wizard.StepTarget: true}})
}

func TestHomeScreen(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	threeProfiles(t)
	s := start(t, &Deps{}, Options{})
	scr := s.waitFor("setup unfinished") // the last profile row, once loaded
	s.snapshot("home", scr)

	s.key('?')
	s.snapshot("full-help", s.waitFor("ctrl+c quit"))
}

func TestHomeWithoutProfiles(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	s := start(t, &Deps{}, Options{})
	s.snapshot("empty", s.waitFor("None yet"))
}

// Plain Update calls: the cursor moves and wraps, and enter on a profile
// opens what that profile needs.
func TestHomeKeys(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	threeProfiles(t)
	c := &Common{Styles: NewStyles(true, false), Keys: NewKeyMap(), Deps: &Deps{}, Ctx: context.Background()}
	h := newHome(c)
	h.SetSize(78, 20)
	h.Update(loadProfiles(time.Now())())
	if len(h.profiles) != 3 || h.profiles[0].status.ClientCert == nil || h.profiles[0].status.ClientCert.DaysLeft != 90 {
		t.Fatalf("profiles %+v", h.profiles)
	}
	up, down := tea.KeyPressMsg{Code: tea.KeyUp}, tea.KeyPressMsg{Code: tea.KeyDown}
	h.Update(up)
	if h.cursor != 0 {
		t.Fatalf("up on the first item must stay there (no wrap-around), cursor %d", h.cursor)
	}
	for range len(menu) + 5 {
		h.Update(down)
	}
	if h.cursor != len(menu)+2 {
		t.Fatalf("down past the last profile must stay on it, cursor %d", h.cursor)
	}
	_, cmd := h.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if o, ok := cmd().(openMsg); !ok {
		t.Fatalf("enter gave %T", cmd())
	} else if w, ok := o.s.(*wizardScreen); !ok || w.name != "practice" {
		t.Fatalf("an unfinished profile should resume its wizard, got %T", o.s)
	}
	h.Update(up)
	h.Update(up)
	_, cmd = h.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if d, ok := cmd().(openMsg).s.(*diagnoseScreen); !ok || d.profile != "hmpps-dev" {
		t.Fatalf("a finished profile should open the diagnose console, got %T", cmd().(openMsg).s)
	}
	if !strings.Contains(plain(h.View()), "✓ ok 2h ago") {
		t.Errorf("home view:\n%s", plain(h.View()))
	}
}

// From Home into the wizard and back with esc; the cursor is where it was.
func TestHomeToWizardAndBack(t *testing.T) {
	configDir(t)
	kr := testkeyring.New()
	s := start(t, wizardDeps(t, kr, reportChecker{passingReport()}), Options{})
	s.waitFor("None yet")
	s.enter()
	s.waitFor("Which API are you connecting to?")
	s.esc()
	scr := s.waitFor("Saved connections")
	if !strings.Contains(scr, "▸ Set up a connection") {
		t.Errorf("cursor moved:\n%s", scr)
	}
	// q quits from Home.
	s.key('q')
	s.tm.WaitFinished(t, teatestTimeout)
}

// Many profiles: Home shows those around the cursor and counts the rest.
func TestHomeManyProfiles(t *testing.T) {
	configDir(t)
	for i := range 25 {
		saveProfile(t, &profile.Profile{Name: fmt.Sprintf("p%02d", i)})
	}
	h := newHome(testCommon(&Deps{}))
	h.SetSize(78, 20)
	h.Update(loadProfiles(time.Now())())
	for range len(menu) + 30 {
		h.Update(tea.KeyPressMsg{Code: tea.KeyDown}) // to the last profile
	}
	view := plain(h.View())
	if n := len(strings.Split(strings.TrimRight(view, "\n"), "\n")); n > 20 {
		t.Errorf("%d lines for 20:\n%s", n, view)
	}
	if !strings.Contains(view, "▸ p24") || !strings.Contains(view, "↑ 16 more") {
		t.Errorf("view:\n%s", view)
	}
}

// No keyring: Home's note names Home's own key, not Home as somewhere else.
func TestHomeStoreNoteNamesItsKey(t *testing.T) {
	configDir(t)
	kr := testkeyring.New()
	kr.Unavailable = true
	h := newHome(testCommon(&Deps{UseFileStore: func(string) error { return nil }}))
	h.SetSize(80, 24)
	_, err := kr.Get("onramp", "store-check")
	h.Update(storeCheckedMsg{err})
	view := strings.Join(strings.Fields(plain(h.View())), " ")
	if !strings.Contains(view, "No OS keyring answers here. Press f to keep secrets in an encrypted file") || strings.Contains(view, "Home screen") {
		t.Errorf("Home's note:\n%s", view)
	}
}

// At 60×20 with the store's note and the help on two lines, the tagline
// gives way: the saved connection and the whole note show.
func TestHomeAt60ColumnsWithStoreNote(t *testing.T) {
	configDir(t)
	saveProfile(t, &profile.Profile{Name: "practice", Provider: "sandbox", URL: "https://localhost:8443"})
	kr := testkeyring.New()
	kr.Unavailable = true
	deps := &Deps{UseFileStore: func(string) error { return nil }, CheckStore: func() error { _, err := kr.Get("onramp", "store-check"); return err }}
	s := startSized(t, deps, Options{}, 60, 20)
	s.waitFor("Press f")
	scr := s.waitFor("practice")
	s.snapshot("home", scr)
	if !strings.Contains(strings.Join(strings.Fields(scr), " "), "Press f to keep secrets in an encrypted file") {
		t.Errorf("the note is cut:\n%s", scr)
	}
}

// The full help (?) on a screen with no room left for it: the frame says
// how many lines of the screen it hides and how to see them again, and
// ? brings them back.
func TestFullHelpSaysWhatItHides(t *testing.T) {
	configDir(t)
	kr := testkeyring.New()
	kr.Unavailable = true
	deps := &Deps{UseFileStore: func(string) error { return nil }, CheckStore: func() error { _, err := kr.Get("onramp", "store-check"); return err }}
	s := startSized(t, deps, Options{}, 60, 20)
	s.waitFor("Press f")
	s.waitFor("None yet")
	s.key('?')
	scr := s.waitFor("ctrl+c quit")
	s.snapshot("full-help", scr)
	checkFits(t, scr, 60, 20)
	if !regexp.MustCompile(`↓ \d+ more lines? \(\? hides the keys\)`).MatchString(scr) {
		t.Errorf("the full help hides part of the screen without saying so:\n%s", scr)
	}
	s.key('?')
	scr = s.waitFor("? more keys")
	if strings.Contains(scr, "hides the keys") || !strings.Contains(strings.Join(strings.Fields(scr), " "), "The sandbox needs no keyring.") {
		t.Errorf("? did not bring the screen back:\n%s", scr)
	}
}

// A profile name longer than the name column at 60×20 is shown whole;
// its summary keeps what fits beside it (the state's sign at least),
// nothing cut mid-word.
func TestHomeLongProfileName(t *testing.T) {
	configDir(t)
	threeProfiles(t)
	long := "hmpps-integration-api-preproduction-eu-west"
	saveProfile(t, &profile.Profile{Name: long, Provider: "hmpps", Environment: "preprod",
		LastCheck: &profile.Check{At: time.Now(), OK: false, CauseID: "client-cert-wrong-issuer"}})
	s := startSized(t, &Deps{}, Options{}, 60, 20)
	scr := s.waitFor(long)
	s.snapshot("home", stable(scr))
	checkFits(t, scr, 60, 20)
	if !regexp.MustCompile(regexp.QuoteMeta(long) + ` +✗`).MatchString(scr) {
		t.Errorf("the long name's row lost its state:\n%s", scr)
	}
}
