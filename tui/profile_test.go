package tui

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/profile"
)

// A failing check offers its fix as an action: f opens the CA bundle
// field, the right file is picked, r runs the checks again and they pass.
// At 80×24 and 60×20, every screen of the journey is a golden file.
func TestProfileFixCABundleAndRerun(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {60, 20}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			dir := configDir(t)
			ca := testpki.NewCA(t, "Private Root CA")
			url := mtlsServer(t, ca, ca)
			cert, key := ca.Client(t, testpki.Options{CommonName: "practice-client"}).Files(t, dir, "client")
			caFile := testpki.WriteFile(t, dir, "private-ca.pem", ca.CertPEM())
			saveProfile(t, &profile.Profile{Name: "private", URL: url, Cert: cert, Key: key})

			s := startSized(t, diagnoseDeps(t.TempDir()), Options{}, size.w, size.h)
			s.waitFor("never checked")
			for range len(menu) {
				s.down()
			}
			s.enter()
			scr := s.waitFor("r run again")
			if !strings.Contains(scr, "Press f to pick the CA bundle file, then r to run again.") {
				t.Fatalf("the failure does not offer its fix:\n%s", scr)
			}
			s.snapshot("failed", stable(scr))

			s.key('f')
			scr = s.waitFor("CA bundle of private")
			s.snapshot("cacert-field", stable(scr), dir, "DIR")
			s.text("/no/such/file.pem")
			s.enter()
			s.waitFor("no such file")
			if p, _ := profile.Load("private"); p.CACert != "" {
				t.Fatalf("a missing file was saved: %q", p.CACert)
			}
			for range len("/no/such/file.pem") {
				s.key(0x7f) // backspace
			}
			s.text(caFile)
			s.enter()
			scr = s.waitFor("✓ Set cacert to")
			s.snapshot("saved", stable(scr), dir, "DIR", strings.TrimPrefix(filepath.Base(dir), "onramp-"), "XXXXXXXX")
			if p, _ := profile.Load("private"); p.CACert != caFile {
				t.Fatalf("cacert not saved: %q", p.CACert)
			}

			s.key('r')
			scr = s.waitFor("✓ Connected")
			s.snapshot("connected", stable(scr))
			// esc goes back one screen at a time: the profile, then home.
			s.esc()
			s.waitFor("▸ CA bundle")
			s.esc()
			s.waitFor("Saved connections")
		})
	}
}

// The profile screen lists every setting with its source; enter changes
// one, a stores the API key in the secret store (never in the profile).
func TestProfileScreen(t *testing.T) {
	configDir(t)
	kr := testkeyring.New()
	saveProfile(t, &profile.Profile{Name: "plain", URL: "https://api.example.test", Auth: []string{"api-key"}, APIKeyHeader: "x-api-key"})
	deps := diagnoseDeps(t.TempDir())
	deps.Keyring = kr
	s := startSized(t, deps, Options{}, 60, 20)
	s.waitFor("never checked")
	for range len(menu) {
		s.down()
	}
	s.key('e')
	scr := s.waitFor("URL (url)")
	s.snapshot("list", scr)
	if !strings.Contains(scr, "↓ ") || !strings.Contains(scr, "more") {
		t.Errorf("a clipped list must say how much more there is:\n%s", scr)
	}
	s.key('a')
	s.waitFor("api-key of plain")
	s.text("k3y-value-123456")
	s.enter()
	scr = s.waitFor("✓ Stored api-key")
	if strings.Contains(scr, "k3y-value") {
		t.Fatalf("the secret is on screen:\n%s", scr)
	}
	if v, err := kr.Get("plain", "api-key"); err != nil || v != "k3y-value-123456" {
		t.Errorf("keyring: %q %v", v, err)
	}
	p, _ := profile.Load("plain")
	if _, ok := p.Secrets["api-key"]; !ok {
		t.Errorf("secret not recorded: %+v", p.Secrets)
	}
	// Change the header name.
	for range 6 {
		s.down()
	}
	s.waitFor("▸ API key header")
	s.enter()
	s.waitFor("API key header of plain")
	for range len("x-api-key") {
		s.key(0x7f)
	}
	s.text("apikey")
	s.enter()
	s.waitFor("✓ Set api_key_header to apikey")
	if p, _ := profile.Load("plain"); p.APIKeyHeader != "apikey" {
		t.Errorf("header: %q", p.APIKeyHeader)
	}
	// esc on the list goes home; ↑ on the first row stays there.
	for range 20 {
		s.key('k')
	}
	s.waitFor("▸ URL")
	s.esc()
	s.waitFor("Saved connections")
}

