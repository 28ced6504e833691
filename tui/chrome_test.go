package tui

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/onramp-cli/onramp/profile"
)

// The full help (?) with a description wider than the screen: the keys
// stand in one column and the description wraps between words beside its
// key, whole; where the columns fit they stay side by side.
func TestFullHelpWrapsLongDescriptions(t *testing.T) {
	k := NewKeyMap()
	desc := "save the value, then run every check again from the start"
	groups := [][]key.Binding{
		{k.Up, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", desc))},
		{k.Back, k.Help, k.Quit, k.ForceQuit},
	}
	st := NewStyles(true, false).Help
	got := fullHelpView(st, "    ", groups, 40)
	lines := strings.Split(got, "\n")
	for _, l := range lines {
		if ansi.StringWidth(l) > 40 {
			t.Errorf("line wider than 40: %q", l)
		}
	}
	checkNoCut(t, got)
	if !strings.Contains(unwrap(got), desc) {
		t.Errorf("the description is not whole:\n%s", got)
	}
	for _, want := range []string{"↑/k", "esc", "?", "q", "ctrl+c"} {
		if !strings.Contains(got, want) {
			t.Errorf("the key %q is gone:\n%s", want, got)
		}
	}
	if wide := fullHelpView(st, "    ", groups, 120); !strings.Contains(strings.Split(wide, "\n")[0], "esc") {
		t.Errorf("columns that fit are not side by side:\n%s", wide)
	}
}

// A profile name as long as a name may be, at 60×20: the header wraps
// after a '-' of the name instead of cutting it with "…".
func TestHeaderWrapsLongProfileName(t *testing.T) {
	configDir(t)
	long := "hmpps-integration-api-preproduction-eu-west-2-rsa"
	saveProfile(t, &profile.Profile{Name: long, URL: "https://api.example.test", Auth: []string{"api-key"}})
	s := startSized(t, diagnoseDeps(t.TempDir()), Options{}, 60, 20)
	s.waitFor(long)
	for range len(menu) {
		s.down()
	}
	s.key('e')
	scr := s.waitFor("URL (url)")
	s.snapshot("profile", scr)
	checkFits(t, scr, 60, 20)
	lines := strings.Split(scr, "\n")
	header := strings.ReplaceAll(strings.TrimSpace(lines[0])+strings.TrimSpace(lines[1]), " ", "")
	if !strings.Contains(header, "Profile·"+long) {
		t.Errorf("the header does not hold the whole name:\n%s", scr)
	}
	s.key('?')
	scr = s.waitFor("ctrl+c")
	checkFits(t, scr, 60, 20)
}

// A name wider than the screen breaks after one of its '-', never
// between two letters.
func TestWrapBreaksLongNameAtHyphen(t *testing.T) {
	long := "hmpps-integration-api-preproduction-eu-west-2-client-cert-rsa"
	got := wrap("Profile · "+long, 40)
	lines := strings.Split(got, "\n")
	if len(lines) != 3 || lines[0] != "Profile ·" || !strings.HasSuffix(lines[1], "-") || lines[1]+lines[2] != long {
		t.Errorf("got %q", got)
	}
}

// A profile name as long as a name may be, at 60×20: on Home it wraps
// after a '-' and its state goes under it; nothing is clipped silently.
func TestHomeNameWiderThanTheRow(t *testing.T) {
	configDir(t)
	long := "hmpps-integration-api-preproduction-eu-west-2-client-cert-rsa"
	saveProfile(t, &profile.Profile{Name: long, URL: "https://api.example.test"})
	saveProfile(t, &profile.Profile{Name: "nhs-int", URL: "https://int.api.service.nhs.uk"})
	s := startSized(t, &Deps{}, Options{}, 60, 20)
	scr := s.waitFor("nhs-int")
	s.snapshot("home", scr)
	checkFits(t, scr, 60, 20)
	if !strings.Contains(strings.ReplaceAll(unwrap(scr), "- ", "-"), long) || strings.Count(scr, "never checked") != 2 {
		t.Errorf("the long name or its state is not whole:\n%s", scr)
	}
}
