package tui

import (
	"context"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/sandbox"
)

// Try the sandbox: Home starts the real practice API in the process and
// opens the diagnose console on its ready profile, which passes.
func TestTrySandbox(t *testing.T) {
	configDir(t)
	kr := testkeyring.New()
	var srv *sandbox.Server
	deps := &Deps{
		Keyring:  kr,
		Diagnose: diagnose.Run,
		StartSandbox: func(ctx context.Context) (string, error) {
			s, err := sandbox.New(sandbox.Config{Addr: "127.0.0.1:0", Keyring: kr})
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
			key, err := kr.Get(p.Name, p.APIKeySecret)
			return diagnose.Options{URL: p.URL, CertFile: p.Cert, KeyFile: p.Key, CACertFile: p.CACert,
				APIKey: key, APIKeyHeader: p.APIKeyHeader, APIKeyRequired: true, ExpectJSON: p.ExpectJSON, Timeout: 10 * time.Second}, err
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
