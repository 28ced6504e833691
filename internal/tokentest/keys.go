// Package tokentest holds key helpers for credential tests: RSA test keys
// made once per test binary, their JWKS and PEM. The fake token endpoints
// are the sandbox's own (package sandbox/tokenapi).
package tokentest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"sync"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

var (
	keysMu sync.Mutex
	keys   = map[[2]int]*rsa.PrivateKey{}
)

// RSAKey returns test RSA key number i of the given size, made once per
// test binary: a 4096-bit key takes a second or more to generate.
func RSAKey(t testing.TB, bits, i int) *rsa.PrivateKey {
	t.Helper()
	keysMu.Lock()
	defer keysMu.Unlock()
	if k, ok := keys[[2]int{bits, i}]; ok {
		return k
	}
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	keys[[2]int{bits, i}] = k
	return k
}

// JWKS is the public key set NHS API Management expects to be registered:
// {"keys":[{"kty":"RSA","n":..,"e":"AQAB","alg":"RS512","kid":KID,"use":"sig"}]}.
func JWKS(t testing.TB, pub crypto.PublicKey, kid string) []byte {
	t.Helper()
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: pub, KeyID: kid, Algorithm: string(jose.RS512), Use: "sig"}}}
	data, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// KeyPEM is key as unencrypted PKCS#8 PEM.
func KeyPEM(t testing.TB, key crypto.Signer) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}
