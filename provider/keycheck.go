package provider

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/keystore"
)

// Check says whether a public key meets the requirement, as a
// key-unsupported error naming what the provider wants (NHS APIM signed
// JWT refuses anything but RSA 4096, for example).
func (k *KeyRequirement) Check(pub crypto.PublicKey) error {
	have := describeKey(pub)
	ok := false
	switch key := pub.(type) {
	case *rsa.PublicKey:
		ok = k.Type == "rsa" && (k.Bits == 0 || key.N.BitLen() == k.Bits)
	case *ecdsa.PublicKey:
		ok = k.Type == "ecdsa" && (k.Curve == "" || key.Curve.Params().Name == k.Curve)
	case ed25519.PublicKey:
		ok = k.Type == "ed25519"
	}
	if ok {
		return nil
	}
	return &keystore.Error{ID: cause.KeyUnsupported,
		Msg: fmt.Sprintf("the %s key is %s; the provider needs %s (make one with: onramp keygen %s)", k.Purpose, have, k.String(), k.KeygenFlags())}
}

// String is the requirement in words: "RSA 4096".
func (k *KeyRequirement) String() string {
	switch k.Type {
	case "rsa":
		if k.Bits > 0 {
			return fmt.Sprintf("RSA %d", k.Bits)
		}
		return "RSA"
	case "ecdsa":
		if k.Curve != "" {
			return "ECDSA " + k.Curve
		}
		return "ECDSA"
	}
	return k.Type
}

// KeygenFlags are the onramp keygen flags that make a key meeting it.
func (k *KeyRequirement) KeygenFlags() string {
	s := "--type " + k.Type
	if k.Bits > 0 {
		s += fmt.Sprintf(" --bits %d", k.Bits)
	}
	if k.Curve != "" {
		s += " --curve " + k.Curve
	}
	return s
}

func describeKey(pub crypto.PublicKey) string {
	switch key := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", key.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + key.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}
