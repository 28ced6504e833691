package main

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/cause"

	"github.com/spf13/cobra"

	"github.com/onramp-cli/onramp/inspect"
	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/revocation"
)

func newInspectCmd(fac *factory) *cobra.Command {
	io := fac.IO
	var asJSON, checkRevocation bool
	var passEnv string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "inspect [--json] FILE...",
		Short: "Describe certificates, keys, CSRs, CA bundles, JWKS and PKCS#12 files",
		Long: `Describe certificate, chain, CA bundle, private key, CSR, JWKS, PKCS#12 and
SSH key files: subject, issuer, SANs, validity, key type and size, EKU and
SHA-256 fingerprints. Key material is never printed. Given a key together
with a certificate, CSR or JWKS, says whether they match.

"-" reads standard input. Exit status 1 when a file has a problem that
would fail a connection (expired, mismatched, not what it seems).
With --json: one object per file, or an array of them for several files.

--check-revocation asks each certificate's OCSP responder (or fetches its
CRL) whether it is revoked, as a server that checks client certificates
does; the issuer comes from the same file, another file given (a CA bundle)
or the certificate's CA Issuers URL.`,
		Example: `  onramp inspect client.crt client.key
  onramp inspect --json ca-bundle.pem
  KEY_PASS=... onramp inspect --pass-env KEY_PASS client.p12
  onramp inspect --check-revocation client.crt ca-bundle.pem`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("inspect needs a FILE to describe (a certificate, key, CSR, JWKS, PKCS#12 or CA bundle; - reads stdin), e.g. onramp inspect client.crt")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if timeout <= 0 {
				return usageErrorf("--timeout %s: must be more than zero", timeout)
			}
			if cmd.Flags().Changed("timeout") && !checkRevocation {
				return usageErrorf("--timeout bounds --check-revocation: give both, or neither")
			}
			pass, err := envSecret("--pass-env", passEnv, cmd.Flags().Changed("pass-env"))
			if err != nil {
				return err
			}
			stdinUsed := false
			for _, a := range args {
				if a == "-" {
					if stdinUsed {
						return usageErrorf("\"-\" (standard input) can be given only once")
					}
					stdinUsed = true
				}
			}
			now := fac.Now()
			var results []*inspect.Result
			for _, path := range args {
				results = append(results, inspectFile(cmd.Context(), io, path, pass, now))
				if err := cmd.Context().Err(); err != nil {
					return err // Ctrl+C or SIGTERM: exit 130 at once
				}
			}
			inspect.CrossCheck(results)
			if checkRevocation {
				inspect.CheckRevocation(cmd.Context(), results, revocation.Options{Timeout: timeout})
			}
			if asJSON {
				if err := inspect.JSON(io.Out, results); err != nil {
					return err
				}
			} else {
				inspect.RenderText(io.Out, results, io.ColorEnabled())
			}
			for _, r := range results {
				if r.Failed() {
					return errDiagnosed
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "machine-readable output")
	cmd.Flags().BoolVar(&checkRevocation, "check-revocation", false, "ask the OCSP responder or CRL whether each certificate is revoked")
	cmd.Flags().DurationVar(&timeout, "timeout", revocation.DefaultTimeout, "bound for each revocation check")
	cmd.Flags().StringVar(&passEnv, "pass-env", "", "passphrase for encrypted keys and PKCS#12 files, from this environment variable")
	return cmd
}

func inspectFile(ctx context.Context, io *iostreams.IO, path string, pass []byte, now time.Time) *inspect.Result {
	var data []byte
	var err error
	name := path
	if path == "-" {
		name = "(stdin)"
		data, err = readBounded(io.In)
	} else {
		data, err = keystore.ReadFile(path)
	}
	if err != nil {
		r := &inspect.Result{File: name, Kind: keystore.KindUnknown}
		c, ok := cause.Of(err)
		if !ok {
			c = cause.Get(cause.InputFileUnreadable)
		}
		r.Findings = []inspect.Finding{{ID: c.ID, Title: c.Title, Fix: c.Fix, Detail: strings.TrimPrefix(err.Error(), path+": "), Severity: inspect.SeverityFail}}
		return r
	}
	return inspect.InspectWith(name, data, inspect.Options{Ctx: ctx, Now: now, Pass: pass})
}

// readBounded reads r up to keystore.MaxFileSize, as keystore.ReadFile
// does for files.
func readBounded(r io.Reader) ([]byte, error) {
	data, err := iostreams.ReadAllLimited(r, keystore.MaxFileSize)
	if errors.Is(err, iostreams.ErrTooLarge) {
		return nil, &keystore.Error{ID: cause.InputWrongFileType, Path: "(stdin)", Msg: keystore.TooLargeMsg}
	}
	if err != nil {
		return nil, &keystore.Error{ID: cause.InputFileUnreadable, Path: "(stdin)", Msg: "cannot read: " + err.Error(), Err: err}
	}
	return data, nil
}
