package main

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/tokens"
	"github.com/onramp-cli/onramp/usecase"
)

type importCGPOptions struct {
	io        *iostreams.IO
	openStore func(kind string) (secretstore.Keyring, error)
	profile   string
	force     bool
	store     string
	now       func() time.Time
}

func newImportCGPCmd(fac *factory) *cobra.Command {
	io := fac.IO
	opts := &importCGPOptions{io: io, openStore: fac.SecretStore, now: fac.Now}
	cmd := &cobra.Command{
		Use:   "import-cgp [FILE] [--profile NAME]",
		Short: "Import a CGP client config.yaml (NHS API Management) into a profile",
		Long: `Make a profile from the CGP client's config file (default
~/.cgpclient/config.yaml): api_host becomes the URL and the token URL
https://<api_host>/oauth2/token, private_key_pem_file and apim_kid the
signing key and kid (signed JWT; without them, API-key auth). The API key
moves into the OS keyring; remove it from the plain-text file afterwards.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := tokens.DefaultCGPConfigPath()
			if len(args) == 1 {
				path = args[0]
			}
			if err := profile.ValidateName(opts.profile); err != nil {
				return usageErrorf("--profile: %v", err)
			}
			return runImportCGP(opts, path)
		},
	}
	cmd.Flags().StringVar(&opts.profile, "profile", "cgp", "name of the profile to create")
	cmd.Flags().BoolVar(&opts.force, "force", false, "replace an existing profile of that name")
	cmd.Flags().StringVar(&opts.store, "store", "", storeFlagUsage)
	return cmd
}

func runImportCGP(o *importCGPOptions, path string) error {
	p, apiKey, err := tokens.ImportCGPConfig(path)
	if err != nil {
		return causeFailure(o.io, false, err)
	}
	if _, err := profile.Load(o.profile); err == nil && !o.force {
		return usageErrorf("profile %q exists: choose another name with --profile, or replace it with --force", o.profile)
	} else if err != nil && !errors.Is(err, profile.ErrNotFound) && !o.force {
		return failedErrorf("%v", err)
	}
	p.Name = o.profile
	var kr secretstore.Keyring
	if apiKey != "" {
		if kr, err = o.openStore(o.store); err != nil {
			return err
		}
		p.APIKeySecret = provider.SecretAPIKey
		// Set saves the profile, then stores the key: a kill between the two
		// leaves a profile whose key is missing (and says so), not a key
		// stored for no profile.
		if err := (usecase.Secrets{Store: kr, Now: o.now}).Set(p, provider.SecretAPIKey, apiKey); err != nil {
			return causeFailure(o.io, false, err)
		}
		// An old token would have been issued for the old settings.
		_ = (&tokens.Cache{Keyring: kr, Profile: p.Name}).Forget()
	} else if err := profile.Save(p); err != nil {
		return failedErrorf("saving profile %s: %v", p.Name, err)
	}

	w := o.io.ErrOut
	auth := "API-key auth (header apikey)"
	if p.KID != "" {
		auth = fmt.Sprintf("signed JWT with kid %s and key %s", p.KID, p.Key)
	}
	env := p.Environment
	if env == "" {
		env = "custom host"
	}
	fmt.Fprintf(w, "Imported %s into profile %s: %s (%s), %s.\n", path, p.Name, p.URL, env, auth)
	if p.Key != "" {
		if key, err := keystore.ReadPrivateKey(p.Key, nil); err != nil {
			fmt.Fprintf(w, "Warning: the key file does not load yet: %v\n", err)
		} else if rk, ok := key.(*rsa.PrivateKey); !ok || rk.N.BitLen() != tokens.DefaultRSABits {
			fmt.Fprintf(w, "Warning: NHS API Management documents RSA 4096 keys (signed RS512); %s is not one (onramp keygen --out DIR --type rsa --bits 4096 --jwks --kid KID makes one).\n", p.Key)
		}
	}
	if apiKey != "" {
		fmt.Fprintf(w, "The API key is now %s.\n", secretstore.Where(kr, p.Name, provider.SecretAPIKey))
		fmt.Fprintf(w, "%s still holds it in plain text: delete its api_key line. If the CGP client still needs it, keep it in\n  the client's own 0600 config file, never on its command line (ps shows every argument to other users).\n", path)
	} else {
		fmt.Fprintf(w, "The file has no api_key: store it with `onramp secret set api-key --profile %s`.\n", p.Name)
	}
	if p.Environment == "sandbox" {
		fmt.Fprintln(w, "The sandbox needs no authentication.")
	} else if p.KID != "" {
		fmt.Fprintf(w, "Next: onramp token --profile %s\n", p.Name)
	}
	return nil
}
