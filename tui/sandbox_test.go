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
	configDir(t)
	kr := testkeyring.New()
	kr.Unavailable = true
	var srv *sandbox.Server
	deps := &Deps{
		Keyring:  kr,
		Diagnose: diagnose.Run,
		StartSandbox: func(ctx context.Context) (string, error) {
			s, err := sandbox.New(sandbox.Config{Addr: "127.0.0.1:0"})
			if err != nil {
				return "", err
			}
			if err := s.Start(ctx); err != nil {
				return "", err
			}
			srv = s
			_, err = s.SaveProfile()
			return sandbox.ProfileName, err
		},
		ProfileOptions: func(ctx context.Context, p *profile.Profile) (diagnose.Options, error) {
			return usecase.Checks{Store: kr}.Options(p)
		},
	}
	t.Cleanup(func() {
		if srv != nil {
			srv.Close()
		}
	})
	s := start(t, deps, Options{})
	s.waitFor("Try the sandbox")
	for range 4 {
		s.down()
	}
	s.enter()
	s.snapshot("connected", stable(s.waitFor("✓ Connected")))
}
