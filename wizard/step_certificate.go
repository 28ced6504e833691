package wizard

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/usecase"
)

// The certificate step: import the certificate the provider sent back (or
// have the sandbox issue it), or pause until it arrives.
func (r *run) certificate() error {
	pr := r.currentProvider()
	for {
		opts := []Option{}
		if pr.Sandbox && r.Issuer != nil {
			opts = append(opts, Option{Value: "sandbox", Label: "Have the sandbox issue my certificate now"})
		}
		opts = append(opts,
			Option{Value: "file", Label: "The certificate has arrived: import the file"},
			Option{Value: "later", Label: "Not yet: stop here and resume later"})
		how, err := r.Prompter.Select(r.ctx, SelectPrompt{
			Frame: r.frame("Your client certificate",
				"The provider's answer to your CSR; onramp checks it matches your key and allows client authentication before using it."),
			Options: opts, Default: opts[0].Value,
		})
		if err != nil {
			return err
		}
		var certFile, caFile string
		switch how {
		case "later":
			return r.pause()
		case "sandbox":
			certFile, caFile, err = r.issueFromSandbox()
			if err != nil {
				if err := r.showError("The sandbox could not issue the certificate", err); err != nil {
					return err
				}
				continue
			}
		case "file":
			certFile, err = r.Prompter.Input(r.ctx, InputPrompt{
				Frame: r.frame("Where is the certificate file?",
					"The file the provider sent back (PEM, BEGIN CERTIFICATE), with any intermediates after it."),
				Placeholder: "/path/to/client.crt",
				Validate:    CheckCertFile,
			})
			if err != nil {
				return err
			}
			certFile = usecase.ExpandPath(certFile)
		}
		dir, err := r.filesDir()
		if err != nil {
			return err
		}
		if err := r.moveAside(dir, certFile); err != nil {
			return err
		}
		var imported string
		var findings []diagnose.Finding
		err = r.Prompter.Work(r.ctx, r.frame("Checking the certificate against your key…", ""), func(ctx context.Context) error {
			var err error
			// caFile is the server's CA (the profile's cacert), not the client
			// certificate's issuer, so the import does not check against it.
			imported, findings, err = r.Certs.Import(ctx, ImportRequest{CertFile: certFile, KeyFile: r.p.Key, Dir: dir, Provider: r.p.Provider})
			return err
		})
		if err != nil {
			if err := r.showError("The certificate cannot be used", err); err != nil {
				return err
			}
			continue
		}
		r.p.Cert = imported
		if caFile != "" {
			r.p.CACert = caFile
		}
		if r.p.CACert == "" {
			title, why, placeholder := "The provider's CA bundle, if they sent one",
				"Some providers run their servers on a private CA and send its bundle with the certificate; without it the TLS check fails as untrusted. Leave it empty for public CAs.",
				"empty: the system's trusted CAs"
			pr := r.currentProvider()
			if pr.CABundleRequired {
				title, why, placeholder = pr.Name+"'s CA bundle", cmp.Or(pr.CABundleWhy, "The provider's servers use a private CA: its bundle is needed to trust them."), "the CA bundle file the provider sent"
			}
			ca, err := r.Prompter.Input(r.ctx, InputPrompt{
				Frame:       r.frame(title, why),
				Placeholder: placeholder,
				Validate: func(s string) error {
					if strings.TrimSpace(s) == "" {
						if pr.CABundleRequired {
							return errors.New(pr.Name + " needs its CA bundle: give the file it sent")
						}
						return nil
					}
					return CheckCertFile(s)
				},
			})
			if err != nil {
				return err
			}
			if strings.TrimSpace(ca) != "" {
				r.p.CACert = usecase.ExpandPath(ca)
			}
		}
		if err := r.done(StepCert); err != nil {
			return err
		}
		if len(findings) > 0 {
			var b strings.Builder
			for _, f := range findings {
				b.WriteString(cause.Show{Label: "Warning", Detail: f.Detail}.Text(f.Cause))
			}
			return r.Prompter.Note(r.ctx, NotePrompt{
				Frame: r.frame("Imported, with a warning", "The certificate works now, but needs attention soon."),
				Body:  strings.TrimSpace(b.String()),
			})
		}
		return nil
	}
}

// moveAside keeps the profile's certificate under a dated name when the
// import is about to write another one in its place (the user went back,
// or chose "change"): the import never writes over a certificate, and the
// old one is kept, not lost.
func (r *run) moveAside(dir, certFile string) error {
	cur := r.p.Cert
	if cur == "" || cur == certFile || cur != filepath.Join(dir, keystore.ImportName(r.p.Key)+".crt") {
		return nil
	}
	old, err := os.ReadFile(cur)
	if err != nil {
		return nil // nothing there to keep
	}
	if neu, err := os.ReadFile(certFile); err == nil && bytes.Equal(old, neu) {
		return nil
	}
	aside := strings.TrimSuffix(cur, ".crt") + "-" + r.Now().UTC().Format("20060102-150405") + ".crt"
	if err := os.Rename(cur, aside); err != nil {
		return fmt.Errorf("keeping the certificate %s aside: %w", cur, err)
	}
	r.p.Cert = aside
	return r.save()
}

func (r *run) issueFromSandbox() (certFile, caFile string, err error) {
	csr, err := os.ReadFile(r.csrPath())
	if err != nil {
		return "", "", fmt.Errorf("no CSR to send (%w): generate a key and CSR first", err)
	}
	dir, err := r.filesDir()
	if err != nil {
		return "", "", err
	}
	var issued Issued
	err = r.Prompter.Work(r.ctx, r.frame("The sandbox is signing your CSR…", ""), func(ctx context.Context) error {
		var err error
		issued, err = r.Issuer.Issue(ctx, csr)
		return err
	})
	if err != nil {
		return "", "", err
	}
	// The sandbox's answer lands where a provider's email attachment would.
	certFile = filepath.Join(dir, "sandbox-issued.crt")
	if err := keystore.WriteFileAtomic(certFile, issued.CertPEM, 0o644, true); err != nil {
		return "", "", err
	}
	return certFile, issued.CACertFile, nil
}

func (r *run) showError(title string, err error) error {
	body := err.Error()
	if c, ok := cause.Of(err); ok {
		body = cause.Show{Label: "Cause", Detail: err.Error()}.Text(c)
	}
	return r.Prompter.Note(r.ctx, NotePrompt{
		Frame: r.frame(title, "Nothing was saved; choose again when you are ready."),
		Body:  body,
	})
}

func (r *run) pause() error {
	if err := r.save(); err != nil {
		return err
	}
	if err := r.Prompter.Note(r.ctx, NotePrompt{
		Frame: r.frame("Saved: come back when the certificate arrives",
			"Everything so far is in the profile; the wizard picks up at this step."),
		Body: "When the provider sends the certificate, run:\n  onramp init --profile " + r.p.Name,
	}); err != nil {
		return err
	}
	return errPaused
}
