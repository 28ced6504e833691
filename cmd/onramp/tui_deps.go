package main

import (
	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/tui"
)

// newTUIDeps wires the TUI to the real packages.
func newTUIDeps() *tui.Deps {
	return &tui.Deps{
		Version:        Version(),
		Keyring:        keystore.OSKeyring{},
		Diagnose:       diagnose.Run,
		RenderMarkdown: diagnose.RenderMarkdown,
		ProfileOptions: diagnoseProfileOptions,
	}
}
