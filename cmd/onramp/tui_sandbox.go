package main

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/sandbox"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/wizard"
)

// sandboxTarget points the wizard's sandbox template at the sandbox that
// runs now: its ready profile knows the port and the status endpoint.
func sandboxTarget(wp *wizard.Provider) {
	wp.AskURL = true
	wp.APIKeyHint = "The sandbox's key is in your keyring: onramp secret get api-key --profile sandbox"
	wp.Subject = "/O=onramp sandbox/CN=practice-client"
	wp.Instructions = "A real provider gets this file from you (by email or a portal) and sends back your certificate.\n" +
		"The sandbox plays the provider: at the certificate step choose \"Have the sandbox issue my certificate now\"."
	p, err := profile.Load(sandbox.ProfileName)
	if err != nil || p.URL == "" {
		return
	}
	wp.Environments = []wizard.Environment{{Name: "local", URL: p.URL}}
	wp.StatusPath, wp.ExpectJSON = "", p.ExpectJSON
}

// sandboxCA plays the provider in the wizard: the sandbox's client CA signs
// the CSR at once (no running sandbox needed), and the sandbox's CA bundle
// becomes the profile's cacert.
type sandboxCA struct{ now func() time.Time }

func (ca sandboxCA) Issue(ctx context.Context, csr []byte) (wizard.Issued, error) {
	dir, err := sandbox.DataDir()
	if err != nil {
		return wizard.Issued{}, err
	}
	pki, err := sandbox.LoadPKI(dir, ca.now())
	if err != nil {
		return wizard.Issued{}, err
	}
	cert, err := pki.SignCSR(csr, sandbox.SignOptions{})
	if err != nil {
		return wizard.Issued{}, err
	}
	return wizard.Issued{CertPEM: cert, CACertFile: pki.CABundlePath()}, nil
}

// startSandbox runs the practice API inside the TUI until it quits (ctx),
// on the default port, its keys in kr; when a sandbox already runs there,
// its profile is used as it is.
func startSandbox(ctx context.Context, kr secretstore.Keyring) (string, error) {
	srv, err := sandbox.StartWithProfile(ctx, sandbox.Config{Keyring: kr, Log: io.Discard, APIMAddr: "127.0.0.1:0"})
	var inUse *sandbox.AddrInUseError
	if errors.As(err, &inUse) {
		if _, perr := profile.Load(sandbox.ProfileName); perr == nil {
			return sandbox.ProfileName, nil
		}
	}
	if err != nil {
		return "", err
	}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	return sandbox.ProfileName, nil
}
