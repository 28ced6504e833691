package keystore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testpki"
)

func TestImportCertificate(t *testing.T) {
	ca := testpki.NewCA(t, "Provider Root CA")
	inter := ca.Intermediate(t, "Provider Intermediate CA")
	leaf := inter.Client(t, testpki.Options{CommonName: "client-1"})
	src := t.TempDir()
	leafOnly := testpki.WriteFile(t, src, "leaf.crt", leaf.CertPEM(false))
	chainFile := testpki.WriteFile(t, src, "inter.pem", inter.CertPEM())
	keyFile := testpki.WriteFile(t, src, "client.key", leaf.KeyPEM(t))
	caFile := testpki.WriteFile(t, src, "ca.pem", ca.CertPEM())

	out := filepath.Join(t.TempDir(), "profile")
	res, err := ImportCertificate(ImportRequest{CertFile: leafOnly, ChainFile: chainFile, KeyFile: keyFile, CACertFile: caFile, Dir: out})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.VerifiedTo, "CN=Provider Root CA") {
		t.Errorf("VerifiedTo %q", res.VerifiedTo)
	}
	if res.DaysLeft < 360 || res.DaysLeft > 366 {
		t.Errorf("DaysLeft %d", res.DaysLeft)
	}
	certs, err := ReadCertificates(filepath.Join(out, "client.crt"))
	if err != nil || len(certs) != 2 || certs[0].Subject.CommonName != "client-1" || certs[1].Subject.CommonName != "Provider Intermediate CA" {
		t.Fatalf("written chain: %v %d", err, len(certs))
	}
	if m := mode(t, filepath.Join(out, "client.key")); m != 0o600 {
		t.Errorf("key mode %o", m)
	}
	if m := mode(t, out); m != 0o700 {
		t.Errorf("dir mode %o", m)
	}
	// Again, the same files: nothing changes, so nothing is refused.
	if _, err := ImportCertificate(ImportRequest{CertFile: leafOnly, ChainFile: chainFile, KeyFile: keyFile, Dir: out}); err != nil {
		t.Errorf("identical re-import: %v", err)
	}
	// A different file in the way without force: refused, nothing changed.
	placed := filepath.Join(out, "client.crt")
	if err := os.WriteFile(placed, []byte("other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ImportCertificate(ImportRequest{CertFile: leafOnly, ChainFile: chainFile, KeyFile: keyFile, Dir: out}); err == nil {
		t.Error("import overwrote existing files")
	}
	if got, _ := os.ReadFile(placed); string(got) != "other\n" {
		t.Error("the file in the way changed")
	}
}

func TestImportCertificateRefusals(t *testing.T) {
	ca := testpki.NewCA(t, "Provider Root CA")
	inter := ca.Intermediate(t, "Provider Intermediate CA")
	otherCA := testpki.NewCA(t, "Someone Else CA")
	good := inter.Client(t, testpki.Options{CommonName: "client-1"})
	src := t.TempDir()
	keyFile := testpki.WriteFile(t, src, "client.key", good.KeyPEM(t))
	chainFile := testpki.WriteFile(t, src, "inter.pem", inter.CertPEM())
	caFile := testpki.WriteFile(t, src, "ca.pem", ca.CertPEM())
	otherCAFile := testpki.WriteFile(t, src, "other.pem", otherCA.CertPEM())
	withKey := func(o testpki.Options) testpki.Options { o.Key = good.Key; return o }

	stranger := inter.Client(t, testpki.Options{CommonName: "someone-else"})
	expired := inter.Client(t, withKey(testpki.Options{NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-time.Hour)}))
	future := inter.Client(t, withKey(testpki.Options{NotBefore: time.Now().Add(48 * time.Hour)}))
	server := inter.Server(t, withKey(testpki.Options{}))
	key, _ := GenerateKey("ecdsa", 0, "")
	csr, _ := CreateCSR(key, "/CN=client-1", nil)

	cases := []struct {
		name      string
		cert      []byte
		chain, ca string
		want      string
	}{
		{"mismatch", stranger.CertPEM(true), "", caFile, "key-cert-mismatch"},
		{"expired", expired.CertPEM(true), "", caFile, "client-cert-expired"},
		{"not yet valid", future.CertPEM(true), "", caFile, "client-cert-not-yet-valid"},
		{"server cert", server.CertPEM(true), "", caFile, "client-cert-no-client-auth"},
		{"wrong CA", good.CertPEM(true), "", otherCAFile, "client-cert-wrong-issuer"},
		{"missing intermediate", good.CertPEM(false), "", caFile, "client-chain-incomplete"},
		{"CSR as certificate", csr, "", "", "input-wrong-file-type"},
		{"key as CA bundle", good.CertPEM(true), "", keyFile, "ca-bundle-invalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			certFile := testpki.WriteFile(t, t.TempDir(), "cert.pem", c.cert)
			out := filepath.Join(t.TempDir(), "out")
			_, err := ImportCertificate(ImportRequest{CertFile: certFile, ChainFile: c.chain, KeyFile: keyFile, CACertFile: c.ca, Dir: out})
			if string(causeOf(err)) != c.want {
				t.Fatalf("got %v (%s), want %s", err, causeOf(err), c.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Error("a refused import wrote files")
			}
		})
	}
	// The chain given separately fixes the missing intermediate.
	certFile := testpki.WriteFile(t, t.TempDir(), "cert.pem", good.CertPEM(false))
	if _, err := ImportCertificate(ImportRequest{CertFile: certFile, ChainFile: chainFile, KeyFile: keyFile, CACertFile: caFile, Dir: t.TempDir(), Force: true}); err != nil {
		t.Errorf("with --chain: %v", err)
	}
}

// Importing next to the key keygen wrote leaves the key file alone.
func TestImportBesideExistingKey(t *testing.T) {
	ca := testpki.NewCA(t, "Root")
	dir := t.TempDir()
	key, _ := GenerateKey("ecdsa", 0, "")
	if _, err := WriteKeyFiles(key, KeyFileSet{Dir: dir, Name: "client"}); err != nil {
		t.Fatal(err)
	}
	leaf := ca.Client(t, testpki.Options{Key: key})
	certFile := testpki.WriteFile(t, t.TempDir(), "issued.pem", leaf.CertPEM(false))
	res, err := ImportCertificate(ImportRequest{CertFile: certFile, KeyFile: filepath.Join(dir, "client.key"), Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if res.KeyWritten || res.CertPath != filepath.Join(dir, "client.crt") {
		t.Errorf("KeyWritten %v, cert %s", res.KeyWritten, res.CertPath)
	}
}
