package main

import (
	"context"
	"crypto/x509"
	"os"
	"path/filepath"
	"time"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/wizard"
)

// wizardKeys lets the onboarding wizard make keys and import certificates
// through keystore, exactly as `onramp keygen` and `onramp import` do.
// Wire it as both wizard.KeyMaker and wizard.CertImporter.
type wizardKeys struct{}

var (
	_ wizard.KeyMaker     = wizardKeys{}
	_ wizard.CertImporter = wizardKeys{}
)

// MakeKey generates the key and writes NAME.key (0600), and NAME.csr and
// NAME.jwks.json when asked, never replacing existing files.
func (wizardKeys) MakeKey(ctx context.Context, req wizard.KeyRequest) (wizard.KeyFiles, error) {
	if err := ctx.Err(); err != nil {
		return wizard.KeyFiles{}, err
	}
	set := keystore.KeyFileSet{Dir: req.Dir, Name: req.Name, JWKS: req.JWKS, KID: req.KID}
	if req.CSR {
		set.Subject = req.Subject
		if _, err := keystore.ParseSubject(req.Subject); err != nil {
			return wizard.KeyFiles{}, err
		}
	}
	if err := keystore.ValidateFileName(req.Name); err != nil {
		return wizard.KeyFiles{}, err
	}
	if exist := set.Existing(); len(exist) > 0 {
		return wizard.KeyFiles{}, &keystore.ExistsError{Paths: exist}
	}
	bits, curve := req.Spec.Bits, req.Spec.Curve
	if req.Spec.Type != "" && req.Spec.Type != "rsa" {
		bits = 0
	}
	if req.Spec.Type == "" || req.Spec.Type == "rsa" || req.Spec.Type == "ed25519" {
		curve = ""
	}
	key, err := keystore.GenerateKey(req.Spec.Type, bits, curve)
	if err != nil {
		return wizard.KeyFiles{}, err
	}
	paths, err := keystore.WriteKeyFiles(key, set)
	if err != nil {
		return wizard.KeyFiles{}, err
	}
	return wizard.KeyFiles{Key: paths.Key, CSR: paths.CSR, JWKS: paths.JWKS}, nil
}

// CheckSubject validates an OpenSSL-style subject as the user types it.
func (wizardKeys) CheckSubject(subject string) error {
	_, err := keystore.ParseSubject(subject)
	return err
}

// Import checks the certificate against its key and CA and writes it
// beside the key (NAME.crt). Refusals carry their cause id; an expiry
// within 30 days comes back as a finding.
func (wizardKeys) Import(ctx context.Context, req wizard.ImportRequest) (string, []diagnose.Finding, error) {
	if err := ctx.Err(); err != nil {
		return "", nil, err
	}
	now := time.Now()
	name := keystore.ImportName(req.KeyFile)
	// Re-importing a renewed certificate beside its key replaces only the
	// certificate, and only after every check passed.
	besideKey := sameFile(req.KeyFile, filepath.Join(req.Dir, name+".key"))
	res, err := keystore.ImportCertificate(keystore.ImportRequest{
		CertFile: req.CertFile, KeyFile: req.KeyFile, CACertFile: req.CACertFile,
		Dir: req.Dir, Name: name, Force: besideKey, Now: now,
	})
	if err != nil {
		return "", nil, err
	}
	var warnings []diagnose.Finding
	chain := append([]*x509.Certificate{res.Leaf}, res.Chain...)
	for _, f := range diagnose.ClientCertFindings(chain, now) {
		if diagnose.IsExpiryWarning(f, chain, now) {
			warnings = append(warnings, f)
		}
	}
	return res.CertPath, warnings, nil
}

func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}
