package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/profile"
)

func TestCredentials(t *testing.T) {
	configDir(t)
	set := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	saveProfile(t, &profile.Profile{Name: "hmpps-dev", Auth: []string{"mtls", "api-key"}, APIKeySecret: "api-key",
		Secrets: map[string]time.Time{"api-key": set}})
	saveProfile(t, &profile.Profile{Name: "nhs-int", Auth: []string{"signed-jwt", "api-key"}})
	kr := &testkeyring.Keyring{Items: map[string]string{"hmpps-dev/api-key": "old-secret-value"}}
	now := time.Date(2026, 11, 22, 17, 0, 0, 0, time.UTC)
	s := start(t, &Deps{Keyring: kr, Now: func() time.Time { return now }}, Options{})
	s.waitFor("nhs-int")
	for range 3 {
		s.down()
	}
	s.enter()
	s.snapshot("list", s.waitFor("set 2026-11-02"))

	// Rotate hmpps-dev's api-key: the row under the profile.
	s.down()
	s.key('s')
	s.waitFor("New value for api-key of hmpps-dev")
	s.text("new-secret-value")
	scr := s.waitFor(strings.Repeat("*", len("new-secret-value")))
	if strings.Contains(scr, "new-secret") {
		t.Fatalf("value shown:\n%s", scr)
	}
	s.snapshot("rotate", scr)
	s.enter()
	s.waitFor("Stored api-key for hmpps-dev")
	if v, _ := kr.Get("hmpps-dev", "api-key"); v != "new-secret-value" {
		t.Fatalf("keyring holds %q", v)
	}

	// Delete asks first; n keeps it, y deletes.
	s.key('d')
	s.snapshot("confirm-delete", s.waitFor("Delete api-key of hmpps-dev"))
	s.key('n')
	s.waitFor("Nothing deleted")
	if _, err := kr.Get("hmpps-dev", "api-key"); err != nil {
		t.Fatal("n deleted the secret")
	}
	s.key('d')
	s.waitFor("cannot be undone")
	s.key('y')
	s.waitFor("Deleted api-key of hmpps-dev")
	if _, err := kr.Get("hmpps-dev", "api-key"); err == nil {
		t.Fatal("y did not delete the secret")
	}
	scr = s.waitFor("hmpps-dev  mtls + api-key\n       (no secrets stored)")
	if strings.Contains(scr, "api-key    set") {
		t.Errorf("the deleted secret is still listed:\n%s", scr)
	}
	p, _ := profile.Load("hmpps-dev")
	if _, ok := p.Secrets["api-key"]; ok {
		t.Errorf("profile still lists the secret: %v", p.Secrets)
	}
}

// A new secret for a profile: choose its name, then the masked value.
func TestCredentialsSetNew(t *testing.T) {
	configDir(t)
	saveProfile(t, &profile.Profile{Name: "nhs-int"})
	kr := testkeyring.New()
	c := testCommon(&Deps{Keyring: kr})
	cs := newCredentialsScreen(c)
	cs.SetSize(78, 20)
	cs.Update(loadCreds())
	_, cmd := cs.Update(tea.KeyPressMsg{Code: 's', Text: "s"})
	if cs.action != credPickName || cmd == nil {
		t.Fatalf("s on a profile should ask which secret, action %v", cs.action)
	}
	if !strings.Contains(plain(cs.View()), "key-pass (the private key's passphrase)") {
		t.Errorf("view:\n%s", plain(cs.View()))
	}
}

// Many profiles: the list scrolls with the cursor; long secret names keep
// the columns aligned.
func TestCredentialsLongList(t *testing.T) {
	configDir(t)
	for i := range 30 {
		saveProfile(t, &profile.Profile{Name: fmt.Sprintf("p%02d", i), Secrets: map[string]time.Time{"securosys-operation-key": {}, "api-key": {}}})
	}
	cs := newCredentialsScreen(testCommon(&Deps{}))
	cs.SetSize(78, 20)
	cs.Update(loadCreds())
	for range len(cs.rows) - 1 {
		cs.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	}
	view := plain(cs.View())
	if n := len(strings.Split(strings.TrimRight(view, "\n"), "\n")); n > 20 {
		t.Errorf("%d lines for 20", n)
	}
	if !strings.Contains(view, "▸     securosys-operation-key set") || !strings.Contains(view, "      api-key                 set") {
		t.Errorf("cursor row or alignment:\n%s", view)
	}
}

// With no OS keyring answering, Credentials does not claim secrets live in
// it: it says so, and where to turn instead.
func TestCredentialsWithoutKeyring(t *testing.T) {
	configDir(t)
	saveProfile(t, &profile.Profile{Name: "hmpps-dev", Auth: []string{"mtls", "api-key"}, APIKeySecret: "api-key"})
	kr := testkeyring.New()
	kr.Unavailable = true
	deps := &Deps{Keyring: kr, CheckStore: func() error { _, err := kr.Get("onramp", "store-check"); return err }}
	s := start(t, deps, Options{})
	s.waitFor("hmpps-dev")
	for range 3 {
		s.down()
	}
	s.enter()
	s.waitFor("› Credentials")
	s.waitFor("hmpps-dev  mtls + api-key")
	scr := s.waitFor("No OS keyring answers here")
	flat := strings.Join(strings.Fields(scr), " ")
	if strings.Contains(flat, "Secrets live in the OS keyring") || !strings.Contains(flat, "Home screen press f") {
		t.Errorf("Credentials without a keyring:\n%s", scr)
	}
}
