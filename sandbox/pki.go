package sandbox

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/keystore"
)

// Files of the sandbox's PKI in its data directory.
const (
	RootCertFile         = "root-ca.pem"
	rootKeyFile          = "root-ca.key"
	intermediateCertFile = "intermediate-ca.pem"
	intermediateKeyFile  = "intermediate-ca.key"
	serverCertFile       = "server.pem" // leaf then intermediate
	serverKeyFile        = "server.key"
	ClientCACertFile     = "client-ca.pem"
	clientCAKeyFile      = "client-ca.key"
	// ClientCertFile and ClientKeyFile are the certificate the sandbox issued
	// to its own `sandbox` profile.
	ClientCertFile = "client.pem"
	ClientKeyFile  = "client.key"
)

// Names of the sandbox's certificate authorities, as a client sees them in
// the server's chain and in the CertificateRequest.
const (
	rootCAName         = "onramp sandbox Root CA"
	intermediateCAName = "onramp sandbox Intermediate CA"
	clientCAName       = "onramp sandbox Client CA"
	profileClientCN    = "onramp-sandbox-client"
)

// ClientCertValidity is how long a signed client certificate lasts: HMPPS
// signs for 365 days.
const ClientCertValidity = 365 * 24 * time.Hour

// renewBefore is when the sandbox replaces its own server and client
// certificates: before diagnose's 30-day expiry warning would fire.
const renewBefore = 45 * 24 * time.Hour

// serverHosts are the names the server certificate is valid for.
var serverHosts = []string{"localhost", "127.0.0.1", "::1"}

// PKI is the sandbox's certificate authorities and its server certificate.
type PKI struct {
	Dir string

	Root         *x509.Certificate
	rootKey      crypto.Signer
	Intermediate *x509.Certificate
	interKey     crypto.Signer
	ClientCA     *x509.Certificate
	clientCAKey  crypto.Signer

	Server    *x509.Certificate
	serverKey crypto.Signer
}

// LoadPKI reads the PKI from dir, making whatever is missing: a fresh
// directory gets new CAs; missing or soon-expiring server and profile
// client certificates are re-issued from the existing CAs.
func LoadPKI(dir string, now time.Time) (*PKI, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sandbox data directory: %w", err)
	}
	// The directory holds CA keys: keep it private even if it existed.
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sandbox data directory: %w", err)
	}
	p := &PKI{Dir: dir}
	var err error
	if p.Root, p.rootKey, err = p.loadOrCreateCA(RootCertFile, rootKeyFile, rootCAName, nil, nil, 10, now); err != nil {
		return nil, err
	}
	if p.Intermediate, p.interKey, err = p.loadOrCreateCA(intermediateCertFile, intermediateKeyFile, intermediateCAName, p.Root, p.rootKey, 5, now); err != nil {
		return nil, err
	}
	if p.ClientCA, p.clientCAKey, err = p.loadOrCreateCA(ClientCACertFile, clientCAKeyFile, clientCAName, nil, nil, 10, now); err != nil {
		return nil, err
	}
	if err := p.loadOrIssueServer(now); err != nil {
		return nil, err
	}
	if err := p.ensureProfileClient(now); err != nil {
		return nil, err
	}
	return p, nil
}

// Path is the named file in the sandbox's data directory.
func (p *PKI) Path(name string) string { return filepath.Join(p.Dir, name) }

// CABundlePath is the file a client passes as --cacert: the sandbox's root.
func (p *PKI) CABundlePath() string { return p.Path(RootCertFile) }

func (p *PKI) loadOrCreateCA(certFile, keyFile, cn string, parent *x509.Certificate, parentKey crypto.Signer, years int, now time.Time) (*x509.Certificate, crypto.Signer, error) {
	cert, key, err := p.loadPair(certFile, keyFile)
	if err == nil {
		if parent != nil && cert.CheckSignatureFrom(parent) != nil {
			return nil, nil, fmt.Errorf("%s is not issued by %s: the sandbox's PKI is inconsistent; run `onramp sandbox reset --force`", p.Path(certFile), p.Path(RootCertFile))
		}
		return cert, key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, nil, err
	}
	key, err = newKey()
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          newSerial(),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"onramp sandbox"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(years, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	} else {
		tmpl.MaxPathLenZero = true
	}
	cert, err = createCert(tmpl, parent, key.Public(), parentKey)
	if err != nil {
		return nil, nil, err
	}
	if err := p.writePair(certFile, keyFile, []*x509.Certificate{cert}, key); err != nil {
		return nil, nil, err
	}
	return cert, key, nil
}

