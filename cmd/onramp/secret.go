package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/usecase"

	"github.com/spf13/cobra"

	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/profile"
)

const defaultProfile = "default"

// maxSecretInput bounds a secret read from stdin; keyrings refuse far less.
const maxSecretInput = iostreams.MaxLine

type secretOptions struct {
	io        *iostreams.IO
	openStore func(kind string) (secretstore.Keyring, error)
	now       func() time.Time
	store     string
	profile   string
	yes       bool
	json      bool
}

func newSecretCmd(fac *factory) *cobra.Command {
	io := fac.IO
	opts := &secretOptions{io: io, openStore: fac.SecretStore, now: fac.Now}
	cmd := &cobra.Command{
		Use:   "secret",
		Short: "Keep API keys and passphrases in the OS keyring, per profile",
		Long: `Secrets (API keys, key passphrases) live in the OS keyring under service
"onramp", account PROFILE/NAME, so the OS's own tools find them (Linux:
secret-tool lookup service onramp username PROFILE/NAME). The profile records
only their names and when they were set.

Without an OS keyring (servers, containers) opt in to an encrypted file with
--store file or ONRAMP_STORE=file; its passphrase comes from
ONRAMP_STORE_PASSPHRASE or a prompt. In CI prefer --api-key-env VAR.`,
		Args: cobra.NoArgs,
		RunE: needSubcommand,
	}
	cmd.PersistentFlags().StringVar(&opts.profile, "profile", defaultProfile, "profile the secret belongs to")
	cmd.PersistentFlags().StringVar(&opts.store, "store", "", "where secrets live: keyring (default) or file (encrypted; or set ONRAMP_STORE)")

	set := &cobra.Command{
		Use:   "set NAME",
		Short: "Store a secret, read from stdin or a masked prompt (never from a flag)",
		Example: `  onramp secret set api-key --profile hmpps-dev          # asks, input hidden
  printf %s "$KEY" | onramp secret set api-key --profile ci`,
		Args: exactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error { return secretSet(opts, args[0]) },
	}
	get := &cobra.Command{
		Annotations: rawStdoutAnnotation("prints the secret"),
		Use:         "get NAME",
		Short:       "Print a secret's value on stdout, for scripts",
		Example: `  # the key reaches curl on stdin, not in its argv (ps shows argv)
  printf 'x-api-key: %s\n' "$(onramp secret get api-key --profile hmpps-dev)" |
    curl -H @- --cert client.crt --key client.key https://...`,
		Args: exactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error { return secretGet(opts, args[0]) },
	}
	ls := &cobra.Command{
		Use:   "ls",
		Short: "List a profile's secrets and when they were set (never their values)",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return secretList(opts) },
	}
	ls.Flags().BoolVar(&opts.json, "json", false, "machine-readable list on stdout")
	rm := &cobra.Command{
		Use:   "rm NAME",
		Short: "Delete a secret from the keyring (asks first on a terminal)",
		Args:  exactArgs(1, "NAME"),
		RunE:  func(cmd *cobra.Command, args []string) error { return secretRemove(opts, args[0]) },
	}
	rm.Flags().BoolVarP(&opts.yes, "yes", "y", false, "do not ask for confirmation (needed when stdin is not a terminal)")
	cmd.AddCommand(set, get, ls, rm)
	return cmd
}

// exactArgs is cobra.ExactArgs with a message that names the argument.
func exactArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErrorf("%s needs %s (got %d arguments)\nRun '%s --help' for usage.", cmd.CommandPath(), names, len(args), cmd.CommandPath())
		}
		return nil
	}
}

// confirm asks a y/N question on a terminal; without one it refuses unless
// --yes was given, so a script never deletes by accident.
func confirm(io *iostreams.IO, yes bool, action string) error {
	if yes {
		return nil
	}
	if !io.IsStdinTTY() {
		return usageErrorf("not going to %s: stdin is not a terminal, so onramp cannot ask; add --yes to confirm", action)
	}
	return io.Confirm(action)
}

// readSecretValue reads the value: a masked prompt on a terminal, else all
// of stdin with one trailing newline removed (echo adds one).
func readSecretValue(io *iostreams.IO, profileName, name string) (string, error) {
	if io.IsStdinTTY() {
		return io.ReadHidden(fmt.Sprintf("Value of %s for profile %s (input hidden): ", name, profileName))
	}
	data, err := iostreams.ReadAllLimited(io.In, maxSecretInput)
	if errors.Is(err, iostreams.ErrTooLarge) {
		return "", usageErrorf("the value on stdin is larger than %d bytes; keep large material in a file", maxSecretInput)
	}
	if err != nil {
		return "", fmt.Errorf("reading the secret from stdin: %w", err)
	}
	v := string(data)
	if s, ok := strings.CutSuffix(v, "\n"); ok {
		v = strings.TrimSuffix(s, "\r")
	}
	return v, nil
}

