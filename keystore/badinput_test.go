package keystore

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/testpki"
)

// Files that are not what a flag expects give a cause id, never a panic.
func TestBadInputCarriesCause(t *testing.T) {
	ca := testpki.NewCA(t, "Test CA")
	leaf := ca.Client(t, testpki.Options{})
	certPEM := leaf.CertPEM(false)
	keyPEM := leaf.KeyPEM(t)
	key, _ := GenerateKey("ecdsa", 0, "")
	csr, _ := CreateCSR(key, "/CN=x", nil)
	garbage := make([]byte, 4096)
	rand.Read(garbage)
	cases := map[string][]byte{
		"empty":            {},
		"whitespace":       []byte("  \n\t"),
		"truncated cert":   certPEM[:len(certPEM)/2],
		"truncated key":    keyPEM[:len(keyPEM)/2],
		"garbage":          garbage,
		"text":             []byte("hello, this is not a certificate\n"),
		"ssh public key":   []byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host\n"),
		"openssh private":  []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"),
		"csr":              csr,
		"broken PEM body":  []byte("-----BEGIN CERTIFICATE-----\nnot base64 at all!!\n-----END CERTIFICATE-----\n"),
		"valid b64 junk":   []byte("-----BEGIN CERTIFICATE-----\nAAAAAAAA\n-----END CERTIFICATE-----\n"),
		"DER-ish sequence": {0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x03},
	}
	for name, data := range cases {
		if _, err := ParseCertificates(name, data); causeOf(err) == "" {
			t.Errorf("%s as a certificate: %v (no cause)", name, err)
		}
		if name == "csr" || name == "ssh public key" {
			_, err := ParseCertificates(name, data)
			if causeOf(err) != "input-wrong-file-type" {
				t.Errorf("%s as a certificate: %v", name, err)
			}
		}
	}
	for name, data := range cases {
		if _, err := ParsePrivateKey(name, data, nil); causeOf(err) == "" {
			t.Errorf("%s as a key: %v (no cause)", name, err)
		}
	}
	if _, err := ParsePrivateKey("cert.pem", certPEM, nil); causeOf(err) != "input-wrong-file-type" {
		t.Errorf("a certificate as a key: %v", err)
	}
}

func TestReadFileBounds(t *testing.T) {
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.pem")
	f, _ := os.Create(huge)
	f.Write(bytes.Repeat([]byte("A"), MaxFileSize+10))
	f.Close()
	if _, err := ReadFile(huge); causeOf(err) != "input-wrong-file-type" || !strings.Contains(err.Error(), "over the 10 MiB limit") {
		t.Errorf("huge file: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing.pem")); causeOf(err) != "input-file-unreadable" {
		t.Errorf("missing file: %v", err)
	}
	if _, err := ReadFile(dir); causeOf(err) != "input-file-unreadable" || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("a directory: %v", err)
	}
	// A FIFO with no writer: refused at once, not waited on.
	fifo := filepath.Join(dir, "ca.pem")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := ReadFile(fifo); done <- err }()
	select {
	case err := <-done:
		if causeOf(err) != "input-file-unreadable" || !strings.Contains(err.Error(), "named pipe (FIFO), not a regular file") {
			t.Errorf("a FIFO: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading a FIFO with no writer hangs")
	}
}

// A bundle of more than MaxCertificates is refused without parsing them
// all, with the cap's one wording.
func TestCertificateCountCap(t *testing.T) {
	ca := testpki.NewCA(t, "Test Root CA")
	one := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw})
	if certs, err := ParseCertificates("ok.pem", bytes.Repeat(one, MaxCertificates)); err != nil || len(certs) != MaxCertificates {
		t.Fatalf("%d certificates: %v", MaxCertificates, err)
	}
	_, err := ParseCertificates("many.pem", bytes.Repeat(one, MaxCertificates+1))
	if causeOf(err) != "input-wrong-file-type" || !strings.Contains(err.Error(), "over the 1000 certificates limit") || !TooLarge(err) {
		t.Errorf("%d certificates: %v", MaxCertificates+1, err)
	}
}

// causeOf is the catalog id err carries, or "".
func causeOf(err error) cause.ID {
	if c, ok := cause.Of(err); ok {
		return c.ID
	}
	return ""
}

// A legacy encrypted PEM key has no integrity check: about one wrong
// passphrase in 256 decrypts to garbage with valid padding. Every wrong
// passphrase is still reported as wrong, not as a file that does not parse.
func TestLegacyPEMEveryWrongPassphraseIsWrong(t *testing.T) {
	key, _ := GenerateKey("ecdsa", 0, "")
	der, _ := x509.MarshalECPrivateKey(key.(*ecdsa.PrivateKey))
	//lint:ignore SA1019 legacy encrypted PEM is what older OpenSSL writes; the test makes one.
	block, err := x509.EncryptPEMBlock(rand.Reader, "EC PRIVATE KEY", der, []byte("right"), x509.PEMCipherAES256) //nolint:staticcheck
	if err != nil {
		t.Fatal(err)
	}
	data := pem.EncodeToMemory(block)
	for i := range 2000 {
		if _, err := ParsePrivateKey("legacy.pem", data, fmt.Appendf(nil, "wrong %d", i)); causeOf(err) != "key-passphrase-wrong" {
			t.Fatalf("wrong passphrase %d: %v", i, err)
		}
	}
	if _, err := ParsePrivateKey("legacy.pem", data, []byte("right")); err != nil {
		t.Fatal(err)
	}
}