func (p *PKI) loadOrIssueServer(now time.Time) error {
	chain, key, err := p.loadChain(serverCertFile, serverKeyFile)
	if err == nil && len(chain) > 0 && chain[0].CheckSignatureFrom(p.Intermediate) == nil && chain[0].NotAfter.Sub(now) > renewBefore {
		p.Server, p.serverKey = chain[0], key
		return nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	cert, key, err := p.issueServer(serverHosts, now.Add(-time.Hour), now.AddDate(1, 0, 0), p.Intermediate, p.interKey)
	if err != nil {
		return err
	}
	p.Server, p.serverKey = cert, key
	return p.writePair(serverCertFile, serverKeyFile, []*x509.Certificate{cert, p.Intermediate}, key)
}

// ensureProfileClient issues the `sandbox` profile's own client certificate.
func (p *PKI) ensureProfileClient(now time.Time) error {
	chain, _, err := p.loadChain(ClientCertFile, ClientKeyFile)
	if err == nil && len(chain) > 0 && chain[0].CheckSignatureFrom(p.ClientCA) == nil && chain[0].NotAfter.Sub(now) > renewBefore {
		return nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	key, err := newKey()
	if err != nil {
		return err
	}
	tmpl := clientTemplate(pkix.Name{CommonName: profileClientCN, Organization: []string{"onramp sandbox"}, Country: []string{"GB"}}, now)
	cert, err := createCert(tmpl, p.ClientCA, key.Public(), p.clientCAKey)
	if err != nil {
		return err
	}
	return p.writePair(ClientCertFile, ClientKeyFile, []*x509.Certificate{cert}, key)
}

func clientTemplate(subject pkix.Name, now time.Time) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber:          newSerial(),
		Subject:               subject,
		NotBefore:             now.Add(-5 * time.Minute),
		NotAfter:              now.Add(ClientCertValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}
}

// issueServer makes a server certificate for hosts, issued by ca.
func (p *PKI) issueServer(hosts []string, notBefore, notAfter time.Time, ca *x509.Certificate, caKey crypto.Signer) (*x509.Certificate, crypto.Signer, error) {
	key, err := newKey()
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          newSerial(),
		Subject:               pkix.Name{CommonName: hosts[0], Organization: []string{"onramp sandbox"}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	if ca == nil {
		// Self-signed, the way `openssl req -x509` makes one: CA:TRUE, so
		// it is its own issuer by every client's rules.
		tmpl.IsCA = true
		tmpl.KeyUsage |= x509.KeyUsageCertSign
		ca, caKey = tmpl, key
	}
	cert, err := createCert(tmpl, ca, key.Public(), caKey)
	if err != nil {
		return nil, nil, err
	}
	return cert, key, nil
}

// ServerCertificate is the normal server certificate with its intermediate.
func (p *PKI) ServerCertificate() tls.Certificate {
	return tls.Certificate{Certificate: [][]byte{p.Server.Raw, p.Intermediate.Raw}, PrivateKey: p.serverKey, Leaf: p.Server}
}

// ClientCAPool holds the CA that issues client certificates.
func (p *PKI) ClientCAPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.ClientCA)
	return pool
}

// RootPool holds the root the server certificate chains to.
func (p *PKI) RootPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.Root)
	return pool
}

// SignOptions shape a signed client certificate.
type SignOptions struct {
	Now      time.Time     // zero means time.Now
	Validity time.Duration // zero means ClientCertValidity
}

// SignCSR signs a client certificate request the way a provider's CA does:
// the subject and SANs copied from the CSR, clientAuth only, 365 days. The
// CSR may be PEM or DER; its signature must verify (proof that the
// requester holds the key). The result is the certificate in PEM.
func (p *PKI) SignCSR(csrData []byte, o SignOptions) ([]byte, error) {
	csr, err := keystore.ParseCSR("", csrData)
	if err != nil {
		return nil, err
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, &keystore.Error{ID: cause.InputWrongFileType, Msg: "the CSR's signature does not verify: it was not made with the key it carries", Err: err}
	}
	if err := checkCSRKey(csr.PublicKey); err != nil {
		return nil, err
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	tmpl := clientTemplate(csr.Subject, now)
	if o.Validity > 0 {
		tmpl.NotAfter = now.Add(o.Validity)
	}
	if _, ok := csr.PublicKey.(*rsa.PublicKey); ok {
		tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
	}
	tmpl.DNSNames = csr.DNSNames
	tmpl.EmailAddresses = csr.EmailAddresses
	tmpl.IPAddresses = csr.IPAddresses
	tmpl.URIs = csr.URIs
	cert, err := createCert(tmpl, p.ClientCA, csr.PublicKey, p.clientCAKey)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), nil
}

