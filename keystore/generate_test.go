package keystore

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestGenerateKeyKindsAndSizes(t *testing.T) {
	cases := []struct {
		kind, curve string
		bits        int
		want        string
	}{
		{"rsa", "", 0, "RSA 2048"},
		{"rsa", "", 3072, "RSA 3072"},
		{"ecdsa", "", 0, "ECDSA P-256"},
		{"ecdsa", "P-384", 0, "ECDSA P-384"},
		{"ecdsa", "secp384r1", 0, "ECDSA P-384"},
		{"ed25519", "", 0, "Ed25519"},
	}
	for _, c := range cases {
		k, err := GenerateKey(c.kind, c.bits, c.curve)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		if got := KeyDescription(k.Public()); got != c.want {
			t.Errorf("%+v: got %s, want %s", c, got, c.want)
		}
	}
}

func TestGenerateKeyRefusesBadParameters(t *testing.T) {
	cases := []struct {
		kind, curve string
		bits        int
		want        string
	}{
		{"rsa", "", 1024, "2048, 3072 or 4096"},
		{"rsa", "P-256", 0, "curve"},
		{"ecdsa", "", 2048, "bits"},
		{"ecdsa", "P-521", 0, "P-256 or P-384"},
		{"ed25519", "P-256", 0, "neither"},
		{"dsa", "", 0, "rsa, ecdsa or ed25519"},
	}
	for _, c := range cases {
		_, err := GenerateKey(c.kind, c.bits, c.curve)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want it to mention %q", c, err, c.want)
		}
	}
}

// What onramp writes, real OpenSSL reads, and finds the same public key.
func TestOpenSSLReadsWhatOnrampWrites(t *testing.T) {
	for _, kind := range []string{"rsa", "ecdsa", "ed25519"} {
		t.Run(kind, func(t *testing.T) {
			key, err := GenerateKey(kind, 0, "")
			if err != nil {
				t.Fatal(err)
			}
			wantPub, _ := MarshalPublicKeyPEM(key.Public())

			plain, _ := MarshalPrivateKeyPEM(key, nil)
			if !bytes.HasPrefix(plain, []byte("-----BEGIN PRIVATE KEY-----")) {
				t.Fatalf("not PKCS#8 PEM: %.40s", plain)
			}
			p := writeTemp(t, "k.pem", plain)
			if got := openssl(t, nil, "pkey", "-in", p, "-pubout"); !bytes.Equal(got, wantPub) {
				t.Errorf("openssl pkey sees another public key:\n%s\nwant\n%s", got, wantPub)
			}

			der, _ := MarshalPrivateKeyDER(key, nil)
			d := writeTemp(t, "k.der", der)
			if got := openssl(t, nil, "pkey", "-inform", "DER", "-in", d, "-pubout"); !bytes.Equal(got, wantPub) {
				t.Errorf("openssl pkey -inform DER sees another public key")
			}

			pass := []byte("correct horse battery")
			enc, err := MarshalPrivateKeyPEM(key, pass)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(enc, plain[28:60]) {
				t.Fatal("encrypted output contains the plain key")
			}
			e := writeTemp(t, "k.enc.pem", enc)
			env := []string{"ONRAMP_TEST_PASS=" + string(pass)}
			out := openssl(t, env, "pkcs8", "-in", e, "-passin", "env:ONRAMP_TEST_PASS")
			if !bytes.Contains(out, []byte("-----BEGIN PRIVATE KEY-----")) {
				t.Errorf("openssl pkcs8 did not decrypt: %s", out)
			}
			if got := openssl(t, env, "pkey", "-in", e, "-passin", "env:ONRAMP_TEST_PASS", "-pubout"); !bytes.Equal(got, wantPub) {
				t.Errorf("openssl pkey on the encrypted key sees another public key")
			}
			if _, err := opensslErr(t, []string{"ONRAMP_TEST_PASS=wrong"}, "pkey", "-in", e, "-passin", "env:ONRAMP_TEST_PASS", "-noout"); err == nil {
				t.Error("openssl opened the encrypted key with a wrong passphrase")
			}
			// The KDF is PBKDF2 with HMAC-SHA256 and AES-256-CBC, not the
			// SHA-1 default of older tools.
			asn := openssl(t, nil, "asn1parse", "-in", e)
			for _, want := range []string{"PBES2", "PBKDF2", "hmacWithSHA256", "aes-256-cbc"} {
				if !bytes.Contains(asn, []byte(want)) {
					t.Errorf("encrypted key lacks %s:\n%s", want, asn)
				}
			}

			encDER, _ := MarshalPrivateKeyDER(key, pass)
			ed := writeTemp(t, "k.enc.der", encDER)
			if got := openssl(t, env, "pkey", "-inform", "DER", "-in", ed, "-passin", "env:ONRAMP_TEST_PASS", "-pubout"); !bytes.Equal(got, wantPub) {
				t.Errorf("openssl cannot read the encrypted DER copy")
			}

			// And onramp reads its own output back.
			back, err := ParsePrivateKey("k.enc.pem", enc, pass)
			if err != nil || !PublicKeysEqual(back.Public(), key.Public()) {
				t.Fatalf("round trip: %v", err)
			}
			if _, err := ParsePrivateKey("k.enc.pem", enc, []byte("wrong")); causeOf(err) != "key-passphrase-wrong" {
				t.Errorf("wrong passphrase: %v", err)
			}
			if _, err := ParsePrivateKey("k.enc.pem", enc, nil); causeOf(err) != "key-encrypted-no-passphrase" {
				t.Errorf("no passphrase: %v", err)
			}
			if _, err := ParsePrivateKey("k.enc.der", encDER, pass); err != nil {
				t.Errorf("encrypted DER round trip: %v", err)
			}
		})
	}
}

