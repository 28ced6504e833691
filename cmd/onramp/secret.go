package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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
	// role is the API key role (--role) a key is for: set records it in
	// the profile's role_keys, rm removes the role's key.
	role string
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
		Use:   "set NAME | set [NAME] --role ROLE",
		Short: "Store a secret, read from stdin or a masked prompt (never from a flag)",
		Long: `Store a secret, read from stdin or a masked prompt (never from a flag).

With --role, the secret is the API key of that role (Securosys: each key has
one role, and the role table says which endpoints it may call; see onramp
profile providers securosys): the profile records it in role_keys, and the
checks send it for the paths of that role. NAME defaults to the role's name.`,
		Example: `  onramp secret set api-key --profile hmpps-dev          # asks, input hidden
  printf %s "$KEY" | onramp secret set api-key --profile ci
  onramp secret set securosys-service-key --role serviceToken --profile tsb`,
		Args: roleArgs(opts, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error { return secretSet(opts, firstArg(args)) },
	}
	set.Flags().StringVar(&opts.role, "role", "", "the API key role this key has (the provider's role table), recorded in the profile's role_keys")
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
		Use:   "rm NAME | rm --role ROLE",
		Short: "Delete a secret from the keyring (asks first on a terminal)",
		Long: `Delete a secret from the keyring and its record from the profile. With --role,
the secret is the key the profile records for that API key role (role_keys),
and the role's entry goes with it.`,
		Args: roleArgs(opts, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error { return secretRemove(opts, firstArg(args)) },
	}
	rm.Flags().StringVar(&opts.role, "role", "", "delete the key of this API key role (role_keys)")
	rm.Flags().BoolVarP(&opts.yes, "yes", "y", false, "do not ask for confirmation (needed when stdin is not a terminal)")
	cmd.AddCommand(set, get, ls, rm)
	return cmd
}

// roleArgs takes NAME, or with --role an optional NAME.
func roleArgs(opts *secretOptions, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if opts.role != "" && len(args) == 0 {
			return nil
		}
		return exactArgs(1, names)(cmd, args)
	}
}

func firstArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
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
	if opts.role != "" && name == "" {
		name = opts.role
	}
	if err := validateSecretArgs(opts, name); err != nil {
		return err
	}
	// Load the profile first: a broken file is reported before anything is stored.
	p, created, err := profile.LoadOrNew(opts.profile)
	if err != nil {
		return failedErrorf("%v", err)
	}
	if opts.role != "" && !slices.Contains(usecase.Roles(p), opts.role) {
		return usageErrorf("%v", &usecase.RoleError{Role: opts.role, Profile: p.Name, Roles: usecase.Roles(p)})
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
	secrets := usecase.Secrets{Store: store, Now: opts.now}
	if opts.role != "" {
		err = secrets.SetRole(p, opts.role, name, value)
	} else {
		err = secrets.Set(p, name, value)
	}
	if err != nil {
		return causeFailure(io, false, err)
	}
	if created {
		path, _ := profile.Path(opts.profile)
		fmt.Fprintf(io.ErrOut, "Created profile %s (%s).\n", opts.profile, path)
	}
	fmt.Fprintf(io.ErrOut, "Stored %s for profile %s %s.\n", name, opts.profile, secretstore.Where(store, opts.profile, name))
	if opts.role != "" {
		fmt.Fprintf(io.ErrOut, "It is the %s key: the checks send it for that role's paths (onramp profile providers %s lists them).\n", opts.role, p.Provider)
	}
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
	withRoles := len(p.RoleKeys) > 0
	if withRoles {
		fmt.Fprintln(tw, "NAME\tROLE\tSET")
	} else {
		fmt.Fprintln(tw, "NAME\tSET")
	}
	for _, e := range entries {
		if withRoles {
			fmt.Fprintf(tw, "%s\t%s\t", e.Name, dash(strings.Join(e.Roles, ", ")))
		} else {
			fmt.Fprintf(tw, "%s\t", e.Name)
		}
		fmt.Fprintf(tw, "%s (%s)\n", e.SetAt.Local().Format("2006-01-02 15:04"), ago(opts.now().Sub(e.SetAt)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, role := range usecase.Roles(p) {
		if name := usecase.RoleSecret(p, role); p.RoleKeys[role] != "" && p.Secrets[name].IsZero() {
			fmt.Fprintf(io.ErrOut, "The %s key %s is not recorded as stored: onramp secret set %s --role %s --profile %s\n", role, name, name, role, p.Name)
		}
	}
	return nil
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
	if err := profile.ValidateName(opts.profile); err != nil {
		return usageErrorf("--profile: %v", err)
	}
	p, err := profile.Load(opts.profile)
	if err != nil && !errors.Is(err, profile.ErrNotFound) {
		return failedErrorf("%v", err)
	}
	if opts.role != "" {
		if p == nil {
			return failedErrorf("there is no profile %s, so no key for role %s", opts.profile, opts.role)
		}
		recorded, ok := p.RoleKeys[opts.role]
		switch {
		case !ok:
			return failedErrorf("profile %s records no key for role %s [%s]; `onramp secret ls --profile %s` lists its keys", opts.profile, opts.role, cause.KeyringSecretMissing, opts.profile)
		case name != "" && name != recorded:
			return usageErrorf("the %s key of profile %s is %s, not %s", opts.role, opts.profile, recorded, name)
		}
		name = recorded
	}
	if err := validateSecretArgs(opts, name); err != nil {
		return err
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
	if len(removed.Roles) > 0 {
		fmt.Fprintf(io.ErrOut, "Profile %s has no %s key now.\n", opts.profile, strings.Join(removed.Roles, " or "))
	}
	return nil
}
