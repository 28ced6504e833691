package keystore

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"hash"

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

// checkPKCS12WorkFactor refuses a bundle whose MAC (classic or PBMAC1) or
// any encryption asks for more iterations than any tool writes, before any
// of them is spent. A BER-encoded bundle is read the same way, then
// refused as unsupported (the decoder reads DER only). Key bags inside an
// encrypted part are checked too: with pass, a PBES2 part (what OpenSSL 3
// and onramp write) is decrypted here first when that costs little; what
// stays unreadable (legacy RC2 parts) is left to the decoder, which
// DecodePKCS12Context abandons when ctx ends.
func checkPKCS12WorkFactor(path string, data, pass []byte) error {
	ber := false
	unmarshal := func(b []byte, v any) bool {
		if _, err := asn1.Unmarshal(b, v); err == nil {
			return true
		}
		der, err := berToDER(b)
		if err != nil {
			return false
		}
		if _, err := asn1.Unmarshal(der, v); err != nil {
			return false
		}
		ber = true
		return true
	}
	refuse := func(what string, n int) error {
		return &Error{ID: cause.KeyUnsupported, Path: path, Msg: iterationLimit(what, n)}
	}
	var pfx pfxPDU
	if !unmarshal(data, &pfx) {
		return nil
	}
	if pfx.MacData.Iterations > maxPBKDF2Iterations {
		return refuse("the PKCS#12 bundle's MAC", pfx.MacData.Iterations)
	}
	if n := pbmac1Iterations(pfx.MacData.Mac.Algorithm); n > maxPBKDF2Iterations {
		return refuse("the PKCS#12 bundle's MAC (PBMAC1)", n)
	}
	var authSafe []byte
	var parts []pfxContentInfo
	if !unmarshal(pfx.AuthSafe.Content.Bytes, &authSafe) || !unmarshal(authSafe, &parts) {
		return berRefusal(path, ber)
	}
	bags := func(safe []byte, where string) error {
		var list []pfxSafeBag
		if !unmarshal(safe, &list) {
			return nil
		}
		for _, b := range list {
			var info encryptedPrivateKeyInfo
			if b.ID.Equal(oidShroudedKeyBag) && unmarshal(b.Value.Bytes, &info) {
				if n, over := overLimit(info.Algo); over {
					return refuse("the PKCS#12 bundle's key encryption"+where, n)
				}
			}
		}
		return nil
	}
	for _, ci := range parts {
		switch {
		case ci.ContentType.Equal(oidPKCS7EncryptedData):
			var ed pfxEncryptedData
			if !unmarshal(ci.Content.Bytes, &ed) {
				continue
			}
			if n, over := overLimit(ed.Info.Algorithm); over {
				return refuse("the PKCS#12 bundle's certificate encryption", n)
			}
			if inner, ok := decryptPBES2(ed.Info.Algorithm, octets(ed.Info.Content), pass); ok {
				if err := bags(inner, " (inside an encrypted part)"); err != nil {
					return err
				}
			}
		case ci.ContentType.Equal(oidPKCS7Data):
			var safe []byte
			if unmarshal(ci.Content.Bytes, &safe) {
				if err := bags(safe, ""); err != nil {
					return err
				}
			}
		}
	}
	return berRefusal(path, ber)
}

// berRefusal says that a BER-encoded bundle (within every limit) cannot
// be opened, and how to make one that can, before any key derivation.
func berRefusal(path string, ber bool) error {
	if !ber {
		return nil
	}
	return &Error{ID: cause.KeyUnsupported, Path: path, Msg: "the PKCS#12 bundle is BER-encoded (indefinite lengths, as NSS's pk12util and some Java and Windows tools write it), which onramp cannot open (unsupported): " +
		"re-export it with OpenSSL, which reads it: `openssl pkcs12 -in OLD.p12 -nodes | openssl pkcs12 -export -out NEW.p12` (the key goes through the pipe, never to disk)"}
}

// overLimit reads an encryption's work factor and says whether it is over
// the cap (PBKDF2 or PKCS#12 PBE iterations, or scrypt's N).
func overLimit(alg pkix.AlgorithmIdentifier) (int, bool) {
	der, err := asn1.Marshal(encryptedPrivateKeyInfo{Algo: alg, Data: []byte{0}})
	if err != nil {
		return 0, false
	}
	e, err := DescribePKCS8Encryption(der)
	if err != nil {
		return 0, false
	}
	if e.KDF == "scrypt" {
		return e.Iterations, e.Iterations > maxScryptN
	}
	return e.Iterations, e.Iterations > maxPBKDF2Iterations
}

