package main

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/onramp-cli/onramp/internal/idn"
	"github.com/onramp-cli/onramp/internal/redact"
	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
	"github.com/onramp-cli/onramp/usecase"
)

type profileNewOptions struct {
	provider, env, url string
	auth               []string
	cert, key, cacert  string
	kid                string
	statusPath         string
	statusMethod       string
	force              bool
}

// newProfileNewCmd makes a profile from a provider template without the
// wizard, for scripts and for people who know what they have.
func newProfileNewCmd(fac *factory) *cobra.Command {
	io := fac.IO
	o := &profileNewOptions{}
	cmd := &cobra.Command{
		Use:   "new NAME --provider ID",
		Short: "Create a profile from a provider template (the non-interactive `onramp init`)",
		Example: `  onramp profile new hmpps-dev --provider hmpps --env dev --cert client.pem --key client.key
  onramp profile new nhs-int --provider nhs-apim --env int --key jwt.key --kid test-1
  onramp profile providers        # the templates and their environments`,
		Args: exactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error { return profileNew(io, o, args[0]) },
	}
	f := cmd.Flags()
	f.StringVar(&o.provider, "provider", "", "provider template `ID` (see onramp profile providers)")
	f.StringVar(&o.env, "env", "", "environment of the provider (default: the template's default; see onramp profile providers ID)")
	f.StringVar(&o.url, "url", "", "base URL, replacing the environment's (required where the template has none)")
	f.StringSliceVar(&o.auth, "auth", nil, "auth methods to use: mtls, api-key, signed-jwt, bearer-jwt, e.g. mtls,api-key (default: the template's preferred; see onramp profile providers ID)")
	f.StringVar(&o.cert, "cert", "", "client certificate file")
	f.StringVar(&o.key, "key", "", "private key file (TLS client key, or the signed-JWT key)")
	f.StringVar(&o.cacert, "cacert", "", "CA bundle the server's certificate must chain to")
	f.StringVar(&o.kid, "kid", "", "key id registered for signed JWT")
	f.StringVar(&o.statusPath, "status-path", "", "the path the checks call, replacing the template's (e.g. HMPPS: /token, or a read endpoint your client is authorised for)")
	f.StringVar(&o.statusMethod, "status-method", "", "GET or POST for --status-path (default: the documented method of that path, else GET)")
	f.BoolVar(&o.force, "force", false, "replace an existing profile of that name")
	return cmd
}

func profileNew(io *iostreams.IO, o *profileNewOptions, name string) error {
	if err := profile.ValidateName(name); err != nil {
		return usageErrorf("%v", err)
	}
	if o.provider == "" {
		return usageErrorf("--provider is required: one of %s", strings.Join(templateIDs(), ", "))
	}
	t, err := provider.Get(o.provider)
	if err != nil {
		return usageErrorf("--provider: %v", err)
	}
	env := o.env
	if env == "" {
		env = t.DefaultEnv()
	}
	e, ok := t.Env(env)
	if !ok {
		return usageErrorf("--env %q: %s has %s", env, t.ID, strings.Join(t.EnvironmentNames(), ", "))
	}
	if _, err := profile.Load(name); err == nil && !o.force {
		return usageErrorf("profile %s exists: add --force to replace it, or `onramp profile rm %s` first", name, name)
	} else if err != nil && !errors.Is(err, profile.ErrNotFound) && !o.force {
		return failedErrorf("%v", err)
	}
	p := t.NewProfile(name, env)
	if o.url != "" {
		u, err := url.Parse(o.url)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return usageErrorf("--url %q: give an https:// URL", redact.URL(o.url))
		}
		if u.User != nil {
			return usageErrorf("--url %s holds a user name or password: a profile file is not a place for secrets. Give the URL without them; store the secret with `onramp secret set NAME --profile %s` (read from stdin) and name it in the profile", redact.URL(o.url), name)
		}
		if p.URL, err = idn.URL(o.url); err != nil {
			return usageErrorf("--url: %v", err)
		}
	}
	if p.URL == "" {
		return usageErrorf("%s's %s environment has no fixed URL: give it with --url https://...", t.ID, e.Name)
	}
	if len(o.auth) > 0 {
		if e.NoAuth {
			return usageErrorf("--auth: %s's %s environment needs no authentication; leave --auth out", t.ID, e.Name)
		}
		if err := t.ValidAuth(o.auth); err != nil {
			return usageErrorf("--auth %s: %v", strings.Join(o.auth, ","), err)
		}
		t.ApplyAuth(p, o.auth)
	}
	usesCert := slices.Contains(p.Auth, provider.AuthMTLS) || len(p.Auth) == 0 && !e.NoAuth
	if o.cert != "" && !usesCert {
		return usageErrorf("--cert: the profile's auth (%s) uses no client certificate; add mtls to --auth to use one", strings.Join(p.Auth, ","))
	}
	if o.key != "" && !usesCert && !slices.Contains(p.Auth, provider.AuthSignedJWT) {
		return usageErrorf("--key: the profile's auth (%s) uses no private key; add mtls (or signed-jwt) to --auth to use one", strings.Join(p.Auth, ","))
	}
	for _, fl := range []struct {
		name string
		val  *string
		dst  *string
	}{{"--cert", &o.cert, &p.Cert}, {"--key", &o.key, &p.Key}, {"--cacert", &o.cacert, &p.CACert}} {
		if *fl.val == "" {
			continue
		}
		abs, err := filepath.Abs(*fl.val)
		if err != nil {
			return usageErrorf("%s %q: %v", fl.name, *fl.val, err)
		}
		*fl.dst = abs
	}
	if o.kid != "" {
		p.KID = o.kid
	}
	if err := setStatusCheck(t, p, o.statusPath, o.statusMethod); err != nil {
		return err
	}
	if err := profile.Save(p); err != nil {
		return failedErrorf("%v", err)
	}
	path, _ := profile.Path(name)
	fmt.Fprintf(io.ErrOut, "Created profile %s (%s): %s, %s, %s.\n", name, path, t.Name, env, p.URL)
	if e.Notes != "" {
		fmt.Fprintf(io.ErrOut, "Note: %s\n", e.Notes)
	}
	if len(p.Auth) > 0 {
		fmt.Fprintf(io.ErrOut, "Auth: %s.\n", strings.Join(p.Auth, " + "))
	} else if e.NoAuth {
		fmt.Fprintln(io.ErrOut, "Auth: none (this environment needs no credentials).")
	}
	if slices.Contains(p.Auth, provider.AuthMTLS) && p.Cert == "" {
		fmt.Fprintf(io.ErrOut, "Next: the client certificate (what to send for it: onramp profile providers %s); when it comes back: onramp import --cert FILE --key KEY --out DIR --profile %s\n", t.ID, name)
	}
	if slices.Contains(p.Auth, provider.AuthSignedJWT) && p.Key == "" {
		fmt.Fprintf(io.ErrOut, "Next: the signing key, its JWKS registered under a kid (how: onramp profile providers %s); then onramp profile set %s key FILE and onramp profile set %s kid KID\n", t.ID, name, name)
	}
	if p.APIKeySecret != "" {
		fmt.Fprintf(io.ErrOut, "Next: onramp secret set %s --profile %s   (the API key, read from stdin or a hidden prompt)\n", p.APIKeySecret, name)
	}
	if len(t.Roles) > 0 && slices.Contains(p.Auth, provider.AuthAPIKey) {
		fmt.Fprintf(io.ErrOut, "Role keys: each path needs a key of one role; store each role's key with its role, e.g. onramp secret set --role serviceToken --profile %s (the roles: onramp profile providers %s)\n", name, t.ID)
	}
	if p.BearerSecret != "" {
		fmt.Fprintf(io.ErrOut, "Next: onramp secret set %s --profile %s   (the bearer token, read from stdin or a hidden prompt)\n", p.BearerSecret, name)
	}
	writeCheckChoices(io, t, p)
	fmt.Fprintf(io.ErrOut, "Check it: onramp diagnose --profile %s\n", name)
	return nil
}

