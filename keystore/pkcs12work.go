package keystore

import (
	"context"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/limits"
)

// The parts of a PKCS#12 file (RFC 7292) that say how much work opening
// it costs: the MAC's iteration count and each encryption's KDF.
type pfxPDU struct {
	Version  int
	AuthSafe pfxContentInfo
	MacData  pfxMacData `asn1:"optional"`
}

type pfxContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
}

type pfxMacData struct {
	Mac struct {
		Algorithm pkix.AlgorithmIdentifier
		Digest    []byte
	}
	MacSalt    []byte
	Iterations int `asn1:"optional,default:1"`
}

type pfxEncryptedData struct {
	Version int
	Info    struct {
		ContentType asn1.ObjectIdentifier
		Algorithm   pkix.AlgorithmIdentifier
		Content     asn1.RawValue `asn1:"tag:0,optional"`
	}
}

type pfxSafeBag struct {
	ID    asn1.ObjectIdentifier
	Value asn1.RawValue `asn1:"tag:0,explicit"`
	Attrs asn1.RawValue `asn1:"optional"`
}

var (
	oidPKCS7Data          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidPKCS7EncryptedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}
	oidShroudedKeyBag     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
)

// iterationLimit is the one wording of the work-factor cap, for PKCS#8
// keys and PKCS#12 bundles alike.
func iterationLimit(what string, n int) string {
	return fmt.Sprintf("%s asks for an implausible amount of work (%d iterations, over the %s limit): the file is damaged or hostile; re-encrypt it with `onramp convert --new-pass-env`",
		what, n, limits.Format(maxPBKDF2Iterations, "iterations"))
}

// checkPKCS12WorkFactor refuses a bundle whose MAC or encryption asks for
// more iterations than any tool writes, before any of them is spent. What
// it cannot read (BER encodings, bags inside encrypted contents) is left
// to the decoder, which DecodePKCS12Context abandons when ctx ends.
func checkPKCS12WorkFactor(path string, data []byte) error {
	var pfx pfxPDU
	if _, err := asn1.Unmarshal(data, &pfx); err != nil {
		return nil
	}
	if pfx.MacData.Iterations > maxPBKDF2Iterations {
		return &Error{ID: cause.KeyUnsupported, Path: path, Msg: iterationLimit("the PKCS#12 bundle's MAC", pfx.MacData.Iterations)}
	}
	var authSafe []byte
	if _, err := asn1.Unmarshal(pfx.AuthSafe.Content.Bytes, &authSafe); err != nil {
		return nil
	}
	var parts []pfxContentInfo
	if _, err := asn1.Unmarshal(authSafe, &parts); err != nil {
		return nil
	}
	check := func(alg pkix.AlgorithmIdentifier, what string) error {
		der, err := asn1.Marshal(encryptedPrivateKeyInfo{Algo: alg, Data: []byte{0}})
		if err != nil {
			return nil
		}
		e, err := DescribePKCS8Encryption(der)
		if err != nil {
			return nil
		}
		limit := maxPBKDF2Iterations
		if e.KDF == "scrypt" {
			limit = maxScryptN
		}
		if e.Iterations > limit {
			return &Error{ID: cause.KeyUnsupported, Path: path, Msg: iterationLimit(what, e.Iterations)}
		}
		return nil
	}
	for _, ci := range parts {
		switch {
		case ci.ContentType.Equal(oidPKCS7EncryptedData):
			var ed pfxEncryptedData
			if _, err := asn1.Unmarshal(ci.Content.Bytes, &ed); err == nil {
				if err := check(ed.Info.Algorithm, "the PKCS#12 bundle's certificate encryption"); err != nil {
					return err
				}
			}
		case ci.ContentType.Equal(oidPKCS7Data):
			var safe []byte
			if _, err := asn1.Unmarshal(ci.Content.Bytes, &safe); err != nil {
				continue
			}
			var bags []pfxSafeBag
			if _, err := asn1.Unmarshal(safe, &bags); err != nil {
				continue
			}
			for _, b := range bags {
				if !b.ID.Equal(oidShroudedKeyBag) {
					continue
				}
				var info encryptedPrivateKeyInfo
				if _, err := asn1.Unmarshal(b.Value.Bytes, &info); err == nil {
					if err := check(info.Algo, "the PKCS#12 bundle's key encryption"); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// DecodePKCS12Context is DecodePKCS12 that gives up when ctx ends (Ctrl+C,
// --timeout): the decoder cannot be interrupted, so it runs aside and a
// cancelled caller returns at once with ctx's error.
func DecodePKCS12Context(ctx context.Context, path string, data, pass []byte) (*PKCS12Bundle, error) {
	if err := checkPKCS12WorkFactor(path, data); err != nil {
		return nil, err
	}
	return aside(ctx, func() (*PKCS12Bundle, error) { return DecodePKCS12(path, data, pass) })
}
