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
	"sync"
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
var (
	renewSuffix = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`-renew-[0-9]{8}(-[0-9]+)?$`) })
	kidSuffix   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`-[0-9]{8}(-[0-9]+)?$`) })
)

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
	if hasAuth(p, provider.AuthSignedJWT) && !hasAuth(p, provider.AuthMTLS) {
		return r.startKeyRollover(ctx, p)
	}
	if p.Cert == "" || p.Key == "" {
		return nil, renewUsage("profile %s has no client certificate to renew (set one up with onramp init --profile %s)", p.Name, p.Name)
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
	set := keystore.KeyFileSet{Dir: filepath.Dir(p.Key), Subject: subject, SANs: sans, Pass: r.KeyPass}
	if err := r.freeName(p, &set); err != nil {
		return nil, err
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

// freeName names set's files after p's key and today: the first name no
// earlier renewal used (client-renew-20261201, -2, -3, ...), so nothing is
// overwritten.
func (r Renew) freeName(p *profile.Profile, set *keystore.KeyFileSet) error {
	base := renewSuffix().ReplaceAllString(keystore.ImportName(p.Key), "") + "-renew-" + r.now().UTC().Format("20060102")
	for i := 1; i < 100; i++ {
		set.Name = base
		if i > 1 {
			set.Name = fmt.Sprintf("%s-%d", base, i)
		}
		_, err := os.Lstat(filepath.Join(set.Dir, set.Name+".crt"))
		if len(set.Existing()) == 0 && errors.Is(err, os.ErrNotExist) {
			return nil
		}
	}
	return &keystore.ExistsError{Paths: set.Existing()}
}

// startKeyRollover makes a new signing key (the template's size, RSA 4096
// for NHS API Management) under a new kid, and a JWKS holding the old key
// and the new one, to register before switching: tokens signed with either
// verify meanwhile.
func (r Renew) startKeyRollover(ctx context.Context, p *profile.Profile) (*profile.Renewal, error) {
	if p.Key == "" || p.KID == "" {
		return nil, renewUsage("profile %s has no signing key and kid to rotate (set them up with onramp init --profile %s)", p.Name, p.Name)
	}
	old, err := keystore.ReadPrivateKey(p.Key, r.KeyPass)
	if err != nil {
		return nil, err
	}
	bits := RequiredRSABits(p)
	switch {
	case bits == 0:
		bits = 4096
	case bits < 0:
		if k, ok := old.Public().(*rsa.PublicKey); ok {
			bits = k.N.BitLen()
		} else {
			bits = 4096
		}
	}
	set := keystore.KeyFileSet{Dir: filepath.Dir(p.Key), Pass: r.KeyPass}
	if err := r.freeName(p, &set); err != nil {
		return nil, err
	}
	// The new kid is the old one with the renewal's date: nhs-int-1-20261201.
	kid := kidSuffix().ReplaceAllString(p.KID, "") + "-" + set.Name[strings.LastIndex(set.Name, "-renew-")+len("-renew-"):]
	nk, err := keystore.GenerateKeyContext(ctx, "rsa", bits, "")
	if err != nil {
		return nil, err
	}
	jwks, err := keystore.JWKSOf(keystore.PublishedKey{Pub: old.Public(), KID: p.KID, Alg: "RS512"},
		keystore.PublishedKey{Pub: nk.Public(), KID: kid, Alg: "RS512"})
	if err != nil {
		return nil, err
	}
	paths, err := keystore.WriteKeyFiles(nk, set)
	if err != nil {
		return nil, err
	}
	jwksPath := filepath.Join(set.Dir, set.Name+".jwks.json")
	if err := keystore.WriteFiles([]keystore.OutputFile{{Path: jwksPath, Data: jwks, Perm: 0o644}}, false); err != nil {
		return nil, err
	}
	p.Renewal = &profile.Renewal{Key: paths.Key, KID: kid, JWKS: jwksPath, NewKey: true, Started: r.now().UTC().Truncate(time.Second)}
	return p.Renewal, nil
}

// keySpec is the new key's type and size: the template's rule for TLS
// keys, else the same as the old key's.
func keySpec(p *profile.Profile, old crypto.PublicKey) (kind string, bits int, curve string) {
	if t := provider.OfProfile(p); t != nil {
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
	if ren.KID != "" {
		candidate := *p
		candidate.Key, candidate.KID = ren.Key, ren.KID
		rep := r.Checks.Check(ctx, &candidate)
		if rep.OK {
			p.Previous = &profile.Material{Key: p.Key, KID: p.KID}
			p.Key, p.KID, p.Renewal = ren.Key, ren.KID, nil
			RecordCheck(p, rep)
		}
		return rep, nil
	}
	if certFile == "" {
		return nil, renewUsage("give the new certificate the provider sent: onramp renew --profile %s --import FILE", p.Name)
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
	prev := p.Previous
	p.Previous = &profile.Material{Cert: p.Cert, Key: p.Key, KID: p.KID}
	if prev.Cert != "" {
		p.Cert = prev.Cert
	}
	if prev.KID != "" {
		p.KID = prev.KID
	}
	p.Key = prev.Key
	return nil
}
