package keystore

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"

	"github.com/youmark/pkcs8"
)

// Key types and parameters keygen offers: what the documented providers ask
// for (RSA 2048 for HMPPS and the DCS, RSA 4096 for NHS APIM) and the
// modern alternatives.
var (
	KeyTypes       = []string{"rsa", "ecdsa", "ed25519"}
	RSABits        = []int{2048, 3072, 4096}
	ECCurves       = []string{"P-256", "P-384"}
	DefaultRSABits = 2048
	DefaultCurve   = "P-256"
)

// PBKDF2Iterations is the work factor for encrypting a private key: the
// OWASP 2023 figure for PBKDF2-HMAC-SHA256.
const PBKDF2Iterations = 600_000

// GenerateKey makes a new private key. kind is rsa, ecdsa or ed25519; bits
// applies to RSA (0 means 2048), curve to ECDSA ("" means P-256).
func GenerateKey(kind string, bits int, curve string) (crypto.Signer, error) {
	switch strings.ToLower(kind) {
	case "", "rsa":
		if curve != "" {
			return nil, fmt.Errorf("a curve (%s) applies to ecdsa keys, not rsa", curve)
		}
		if bits == 0 {
			bits = DefaultRSABits
		}
		if !validRSABits(bits) {
			return nil, fmt.Errorf("RSA key size %d: choose 2048, 3072 or 4096", bits)
		}
		return rsa.GenerateKey(rand.Reader, bits)
	case "ecdsa", "ec":
		if bits != 0 {
			return nil, fmt.Errorf("a size in bits applies to rsa keys; ecdsa keys take a curve (P-256 or P-384)")
		}
		c, err := ParseCurve(curve)
		if err != nil {
			return nil, err
		}
		return ecdsa.GenerateKey(c, rand.Reader)
	case "ed25519":
		if bits != 0 || curve != "" {
			return nil, fmt.Errorf("ed25519 keys take neither a size in bits nor a curve")
		}
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	}
	return nil, fmt.Errorf("key type %q: choose rsa, ecdsa or ed25519", kind)
}

func validRSABits(bits int) bool {
	for _, b := range RSABits {
		if b == bits {
			return true
		}
	}
	return false
}

// ParseCurve maps a curve name (P-256, P-384; prime256v1, secp384r1 as
// OpenSSL calls them) to its elliptic.Curve.
func ParseCurve(name string) (elliptic.Curve, error) {
	switch strings.ToUpper(strings.ReplaceAll(name, "_", "-")) {
	case "", "P-256", "P256", "PRIME256V1", "SECP256R1":
		return elliptic.P256(), nil
	case "P-384", "P384", "SECP384R1":
		return elliptic.P384(), nil
	}
	return nil, fmt.Errorf("curve %q: choose P-256 or P-384", name)
}

// encryptOpts: PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, which
// OpenSSL 1.1+ (`openssl pkcs8`, `openssl pkey`), Java and Go all read.
var encryptOpts = &pkcs8.Opts{
	Cipher: pkcs8.AES256CBC,
	KDFOpts: pkcs8.PBKDF2Opts{
		SaltSize:       16,
		IterationCount: PBKDF2Iterations,
		HMACHash:       crypto.SHA256,
	},
}

// MarshalPrivateKeyDER encodes key as PKCS#8 DER; with a passphrase as an
// encrypted PKCS#8 (EncryptedPrivateKeyInfo).
func MarshalPrivateKeyDER(key crypto.Signer, pass []byte) ([]byte, error) {
	if len(pass) == 0 {
		return x509.MarshalPKCS8PrivateKey(key)
	}
	return pkcs8.MarshalPrivateKey(key, pass, encryptOpts)
}

// MarshalPrivateKeyPEM encodes key as PKCS#8 PEM ("PRIVATE KEY"); with a
// passphrase as encrypted PKCS#8 ("ENCRYPTED PRIVATE KEY").
func MarshalPrivateKeyPEM(key crypto.Signer, pass []byte) ([]byte, error) {
	der, err := MarshalPrivateKeyDER(key, pass)
	if err != nil {
		return nil, err
	}
	typ := "PRIVATE KEY"
	if len(pass) > 0 {
		typ = "ENCRYPTED PRIVATE KEY"
	}
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), nil
}

// MarshalPublicKeyPEM encodes pub as a PKIX "PUBLIC KEY" PEM block.
func MarshalPublicKeyPEM(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// KeyDescription names a key's type and size the way a provider's
// requirements do: "RSA 4096", "ECDSA P-256", "Ed25519".
func KeyDescription(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}

// GenerateKeyContext is GenerateKey that gives up when ctx ends: key
// generation cannot be interrupted (an RSA 4096 key takes seconds), so it
// runs aside and a cancelled caller returns at once with ctx's error,
// having written nothing.
func GenerateKeyContext(ctx context.Context, kind string, bits int, curve string) (crypto.Signer, error) {
	return aside(ctx, func() (crypto.Signer, error) { return GenerateKey(kind, bits, curve) })
}

// aside runs work that cannot be interrupted (key generation, a PKCS#12
// key derivation) in its own goroutine: when ctx ends first, the caller
// returns at once with ctx's error and the goroutine's result is dropped.
func aside[T any](ctx context.Context, work func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := work()
		done <- result{v, err}
	}()
	var zero T
	select {
	case r := <-done:
		if err := ctx.Err(); err != nil {
			return zero, err
		}
		return r.v, r.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}
