package tui

import (
	"context"
	"testing"

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