func validateSecretArgs(opts *secretOptions, name string) error {
	if err := profile.ValidateName(opts.profile); err != nil {
		return usageErrorf("--profile: %v", err)
	}
	if err := profile.ValidateSecretName(name); err != nil {
		return usageErrorf("%v", err)
	}
	return nil
}

func secretSet(opts *secretOptions, name string) error {
	io := opts.io
	if err := validateSecretArgs(opts, name); err != nil {
		return err
	}
	// Load the profile first: a broken file is reported before anything is stored.
	p, created, err := profile.LoadOrNew(opts.profile)
	if err != nil {
		return failedErrorf("%v", err)
	}
	store, err := opts.openStore(opts.store)
	if err != nil {
		return err
	}
	// Find out that there is no store before the user types the value.
	if err := secretstore.CheckUsable(store, opts.profile, name, "set"); err != nil {
		return causeFailure(io, false, err)
	}
	value, err := readSecretValue(io, opts.profile, name)
	if err != nil {
		return err
	}
	if value == "" {
		return usageErrorf("the value of %s is empty: nothing stored (pipe the value on stdin, or run on a terminal to be asked)", name)
	}
	for _, c := range usecase.ShapeWarnings(p, name, value) {
		cause.Fprint(io.ErrOut, c, cause.Show{Label: "Warning"})
	}
	if err := (usecase.Secrets{Store: store, Now: opts.now}).Set(p, name, value); err != nil {
		return causeFailure(io, false, err)
	}
	if created {
		path, _ := profile.Path(opts.profile)
		fmt.Fprintf(io.ErrOut, "Created profile %s (%s).\n", opts.profile, path)
	}
	fmt.Fprintf(io.ErrOut, "Stored %s for profile %s %s.\n", name, opts.profile, secretstore.Where(store, opts.profile, name))
	return nil
}

func secretGet(opts *secretOptions, name string) error {
	if err := validateSecretArgs(opts, name); err != nil {
		return err
	}
	var v string
	var err error
	if p, perr := profile.Load(opts.profile); perr == nil && p.KeyFiles[name] != "" {
		// A practice key kept in a file (the sandbox's): no store needed.
		if v, err = profile.ReadKeyFile(p.KeyFiles[name]); err != nil {
			return failedErrorf("%v", err)
		}
	} else {
		store, err := opts.openStore(opts.store)
		if err != nil {
			return err
		}
		if v, err = store.Get(opts.profile, name); err != nil {
			return causeFailure(opts.io, false, err)
		}
	}
	// The value alone, so $(onramp secret get ...) is exact; a newline only
	// for a person reading a terminal.
	fmt.Fprint(opts.io.Out, v)
	if opts.io.IsStdoutTTY() {
		fmt.Fprintln(opts.io.Out)
	}
	return nil
}

func secretList(opts *secretOptions) error {
	io := opts.io
	if err := profile.ValidateName(opts.profile); err != nil {
		return usageErrorf("--profile: %v", err)
	}
	p, err := profile.Load(opts.profile)
	if errors.Is(err, profile.ErrNotFound) {
		p = &profile.Profile{Name: opts.profile}
	} else if err != nil {
		return failedErrorf("%v", err)
	}
	entries := usecase.SecretEntries(p)
	if opts.json {
		enc := json.NewEncoder(io.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Profile string                `json:"profile"`
			Secrets []usecase.SecretEntry `json:"secrets"`
		}{opts.profile, entries})
	}
	if len(entries) == 0 {
		fmt.Fprintf(io.ErrOut, "No secrets recorded for profile %s. Add one with: onramp secret set NAME --profile %s\n", opts.profile, opts.profile)
		return nil
	}
	tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSET")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s (%s)\n", e.Name, e.SetAt.Local().Format("2006-01-02 15:04"), ago(opts.now().Sub(e.SetAt)))
	}
	return tw.Flush()
}

func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

func secretRemove(opts *secretOptions, name string) error {
	io := opts.io
	if err := validateSecretArgs(opts, name); err != nil {
		return err
	}
	p, err := profile.Load(opts.profile)
	if err != nil && !errors.Is(err, profile.ErrNotFound) {
		return failedErrorf("%v", err)
	}
	if err := confirm(io, opts.yes, fmt.Sprintf("delete secret %s of profile %s", name, opts.profile)); err != nil {
		return err
	}
	store, err := opts.openStore(opts.store)
	if err != nil {
		return err
	}
	removed, err := (usecase.Secrets{Store: store, Now: opts.now}).Remove(p, opts.profile, name)
	if err != nil {
		return causeFailure(io, false, err)
	}
	switch {
	case !removed.Stored && !removed.Recorded:
		return failedErrorf("profile %s has no secret %s [%s]; `onramp secret ls --profile %s` lists them", opts.profile, name, cause.KeyringSecretMissing, opts.profile)
	case !removed.Stored:
		fmt.Fprintf(io.ErrOut, "%s was not in the store; removed its record from profile %s.\n", name, opts.profile)
	default:
		fmt.Fprintf(io.ErrOut, "Deleted %s of profile %s.\n", name, opts.profile)
	}
	return nil
}
