package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/usecase"
)

type renewOptions struct {
	io        *iostreams.IO
	openStore func(kind string) (secretstore.Keyring, error)
	now       func() time.Time
	profile   string
	newKey    bool
	importing string
	finish    bool
	rollback  bool
	timeout   time.Duration
}

func newRenewCmd(fac *factory) *cobra.Command {
	o := &renewOptions{io: fac.IO, openStore: fac.SecretStore, now: fac.Now}
	cmd := &cobra.Command{
		Use:   "renew --profile NAME [--new-key | --import FILE | --finish | --rollback]",
		Short: "Renew a profile's client certificate or signing key without a gap: request, check, switch",
		Long: `Renews the client certificate of a profile in three steps, and the profile
keeps working with the old certificate until the new one has passed its
checks:

  1. onramp renew --profile P [--new-key]
       writes a CSR with the certificate's subject and names (from the same
       key, or with --new-key a new key of the same type and size) beside
       the profile's key. Send it to the provider.
  2. onramp renew --profile P --import NEW-CERT
       checks the certificate against the key, runs the profile's checks
       with it and, only when they pass, switches the profile to it.
  3. onramp renew --profile P --rollback
       goes back to the previous certificate and key (run it again to go
       forward).

For a signed-JWT profile (NHS API Management) step 1 makes a new RSA key
under a new kid and a JWKS holding the old key and the new one: register
it with the provider, then --finish checks a token signed with the new key
and switches the profile to it.`,
		Example: `  onramp renew --profile hmpps-dev --new-key
  onramp renew --profile hmpps-dev --import ~/Downloads/client-2027.pem
  onramp renew --profile sandbox && onramp sandbox sign ~/.config/onramp/sandbox/client-renew-*.csr --out new.pem`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.profile == "" {
				return usageErrorf("--profile NAME is required")
			}
			n := 0
			for _, set := range []bool{o.newKey, o.importing != "", o.finish, o.rollback} {
				if set {
					n++
				}
			}
			if n > 1 {
				return usageErrorf("--new-key, --import, --finish and --rollback are separate steps: give one at a time")
			}
			if o.timeout <= 0 {
				return usageErrorf("--timeout %s: must be more than zero", o.timeout)
			}
			p, err := profile.Load(o.profile)
			if err != nil {
				return usageErrorf("--profile %s: %v", o.profile, err)
			}
			return runRenew(cmd, o, p)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.profile, "profile", "", "the profile whose client certificate to renew")
	f.BoolVar(&o.newKey, "new-key", false, "make a new key for the new certificate (same type and size)")
	f.StringVar(&o.importing, "import", "", "the new certificate `FILE` the provider sent: check it, then switch")
	f.BoolVar(&o.finish, "finish", false, "signed JWT: the provider has the new JWKS; check with the new key, then switch")
	f.BoolVar(&o.rollback, "rollback", false, "go back to the certificate and key before the last renewal")
	f.DurationVar(&o.timeout, "timeout", diagnose.DefaultTimeout, "bound for the checks of the new certificate")
	return cmd
}

func runRenew(cmd *cobra.Command, o *renewOptions, p *profile.Profile) error {
	w := o.io.Out
	if o.rollback {
		if err := usecase.Rollback(p); err != nil {
			return renewError(o.io, err)
		}
		if err := profile.Save(p); err != nil {
			return failedErrorf("%v", err)
		}
		fmt.Fprintf(w, "Profile %s uses %s again.\nTo go forward again: onramp renew --profile %s --rollback\n", p.Name, materialText(p), p.Name)
		return nil
	}
	kr, err := o.openStore("")
	if err != nil {
		return err
	}
	var keyPass []byte
	if p.KeyPassSecret != "" {
		v, err := kr.Get(p.Name, p.KeyPassSecret)
		if err != nil {
			return causeFailure(o.io, false, err)
		}
		keyPass = []byte(v)
	}
	r := usecase.Renew{Checks: usecase.Checks{Store: kr}, KeyPass: keyPass, Now: o.now}
	if o.importing == "" && !o.finish {
		ren, err := r.Start(cmd.Context(), p, o.newKey)
		if err != nil {
			return renewError(o.io, err)
		}
		if err := profile.Save(p); err != nil {
			return failedErrorf("%v", err)
		}
		if ren.NewKey {
			fmt.Fprintf(w, "New key:  %s (0600)\n", ren.Key)
		}
		if ren.KID != "" {
			fmt.Fprintf(w, "New kid:  %s\nJWKS:     %s (the old key %s and the new one)\n", ren.KID, ren.JWKS, p.KID)
			fmt.Fprintf(w, "Profile %s keeps signing with kid %s until a token signed with the new key is accepted.\n", p.Name, p.KID)
			fmt.Fprintf(w, "Next: register the JWKS with the provider, then: onramp renew --profile %s --finish\n", p.Name)
			return nil
		}
		fmt.Fprintf(w, "CSR:      %s\n", ren.CSR)
		fmt.Fprintf(w, "Profile %s keeps using %s until the new certificate passes its checks.\n", p.Name, p.Cert)
		fmt.Fprintf(w, "Next: send the CSR to the provider, then: onramp renew --profile %s --import NEW-CERT\n", p.Name)
		return nil
	}
	if o.finish && p.Renewal != nil && p.Renewal.KID == "" {
		return usageErrorf("profile %s renews a certificate: give the new certificate with --import FILE", p.Name)
	}
	if o.importing != "" && p.Renewal != nil && p.Renewal.KID != "" {
		return usageErrorf("profile %s rotates its signing key, which has no certificate: register the JWKS %s, then --finish", p.Name, p.Renewal.JWKS)
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), o.timeout)
	defer cancel()
	rep, err := r.Finish(ctx, p, o.importing)
	if err != nil {
		return renewError(o.io, err)
	}
	diagnose.RenderText(w, rep, o.io.ColorEnabled())
	if rep.Cancelled {
		return errCancelled
	}
	if !rep.OK {
		fmt.Fprintf(w, "\nProfile %s still uses %s: fix the cause above and try again.\n", p.Name, materialText(p))
		return errDiagnosed
	}
	if err := profile.Save(p); err != nil {
		return failedErrorf("%v", err)
	}
	fmt.Fprintf(w, "\nProfile %s now uses %s.\nTo roll back: onramp renew --profile %s --rollback\n", p.Name, materialText(p), p.Name)
	return nil
}

func renewError(io *iostreams.IO, err error) error {
	var exists *keystore.ExistsError
	if errors.Is(err, usecase.ErrRenewUsage) || errors.As(err, &exists) {
		return usageErrorf("%v", err)
	}
	return causeFailure(io, false, err)
}

// materialText names what a profile authenticates with: its certificate,
// or its signing key's kid.
func materialText(p *profile.Profile) string {
	if p.Cert != "" {
		return p.Cert + " (key " + p.Key + ")"
	}
	return "kid " + p.KID + " (key " + p.Key + ")"
}