// oidPBMAC1 is RFC 9579's MAC, whose PBKDF2 parameters (and iteration
// count) sit in the algorithm's parameters instead of macData.
var oidPBMAC1 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 14}

func pbmac1Iterations(alg pkix.AlgorithmIdentifier) int {
	if !alg.Algorithm.Equal(oidPBMAC1) {
		return 0
	}
	var p struct {
		KDF pkix.AlgorithmIdentifier
		MAC pkix.AlgorithmIdentifier
	}
	var k pbkdf2Params
	if _, err := asn1.Unmarshal(alg.Parameters.FullBytes, &p); err != nil || !p.KDF.Algorithm.Equal(oidPBKDF2) {
		return 0
	}
	if _, err := asn1.Unmarshal(p.KDF.Parameters.FullBytes, &k); err != nil {
		return 0
	}
	return k.Iterations
}

// DecodePKCS12Context is DecodePKCS12 that gives up when ctx ends (Ctrl+C,
// --timeout): the decoder cannot be interrupted, so it runs aside and a
// cancelled caller returns at once with ctx's error.
func DecodePKCS12Context(ctx context.Context, path string, data, pass []byte) (*PKCS12Bundle, error) {
	if err := checkPKCS12WorkFactor(path, data, pass); err != nil {
		return nil, err
	}
	return aside(ctx, func() (*PKCS12Bundle, error) { return DecodePKCS12(path, data, pass) })
}

// maxPreDecryptIterations bounds the PBKDF2 work spent decrypting an
// encrypted part only to check the bags inside it (the decoder then does
// it again, so at most about 50 ms more): OpenSSL writes 2048 iterations,
// Windows 2000, Java 10,000.
const maxPreDecryptIterations = 100_000

// decryptPBES2 decrypts a PBES2 (PBKDF2, AES-CBC) encrypted part with
// pass (the bundle's passphrase as given); ok is false when it is another
// scheme, too costly to do twice, or pass does not open it.
func decryptPBES2(alg pkix.AlgorithmIdentifier, ciphertext, pass []byte) (plain []byte, ok bool) {
	var p pbes2Params
	var k pbkdf2Params
	if !alg.Algorithm.Equal(oidPBES2) || len(ciphertext) == 0 || len(ciphertext)%aes.BlockSize != 0 {
		return nil, false
	}
	if _, err := asn1.Unmarshal(alg.Parameters.FullBytes, &p); err != nil || !p.KDF.Algorithm.Equal(oidPBKDF2) {
		return nil, false
	}
	if _, err := asn1.Unmarshal(p.KDF.Parameters.FullBytes, &k); err != nil || k.Iterations < 1 || k.Iterations > maxPreDecryptIterations {
		return nil, false
	}
	prf := map[string]func() hash.Hash{"": sha1.New, "1.2.840.113549.2.7": sha1.New, "1.2.840.113549.2.9": sha256.New, "1.2.840.113549.2.11": sha512.New}[k.PRF.Algorithm.String()]
	keyLen := map[string]int{"2.16.840.1.101.3.4.1.2": 16, "2.16.840.1.101.3.4.1.22": 24, "2.16.840.1.101.3.4.1.42": 32}[p.Cipher.Algorithm.String()]
	iv := p.Cipher.Parameters.Bytes
	if prf == nil || keyLen == 0 || len(iv) != aes.BlockSize {
		return nil, false
	}
	key, err := pbkdf2.Key(prf, string(pass), k.Salt, k.Iterations, keyLen)
	if err != nil {
		return nil, false
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, false
	}
	plain = make([]byte, len(ciphertext))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, ciphertext)
	pad := int(plain[len(plain)-1])
	if pad == 0 || pad > aes.BlockSize || !bytes.Equal(plain[len(plain)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, false
	}
	return plain[:len(plain)-pad], true
}

// octets is the content of an implicitly tagged OCTET STRING, joined from
// its chunks when BER made it constructed.
func octets(v asn1.RawValue) []byte {
	if !v.IsCompound {
		return v.Bytes
	}
	var out []byte
	for rest := v.Bytes; len(rest) > 0; {
		var chunk []byte
		var err error
		if rest, err = asn1.Unmarshal(rest, &chunk); err != nil {
			return nil
		}
		out = append(out, chunk...)
	}
	return out
}
