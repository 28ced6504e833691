package inspect

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"testing/cryptotest"
	"time"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/crypto/ssh"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/onramp-cli/onramp/keystore"
)

// The golden tests read the certificate and key files in
// testdata/fixtures, made once by this generator with fixed names, serials
// and dates and a seeded random source, and checked in: a change of Go's
// key generation cannot move them. Regenerate with
//
//	go test ./inspect -run TestGenerateFixtures -fixtures
//
// then refresh the goldens with -update (fingerprints change).
var regenerate = flag.Bool("fixtures", false, "regenerate testdata/fixtures")

const fixtureDir = "testdata/fixtures"

// fixtureNow is the clock of every golden: fixtures' dates are relative
// to it.
var fixtureNow = time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)

// fixturePass opens client-enc.key and client.p12. It is a test value,
// not a secret.
const fixturePass = "fixture-pass"

func TestGenerateFixtures(t *testing.T) {
	if !*regenerate {
		t.Skip("give -fixtures to regenerate testdata/fixtures")
	}
	cryptotest.SetGlobalRandom(t, 11)
	g := &fixtureGen{t: t, files: map[string][]byte{}}
	g.generate()
	if err := os.RemoveAll(fixtureDir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(fixtureDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range g.files {
		if err := os.WriteFile(filepath.Join(fixtureDir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

type fixtureGen struct {
	t     *testing.T
	files map[string][]byte
}

type issued struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func (g *fixtureGen) must(err error) {
	g.t.Helper()
	if err != nil {
		g.t.Fatal(err)
	}
}

func (g *fixtureGen) ecKey() crypto.Signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	g.must(err)
	return k
}

func (g *fixtureGen) sign(tmpl *x509.Certificate, parent *issued, key crypto.Signer) *issued {
	signer, parentCert := key, tmpl
	if parent != nil {
		signer, parentCert = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, key.Public(), signer)
	g.must(err)
	c, err := x509.ParseCertificate(der)
	g.must(err)
	return &issued{cert: c, key: key}
}

func (g *fixtureGen) ca(name string, serial int64, from, to time.Time, parent *issued) *issued {
	return g.sign(&x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name, Organization: []string{"Onramp Tests"}, Country: []string{"GB"}},
		NotBefore: from, NotAfter: to, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, parent, g.ecKey())
}

func (g *fixtureGen) leaf(cn string, serial *big.Int, from, to time.Time, eku x509.ExtKeyUsage, key crypto.Signer, parent *issued, sans ...string) *issued {
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: cn, Organization: []string{"Onramp Tests"}, Country: []string{"GB"}},
		NotBefore: from, NotAfter: to, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{eku}, BasicConstraintsValid: true,
	}
	for _, s := range sans {
		if ip := net.ParseIP(s); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, s)
		}
	}
	return g.sign(tmpl, parent, key)
}

func certPEM(cs ...*issued) []byte {
	var b bytes.Buffer
	for _, c := range cs {
		b.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.cert.Raw}))
	}
	return b.Bytes()
}

func bigHex(s string) *big.Int {
	n, _ := new(big.Int).SetString(s, 16)
	return n
}

