package usecase

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
)

// Renew is "renew a profile's client certificate": a CSR with the
// certificate's subject (from the same key, or a new one), then the new
// certificate imported and checked, and only when the checks pass does the
// profile switch to it, keeping the old pair for a rollback.
type Renew struct {
	// Checks runs the checks of the profile with the new certificate.
	Checks Checks
	// KeyPass opens an encrypted key; a new key is encrypted with it too.
	KeyPass []byte
	Now     func() time.Time
}

// ErrRenewUsage marks a renewal asked of a profile that cannot have one
// (no client certificate, a signed-JWT profile, nothing in progress).
var ErrRenewUsage = errors.New("renewal")

// renewSuffix is what Start adds to a key's name, dropped before adding it
// again at the next renewal.
var renewSuffix = regexp.MustCompile(`-renew-[0-9]{8}(-[0-9]+)?$`)

func renewUsage(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrRenewUsage, fmt.Sprintf(format, a...))
}

func (r Renew) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Start writes the CSR (and with newKey a new key of the same type and
// size, or the template's) beside the profile's key, and records the
// renewal in p (the caller saves p). The profile's certificate and key
// stay in use.
func (r Renew) Start(ctx context.Context, p *profile.Profile, newKey bool) (*profile.Renewal, error) {
	if p.Cert == "" || p.Key == "" {
		return nil, renewUsage("profile %s has no client certificate to renew (set one up with onramp init --profile %s)", p.Name, p.Name)
	}
	if hasAuth(p, provider.AuthSignedJWT) && !hasAuth(p, provider.AuthMTLS) {
		return nil, renewUsage("profile %s signs JWTs with its key; rotating it under a new kid is not done by onramp renew yet: make a key with onramp keygen --jwks --kid NEW-KID and register the JWKS", p.Name)
	}
	chain, err := keystore.ReadCertificates(p.Cert)
	if err != nil {
		return nil, err
	}
	leaf := chain[0]
	key, err := keystore.ReadPrivateKey(p.Key, r.KeyPass)
	if err != nil {
		return nil, err
	}
	subject := keystore.FormatSubject(leaf.RawSubject)
	var sans []string
	for _, n := range leaf.DNSNames {
		sans = append(sans, "DNS:"+n)
	}
	for _, e := range leaf.EmailAddresses {
		sans = append(sans, "email:"+e)
	}
	for _, ip := range leaf.IPAddresses {
		sans = append(sans, "IP:"+ip.String())
	}
	// Files of an earlier renewal are never overwritten: the first free
	// name of the day is taken (client-renew-20261201, -2, -3, ...).
	base := renewSuffix.ReplaceAllString(keystore.ImportName(p.Key), "") + "-renew-" + r.now().UTC().Format("20060102")
	set := keystore.KeyFileSet{Dir: filepath.Dir(p.Key), Subject: subject, SANs: sans, Pass: r.KeyPass}
	for i := 1; ; i++ {
		set.Name = base
		if i > 1 {
			set.Name = fmt.Sprintf("%s-%d", base, i)
		}
		crt := filepath.Join(set.Dir, set.Name+".crt")
		if _, err := os.Lstat(crt); len(set.Existing()) == 0 && errors.Is(err, os.ErrNotExist) {
			break
		}
		if i == 99 {
			return nil, &keystore.ExistsError{Paths: set.Existing()}
		}
	}
	ren := &profile.Renewal{CSR: set.Paths().CSR, NewKey: newKey, Started: r.now().UTC().Truncate(time.Second)}
	if newKey {
		kind, bits, curve := keySpec(p, key.Public())
		nk, err := keystore.GenerateKeyContext(ctx, kind, bits, curve)
		if err != nil {
			return nil, err
		}
		paths, err := keystore.WriteKeyFiles(nk, set)
		if err != nil {
			return nil, err
		}
		ren.Key = paths.Key
	} else {
		csr, err := keystore.CreateCSR(key, subject, sans)
		if err != nil {
			return nil, err
		}
		if err := keystore.WriteFiles([]keystore.OutputFile{{Path: ren.CSR, Data: csr, Perm: 0o644}}, false); err != nil {
			return nil, err
		}
		ren.Key = p.Key
	}
	p.Renewal = ren
	return ren, nil
}

// keySpec is the new key's type and size: the template's rule for TLS
// keys, else the same as the old key's.
func keySpec(p *profile.Profile, old crypto.PublicKey) (kind string, bits int, curve string) {
	if t, err := provider.Get(p.Provider); p.Provider != "" && err == nil {
		if k, ok := t.KeyFor("tls"); ok {
			return k.Type, k.Bits, k.Curve
		}
	}
	switch k := old.(type) {
	case *rsa.PublicKey:
		return "rsa", k.N.BitLen(), ""
	case *ecdsa.PublicKey:
		return "ecdsa", 0, k.Curve.Params().Name
	case ed25519.PublicKey:
		return "ed25519", 0, ""
	}
	return "ecdsa", 0, "P-256"
}

// Finish imports the certificate the provider sent for the renewal in
// progress, runs the profile's checks with it and, when they pass, switches
// p to it (the old pair kept in p.Previous) and records the check; the
// caller saves p. When the checks fail, p is unchanged and the report says
// why; the renewal stays in progress.
func (r Renew) Finish(ctx context.Context, p *profile.Profile, certFile string) (*diagnose.Report, error) {
	ren := p.Renewal
	if ren == nil {
		return nil, renewUsage("no renewal of profile %s in progress: start one with onramp renew --profile %s", p.Name, p.Name)
	}
	name := strings.TrimSuffix(filepath.Base(ren.CSR), filepath.Ext(ren.CSR))
	res, err := keystore.ImportCertificate(keystore.ImportRequest{CertFile: certFile, KeyFile: ren.Key, KeyPass: r.KeyPass,
		Dir: filepath.Dir(ren.CSR), Name: name, Force: true, Now: r.now()})
	if err != nil {
		return nil, err
	}
	candidate := *p
	candidate.Cert, candidate.Key = res.CertPath, res.KeyPath
	rep := r.Checks.Check(ctx, &candidate)
	if !rep.OK {
		return rep, nil
	}
	p.Previous = &profile.Material{Cert: p.Cert, Key: p.Key}
	p.Cert, p.Key, p.Renewal = res.CertPath, res.KeyPath, nil
	RecordCheck(p, rep)
	return rep, nil
}

// Rollback goes back to the certificate and key before the last renewal;
// the caller saves p.
func Rollback(p *profile.Profile) error {
	if p.Previous == nil {
		return renewUsage("profile %s has no earlier certificate to go back to", p.Name)
	}
	p.Cert, p.Key, p.Previous = p.Previous.Cert, p.Previous.Key, &profile.Material{Cert: p.Cert, Key: p.Key}
	return nil
}