// On a Securosys profile, o stores a role key: the role is picked from
// the provider's role table, the key typed masked, and it is stored and
// recorded in role_keys (usecase.Secrets.SetRole), with the command that
// does the same from a script.
func TestProfileScreenRoleKey(t *testing.T) {
	configDir(t)
	kr := testkeyring.New()
	saveProfile(t, &profile.Profile{Name: "tsb", Provider: "securosys", URL: "https://tsb.example.test", Auth: []string{"api-key"}, APIKeyHeader: "X-API-KEY"})
	saveProfile(t, &profile.Profile{Name: "plain", URL: "https://api.example.test", Auth: []string{"api-key"}})
	deps := diagnoseDeps(t.TempDir())
	deps.Keyring = kr
	s := startSized(t, deps, Options{}, 80, 24)
	s.waitFor("never checked")
	for range len(menu) + 1 {
		s.down()
	}
	s.key('e')
	scr := s.waitFor("URL (url)")
	if !strings.Contains(scr, "Profile · tsb") {
		t.Fatalf("the second saved profile is not tsb:\n%s", scr)
	}
	if !strings.Contains(scr, "o stores a role key") {
		t.Fatalf("the profile screen does not offer role keys:\n%s", scr)
	}
	s.key('o')
	s.waitFor("Which role's key?")
	for range 3 { // keyManagementToken, keyOperationToken, approverToken, serviceToken
		s.down()
	}
	s.enter()
	s.waitFor("The serviceToken key of tsb")
	s.text("svc-key-77e0a1")
	s.enter()
	scr = s.waitFor("✓ Stored serviceToken")
	if strings.Contains(scr, "svc-key-77e0a1") || !strings.Contains(scr, "It is the serviceToken key") ||
		!strings.Contains(scr, "onramp secret set serviceToken --role serviceToken --profile tsb") {
		t.Fatalf("after storing the role key:\n%s", scr)
	}
	if v, err := kr.Get("tsb", "serviceToken"); err != nil || v != "svc-key-77e0a1" {
		t.Errorf("keyring: %q %v", v, err)
	}
	p, _ := profile.Load("tsb")
	if p.RoleKeys["serviceToken"] != "serviceToken" || p.Secrets["serviceToken"].IsZero() {
		t.Errorf("role_keys %v secrets %v", p.RoleKeys, p.Secrets)
	}
	s.waitFor("serviceToken (serviceToken key) stored")
}

// TestProfileScreenRemoveRoleKey: x on the profile screen deletes a role's
// key from the store and its role_keys entry, as secret rm --role does; the
// other role's key stays, and "Keep it" changes nothing.
func TestProfileScreenRemoveRoleKey(t *testing.T) {
	configDir(t)
	kr := testkeyring.New()
	now := time.Now()
	saveProfile(t, &profile.Profile{Name: "tsb", Provider: "securosys", URL: "https://tsb.example.test", Auth: []string{"api-key"}, APIKeyHeader: "X-API-KEY",
		RoleKeys: map[string]string{"serviceToken": "svc", "keyOperationToken": "ops"},
		Secrets:  map[string]time.Time{"svc": now, "ops": now}})
	for name, v := range map[string]string{"svc": "svc-key-1f00", "ops": "ops-key-2e11"} {
		if err := kr.Set("tsb", name, v); err != nil {
			t.Fatal(err)
		}
	}
	deps := diagnoseDeps(t.TempDir())
	deps.Keyring = kr
	s := startSized(t, deps, Options{}, 80, 24)
	s.waitFor("never checked")
	for range len(menu) {
		s.down()
	}
	s.key('e')
	scr := s.waitFor("URL (url)")
	if !strings.Contains(scr, "Profile · tsb") || !strings.Contains(scr, "x removes one") {
		t.Fatalf("the profile screen does not offer to remove a role key:\n%s", scr)
	}
	// Keep it: nothing changes.
	s.key('x')
	s.waitFor("Remove which role's key?")
	s.enter() // keyOperationToken, the first
	s.waitFor("Delete the keyOperationToken key of tsb?")
	s.key('n')
	s.enter()
	s.waitFor("Nothing changed.")
	if v, err := kr.Get("tsb", "ops"); err != nil || v != "ops-key-2e11" {
		t.Fatalf("after Keep it, the key is %q %v", v, err)
	}
	// Delete the serviceToken key.
	s.key('x')
	s.waitFor("Remove which role's key?")
	s.down()
	s.enter()
	s.waitFor("Delete the serviceToken key of tsb?")
	s.key('y')
	s.enter()
	scr = s.waitFor("✓ Deleted svc of tsb.")
	if !strings.Contains(scr, "tsb has no serviceToken key now") || !strings.Contains(scr, "onramp secret rm --role serviceToken --profile tsb --yes") {
		t.Fatalf("after removing the role key:\n%s", scr)
	}
	if _, err := kr.Get("tsb", "svc"); err == nil {
		t.Error("the serviceToken key is still in the store")
	}
	if v, err := kr.Get("tsb", "ops"); err != nil || v != "ops-key-2e11" {
		t.Errorf("the other role's key: %q %v", v, err)
	}
	p, _ := profile.Load("tsb")
	if _, ok := p.RoleKeys["serviceToken"]; ok || p.RoleKeys["keyOperationToken"] != "ops" || !p.Secrets["svc"].IsZero() || p.Secrets["ops"].IsZero() {
		t.Errorf("role_keys %v secrets %v", p.RoleKeys, p.Secrets)
	}
	s.waitFor("ops (keyOperationToken key) stored")
}
