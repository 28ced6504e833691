package keystore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/internal/testpki"
)

// Bundles made by `openssl pkcs12 -export`, modern (AES-256, PBKDF2) and
// -legacy (RC2-40 and 3DES), open and split into the right parts.
func TestDecodePKCS12FromOpenSSL(t *testing.T) {
	dir := t.TempDir()
	ca := testpki.NewCA(t, "Test Root CA")
	inter := ca.Intermediate(t, "Test Intermediate CA")
	leaf := inter.Client(t, testpki.Options{CommonName: "client-p12"})
	certFile, keyFile := leaf.Files(t, dir, "leaf")
	env := []string{"ONRAMP_TEST_PASS=p12 pass"}
	for _, legacy := range []bool{false, true} {
		out := filepath.Join(dir, "b.p12")
		args := []string{"pkcs12", "-export", "-in", certFile, "-inkey", keyFile, "-out", out, "-passout", "env:ONRAMP_TEST_PASS"}
		if legacy {
			out = filepath.Join(dir, "legacy.p12")
			args = append(args[:len(args)-4], "-out", out, "-passout", "env:ONRAMP_TEST_PASS", "-legacy")
		}
		openssl(t, env, args...)
		data, err := ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if k := Sniff(data); k != KindPKCS12 {
			t.Fatalf("legacy=%v: Sniff = %s", legacy, k)
		}
		if legacy {
			if info, _ := opensslErr(t, env, "pkcs12", "-info", "-noout", "-legacy", "-in", out, "-passin", "env:ONRAMP_TEST_PASS"); !containsAny(info, "RC2", "3DES", "pbeWithSHA1And") {
				t.Errorf("the -legacy bundle does not use legacy algorithms:\n%s", info)
			}
		}
		b, err := DecodePKCS12(out, data, []byte("p12 pass"))
		if err != nil {
			t.Fatalf("legacy=%v: %v", legacy, err)
		}
		if b.Leaf.Subject.CommonName != "client-p12" || len(b.Chain) != 1 || b.Chain[0].Subject.CommonName != "Test Intermediate CA" {
			t.Errorf("legacy=%v: leaf %s, chain %d", legacy, b.Leaf.Subject.CommonName, len(b.Chain))
		}
		if !PublicKeysEqual(b.Key.Public(), leaf.Cert.PublicKey) {
			t.Error("the key is not the leaf's")
		}
		if _, err := DecodePKCS12(out, data, []byte("wrong")); causeOf(err) != "key-passphrase-wrong" {
			t.Errorf("legacy=%v, wrong pass: %v", legacy, err)
		}
		if _, err := DecodePKCS12(out, data, nil); causeOf(err) != "key-encrypted-no-passphrase" {
			t.Errorf("legacy=%v, no pass: %v", legacy, err)
		}
	}

	// Split: cert, chain, key (0600).
	data, _ := os.ReadFile(filepath.Join(dir, "legacy.p12"))
	b, _ := DecodePKCS12("legacy.p12", data, []byte("p12 pass"))
	outDir := filepath.Join(dir, "split")
	paths, err := SplitPKCS12(b, outDir, "client", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(paths.Key); fi.Mode().Perm() != 0o600 {
		t.Errorf("key mode %o", fi.Mode().Perm())
	}
	if fi, _ := os.Stat(outDir); fi.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %o", fi.Mode().Perm())
	}
	certs, err := ReadCertificates(paths.Cert)
	if err != nil || len(certs) != 1 || certs[0].Subject.CommonName != "client-p12" {
		t.Errorf("cert file: %v", err)
	}
	chain, err := ReadCertificates(paths.Chain)
	if err != nil || len(chain) != 1 {
		t.Errorf("chain file: %v", err)
	}
	openssl(t, nil, "pkey", "-in", paths.Key, "-noout")
	if err := os.WriteFile(paths.Key, []byte("another key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := SplitPKCS12(b, outDir, "client", nil, false); err == nil {
		t.Error("split overwrote existing files")
	}
}

func containsAny(b []byte, subs ...string) bool {
	for _, s := range subs {
		if strings.Contains(string(b), s) {
			return true
		}
	}
	return false
}
