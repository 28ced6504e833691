package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/onramp-cli/onramp/profile"
)

// noTerminalInit names the subcommands that do the wizard's steps without
// a terminal.
const noTerminalInit = `onramp init needs a terminal (stdin and stdout). Without one, the same steps are:
  onramp keygen --out DIR --csr --subject "/CN=CLIENT-ID/O=ORG/C=GB"   key and CSR (add --jwks --kid KID for signed JWT)
  onramp import --cert CERT --key KEY --out DIR                        check and store the certificate that comes back
  onramp secret set api-key --profile NAME < FILE                      store the API key in the OS keyring
  onramp diagnose --profile NAME                                       run the checks`

func newInitCmd(fac *factory) *cobra.Command {
	io := fac.IO
	var name, store string
	var accessible bool
	cmd := &cobra.Command{
		Annotations: rawStdoutAnnotation("the wizard owns the terminal"),
		Use:         "init [--profile NAME]",
		Short:       "Set up a connection step by step (the onboarding wizard)",
		Long: `Set up a connection step by step: provider and environment, authentication,
keys and CSR, what to send the provider, the API key, the certificate when it
arrives, and the checks. Progress is saved in the profile after every step:
run 'onramp init --profile NAME' again to resume where you stopped.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if name != "" {
				if err := profile.ValidateName(name); err != nil {
					return usageErrorf("--profile: %v", err)
				}
			}
			if !io.CanPrompt() {
				return usageErrorf("%s", noTerminalInit)
			}
			accessible = accessible || os.Getenv("ACCESSIBLE") != ""
			return runInit(cmd.Context(), fac, name, store, accessible)
		},
	}
	cmd.Flags().StringVar(&name, "profile", "", "resume (or create) the profile `NAME`")
	cmd.Flags().StringVar(&store, "store", "", storeFlagUsage)
	cmd.Flags().BoolVar(&accessible, "accessible", false, "plain line-by-line prompts for screen readers (also ACCESSIBLE=1)")
	return cmd
}
