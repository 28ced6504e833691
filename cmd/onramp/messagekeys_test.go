package main

import (
	"crypto/x509"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/profile"
)

// TestImportMessageKeysIntoProfile: GOV.UK DCS's signing and encryption
// certificates (no clientAuth) are imported into the profile, shown by
// profile show, and a certificate that is not the key's is refused by
// import and by profile set, leaving the profile as it was.
func TestImportMessageKeysIntoProfile(t *testing.T) {
	useFileStore(t)
	if r := runCmd(t, "", false, "profile", "new", "dcs", "--provider", "govuk-dcs"); r.code != 0 {
		t.Fatalf("profile new: %d %s", r.code, r.errOut)
	}
	ca := testpki.NewCA(t, "DCS Test CA")
	caFile := testpki.WriteFile(t, t.TempDir(), "ca.pem", ca.CertPEM())
	dir := t.TempDir()
	signing := ca.Client(t, testpki.Options{CommonName: "Bob's Widgets Signing Integration 2026-12-01",
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}, NotAfter: time.Now().Add(200 * 24 * time.Hour)})
	sCert, sKey := signing.Files(t, dir, "signing-in")
	out := filepath.Join(t.TempDir(), "keys")

	// As a TLS certificate it is refused (no clientAuth); as a signing one it is taken.
	if r := runCmd(t, "", false, "import", "--cert", sCert, "--key", sKey, "--out", out, "--cacert", caFile, "--profile", "dcs"); r.code != 1 || !strings.Contains(r.out, "client-cert-no-client-auth") {
		t.Errorf("tls import of a signing certificate: %d\n%s%s", r.code, r.out, r.errOut)
	}
	r := runCmd(t, "", false, "import", "--cert", sCert, "--key", sKey, "--out", out, "--name", "signing", "--cacert", caFile, "--profile", "dcs", "--purpose", "signing")
	if r.code != 0 || !strings.Contains(r.out, "Recorded in profile dcs: signing_cert and signing_key") || strings.Contains(r.out, "clientAuth is allowed") {
		t.Fatalf("signing import: %d\n%s%s", r.code, r.out, r.errOut)
	}
	p, err := profile.Load("dcs")
	if err != nil || p.SigningCert != filepath.Join(out, "signing.crt") || p.SigningKey != filepath.Join(out, "signing.key") || p.Cert != "" {
		t.Fatalf("profile after import: %+v %v", p, err)
	}

	// The encryption certificate of another key: refused, nothing recorded.
	enc := ca.Client(t, testpki.Options{CommonName: "Bob's Widgets Encryption Integration 2026-12-01"})
	eCert, _ := enc.Files(t, dir, "enc-in")
	if r := runCmd(t, "", false, "import", "--cert", eCert, "--key", sKey, "--out", out, "--name", "encryption", "--profile", "dcs", "--purpose", "encryption"); r.code != 1 || !strings.Contains(r.out, "key-cert-mismatch") {
		t.Errorf("mismatched encryption import: %d\n%s%s", r.code, r.out, r.errOut)
	}
	if r := runCmd(t, "", false, "import", "--cert", eCert, "--key", sKey, "--out", out, "--purpose", "decryption"); r.code != 2 {
		t.Errorf("--purpose decryption: exit %d, want 2", r.code)
	}
	eCert2, eKey2 := enc.Files(t, t.TempDir(), "enc")
	if r := runCmd(t, "", false, "profile", "set", "dcs", "encryption_key", eKey2); r.code != 0 {
		t.Fatalf("set encryption_key: %d %s", r.code, r.errOut)
	}
	if r := runCmd(t, "", false, "profile", "set", "dcs", "encryption_cert", sCert); r.code != 1 || !strings.Contains(r.errOut, "key-cert-mismatch") {
		t.Errorf("set a mismatched encryption_cert: %d %s", r.code, r.errOut)
	}
	if r := runCmd(t, "", false, "profile", "set", "dcs", "encryption_cert", eCert2); r.code != 0 {
		t.Fatalf("set encryption_cert: %d %s", r.code, r.errOut)
	}

	r = runCmd(t, "", false, "profile", "show", "dcs")
	for _, want := range []string{
		"Signing certificate:     " + filepath.Join(out, "signing.crt"),
		"CN=Bob's Widgets Signing Integration 2026-12-01,O=onramp tests, expires ",
		"Signing key:             " + filepath.Join(out, "signing.key") + " (the certificate's key)",
		"Encryption certificate:  " + eCert2,
		"Encryption key:          " + eKey2 + " (the certificate's key)",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("profile show lacks %q:\n%s", want, r.out)
		}
	}
	r = runCmd(t, "", false, "profile", "show", "dcs", "--json")
	var v struct {
		MessageKeys []struct {
			Purpose     string `json:"purpose"`
			Key         string `json:"key"`
			KeyMatches  *bool  `json:"key_matches"`
			Certificate struct {
				DaysLeft *int `json:"days_left"`
			} `json:"certificate"`
		} `json:"message_keys"`
	}
	if err := json.Unmarshal([]byte(r.out), &v); err != nil || len(v.MessageKeys) != 2 || v.MessageKeys[0].Purpose != "signing" ||
		v.MessageKeys[0].KeyMatches == nil || !*v.MessageKeys[0].KeyMatches || v.MessageKeys[0].Certificate.DaysLeft == nil || *v.MessageKeys[0].Certificate.DaysLeft < 198 {
		t.Errorf("show --json: %v %s", err, r.out)
	}
}
