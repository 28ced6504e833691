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
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
	"github.com/onramp-cli/onramp/usecase"
)

func newImportCmd(fac *factory) *cobra.Command {
	io := fac.IO
	var req keystore.ImportRequest
	var passEnv, providerID, profileName, purpose string
	cmd := &cobra.Command{
		Use:   "import --cert FILE [--chain FILE] --key FILE [--cacert FILE] --out DIR [--name NAME] [--profile P [--purpose tls|signing|encryption]]",
		Short: "Check the certificate a provider sent against its key and CA, and store both",
		Long: `The step after the provider returns your certificate: checks that it is the
certificate of your key, allows clientAuth, chains to the CA (with --cacert)
and how long it is valid; then writes DIR/NAME.crt (certificate, then chain)
and DIR/NAME.key (0600) atomically. A certificate that does not match the
key is refused (key-cert-mismatch, exit 1) and nothing is written.

With --profile the profile records the files: cert and key, or for
--purpose signing or encryption (GOV.UK DCS's JSON signing and encryption
key pairs; onramp does not ask clientAuth of them) signing_cert/signing_key
or encryption_cert/encryption_key.`,
		Example: `  onramp import --cert client.crt --chain intermediate.pem --key keys/client.key --cacert provider-ca.pem --out keys
  onramp import --cert signing.crt --key keys/signing.key --out keys --profile dcs --purpose signing`,
		Args: cobra.NoArgs,
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
			fields, ok := importFields[purpose]
			if !ok {
				return usageErrorf("--purpose %q: use tls, signing or encryption", purpose)
			}
			var p *profile.Profile
			if profileName != "" {
				var err error
				if p, err = loadNamed(profileName); err != nil {
					return err
				}
			}
			req.MessageKey = purpose != "tls"
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
			if err := renderImport(io, req, res, err, tmpl, p); err != nil || p == nil {
				return err
			}
			return recordImport(io, p, fields, res)
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
	f.StringVar(&profileName, "profile", "", "record the written files in this profile")
	f.StringVar(&purpose, "purpose", "tls", "what the key pair is for: tls (client certificate), signing or encryption (message keys; clientAuth not required)")
	f.StringVar(&providerID, "provider", "", "also check the provider template's rules for client certificates (e.g. securosys: an OCSP URI)")
	return cmd
}

// importFields are the profile settings an import records, per purpose:
// the certificate's and the key's.
var importFields = map[string][2]string{
	"tls":        {"cert", "key"},
	"signing":    {"signing_cert", "signing_key"},
	"encryption": {"encryption_cert", "encryption_key"},
}

// recordImport sets the profile's certificate and key settings to the
// files the import wrote (key first: the certificate is checked against it).
func recordImport(io *iostreams.IO, p *profile.Profile, fields [2]string, res *keystore.ImportResult) error {
	for _, kv := range [][2]string{{fields[1], res.KeyPath}, {fields[0], res.CertPath}} {
		if _, err := usecase.SetSetting(p, kv[0], kv[1]); err != nil {
			return failedErrorf("the files are written, but profile %s could not take them: %v", p.Name, err)
		}
	}
	if err := profile.Save(p); err != nil {
		return failedErrorf("the files are written, but profile %s could not be saved: %v", p.Name, err)
	}
	fmt.Fprintf(io.Out, "Recorded in profile %s: %s and %s.\nNext: onramp diagnose --profile %s\n", p.Name, fields[0], fields[1], p.Name)
	return nil
}

func renderImport(io *iostreams.IO, req keystore.ImportRequest, res *keystore.ImportResult, err error, tmpl *provider.Template, p *profile.Profile) error {
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
	if !req.MessageKey {
		ok("clientAuth is allowed")
	}
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
	if p == nil {
		fmt.Fprintf(w, "Next: onramp diagnose URL --cert %s --key %s\n", res.CertPath, res.KeyPath)
	}
	return nil
}
