package keystore

import (
	"encoding/json"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// The JWKS parses with go-jose and verifies an RS512 signature made with
// the private key: what NHS API Management does with it.
func TestJWKSVerifiesRS512Signature(t *testing.T) {
	key, _ := GenerateKey("rsa", 4096, "")
	data, err := JWKS(key, "test-1", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, private := range []string{`"d"`, `"p"`, `"q"`, `"dp"`} {
		if strings.Contains(string(data), private) {
			t.Fatalf("JWKS leaks private parameter %s:\n%s", private, data)
		}
	}
	var raw struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	k := raw.Keys[0]
	if k["kty"] != "RSA" || k["alg"] != "RS512" || k["use"] != "sig" || k["kid"] != "test-1" || k["e"] != "AQAB" || k["n"] == "" {
		t.Errorf("JWK fields: %v", k)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(data, &set); err != nil {
		t.Fatal(err)
	}
	jwk := set.Key("test-1")
	if len(jwk) != 1 || !jwk[0].IsPublic() {
		t.Fatalf("go-jose finds %d keys for kid test-1", len(jwk))
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS512, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", "test-1").WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	jws, _ := signer.Sign([]byte(`{"iss":"api-key","sub":"api-key"}`))
	compact, _ := jws.CompactSerialize()
	parsed, err := jose.ParseSignedCompact(compact, []jose.SignatureAlgorithm{jose.RS512})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parsed.Verify(jwk[0]); err != nil {
		t.Errorf("RS512 signature does not verify with the published key: %v", err)
	}
	other, _ := GenerateKey("rsa", 2048, "")
	otherSet, _ := JWKS(other.Public(), "test-1", "")
	var os jose.JSONWebKeySet
	json.Unmarshal(otherSet, &os)
	if _, err := parsed.Verify(os.Keys[0]); err == nil {
		t.Error("another key's JWKS verified the signature")
	}
}

func TestJWKSAlgorithms(t *testing.T) {
	cases := []struct {
		kind, curve, want string
	}{
		{"ecdsa", "P-256", "ES256"},
		{"ecdsa", "P-384", "ES384"},
		{"ed25519", "", "EdDSA"},
	}
	for _, c := range cases {
		key, _ := GenerateKey(c.kind, 0, c.curve)
		data, err := JWKS(key.Public(), "", "")
		if err != nil {
			t.Fatal(err)
		}
		set, err := ParseJWKS(data)
		if err != nil {
			t.Fatal(err)
		}
		tp, _ := Thumbprint(key.Public())
		if got := set.Keys[0]; got.Algorithm != c.want || got.KeyID != tp || got.Use != "sig" {
			t.Errorf("%s %s: alg %s kid %s, want %s and the thumbprint", c.kind, c.curve, got.Algorithm, got.KeyID, c.want)
		}
	}
	ec, _ := GenerateKey("ecdsa", 0, "P-256")
	if _, err := JWKS(ec.Public(), "k", "RS512"); err == nil {
		t.Error("RS512 accepted for an EC key")
	}
	if _, err := JWKS(ec.Public(), "k", "ES384"); err == nil {
		t.Error("ES384 accepted for a P-256 key")
	}
	rsaKey, _ := GenerateKey("rsa", 2048, "")
	if _, err := JWKS(rsaKey.Public(), "k", "PS512"); err != nil {
		t.Errorf("PS512 refused for RSA: %v", err)
	}
}