// setStatusCheck applies --status-path and --status-method: a path the
// template documents takes its method (HMPPS: POST /token; see
// usecase.SetSetting) unless one is given, and its expected body.
func setStatusCheck(t *provider.Template, p *profile.Profile, path, method string) error {
	if path == "" {
		if method != "" {
			return usageErrorf("--status-method needs --status-path")
		}
		return nil
	}
	set := [][2]string{{"status_path", path}}
	if method != "" {
		set = append(set, [2]string{"status_method", method})
	}
	for _, kv := range set {
		if _, err := usecase.SetSetting(p, kv[0], kv[1]); err != nil {
			return usageErrorf("--%s: %v", strings.ReplaceAll(kv[0], "_", "-"), err)
		}
	}
	p.ExpectJSON = ""
	if c := t.CheckAt(p.Environment, p.StatusMethod, p.StatusPath); c != nil {
		p.ExpectJSON = c.ExpectJSON
	}
	return nil
}

// writeCheckChoices says, where the template documents more than one
// endpoint to check (HMPPS), which one the profile calls and how to pick
// another: the choices the wizard offers, from the same template data.
func writeCheckChoices(io *iostreams.IO, t *provider.Template, p *profile.Profile) {
	checks := t.StatusFor(p.Environment).Checks()
	if len(checks) < 2 {
		return
	}
	fmt.Fprintln(io.ErrOut, "No health check is documented; the checks call:")
	for _, c := range checks {
		mark, method := " ", cmp.Or(c.Method, "GET")
		if c.Path == p.StatusPath && strings.EqualFold(method, cmp.Or(p.StatusMethod, "GET")) {
			mark = "*"
		}
		fmt.Fprintf(io.ErrOut, "  %s %s %s: %s\n", mark, method, c.Path, c.Notes)
	}
	fmt.Fprintf(io.ErrOut, "  Change it: onramp profile set %s status_path PATH (a documented path brings its method), e.g. an endpoint your client is authorised for.\n", p.Name)
}

func templateIDs() []string {
	var ids []string
	for _, t := range provider.All() {
		ids = append(ids, t.ID)
	}
	return ids
}

func newProfileProvidersCmd(fac *factory) *cobra.Command {
	io := fac.IO
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "providers [ID]",
		Short: "List the provider templates, or show one with what to send the provider",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				t, err := provider.Get(args[0])
				if err != nil {
					return usageErrorf("%v", err)
				}
				if asJSON {
					return writeJSON(io, t)
				}
				t.WriteText(io.Out)
				return nil
			}
			ts, loadErr := provider.Templates()
			if loadErr != nil {
				fmt.Fprintf(io.ErrOut, "warning: %v\n", loadErr)
			}
			if asJSON {
				return writeJSON(io, struct {
					Providers []*provider.Template `json:"providers"`
				}{ts})
			}
			tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tENVIRONMENTS\tAUTH (--auth)")
			for _, t := range ts {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.ID, t.Name, strings.Join(t.EnvironmentNames(), ", "), t.AuthChoicesText())
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "machine-readable output on stdout")
	return cmd
}
