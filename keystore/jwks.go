package keystore

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
)

// DefaultJWSAlgorithm is the signature algorithm a JWKS entry names when
// none is asked for: RS512 for RSA (what NHS API Management requires), the
// curve's own ES algorithm for ECDSA, EdDSA for Ed25519.
func DefaultJWSAlgorithm(pub crypto.PublicKey) (string, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return string(jose.RS512), nil
	case *ecdsa.PublicKey:
		switch k.Curve.Params().Name {
		case "P-256":
			return string(jose.ES256), nil
		case "P-384":
			return string(jose.ES384), nil
		case "P-521":
			return string(jose.ES512), nil
		}
	case ed25519.PublicKey:
		return string(jose.EdDSA), nil
	}
	return "", fmt.Errorf("no JWS algorithm for a %s key", KeyDescription(pub))
}

// algorithmFits says whether alg can be used with pub.
func algorithmFits(pub crypto.PublicKey, alg string) bool {
	switch pub.(type) {
	case *rsa.PublicKey:
		switch jose.SignatureAlgorithm(alg) {
		case jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512:
			return true
		}
		return false
	}
	def, err := DefaultJWSAlgorithm(pub)
	return err == nil && def == alg
}

// Thumbprint is the RFC 7638 JWK thumbprint (SHA-256, base64url) of pub:
// a stable key id when none is given.
func Thumbprint(pub crypto.PublicKey) (string, error) {
	jwk := jose.JSONWebKey{Key: pub}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(tp), nil
}

// JWKS is the JSON Web Key Set publishing pub for signature verification
// ({"keys":[{"kty":..., "kid":..., "alg":..., "use":"sig", ...}]}), the
// form NHS API Management asks for. An empty alg picks
// DefaultJWSAlgorithm; an empty kid uses the key's RFC 7638 thumbprint.
// Only public parameters are ever written, even when given a private key.
func JWKS(pub crypto.PublicKey, kid, alg string) ([]byte, error) {
	return JWKSOf(PublishedKey{Pub: pub, KID: kid, Alg: alg})
}

// PublishedKey is one entry of a JWKS.
type PublishedKey struct {
	Pub      crypto.PublicKey
	KID, Alg string
}

// JWKSOf is JWKS for several keys, in order: during a key rollover the set
// holds the old key and the new one, so tokens signed with either verify.
func JWKSOf(keys ...PublishedKey) ([]byte, error) {
	var set jose.JSONWebKeySet
	for _, k := range keys {
		jwk, err := publicJWK(k.Pub, k.KID, k.Alg)
		if err != nil {
			return nil, err
		}
		set.Keys = append(set.Keys, jwk)
	}
	out, err := json.MarshalIndent(set, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

func publicJWK(pub crypto.PublicKey, kid, alg string) (jose.JSONWebKey, error) {
	if s, ok := pub.(crypto.Signer); ok {
		pub = s.Public()
	}
	if alg == "" {
		var err error
		if alg, err = DefaultJWSAlgorithm(pub); err != nil {
			return jose.JSONWebKey{}, err
		}
	}
	if !algorithmFits(pub, alg) {
		return jose.JSONWebKey{}, fmt.Errorf("algorithm %s does not fit a %s key", alg, KeyDescription(pub))
	}
	if kid == "" {
		var err error
		if kid, err = Thumbprint(pub); err != nil {
			return jose.JSONWebKey{}, err
		}
	}
	jwk := jose.JSONWebKey{Key: pub, KeyID: kid, Algorithm: alg, Use: "sig"}
	if !jwk.Valid() || !jwk.IsPublic() {
		return jose.JSONWebKey{}, fmt.Errorf("cannot publish a %s key as a JWK", KeyDescription(pub))
	}
	return jwk, nil
}

// ParseJWKS reads a JSON Web Key Set, or a single JWK, as published.
func ParseJWKS(data []byte) (*jose.JSONWebKeySet, error) {
	var set jose.JSONWebKeySet
	var probe struct {
		Keys json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if probe.Keys != nil {
		if err := json.Unmarshal(data, &set); err != nil {
			return nil, fmt.Errorf("not a JWKS: %w", err)
		}
		return &set, nil
	}
	var k jose.JSONWebKey
	if err := json.Unmarshal(data, &k); err != nil {
		return nil, fmt.Errorf("not a JWK: %w", err)
	}
	set.Keys = []jose.JSONWebKey{k}
	return &set, nil
}

// JWSAlgorithmFits says whether alg can sign with a key of keyType (rsa,
// ecdsa, ed25519) and curve, before the key exists.
func JWSAlgorithmFits(keyType, curve, alg string) bool {
	switch keyType {
	case "rsa":
		switch alg {
		case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
			return true
		}
	case "ecdsa":
		return (curve == "P-256" && alg == "ES256") || (curve == "P-384" && alg == "ES384")
	case "ed25519":
		return alg == "EdDSA"
	}
	return false
}
