package main

import (
	"context"

	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/wizard"
)

// sandboxTarget points the wizard's sandbox template at the sandbox that
// runs now: its ready profile knows the port and the status endpoint.
func sandboxTarget(wp *wizard.Provider) {
	wp.AskURL = true
	wp.APIKeyHint = "The sandbox's key is in your keyring: onramp secret get api-key --profile sandbox"
	wp.Subject = "/O=onramp sandbox/CN=practice-client"
	p, err := profile.Load("sandbox")
	if err != nil || p.URL == "" {
		return
	}
	wp.Environments = []wizard.Environment{{Name: "local", URL: p.URL}}
	wp.StatusPath, wp.ExpectJSON = "", p.ExpectJSON
}

// sandboxIssuer signs CSRs with the sandbox's client CA; nil until the
// sandbox package is in this build.
func sandboxIssuer() wizard.Issuer { return nil }

// startSandbox is nil until the sandbox package is in this build.
var startSandbox func(ctx context.Context) (string, error)