// What OpenSSL writes, onramp reads: PKCS#1, SEC1 (with its EC PARAMETERS
// block), PKCS#8, encrypted PKCS#8 and legacy encrypted PEM.
func TestOnrampReadsWhatOpenSSLWrites(t *testing.T) {
	dir := t.TempDir()
	env := []string{"ONRAMP_TEST_PASS=s3cret phrase"}
	rsa1 := dir + "/rsa1.pem"
	openssl(t, nil, "genrsa", "-traditional", "-out", rsa1, "2048")
	sec1 := dir + "/ec.pem"
	openssl(t, nil, "ecparam", "-name", "prime256v1", "-genkey", "-out", sec1)
	ed := dir + "/ed.pem"
	openssl(t, nil, "genpkey", "-algorithm", "ed25519", "-out", ed)
	p8enc := dir + "/p8enc.pem"
	openssl(t, env, "pkcs8", "-topk8", "-v2", "aes256", "-in", rsa1, "-out", p8enc, "-passout", "env:ONRAMP_TEST_PASS")
	legacy := dir + "/legacy.pem"
	openssl(t, env, "rsa", "-aes256", "-traditional", "-in", rsa1, "-out", legacy, "-passout", "env:ONRAMP_TEST_PASS")
	p8der := dir + "/p8.der"
	openssl(t, nil, "pkcs8", "-topk8", "-nocrypt", "-in", sec1, "-outform", "DER", "-out", p8der)

	cases := []struct {
		file, header string
		pass         bool
		wantKind     Kind
		want         string
	}{
		{rsa1, "BEGIN RSA PRIVATE KEY", false, KindPrivateKey, "RSA 2048"},
		{sec1, "BEGIN EC PRIVATE KEY", false, KindPrivateKey, "ECDSA P-256"},
		{ed, "BEGIN PRIVATE KEY", false, KindPrivateKey, "Ed25519"},
		{p8enc, "BEGIN ENCRYPTED PRIVATE KEY", true, KindEncryptedPrivateKey, "RSA 2048"},
		{legacy, "DEK-Info: AES-256-CBC", true, KindEncryptedPrivateKey, "RSA 2048"},
		{p8der, "", false, KindPrivateKey, "ECDSA P-256"},
	}
	for _, c := range cases {
		data, err := ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte(c.header)) {
			t.Fatalf("%s: openssl wrote no %q", c.file, c.header)
		}
		if k := Sniff(data); k != c.wantKind {
			t.Errorf("%s: Sniff = %s, want %s", c.file, k, c.wantKind)
		}
		var pass []byte
		if c.pass {
			pass = []byte("s3cret phrase")
			if _, err := ParsePrivateKey(c.file, data, []byte("not it")); causeOf(err) != "key-passphrase-wrong" {
				t.Errorf("%s with a wrong passphrase: %v", c.file, err)
			}
		}
		key, err := ParsePrivateKey(c.file, data, pass)
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if got := KeyDescription(key.Public()); got != c.want {
			t.Errorf("%s: %s, want %s", c.file, got, c.want)
		}
		// Same key as OpenSSL sees.
		args := []string{"pkey", "-in", c.file, "-pubout"}
		if c.file == p8der {
			args = append(args, "-inform", "DER")
		}
		if c.pass {
			args = append(args, "-passin", "env:ONRAMP_TEST_PASS")
		}
		want := openssl(t, env, args...)
		got, _ := MarshalPublicKeyPEM(key.Public())
		if !bytes.Equal(got, want) {
			t.Errorf("%s: public key differs from openssl's", c.file)
		}
		switch key.(type) {
		case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
		default:
			t.Errorf("%s: unexpected type %T", c.file, key)
		}
	}
	// The SEC1 file starts with an EC PARAMETERS block before the key.
	data, _ := ReadFile(sec1)
	if b, _ := pem.Decode(data); b == nil || b.Type != "EC PARAMETERS" {
		t.Logf("note: openssl wrote no EC PARAMETERS block first")
	}
}

func TestGenerateKeyContextGivesUpAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	key, err := GenerateKeyContext(ctx, "rsa", 4096, "")
	if key != nil || !errors.Is(err, context.Canceled) || time.Since(start) > 200*time.Millisecond {
		t.Errorf("cancelled: %v %v after %v", key, err, time.Since(start))
	}
	key, err = GenerateKeyContext(context.Background(), "ecdsa", 0, "P-256")
	if err != nil || key == nil {
		t.Errorf("ecdsa: %v", err)
	}
}
