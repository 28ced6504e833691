// Package testpki makes certificates for tests: CAs, intermediates, server
// and client leaves with chosen names, validity and key usages. Nothing here
// is checked in with fixed dates; every test makes its own.
package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// CA is a certificate authority for tests.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	// Parent is the issuing CA of an intermediate, nil for a root.
	Parent *CA
}

// Leaf is an issued certificate with its key and the chain above it
// (intermediates only, not the root).
type Leaf struct {
	Cert  *x509.Certificate
	Key   crypto.Signer
	Chain []*x509.Certificate
}

// Options shape an issued certificate. The zero value is a server
// certificate for localhost and 127.0.0.1, valid from an hour ago for a year.
type Options struct {
	CommonName string
	DNSNames   []string
	IPs        []net.IP
	NotBefore  time.Time
	NotAfter   time.Time
	// ExtKeyUsage defaults to serverAuth for Server and clientAuth for Client.
	ExtKeyUsage []x509.ExtKeyUsage
	Key         crypto.Signer // default: a fresh P-256 key
	// Revocation pointers (Authority Information Access, CRL distribution points).
	OCSPServer            []string
	IssuingCertificateURL []string
	CRLDistributionPoints []string
}

func newKey(t testing.TB) crypto.Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func serial(t testing.TB) *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// NewCA makes a self-signed root CA.
func NewCA(t testing.TB, name string) *CA {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"onramp tests"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &CA{Cert: cert, Key: key}
}

// Intermediate makes a CA issued by ca.
func (ca *CA) Intermediate(t testing.TB, name string) *CA {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"onramp tests"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(5 * 365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &CA{Cert: cert, Key: key, Parent: ca}
}

// chain returns the intermediates from ca up to (not including) the root.
func (ca *CA) chain() []*x509.Certificate {
	var out []*x509.Certificate
	for c := ca; c != nil && c.Parent != nil; c = c.Parent {
		out = append(out, c.Cert)
	}
	return out
}

func (ca *CA) issue(t testing.TB, o Options, defaultEKU x509.ExtKeyUsage, defaultCN string) *Leaf {
	t.Helper()
	if o.Key == nil {
		o.Key = newKey(t)
	}
	if o.CommonName == "" {
		o.CommonName = defaultCN
	}
	if o.NotBefore.IsZero() {
		o.NotBefore = time.Now().Add(-time.Hour)
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = time.Now().Add(365 * 24 * time.Hour)
	}
	if o.ExtKeyUsage == nil {
		o.ExtKeyUsage = []x509.ExtKeyUsage{defaultEKU}
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: o.CommonName, Organization: []string{"onramp tests"}},
		DNSNames:              o.DNSNames,
		IPAddresses:           o.IPs,
		NotBefore:             o.NotBefore,
		NotAfter:              o.NotAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           o.ExtKeyUsage,
		BasicConstraintsValid: true,
		OCSPServer:            o.OCSPServer,
		IssuingCertificateURL: o.IssuingCertificateURL,
		CRLDistributionPoints: o.CRLDistributionPoints,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, o.Key.Public(), ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &Leaf{Cert: cert, Key: o.Key, Chain: ca.chain()}
}

// Server issues a server certificate (serverAuth; localhost and 127.0.0.1
// unless names are given).
func (ca *CA) Server(t testing.TB, o Options) *Leaf {
	if o.DNSNames == nil && o.IPs == nil {
		o.DNSNames = []string{"localhost"}
		o.IPs = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	}
	return ca.issue(t, o, x509.ExtKeyUsageServerAuth, "localhost")
}

// Client issues a client certificate (clientAuth).
func (ca *CA) Client(t testing.TB, o Options) *Leaf {
	return ca.issue(t, o, x509.ExtKeyUsageClientAuth, "onramp-test-client")
}

// Pool is a CertPool holding the CA's root.
func (ca *CA) Pool() *x509.CertPool {
	root := ca
	for root.Parent != nil {
		root = root.Parent
	}
	p := x509.NewCertPool()
	p.AddCert(root.Cert)
	return p
}

// TLSCertificate is the leaf as a tls.Certificate; withChain also sends the
// intermediates.
func (l *Leaf) TLSCertificate(withChain bool) tls.Certificate {
	c := tls.Certificate{Certificate: [][]byte{l.Cert.Raw}, PrivateKey: l.Key, Leaf: l.Cert}
	if withChain {
		for _, ic := range l.Chain {
			c.Certificate = append(c.Certificate, ic.Raw)
		}
	}
	return c
}

// CertPEM is the leaf, then (withChain) its intermediates, as PEM.
func (l *Leaf) CertPEM(withChain bool) []byte {
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: l.Cert.Raw})
	if withChain {
		for _, c := range l.Chain {
			out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
		}
	}
	return out
}

// KeyPEM is the leaf's key as unencrypted PKCS#8 PEM.
func (l *Leaf) KeyPEM(t testing.TB) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(l.Key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// KeyPEM is the CA's key as unencrypted PKCS#8 PEM (for a test's own
// OCSP responder or CRL signer).
func (ca *CA) KeyPEM(t testing.TB) []byte {
	t.Helper()
	return (&Leaf{Key: ca.Key}).KeyPEM(t)
}

// CertPEM is the CA's own certificate as PEM (a CA bundle of one).
func (ca *CA) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw})
}

// WriteFile writes data to dir/name (0600) and returns the path.
func WriteFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Files writes the leaf's certificate (with chain) and key into dir and
// returns their paths.
func (l *Leaf) Files(t testing.TB, dir, name string) (certFile, keyFile string) {
	t.Helper()
	return WriteFile(t, dir, name+".crt", l.CertPEM(true)), WriteFile(t, dir, name+".key", l.KeyPEM(t))
}
