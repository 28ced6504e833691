package main

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/sandbox"
)

// TestRenewAgainstTheSandbox: renew → the sandbox signs the CSR → import →
// the checks pass → switched; rollback goes back; a certificate the server
// refuses is never switched to.
func TestRenewAgainstTheSandbox(t *testing.T) {
	kr := testkeyring.New()
	startTestSandbox(t, kr)
	load := func() *profile.Profile {
		t.Helper()
		p, err := profile.Load(sandbox.ProfileName)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	old := load()

	r := runCmdStore(t, kr, "", false, "renew", "--profile", sandbox.ProfileName)
	p := load()
	if r.code != 0 || p.Renewal == nil || p.Cert != old.Cert || !strings.Contains(r.out, p.Renewal.CSR) {
		t.Fatalf("renew: %+v %+v", r, p.Renewal)
	}
	csr, err := keystore.ParseCSR(p.Renewal.CSR, mustRead(t, p.Renewal.CSR))
	if err != nil || csr.Subject.CommonName == "" {
		t.Fatalf("CSR: %v", err)
	}
	signed := filepath.Join(t.TempDir(), "new.pem")
	if r := runCmdStore(t, kr, "", false, "sandbox", "sign", p.Renewal.CSR, "--out", signed); r.code != 0 {
		t.Fatalf("sandbox sign: %+v", r)
	}
	r = runCmdStore(t, kr, "", false, "renew", "--profile", sandbox.ProfileName, "--import", signed)
	p = load()
	if r.code != 0 || p.Cert == old.Cert || p.Previous == nil || p.Previous.Cert != old.Cert || p.Renewal != nil ||
		!strings.Contains(r.out, "--rollback") || p.LastCheck == nil || !p.LastCheck.OK {
		t.Fatalf("import: %+v\n%+v", r, p)
	}
	if r := runCmdStore(t, kr, "", false, "diagnose", "--profile", sandbox.ProfileName); r.code != 0 {
		t.Fatalf("diagnose with the renewed certificate: %+v", r)
	}
	if r := runCmdStore(t, kr, "", false, "renew", "--profile", sandbox.ProfileName, "--rollback"); r.code != 0 || load().Cert != old.Cert {
		t.Fatalf("rollback: %+v", r)
	}

	// A new key, and a certificate for it from a CA the sandbox does not
	// trust: the checks fail, the profile stays as it was.
	r = runCmdStore(t, kr, "", false, "renew", "--profile", sandbox.ProfileName, "--new-key")
	p = load()
	if r.code != 0 || p.Renewal == nil || !p.Renewal.NewKey || p.Renewal.Key == old.Key || !strings.HasSuffix(p.Renewal.CSR, "-2.csr") {
		t.Fatalf("renew --new-key: %+v %+v", r, p.Renewal)
	}
	if fi, err := os.Stat(p.Renewal.Key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("new key file: %v", err)
	}
	csr, err = keystore.ParseCSR(p.Renewal.CSR, mustRead(t, p.Renewal.CSR))
	if err != nil {
		t.Fatal(err)
	}
	stranger := testpki.NewCA(t, "Stranger CA")
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: csr.Subject, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(300 * 24 * time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, stranger.Cert, csr.PublicKey, stranger.Key)
	if err != nil {
		t.Fatal(err)
	}
	foreign := testpki.WriteFile(t, t.TempDir(), "foreign.pem", (&testpki.Leaf{Cert: mustParse(t, der)}).CertPEM(false))
	r = runCmdStore(t, kr, "", false, "renew", "--profile", sandbox.ProfileName, "--import", foreign)
	after := load()
	if r.code != 1 || after.Cert != old.Cert || after.Renewal == nil || !strings.Contains(r.out, "still uses") {
		t.Fatalf("a refused certificate: %+v\n%+v", r, after)
	}

	if err := profile.Save(&profile.Profile{Name: "keyonly", URL: "https://api.example.test/", Auth: []string{"api-key"}}); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"renew"},
		{"renew", "--profile", "nope"},
		{"renew", "--profile", sandbox.ProfileName, "--new-key", "--rollback"},
		{"renew", "--profile", "keyonly"},
		{"renew", "--profile", "keyonly", "--rollback"},
		{"renew", "--profile", "keyonly", "--import", foreign},
	} {
		if r := runCmdStore(t, kr, "", false, args...); r.code != 2 || !strings.Contains(r.errOut, "onramp") {
			t.Errorf("%q: %+v, want a usage error", args, r)
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustParse(t *testing.T, der []byte) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRenewSigningKeyAgainstTheSandbox: a signed-JWT profile gets a new RSA
// key under a new kid and a JWKS of the old and new keys; --finish fails
// (and changes nothing) until the JWKS is registered, then switches; the
// rollback goes back to the old kid, whose tokens still verify.
func TestRenewSigningKeyAgainstTheSandbox(t *testing.T) {
	if testing.Short() {
		t.Skip("makes RSA 4096 keys")
	}
	kr := testkeyring.New()
	sb := startTestSandbox(t, kr)
	if err := sb.PrepareAPIMProfile(); err != nil {
		t.Fatal(err)
	}
	name := sandbox.APIMProfileName
	load := func() *profile.Profile {
		t.Helper()
		p, err := profile.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	old := load()

	r := runCmdStore(t, kr, "", false, "renew", "--profile", name)
	p := load()
	if r.code != 0 || p.Renewal == nil || p.Renewal.KID == "" || p.Renewal.KID == old.KID || p.KID != old.KID {
		t.Fatalf("renew: %+v %+v", r, p.Renewal)
	}
	set, err := keystore.ParseJWKS(mustRead(t, p.Renewal.JWKS))
	if err != nil || len(set.Keys) != 2 || set.Keys[0].KeyID != old.KID || set.Keys[1].KeyID != p.Renewal.KID || !set.Keys[1].IsPublic() {
		t.Fatalf("rollover JWKS: %v %+v", err, set)
	}
	if r := runCmdStore(t, kr, "", false, "renew", "--profile", name, "--finish"); r.code != 1 || !strings.Contains(r.out, "jwt-kid-unknown") || load().KID != old.KID {
		t.Fatalf("--finish before the JWKS is registered: %+v", r)
	}
	if r := runCmdStore(t, kr, "", false, "sandbox", "register-jwks", p.Renewal.JWKS); r.code != 0 {
		t.Fatalf("register-jwks: %+v", r)
	}
	r = runCmdStore(t, kr, "", false, "renew", "--profile", name, "--finish")
	p = load()
	if r.code != 0 || p.KID == old.KID || p.Key == old.Key || p.Previous == nil || p.Previous.KID != old.KID {
		t.Fatalf("--finish: %+v\n%+v", r, p)
	}
	if r := runCmdStore(t, kr, "", false, "diagnose", "--profile", name); r.code != 0 {
		t.Fatalf("diagnose with the new key: %+v", r)
	}
	if r := runCmdStore(t, kr, "", false, "renew", "--profile", name, "--rollback"); r.code != 0 || load().KID != old.KID {
		t.Fatalf("rollback: %+v", r)
	}
	if r := runCmdStore(t, kr, "", false, "diagnose", "--profile", name); r.code != 0 {
		t.Fatalf("diagnose with the old key after the rollback: %+v", r)
	}
}

// startTestSandbox runs the sandbox in-process with its ready profiles (a
// fresh config directory, kr as its keyring, the default data directory
// where onramp sandbox sign and register-jwks look) until the test ends.
func startTestSandbox(t *testing.T, kr *testkeyring.Keyring) *sandbox.Server {
	t.Helper()
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	sb, err := sandbox.StartWithProfile(ctx, sandbox.Config{Addr: "127.0.0.1:0", APIMAddr: "127.0.0.1:0", Keyring: kr})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close(); cancel() })
	return sb
}
