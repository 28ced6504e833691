package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/monitor"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/tokens"
)

type statusOptions struct {
	io        *iostreams.IO
	openStore func() (secretstore.Keyring, error) // quiet: never prompts
	now       func() time.Time
	json      bool
	expiresIn string
	profiles  []string
}

// statusJSON is `onramp status --json`.
type statusJSON struct {
	OK       bool                    `json:"ok"`
	Window   string                  `json:"expires_in"`
	Profiles []monitor.ProfileStatus `json:"profiles"`
}

func newStatusCmd(fac *factory) *cobra.Command {
	opts := &statusOptions{io: fac.IO, openStore: func() (secretstore.Keyring, error) { return fac.ScreenStore("") }, now: fac.Now}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "One line per profile: last check, certificate days left, token and key age",
		Long: `Shows, for every saved profile, the outcome of its last check (by onramp
diagnose, the TUI or onramp watch) and its cause, the days left on its
client certificate and on the server's chain, and how old its key and
secrets are. Nothing is sent over the network.

Exit status: 0 when all is well; 1 when a last check failed, a certificate
expires within --expires-in (default 30 days) or a file cannot be read, so
a cron job or CI step can alert on it (like step certificate needs-renewal).`,
		Example: `  onramp status
  onramp status --expires-in 14d --json
  onramp status --profile hmpps-dev || mail -s "renew" ops@example.com`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runStatus(opts) },
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.json, "json", false, "machine-readable status on stdout")
	fl.StringVar(&opts.expiresIn, "expires-in", "30d", "`WINDOW` (days as 30d, or a duration as 72h): an expiry this close needs attention")
	fl.StringArrayVar(&opts.profiles, "profile", nil, "only this profile `NAME` (repeatable; default: all)")
	return cmd
}

func runStatus(o *statusOptions) error {
	window, err := monitor.ParseWindow(o.expiresIn)
	if err != nil {
		return usageErrorf("%v", err)
	}
	var profiles []*profile.Profile
	var broken []string
	if len(o.profiles) > 0 {
		for _, n := range o.profiles {
			p, err := profile.Load(n)
			if err != nil {
				return usageErrorf("--profile %s: %v", n, err)
			}
			profiles = append(profiles, p)
		}
	} else {
		var lerr error
		profiles, lerr = monitor.SavedProfiles()
		if lerr != nil {
			broken = strings.Split(lerr.Error(), "\n")
		}
	}
	if len(profiles) == 0 && len(broken) == 0 {
		if o.json {
			return writeStatusJSON(o, statusJSON{OK: true, Window: o.expiresIn, Profiles: []monitor.ProfileStatus{}})
		}
		fmt.Fprintln(o.io.ErrOut, "No profiles yet: make one with onramp init (or try onramp sandbox).")
		return nil
	}
	// The cached tokens' expiry is read from the store when it answers;
	// status never asks for a passphrase or waits on a missing keyring.
	var tokenExpiry func(*profile.Profile) (time.Time, bool)
	if kr, err := o.openStore(); err == nil && kr != nil {
		tokenExpiry = func(p *profile.Profile) (time.Time, bool) {
			return (&tokens.Cache{Keyring: kr, Profile: p.Name}).Expiry()
		}
	}
	now := o.now()
	all := make([]monitor.ProfileStatus, 0, len(profiles))
	ok := len(broken) == 0
	for _, p := range profiles {
		s := monitor.Status(p, now, window, tokenExpiry)
		ok = ok && s.OK()
		all = append(all, s)
	}
	if o.json {
		if err := writeStatusJSON(o, statusJSON{OK: ok, Window: o.expiresIn, Profiles: all}); err != nil {
			return err
		}
	} else {
		if err := monitor.WriteStatusText(o.io.Out, all, now); err != nil {
			return failedErrorf("writing the status: %v", err)
		}
	}
	for _, b := range broken {
		fmt.Fprintf(o.io.ErrOut, "onramp: %s\n", b)
	}
	if !ok {
		return errDiagnosed
	}
	return nil
}

func writeStatusJSON(o *statusOptions, v statusJSON) error {
	if err := writeJSON(o.io, v); err != nil {
		return failedErrorf("writing the status: %v", err)
	}
	return nil
}
