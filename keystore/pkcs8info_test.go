package keystore

import (
	"encoding/asn1"
	"strings"
	"testing"
	"time"
)

// A damaged or hostile key asking for two billion PBKDF2 rounds is refused
// at once instead of pinning the CPU.
func TestEncryptedKeyWorkFactorBound(t *testing.T) {
	key, _ := GenerateKey("ed25519", 0, "")
	der, err := MarshalPrivateKeyDER(key, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := DescribePKCS8Encryption(der)
	if err != nil || e.String() != "PBKDF2-HMAC-SHA256, 600000 iterations, AES-256-CBC" {
		t.Fatalf("describe: %v %v", e, err)
	}
	var info encryptedPrivateKeyInfo
	asn1.Unmarshal(der, &info)
	var p pbes2Params
	asn1.Unmarshal(info.Algo.Parameters.FullBytes, &p)
	var k pbkdf2Params
	asn1.Unmarshal(p.KDF.Parameters.FullBytes, &k)
	k.Iterations = 2_000_000_000
	raw, _ := asn1.Marshal(k)
	p.KDF.Parameters = asn1.RawValue{FullBytes: raw}
	raw, _ = asn1.Marshal(p)
	info.Algo.Parameters = asn1.RawValue{FullBytes: raw}
	hostile, _ := asn1.Marshal(info)

	start := time.Now()
	_, err = ParsePrivateKey("hostile.der", hostile, []byte("pw"))
	if causeOf(err) != "key-unsupported" || !strings.Contains(err.Error(), "implausible") {
		t.Errorf("got %v", err)
	}
	if time.Since(start) > time.Second {
		t.Errorf("took %v: the work was done anyway", time.Since(start))
	}
}

func TestLegacyPBES1KeyIsNamed(t *testing.T) {
	dir := t.TempDir()
	rsa1 := dir + "/rsa.pem"
	openssl(t, nil, "genrsa", "-traditional", "-out", rsa1, "2048")
	v1 := dir + "/v1.pem"
	openssl(t, nil, "pkcs8", "-topk8", "-v1", "PBE-SHA1-3DES", "-in", rsa1, "-out", v1, "-passout", "pass:pw")
	data, _ := ReadFile(v1)
	_, err := ParsePrivateKey(v1, data, []byte("pw"))
	if causeOf(err) != "key-unsupported" || !strings.Contains(err.Error(), "PBES1") {
		t.Errorf("got %v", err)
	}
}
