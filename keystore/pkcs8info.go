package keystore

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"

	"github.com/onramp-cli/onramp/cause"
)

// Work-factor bounds for opening an encrypted PKCS#8 key: far above what
// any tool writes (OpenSSL 2048 iterations, onramp 600,000; scrypt N=2^20
// at most), low enough that a damaged or hostile file cannot pin the CPU
// for minutes.
const (
	maxPBKDF2Iterations = 10_000_000
	maxScryptN          = 1 << 22
)

var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidScrypt     = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11}
	pbkdf2PRFs    = map[string]string{"1.2.840.113549.2.7": "HMAC-SHA1", "1.2.840.113549.2.9": "HMAC-SHA256", "1.2.840.113549.2.10": "HMAC-SHA384", "1.2.840.113549.2.11": "HMAC-SHA512", "1.2.840.113549.2.8": "HMAC-SHA224"}
	pkcs8Ciphers  = map[string]string{"2.16.840.1.101.3.4.1.2": "AES-128-CBC", "2.16.840.1.101.3.4.1.22": "AES-192-CBC", "2.16.840.1.101.3.4.1.42": "AES-256-CBC", "2.16.840.1.101.3.4.1.6": "AES-128-GCM", "2.16.840.1.101.3.4.1.46": "AES-256-GCM", "1.2.840.113549.3.7": "DES-EDE3-CBC", "1.3.14.3.2.7": "DES-CBC"}
	pbes1Names    = map[string]string{"1.2.840.113549.1.12.1.3": "SHA1-3DES", "1.2.840.113549.1.12.1.6": "SHA1-RC2-40", "1.2.840.113549.1.12.1.5": "SHA1-RC2-128", "1.2.840.113549.1.5.3": "MD5-DES", "1.2.840.113549.1.5.10": "SHA1-DES"}
	errNotEncPKCS = fmt.Errorf("not an encrypted PKCS#8 key")
)

type encryptedPrivateKeyInfo struct {
	Algo pkix.AlgorithmIdentifier
	Data []byte
}

type pbes2Params struct {
	KDF    pkix.AlgorithmIdentifier
	Cipher pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

type scryptParams struct {
	Salt                   []byte
	N, BlockSize, Parallel int
	KeyLength              int `asn1:"optional"`
}

// PKCS8Encryption describes how an encrypted PKCS#8 key (DER) is protected.
type PKCS8Encryption struct {
	KDF        string // "PBKDF2-HMAC-SHA256", "scrypt"
	Iterations int    // PBKDF2 iterations, or scrypt's N
	Cipher     string // "AES-256-CBC"
}

func (e PKCS8Encryption) String() string {
	work := fmt.Sprintf("%d iterations", e.Iterations)
	if e.KDF == "scrypt" {
		work = fmt.Sprintf("N=%d", e.Iterations)
	}
	return fmt.Sprintf("%s, %s, %s", e.KDF, work, e.Cipher)
}

// DescribePKCS8Encryption reads the algorithms of an encrypted PKCS#8 key
// without decrypting it.
func DescribePKCS8Encryption(der []byte) (PKCS8Encryption, error) {
	var info encryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(der, &info); err != nil || len(rest) > 0 {
		return PKCS8Encryption{}, errNotEncPKCS
	}
	if !info.Algo.Algorithm.Equal(oidPBES2) {
		// PBES1 / PKCS#12 PBE: one OID names both the hash and the cipher.
		var p struct {
			Salt       []byte
			Iterations int
		}
		asn1.Unmarshal(info.Algo.Parameters.FullBytes, &p)
		name := pbes1Names[info.Algo.Algorithm.String()]
		if name == "" {
			name = info.Algo.Algorithm.String()
		}
		return PKCS8Encryption{KDF: "PBES1", Iterations: p.Iterations, Cipher: name}, nil
	}
	var p pbes2Params
	if _, err := asn1.Unmarshal(info.Algo.Parameters.FullBytes, &p); err != nil {
		return PKCS8Encryption{}, errNotEncPKCS
	}
	var out PKCS8Encryption
	out.Cipher = pkcs8Ciphers[p.Cipher.Algorithm.String()]
	if out.Cipher == "" {
		out.Cipher = p.Cipher.Algorithm.String()
	}
	switch {
	case p.KDF.Algorithm.Equal(oidPBKDF2):
		var k pbkdf2Params
		if _, err := asn1.Unmarshal(p.KDF.Parameters.FullBytes, &k); err != nil {
			return PKCS8Encryption{}, errNotEncPKCS
		}
		prf := "HMAC-SHA1" // the default when absent
		if len(k.PRF.Algorithm) > 0 {
			if prf = pbkdf2PRFs[k.PRF.Algorithm.String()]; prf == "" {
				prf = k.PRF.Algorithm.String()
			}
		}
		out.KDF, out.Iterations = "PBKDF2-"+prf, k.Iterations
	case p.KDF.Algorithm.Equal(oidScrypt):
		var s scryptParams
		if _, err := asn1.Unmarshal(p.KDF.Parameters.FullBytes, &s); err != nil {
			return PKCS8Encryption{}, errNotEncPKCS
		}
		out.KDF, out.Iterations = "scrypt", s.N
	default:
		out.KDF = p.KDF.Algorithm.String()
	}
	return out, nil
}

// checkWorkFactor refuses keys whose KDF work factor is beyond any real
// tool's, before spending the CPU on them.
func checkWorkFactor(path string, der []byte) error {
	e, err := DescribePKCS8Encryption(der)
	if err != nil {
		return nil // the decryption reports what is wrong
	}
	if e.KDF == "PBES1" {
		return &Error{ID: cause.KeyUnsupported, Path: path, Msg: fmt.Sprintf("the key uses legacy PBES1 encryption (%s): re-encrypt it, e.g. openssl pkcs8 -topk8 -v2 aes256 -in KEY -out NEW", e.Cipher)}
	}
	if (e.KDF == "scrypt" && e.Iterations > maxScryptN) || (e.KDF != "scrypt" && e.Iterations > maxPBKDF2Iterations) {
		if e.KDF == "scrypt" {
			return &Error{ID: cause.KeyUnsupported, Path: path, Msg: fmt.Sprintf("the key's encryption asks for an implausible amount of work (scrypt N=%d, over the N=%d limit): the file is damaged or hostile; re-encrypt it with `onramp convert --new-pass-env`", e.Iterations, maxScryptN)}
		}
		return &Error{ID: cause.KeyUnsupported, Path: path, Msg: iterationLimit("the key's encryption", e.Iterations)}
	}
	return nil
}
