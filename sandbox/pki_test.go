package sandbox

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/keystore"
)

func TestPKIMadeOnceWithPrivateFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sandbox")
	now := time.Now()
	p, err := LoadPKI(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("data directory mode %v, want 0700", fi.Mode().Perm())
	}
	for _, name := range []string{rootKeyFile, intermediateKeyFile, serverKeyFile, clientCAKeyFile, ClientKeyFile} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v mode %v, want 0600", name, err, fi.Mode().Perm())
		}
	}
	// The server certificate chains to the root through the intermediate
	// for every loopback name, and is for servers only.
	inter := x509.NewCertPool()
	inter.AddCert(p.Intermediate)
	for _, host := range []string{"localhost", "127.0.0.1", "::1"} {
		if _, err := p.Server.Verify(x509.VerifyOptions{DNSName: host, Roots: p.RootPool(), Intermediates: inter}); err != nil {
			t.Errorf("server certificate for %s: %v", host, err)
		}
	}
	// The profile's client certificate is from the client CA, for clients.
	chain, err := keystore.ReadCertificates(p.Path(ClientCertFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chain[0].Verify(x509.VerifyOptions{Roots: p.ClientCAPool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("profile client certificate: %v", err)
	}

	again, err := LoadPKI(dir, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !again.Root.Equal(p.Root) || !again.ClientCA.Equal(p.ClientCA) || !again.Server.Equal(p.Server) {
		t.Error("a second start made a new PKI instead of reusing the stored one")
	}

	// Near its end the server certificate is re-issued from the same CA.
	later, err := LoadPKI(dir, p.Server.NotAfter.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if later.Server.Equal(p.Server) || !later.Root.Equal(p.Root) {
		t.Error("an expiring server certificate was not renewed from the same CA")
	}

	removed, err := Reset(dir)
	if err != nil || len(removed) != 10 {
		t.Fatalf("Reset: %d files, %v", len(removed), err)
	}
	fresh, err := LoadPKI(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Root.Equal(p.Root) {
		t.Error("after Reset the same root came back")
	}
}

func TestLoadPKIRefusesMismatchedKey(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadPKI(dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	// A hand-copied key from elsewhere must not be used silently.
	other, _ := os.ReadFile(filepath.Join(dir, clientCAKeyFile))
	os.WriteFile(filepath.Join(dir, rootKeyFile), other, 0o600)
	if _, err := LoadPKI(dir, time.Now()); err == nil {
		t.Fatal("LoadPKI accepted a root key that is not the root certificate's")
	}
}

func csrPEM(t *testing.T, key any, tmpl *x509.CertificateRequest) []byte {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

func TestSignCSR(t *testing.T) {
	dir := t.TempDir()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	subject := pkix.Name{CommonName: "my-client-id", Organization: []string{"Example Ltd"}, Locality: []string{"Leeds"}, Country: []string{"GB"}}
	uri, _ := url.Parse("spiffe://example/client")
	csr := csrPEM(t, key, &x509.CertificateRequest{Subject: subject, DNSNames: []string{"client.example"},
		EmailAddresses: []string{"ops@example.test"}, IPAddresses: []net.IP{net.ParseIP("192.0.2.7")}, URIs: []*url.URL{uri}})
	now := time.Now()
	certPEM, err := SignCSR(dir, csr, SignOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	certs, err := keystore.ParseCertificates("", certPEM)
	if err != nil || len(certs) != 1 {
		t.Fatalf("signed certificate: %v", err)
	}
	c := certs[0]
	if c.Subject.String() != subject.String() {
		t.Errorf("subject %q, want %q", c.Subject, subject)
	}
	if len(c.DNSNames) != 1 || len(c.EmailAddresses) != 1 || len(c.IPAddresses) != 1 || len(c.URIs) != 1 {
		t.Errorf("SANs not copied: %v %v %v %v", c.DNSNames, c.EmailAddresses, c.IPAddresses, c.URIs)
	}
	if len(c.ExtKeyUsage) != 1 || c.ExtKeyUsage[0] != x509.ExtKeyUsageClientAuth || c.IsCA {
		t.Errorf("EKU %v IsCA %v, want clientAuth only", c.ExtKeyUsage, c.IsCA)
	}
	if d := c.NotAfter.Sub(now); d < 364*24*time.Hour || d > 366*24*time.Hour {
		t.Errorf("valid for %v, want 365 days", d)
	}
	if !keystore.PublicKeysEqual(c.PublicKey, key.Public()) {
		t.Error("certificate is not for the CSR's key")
	}
	p, _ := LoadPKI(dir, now)
	if _, err := c.Verify(x509.VerifyOptions{Roots: p.ClientCAPool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("signed certificate does not verify against the client CA: %v", err)
	}

	// DER input works too.
	block, _ := pem.Decode(csr)
	if _, err := SignCSR(dir, block.Bytes, SignOptions{}); err != nil {
		t.Errorf("DER CSR: %v", err)
	}
}

func TestSignCSRRefusals(t *testing.T) {
	dir := t.TempDir()
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	good := csrPEM(t, ec, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "x"}})

	// A CSR whose signature does not verify: swap in another key's CSR body.
	block, _ := pem.Decode(good)
	tampered := append([]byte(nil), block.Bytes...)
	tampered[len(tampered)-5] ^= 0xff
	weak, _ := rsa.GenerateKey(rand.Reader, 1024)

	p, err := LoadPKI(dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	certPEM, _ := os.ReadFile(p.Path(ClientCertFile))
	keyPEM, _ := os.ReadFile(p.Path(ClientKeyFile))
	for _, tc := range []struct {
		name string
		data []byte
		id   string
	}{
		{"tampered", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: tampered}), "input-wrong-file-type"},
		{"certificate", certPEM, "input-wrong-file-type"},
		{"private key", keyPEM, "input-wrong-file-type"},
		{"garbage", []byte("hello"), "input-wrong-file-type"},
		{"rsa-1024", csrPEM(t, weak, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "x"}}), "key-unsupported"},
	} {
		_, err := p.SignCSR(tc.data, SignOptions{})
		var got cause.ID
		if c, ok := cause.Of(err); ok {
			got = c.ID
		}
		if string(got) != tc.id {
			t.Errorf("%s: %v (cause %q), want %s", tc.name, err, got, tc.id)
		}
	}
}
