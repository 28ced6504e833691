package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/onramp-cli/onramp/cause"

	"github.com/spf13/cobra"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/provider"
)

func newImportCmd(fac *factory) *cobra.Command {
	io := fac.IO
	var req keystore.ImportRequest
	var passEnv, providerID string
	cmd := &cobra.Command{
		Use:   "import --cert FILE [--chain FILE] --key FILE [--cacert FILE] --out DIR [--name NAME]",
		Short: "Check the certificate a provider sent against its key and CA, and store both",
		Long: `The step after the provider returns your certificate: checks that it is the
certificate of your key, allows clientAuth, chains to the CA (with --cacert)
and how long it is valid; then writes DIR/NAME.crt (certificate, then chain)
and DIR/NAME.key (0600) atomically. A certificate that does not match the
key is refused (key-cert-mismatch, exit 1) and nothing is written.`,
		Example: `  onramp import --cert client.crt --chain intermediate.pem --key keys/client.key --cacert provider-ca.pem --out keys`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, f := range []struct{ flag, v string }{{"--cert", req.CertFile}, {"--key", req.KeyFile}, {"--out", req.Dir}} {
				if f.v == "" {
					return usageErrorf("%s is required", f.flag)
				}
			}
			if req.Name != "" {
				if err := keystore.ValidateFileName(req.Name); err != nil {
					return usageErrorf("--name: %v", err)
				}
			}
			if fi, err := os.Stat(req.Dir); err == nil && !fi.IsDir() {
				return usageErrorf("--out %s is a file, not a directory", req.Dir)
			}
			var tmpl *provider.Template
			if providerID != "" {
				t, err := provider.Get(providerID)
				if err != nil {
					return usageErrorf("--provider: %v", err)
				}
				tmpl = t
			}
			pass, err := envSecret("--key-pass-env", passEnv, cmd.Flags().Changed("key-pass-env"))
			if err != nil {
				return err
			}
			req.KeyPass = pass
			req.Now = fac.Now()
			res, err := keystore.ImportCertificate(req)
			return renderImport(io, req, res, err, tmpl)
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.CertFile, "cert", "", "the certificate the provider sent (PEM or DER; may include the chain)")
	f.StringVar(&req.ChainFile, "chain", "", "intermediate certificate(s) the provider sent separately")
	f.StringVar(&req.KeyFile, "key", "", "your private key (the one the CSR was made from)")
	f.StringVar(&passEnv, "key-pass-env", "", "passphrase of an encrypted key, from this environment variable (the written key stays encrypted)")
	f.StringVar(&req.CACertFile, "cacert", "", "the provider's client CA: the certificate must chain to it")
	f.StringVar(&req.Dir, "out", "", "directory to write NAME.crt and NAME.key into")
	f.StringVar(&req.Name, "name", "", "base name of the files (default: the key file's name)")
	f.BoolVar(&req.Force, "force", false, "replace existing files")
	f.StringVar(&providerID, "provider", "", "also check the provider template's rules for client certificates (e.g. securosys: an OCSP URI)")
	return cmd
}

func renderImport(io *iostreams.IO, req keystore.ImportRequest, res *keystore.ImportResult, err error, tmpl *provider.Template) error {
	w := io.Out
	ok := func(format string, a ...any) { fmt.Fprintf(w, "  ✓ %s\n", fmt.Sprintf(format, a...)) }
	if res != nil && res.Leaf != nil {
		fmt.Fprintf(w, "%s: %s\n", req.CertFile, keystore.FormatSubject(res.Leaf.RawSubject))
	}
	if err != nil {
		var ee *keystore.ExistsError
		if errors.As(err, &ee) {
			return usageErrorf("%v", err)
		}
		c, found := cause.Of(err)
		if !found {
			return failedErrorf("%v", err)
		}
		if res != nil && c.ID != cause.KeyCertMismatch {
			ok("the key matches the certificate")
		}
		cause.Fprint(w, c, cause.Show{Label: "✗ Cause", Detail: err.Error(), Indent: "  "})
		fmt.Fprintln(w, "Nothing was written.")
		return errDiagnosed
	}
	ok("the key matches the certificate")
	ok("clientAuth is allowed")
	if res.VerifiedTo != "" {
		ok("chains to %s (%s)", res.VerifiedTo, req.CACertFile)
	} else {
		fmt.Fprintf(w, "  - chain not checked: give the provider's CA with --cacert to check it\n")
	}
	valid := fmt.Sprintf("valid until %s (%d days left)", res.Leaf.NotAfter.UTC().Format("2006-01-02"), res.DaysLeft)
	if res.Leaf.NotAfter.Sub(req.Now) < diagnose.ExpiryWarning {
		fmt.Fprintf(w, "  ! %s: renew it soon\n", valid)
	} else {
		ok("%s", valid)
	}
	if tmpl != nil {
		for _, f := range tmpl.CertificateFindings(res.Leaf) {
			fmt.Fprintf(w, "  ! %s: %s\n", f.Cause.Title, f.Detail)
			fmt.Fprintf(w, "    %s\n", f.Cause.Fix)
		}
	}
	fmt.Fprintln(w, "Wrote:")
	chainNote := ""
	if n := len(res.Chain); n > 0 {
		chainNote = fmt.Sprintf(" and %d chain certificate%s", n, map[bool]string{true: "", false: "s"}[n == 1])
	}
	fmt.Fprintf(w, "  %-28s certificate%s\n", res.CertPath, chainNote)
	if res.KeyWritten {
		fmt.Fprintf(w, "  %-28s private key, mode 0600\n", res.KeyPath)
	} else {
		fmt.Fprintf(w, "  %-28s (the key was already there)\n", res.KeyPath)
	}
	fmt.Fprintf(w, "Next: onramp diagnose URL --cert %s --key %s\n", res.CertPath, res.KeyPath)
	return nil
}
