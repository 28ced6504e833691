package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/explain"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/tui"
	"github.com/onramp-cli/onramp/usecase"
	"github.com/onramp-cli/onramp/wizard"
)

// newTUIDeps wires the TUI and the wizard to the real packages and the use
// cases, over the factory's clock and the store the user chose (store is
// --store's value; at is where the screens show the store's errors: Home's
// screens or accessible mode's menu; the wizard always names its own offer).
func newTUIDeps(fac *factory, store string, sbx *tuiSandbox, at secretstore.Place) *tui.Deps {
	sc := newScreenStore(fac, store, at)
	kr := secretstore.Keyring(sc)
	checks := usecase.Checks{Store: kr, Now: fac.Now}
	wkr := sc.In(secretstore.InWizard)
	wchecks := usecase.Checks{Store: wkr, Now: fac.Now}
	return &tui.Deps{
		Version:        Version(),
		Diagnose:       diagnose.Run,
		RenderMarkdown: diagnose.RenderMarkdown,
		Explain: func(text string) ([]tui.Match, string) {
			ms := explain.Text(text)
			cands := len(explain.Candidates(ms))
			var out []tui.Match
			for i, m := range ms {
				// The evidence is the user's own text: the secrets this
				// session read from the store are blanked in it too.
				out = append(out, tui.Match{Cause: cause.Advice{Client: m.Client}.Apply(m.Cause), Evidence: fac.Secrets.Text(m.Evidence), Client: m.Client,
					Candidate: i < cands})
			}
			return out, explain.Disambiguate(ms)
		},
		ProfileOptions: func(_ context.Context, p *profile.Profile) (diagnose.Options, error) { return checks.Options(p) },
		Keyring:        kr,
		NewFlow: func(pr wizard.Prompter) *wizard.Flow {
			return &wizard.Flow{
				Prompter:  pr,
				Providers: wizardProviders(),
				Keys:      keyMaker{},
				Certs:     certImporter{now: fac.Now},
				Secrets:   wkr,
				FileStore: sc,
				Checker:   wchecks,
				Issuer:    sandboxCA{now: fac.Now},
				Renewer:   wizardRenewer{store: wkr, checks: wchecks, now: fac.Now},
				Now:       fac.Now,
			}
		},
		StartSandbox:  sbx.start,
		PracticeModes: practiceModes(),
		CheckStore:    sc.check,
		FileStore:     sc.Path,
		UseFileStore:  sc.Use,
		Now:           fac.Now,
	}
}

// keyMaker writes the key, CSR and JWKS with keystore (the same code as
// `onramp keygen`), never replacing an existing file.
type keyMaker struct{}

func (keyMaker) CheckSubject(s string) error {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "{"); i >= 0 {
		end := strings.Index(s[i:], "}")
		if end > 0 {
			return fmt.Errorf("replace %s with your value", s[i:i+end+1])
		}
	}
	n, err := keystore.ParseSubject(s)
	if err != nil {
		return err
	}
	if n.CommonName == "" {
		return errors.New("the subject needs a CN=, e.g. /O=Your Org/CN=your-client-id")
	}
	return nil
}

func (keyMaker) MakeKey(ctx context.Context, req wizard.KeyRequest) (wizard.KeyFiles, error) {
	set := keystore.KeyFileSet{Dir: req.Dir, Name: req.Name, JWKS: req.JWKS, KID: req.KID}
	if req.CSR {
		set.Subject = req.Subject
	}
	if req.JWKS && req.Spec.Type == "rsa" {
		set.Alg = "RS512" // NHS API Management refuses RS256 and PS512
	}
	// Refuse before the seconds an RSA key takes, not after.
	if exist := set.Existing(); len(exist) > 0 {
		return wizard.KeyFiles{}, &keystore.ExistsError{Paths: exist}
	}
	key, err := keystore.GenerateKeyContext(ctx, req.Spec.Type, req.Spec.Bits, req.Spec.Curve)
	if ctx.Err() != nil {
		// Cancelled while the key was being made: write nothing.
		return wizard.KeyFiles{}, wizard.ErrCancelled
	}
	if err != nil {
		return wizard.KeyFiles{}, err
	}
	paths, err := keystore.WriteKeyFiles(key, set)
	return wizard.KeyFiles{Key: paths.Key, CSR: paths.CSR, JWKS: paths.JWKS}, err
}

// certImporter checks the certificate with keystore.ImportCertificate
// (match, validity, clientAuth, chain) and writes it beside the key. It
// never replaces a different key or certificate file (the same content
// written again is no change): the wizard has no --force.
type certImporter struct{ now func() time.Time } // the clock, never nil

func (ci certImporter) Import(ctx context.Context, req wizard.ImportRequest) (string, []diagnose.Finding, error) {
	now := ci.now()
	res, err := keystore.ImportCertificate(keystore.ImportRequest{
		CertFile: req.CertFile, KeyFile: req.KeyFile, CACertFile: req.CACertFile,
		Dir: req.Dir, Name: keystore.ImportName(req.KeyFile), Now: now,
	})
	var exists *keystore.ExistsError
	if errors.As(err, &exists) {
		return "", nil, fmt.Errorf("%s already exists and holds something else; the wizard never replaces it: move it aside and import again, or replace it on purpose with onramp import --force", exists.Paths[0])
	}
	if err != nil {
		return "", nil, err
	}
	chain := append([]*x509.Certificate{res.Leaf}, res.Chain...)
	var warnings []diagnose.Finding
	for _, f := range diagnose.ClientCertFindings(chain, now) {
		if diagnose.IsExpiryWarning(f, chain, now) {
			warnings = append(warnings, f)
		}
	}
	if t, err := provider.Get(req.Provider); req.Provider != "" && err == nil {
		warnings = append(warnings, t.CertificateFindings(res.Leaf)...)
	}
	return res.CertPath, warnings, nil
}

// wizardProviders are the provider templates as the wizard offers them,
// the sandbox's pointed at the sandbox that runs now.
func wizardProviders() []wizard.Provider {
	ps := wizard.Providers()
	for i := range ps {
		if ps[i].Sandbox {
			sandboxTarget(&ps[i])
		}
	}
	return ps
}

// wizardRenewer is usecase.Renew as the wizard offers it: the same key, a
// CSR with the certificate's subject.
type wizardRenewer struct {
	store  secretstore.Keyring
	checks usecase.Checks
	now    func() time.Time
}

func (w wizardRenewer) CertificateDaysLeft(p *profile.Profile) (int, bool) {
	if p.Cert == "" {
		return 0, false
	}
	chain, err := keystore.ReadCertificates(p.Cert)
	if err != nil {
		return 0, false
	}
	return int(math.Floor(chain[0].NotAfter.Sub(w.now()).Hours() / 24)), true
}

func (w wizardRenewer) StartRenewal(ctx context.Context, p *profile.Profile) (wizard.RenewalFiles, error) {
	r := usecase.Renew{Checks: w.checks, Now: w.now}
	if p.KeyPassSecret != "" && w.store != nil {
		v, err := w.store.Get(p.Name, p.KeyPassSecret)
		if err != nil {
			return wizard.RenewalFiles{}, err
		}
		r.KeyPass = []byte(v)
	}
	ren, err := r.Start(ctx, p, false)
	if err != nil {
		return wizard.RenewalFiles{}, err
	}
	return wizard.RenewalFiles{Key: ren.Key, CSR: ren.CSR}, nil
}