func (g *fixtureGen) generate() {
	root := g.ca("Onramp Test Root CA", 0x1001, day(2025, 1, 1), day(2035, 1, 1), nil)
	inter := g.ca("Onramp Test Issuing CA", 0x2002, day(2025, 1, 1), day(2030, 1, 1), root)
	clientKey, err := keystore.GenerateKey("rsa", 2048, "")
	g.must(err)
	client := g.leaf("client-1", bigHex("3a7f5c2e9d1b4f60aa17"), day(2026, 1, 5), day(2027, 1, 5), x509.ExtKeyUsageClientAuth, clientKey, inter, "client-1.localhost")

	g.files["root.crt"] = certPEM(root)
	g.files["leaf.crt"] = certPEM(client)
	g.files["leaf.der"] = client.cert.Raw
	g.files["chain.pem"] = certPEM(client, inter)
	g.files["wrong-order.pem"] = certPEM(inter, client)

	partner := g.ca("Partner Services Root Certification Authority G2 (Production)", 0x3003, day(2024, 6, 1), day(2044, 6, 1), nil)
	old := g.ca("Retired Root CA", 0x4004, day(2016, 1, 1), day(2026, 1, 1), nil)
	g.files["ca-bundle.pem"] = certPEM(root, inter, partner, old)
	var many []*issued
	for i := 0; i < 24; i++ {
		many = append(many, g.ca(fmt.Sprintf("Bundle Root %02d", i+1), int64(0x5000+i), day(2025, 1, 1), day(2030+i%7, time.Month(1+i%12), 1), nil))
	}
	many[17] = g.ca("Bundle Root 18", 0x5017, day(2020, 1, 1), day(2026, 4, 2), nil)
	g.files["ca-bundle-large.pem"] = certPEM(many...)

	expired := g.leaf("client-old", big.NewInt(0x77), day(2025, 3, 1), day(2026, 3, 1), x509.ExtKeyUsageClientAuth, g.ecKey(), inter)
	g.files["expired.crt"] = certPEM(expired, inter)
	soon := g.leaf("client-soon", big.NewInt(0x78), day(2025, 3, 24), day(2026, 3, 24), x509.ExtKeyUsageClientAuth, g.ecKey(), inter)
	g.files["expiring.pem"] = certPEM(soon, inter)
	server := g.leaf("localhost", big.NewInt(0x79), day(2026, 1, 1), day(2026, 12, 31), x509.ExtKeyUsageServerAuth, g.ecKey(), inter, "localhost", "127.0.0.1", "::1")
	g.files["server.crt"] = certPEM(server, inter)

	keyPEM, err := keystore.MarshalPrivateKeyPEM(clientKey, nil)
	g.must(err)
	g.files["client.key"] = keyPEM
	g.files["combined.pem"] = append(certPEM(client, inter), keyPEM...)
	enc, err := keystore.MarshalPrivateKeyPEM(clientKey, []byte(fixturePass))
	g.must(err)
	g.files["client-enc.key"] = enc
	other := g.ecKey()
	sec1, err := x509.MarshalECPrivateKey(other.(*ecdsa.PrivateKey))
	g.must(err)
	g.files["other.key"] = pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1})

	csr, err := keystore.CreateCSR(clientKey, "/C=GB/O=Onramp Tests/CN=client-1", []string{"DNS:client-1.localhost"})
	g.must(err)
	g.files["client.csr"] = csr
	jwks, err := keystore.JWKS(clientKey.Public(), "client-1-2026", "")
	g.must(err)
	g.files["jwks.json"] = jwks
	priv, err := json.MarshalIndent(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: other, Algorithm: "ES256", Use: "sig"},
	}}, "", "  ")
	g.must(err)
	g.files["jwks-private.json"] = append(priv, '\n')

	p12, err := pkcs12.Modern.Encode(clientKey, client.cert, []*x509.Certificate{inter.cert}, fixturePass)
	g.must(err)
	g.files["client.p12"] = p12

	edPub, edPriv, err := ed25519.GenerateKey(rand.Reader)
	g.must(err)
	sshPub, err := ssh.NewPublicKey(edPub)
	g.must(err)
	g.files["id_ed25519.pub"] = append(bytes.TrimSpace(ssh.MarshalAuthorizedKey(sshPub)), []byte(" dev@laptop\n")...)
	block, err := ssh.MarshalPrivateKey(edPriv, "dev@laptop")
	g.must(err)
	g.files["id_ed25519"] = pem.EncodeToMemory(block)

	pub, err := keystore.MarshalPublicKeyPEM(clientKey.Public())
	g.must(err)
	g.files["public.pem"] = pub
	g.files["truncated.pem"] = certPEM(client)[:300]
	g.files["notes.txt"] = []byte("Ask the provider for the sandbox certificate.\n")
	g.files["empty.pem"] = nil
	g.files["random.bin"] = []byte{0x00, 0xff, 0x13, 0x37, 0x99, 0x42, 0x00, 0x01}
}