// SignCSR loads (or makes) the sandbox PKI in dir and signs csrData with
// its client CA; no running sandbox is needed.
func SignCSR(dir string, csrData []byte, o SignOptions) ([]byte, error) {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	p, err := LoadPKI(dir, now)
	if err != nil {
		return nil, err
	}
	return p.SignCSR(csrData, o)
}

func checkCSRKey(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return &keystore.Error{ID: cause.KeyUnsupported, Msg: fmt.Sprintf("the CSR's RSA key has %d bits; providers refuse keys under 2048 bits", k.N.BitLen())}
		}
	case *ecdsa.PublicKey, ed25519.PublicKey:
	default:
		return &keystore.Error{ID: cause.KeyUnsupported, Msg: fmt.Sprintf("the CSR's key type %T is not supported", pub)}
	}
	return nil
}

func newKey() (crypto.Signer, error) {
	return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
}

func newSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return n
}

func createCert(tmpl, parent *x509.Certificate, pub crypto.PublicKey, parentKey crypto.Signer) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
	if err != nil {
		return nil, fmt.Errorf("issue certificate %q: %w", tmpl.Subject.CommonName, err)
	}
	return x509.ParseCertificate(der)
}

func (p *PKI) loadPair(certFile, keyFile string) (*x509.Certificate, crypto.Signer, error) {
	chain, key, err := p.loadChain(certFile, keyFile)
	if err != nil {
		return nil, nil, err
	}
	return chain[0], key, nil
}

// loadChain reads a certificate file and its key. A missing file gives an
// error wrapping os.ErrNotExist, so the caller makes a new pair.
func (p *PKI) loadChain(certFile, keyFile string) ([]*x509.Certificate, crypto.Signer, error) {
	certPath, keyPath := p.Path(certFile), p.Path(keyFile)
	for _, path := range []string{certPath, keyPath} {
		if _, err := os.Stat(path); err != nil {
			return nil, nil, err
		}
	}
	chain, err := keystore.ReadCertificates(certPath)
	if err != nil {
		return nil, nil, fmt.Errorf("sandbox PKI: %w (start afresh with `onramp sandbox reset --force`)", err)
	}
	key, err := keystore.ReadPrivateKey(keyPath, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("sandbox PKI: %w (start afresh with `onramp sandbox reset --force`)", err)
	}
	if !keystore.PublicKeysEqual(key.Public(), chain[0].PublicKey) {
		return nil, nil, fmt.Errorf("sandbox PKI: %s is not the key of %s (start afresh with `onramp sandbox reset --force`)", keyPath, certPath)
	}
	return chain, key, nil
}

// writePair writes the key first (0600), then the certificate: a crash in
// between leaves a key without a certificate, which is simply re-issued.
func (p *PKI) writePair(certFile, keyFile string, chain []*x509.Certificate, key crypto.Signer) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := keystore.WriteFileAtomic(p.Path(keyFile), keyPEM, 0o600, true); err != nil {
		return err
	}
	var certPEM []byte
	for _, c := range chain {
		certPEM = append(certPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return keystore.WriteFileAtomic(p.Path(certFile), certPEM, 0o644, true)
}

// Reset deletes the sandbox's PKI (its CAs, server certificate and the
// `sandbox` profile's client certificate) so the next start makes a new
// one. Certificates it signed for users stop working. The API keys and the
// registered JWKS stay. It returns the files removed.
func Reset(dir string) ([]string, error) {
	var removed []string
	for _, name := range []string{RootCertFile, rootKeyFile, intermediateCertFile, intermediateKeyFile,
		serverCertFile, serverKeyFile, ClientCACertFile, clientCAKeyFile, ClientCertFile, ClientKeyFile} {
		path := filepath.Join(dir, name)
		err := os.Remove(path)
		if err == nil {
			removed = append(removed, path)
		} else if !errors.Is(err, os.ErrNotExist) {
			return removed, err
		}
	}
	return removed, nil
}

// Issue is the wizard's "have the sandbox issue my certificate" step: it
// signs csrPEM with the sandbox's client CA in onramp's data directory and
// returns the certificate and the CA bundle (root) a profile's cacert needs.
func Issue(csrPEM []byte) (certPEM []byte, caBundleFile string, err error) {
	dir, err := DataDir()
	if err != nil {
		return nil, "", err
	}
	certPEM, err = SignCSR(dir, csrPEM, SignOptions{})
	if err != nil {
		return nil, "", err
	}
	return certPEM, filepath.Join(dir, RootCertFile), nil
}
