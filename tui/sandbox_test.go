package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/sandbox"
	"github.com/onramp-cli/onramp/usecase"
)

// Try the sandbox: Home starts the real practice API in the process and
// opens the diagnose console on its ready profile, which passes with no
// keyring at all (its practice key is a file).
func TestTrySandbox(t *testing.T) {
	deps := sandboxDeps(t)
	deps.PracticeModes = []PracticeMode{{ID: "client-cert-wrong-issuer", Does: "asks for client certificates from another CA"}}
	s := start(t, deps, Options{})
	s.waitFor("Try the sandbox")
	for range 4 {
		s.down()
	}
	s.enter()
	s.waitFor("client-cert-wrong-issuer")
	s.enter() // working
	s.snapshot("connected", stable(s.waitFor("✓ Connected")))

	// A practice mode from the list: the diagnosis names its cause.
	s.esc()
	s.waitFor("Saved connections")
	s.enter() // the cursor is still on Try the sandbox
	s.waitFor("client-cert-wrong-issuer")
	s.down()
	s.enter()
	s.waitFor("[client-cert-wrong-issuer]")
}

// sandboxDeps are the TUI's dependencies over the real sandbox (each start
// a new one on a free port, stopped when the test ends), the real checks
// and a keyring that does not answer.
func sandboxDeps(t *testing.T) *Deps {
	t.Helper()
	configDir(t)
	kr := testkeyring.New()
	kr.Unavailable = true
	var servers []*sandbox.Server
	t.Cleanup(func() {
		for _, s := range servers {
			s.Close()
		}
	})
	return &Deps{
		Keyring:    kr,
		Diagnose:   diagnose.Run,
		CheckStore: func() error { _, err := kr.Get("onramp", "store-check"); return err },
		StartSandbox: func(ctx context.Context, brk string) (string, error) {
			s, err := sandbox.New(sandbox.Config{Addr: "127.0.0.1:0", Break: brk})
			if err != nil {
				return "", err
			}
			if err := s.Start(ctx); err != nil {
				return "", err
			}
			servers = append(servers, s)
			_, err = s.SaveProfile()
			return sandbox.ProfileName, err
		},
		ProfileOptions: func(ctx context.Context, p *profile.Profile) (diagnose.Options, error) {
			return usecase.Checks{Store: kr}.Options(p)
		},
	}
}

// The practice list is longer than the screen: it says how many modes are
// above and below the rows shown, and the cursor's row is always shown.
func TestPracticeListSaysWhatIsClipped(t *testing.T) {
	deps := &Deps{}
	for _, b := range sandbox.Breaks() {
		deps.PracticeModes = append(deps.PracticeModes, PracticeMode{ID: b.ID, Does: b.Does})
	}
	ss := newSandboxScreen(&Common{Styles: NewStyles(false, false), Deps: deps})
	ss.SetSize(80, 18)
	if v := ss.View(); !strings.Contains(v, "↓ ") || strings.Contains(v, "↑ ") {
		t.Fatalf("top of the list: want only a ↓ N more hint:\n%s", v)
	}
	last := deps.PracticeModes[len(deps.PracticeModes)-1].ID
	ss.cursor = len(deps.PracticeModes)
	if v := ss.View(); !strings.Contains(v, "↑ ") || strings.Contains(v, "↓ ") || !strings.Contains(v, string(last)) {
		t.Fatalf("end of the list: want only a ↑ N more hint and %s:\n%s", last, v)
	}
}

// Try the sandbox at 80×24 and 60×20, with every practice mode: the ids
// as a list that says how many are clipped, the chosen mode's description
// whole under it; ↑ on the first and ↓ on the last stay put; the full
// help (?) fits too. Nothing is cut mid-word.
func TestSandboxScreenSizes(t *testing.T) {
	deps := &Deps{StartSandbox: func(context.Context, string) (string, error) { return "", errors.New("not in this test") }}
	for _, b := range sandbox.Breaks() {
		deps.PracticeModes = append(deps.PracticeModes, PracticeMode{ID: b.ID, Does: b.Does})
	}
	last := deps.PracticeModes[len(deps.PracticeModes)-1]
	for _, size := range screenSizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			configDir(t)
			s := startSized(t, deps, Options{}, size.w, size.h)
			s.waitFor("Try the sandbox")
			for range 4 {
				s.down()
			}
			s.enter()
			s.key(tea.KeyUp) // no wrap-around to the last mode
			scr := s.waitFor("▸ working")
			s.snapshot("top", scr)
			checkFits(t, scr, size.w, size.h)
			if !strings.Contains(scr, "↓ ") || strings.Contains(scr, "↑ ") {
				t.Errorf("top of the list: want only a ↓ N more hint:\n%s", scr)
			}
			s.down()
			scr = s.waitFor("▸ " + string(deps.PracticeModes[0].ID))
			s.snapshot("first-mode", scr)
			checkFits(t, scr, size.w, size.h)
			if flat := strings.Join(strings.Fields(scr), " "); !strings.Contains(flat, deps.PracticeModes[0].Does) {
				t.Errorf("the chosen mode's description is not whole:\n%s", scr)
			}
			for range len(deps.PracticeModes) + 3 {
				s.down()
			}
			scr = s.waitFor("▸ " + string(last.ID))
			s.snapshot("last-mode", scr)
			checkFits(t, scr, size.w, size.h)
			if !strings.Contains(scr, "↑ ") || strings.Contains(scr, "↓ ") {
				t.Errorf("end of the list: want only a ↑ N more hint:\n%s", scr)
			}
			s.key('?')
			scr = s.waitFor("ctrl+c")
			s.snapshot("full-help", scr)
			checkFits(t, scr, size.w, size.h)
		})
	}
}
