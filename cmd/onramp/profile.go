package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/usecase"

	"github.com/spf13/cobra"

	"github.com/onramp-cli/onramp/internal/redact"
	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/profile"
)

type profileOptions struct {
	io *iostreams.IO
	// settings: `profile show --settings` lists every setting with its
	// source instead of the summary.
	settings  bool
	openStore func(kind string) (secretstore.Keyring, error)
	json      bool
	yes       bool
	store     string
	now       func() time.Time
}

func newProfileCmd(fac *factory) *cobra.Command {
	io := fac.IO
	opts := &profileOptions{io: io, openStore: fac.SecretStore, now: fac.Now}
	cmd := &cobra.Command{
		Use:   "profile",
		Short: "List, show, change and remove saved connection profiles",
		Long: `A profile is one saved connection: provider, environment, URL, auth methods,
file paths, header names and the names of its secrets (the values live in the
OS keyring). Profiles are YAML files in the onramp config directory
(ONRAMP_CONFIG_DIR, else your user config directory), one per profile.`,
		Args: cobra.NoArgs,
		RunE: needSubcommand,
	}
	ls := &cobra.Command{
		Use:   "ls",
		Short: "List saved profiles",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return profileList(opts) },
	}
	ls.Flags().BoolVar(&opts.json, "json", false, "machine-readable list on stdout")
	var showProfile string
	show := &cobra.Command{
		Use:   "show [NAME]",
		Short: "Show a profile, with the days left on its certificate",
		Long: `Shows a profile: provider, environment, URL, auth, files, the names of its
secrets (never their values), the days left on its certificate and its last
check.

--settings lists instead every setting that 'onramp profile set' takes, its
value and its source: the provider's template, the profile itself, or
onramp's default when it is not set (as the TUI's profile screen does).`,
		Example: `  onramp profile show hmpps-dev
  onramp profile show hmpps-dev --settings
  onramp profile show hmpps-dev --settings --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := showProfile
			if len(args) == 1 {
				if cmd.Flags().Changed("profile") && args[0] != showProfile {
					return usageErrorf("give the profile either as NAME or as --profile, not both")
				}
				name = args[0]
			}
			return profileShow(opts, name)
		},
	}
	show.Flags().BoolVar(&opts.json, "json", false, "machine-readable profile on stdout")
	show.Flags().BoolVar(&opts.settings, "settings", false, "list every setting `profile set` takes, its value and where it comes from (template, profile or default)")
	show.Flags().StringVar(&showProfile, "profile", defaultProfile, "profile to show")
	rm := &cobra.Command{
		Use:   "rm NAME",
		Short: "Remove a profile and its secrets from the keyring (asks first on a terminal)",
		Args:  exactArgs(1, "NAME"),
		RunE:  func(cmd *cobra.Command, args []string) error { return profileRemove(opts, args[0]) },
	}
	rm.Flags().BoolVarP(&opts.yes, "yes", "y", false, "do not ask for confirmation (needed when stdin is not a terminal)")
	rm.Flags().StringVar(&opts.store, "store", "", "where the profile's secrets live: keyring (default) or file")
	cmd.AddCommand(ls, show, newProfileSetCmd(opts), newProfileEditCmd(opts), rm, newProfileNewCmd(fac), newProfileProvidersCmd(fac), newImportCGPCmd(fac))
	return cmd
}

type profileSummary struct {
	Name        string `json:"name"`
	Provider    string `json:"provider,omitempty"`
	Environment string `json:"environment,omitempty"`
	URL         string `json:"url,omitempty"`
	Error       string `json:"error,omitempty"`
}

func profileList(opts *profileOptions) error {
	io := opts.io
	names, err := profile.List()
	if err != nil {
		return failedErrorf("%v", err)
	}
	list := []profileSummary{}
	for _, n := range names {
		s := profileSummary{Name: n}
		if p, err := profile.Load(n); err != nil {
			s.Error = err.Error()
		} else {
			s.Provider, s.Environment, s.URL = p.Provider, p.Environment, redact.URL(p.URL)
		}
		list = append(list, s)
	}
	if opts.json {
		return writeJSON(io, struct {
			Profiles []profileSummary `json:"profiles"`
		}{list})
	}
	if len(list) == 0 {
		fmt.Fprintln(io.ErrOut, "No profiles yet. `onramp init` sets one up; `onramp sandbox` makes one to practise with.")
		return nil
	}
	tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPROVIDER\tENVIRONMENT\tURL")
	for _, s := range list {
		if s.Error != "" {
			fmt.Fprintf(tw, "%s\t(unreadable)\t-\t-\n", s.Name)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, dash(s.Provider), dash(s.Environment), dash(s.URL))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range list {
		if s.Error != "" {
			fmt.Fprintf(io.ErrOut, "warning: %s\n", s.Error)
		}
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func writeJSON(io *iostreams.IO, v any) error {
	enc := json.NewEncoder(io.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// loadNamed loads the profile a command names: a malformed name is a usage
// error, a missing or unreadable profile a failure.
func loadNamed(name string) (*profile.Profile, error) {
	if err := profile.ValidateName(name); err != nil {
		return nil, usageErrorf("%v", err)
	}
	p, err := profile.Load(name)
	if err != nil {
		return nil, failedErrorf("%v", err)
	}
	return p, nil
}

func profileShow(opts *profileOptions, name string) error {
	io := opts.io
	p, err := loadNamed(name)
	if err != nil {
		return err
	}
	if opts.settings {
		rows := usecase.Settings(p)
		if opts.json {
			return writeJSON(io, struct {
				Profile  string            `json:"profile"`
				Settings []usecase.Setting `json:"settings"`
			}{p.Name, rows})
		}
		return usecase.WriteSettings(io.Out, rows)
	}
	v := usecase.ShowProfile(p, opts.now())
	if opts.json {
		return writeJSON(io, v)
	}
	return v.WriteText(io.Out)
}

func profileRemove(opts *profileOptions, name string) error {
	io := opts.io
	if err := profile.ValidateName(name); err != nil {
		return usageErrorf("%v", err)
	}
	p, err := profile.Load(name)
	if errors.Is(err, profile.ErrNotFound) {
		return failedErrorf("%v", err)
	}
	if err != nil {
		// A hand-edited file with a typo can still be removed: read it
		// leniently for the names of its secrets.
		fmt.Fprintf(io.ErrOut, "warning: %v\n", err)
		if p, err = profile.LoadLoose(name); err != nil {
			fmt.Fprintf(io.ErrOut, "  Its secrets cannot be listed; remove them with `onramp secret rm NAME --profile %s`.\n", name)
			p = &profile.Profile{Name: name}
		}
	}
	q := fmt.Sprintf("remove profile %s", name)
	if n := len(p.Secrets); n > 0 {
		q += fmt.Sprintf(" and its %d secret(s) (%s)", n, strings.Join(p.SecretNames(), ", "))
	}
	if err := confirm(io, opts.yes, q); err != nil {
		return err
	}
	cacheErr, err := usecase.RemoveProfile(p, func() (secretstore.Keyring, error) { return opts.openStore(opts.store) })
	if cacheErr != nil {
		fmt.Fprintf(io.ErrOut, "warning: cached credentials of %s may remain in the keyring: %v\n", name, cacheErr)
	}
	if err != nil {
		return causeFailure(io, false, err)
	}
	fmt.Fprintf(io.ErrOut, "Removed profile %s.\n", name)
	return nil
}
