package keystore

import (
	"crypto"
	"testing"

	"github.com/youmark/pkcs8"

	"github.com/onramp-cli/onramp/internal/testpki"
)

// FuzzParse feeds arbitrary bytes to everything that reads material from a
// user's file: none may panic, and every failure carries a cause id.
func FuzzParse(f *testing.F) {
	ca := testpki.NewCA(f, "Fuzz CA")
	leaf := ca.Client(f, testpki.Options{})
	f.Add(leaf.CertPEM(true))
	f.Add(leaf.Cert.Raw)
	f.Add(leaf.KeyPEM(f))
	key, _ := GenerateKey("ed25519", 0, "")
	// A cheap work factor: at the real 600,000 iterations every exec of
	// this seed's mutants spends its time in PBKDF2, not in the parsers.
	enc, err := pkcs8.MarshalPrivateKey(key, []byte("x"), &pkcs8.Opts{Cipher: pkcs8.AES256CBC,
		KDFOpts: pkcs8.PBKDF2Opts{SaltSize: 8, IterationCount: 1000, HMACHash: crypto.SHA256}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(enc)
	csr, _ := CreateCSR(key, "/CN=fuzz", []string{"DNS:a.test"})
	f.Add(csr)
	jwks, _ := JWKS(key.Public(), "k", "")
	f.Add(jwks)
	// A real .p12 (the work-factor check parses its ASN.1 before the
	// decoder), with a MAC of one iteration so mutants stay cheap.
	f.Add(leaf.PKCS12(f, "x", 1))
	f.Add([]byte("ssh-ed25519 AAAA"))
	f.Add([]byte("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = Sniff(data)
		if _, err := ParseCertificates("f", data); err != nil && causeOf(err) == "" {
			t.Fatalf("certificate error without cause: %v", err)
		}
		if _, err := ParsePrivateKey("f", data, []byte("x")); err != nil && causeOf(err) == "" {
			t.Fatalf("key error without cause: %v", err)
		}
		if _, err := DecodePKCS12("f", data, nil); err != nil && causeOf(err) == "" {
			t.Fatalf("pkcs12 error without cause: %v", err)
		}
		_, _ = ParseJWKS(data)
		_, _ = ParseCSR("f", data)
	})
}
