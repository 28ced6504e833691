package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/tui"
	"github.com/onramp-cli/onramp/wizard"
)

// homeOptions are the flags of `onramp` itself.
type homeOptions struct {
	store      string // --store
	accessible bool   // --accessible or ACCESSIBLE=1
}

// runTUIHome runs the TUI home screen (the factory's Home): full-screen,
// or as plain lines for screen readers.
func runTUIHome(ctx context.Context, fac *factory, o homeOptions) error {
	io := fac.IO
	sbx := &tuiSandbox{}
	at := secretstore.OnScreen
	if o.accessible {
		at = secretstore.InMenu
	}
	deps := newTUIDeps(fac, o.store, sbx, at)
	if o.accessible {
		err := tui.RunAccessibleHome(ctx, deps, io.In, io.ErrOut)
		sbx.noteStopped(io.ErrOut)
		if err != nil {
			return errCancelled
		}
		return nil
	}
	app, err := tui.Run(ctx, deps, tui.Options{Start: tui.StartHome, Color: io.ColorEnabled(), In: io.In, Out: io.Out})
	sbx.noteStopped(io.ErrOut)
	if err != nil {
		return failedErrorf("%v", err)
	}
	if app.Interrupted {
		return errCancelled // ctrl+c: 130, as the README says; q is 0
	}
	return nil
}

// runInit runs the onboarding wizard: full-screen, or as plain lines for
// screen readers.
func runInit(ctx context.Context, fac *factory, name, store string, accessible bool) error {
	io := fac.IO
	sbx := &tuiSandbox{}
	deps := newTUIDeps(fac, store, sbx, secretstore.InWizard) // init shows only the wizard
	if deps.NewFlow == nil {
		return failedErrorf("the wizard is not available in this build")
	}
	if accessible {
		flow := deps.NewFlow(&tui.LinePrompter{In: io.In, Out: io.ErrOut, Back: true})
		res, err := flow.Run(ctx, name)
		return initOutcome(io, name, res, err, false)
	}
	app, err := tui.Run(ctx, deps, tui.Options{Start: tui.StartWizard, Profile: name, Color: io.ColorEnabled(), In: io.In, Out: io.Out})
	if err != nil {
		return failedErrorf("%v", err)
	}
	app.SettleWizard(time.Second)
	sbx.noteStopped(io.ErrOut)
	return initOutcome(io, name, app.WizardResult, app.WizardErr, app.Cancelled)
}

func initOutcome(io *iostreams.IO, name string, res *wizard.Result, err error, cancelled bool) error {
	if res != nil && res.Profile != nil && res.Profile.Name != "" {
		name = res.Profile.Name
	}
	if cancelled || errors.Is(err, wizard.ErrCancelled) {
		if name != "" {
			if _, lerr := profile.Load(name); lerr == nil {
				fmt.Fprintf(io.ErrOut, "Stopped; finished steps are saved. Resume with: onramp init --profile %s\n", name)
			}
		}
		return errCancelled
	}
	if err != nil {
		return failedErrorf("%v", err)
	}
	if res != nil && res.Profile != nil {
		switch {
		case res.Connected:
			fmt.Fprintf(io.ErrOut, "✓ %s is connected. Check it any time with: onramp diagnose --profile %s\n", res.Profile.Name, res.Profile.Name)
		case res.Paused:
			fmt.Fprintf(io.ErrOut, "Saved. Resume with: onramp init --profile %s\n", res.Profile.Name)
		}
	}
	return nil
}
