package keystore

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/asn1"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/testenv"
	"github.com/onramp-cli/onramp/internal/testpki"

	"golang.org/x/crypto/pbkdf2"
	"software.sslmate.com/src/go-pkcs12"
)

// opensslP12 is a real bundle from Debian's openssl pkcs12 -export with
// args added, protected by "pw".
func opensslP12(t *testing.T, args ...string) []byte {
	t.Helper()
	openssl := testenv.Tool(t, "openssl")
	dir := t.TempDir()
	run := func(a ...string) {
		t.Helper()
		cmd := exec.Command(openssl, a...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", a, err, out)
		}
	}
	run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "k.pem", "-out", "c.pem", "-days", "2", "-subj", "/CN=p12 test")
	run(append([]string{"pkcs12", "-export", "-in", "c.pem", "-inkey", "k.pem", "-out", "b.p12", "-passout", "pass:pw"}, args...)...)
	data, err := os.ReadFile(filepath.Join(dir, "b.p12"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// derNode is a parsed DER element; an OCTET STRING whose content is one
// DER SEQUENCE is parsed through (wraps), as PKCS#12 nests them.
type derNode struct {
	tag      byte
	content  []byte // primitive
	children []*derNode
	wraps    bool
}

func parseDERTree(t *testing.T, b []byte) *derNode {
	t.Helper()
	var raw asn1.RawValue
	if rest, err := asn1.Unmarshal(b, &raw); err != nil || len(rest) > 0 {
		t.Fatalf("not one DER element: %v", err)
	}
	n := &derNode{tag: b[0]}
	switch {
	case raw.IsCompound:
		for rest := raw.Bytes; len(rest) > 0; {
			var c asn1.RawValue
			r, err := asn1.Unmarshal(rest, &c)
			if err != nil {
				t.Fatal(err)
			}
			n.children = append(n.children, parseDERTree(t, c.FullBytes))
			rest = r
		}
	case b[0] == 0x04 && len(raw.Bytes) > 0 && raw.Bytes[0] == 0x30 && oneElement(raw.Bytes):
		n.wraps, n.children = true, []*derNode{parseDERTree(t, raw.Bytes)}
	default:
		n.content = raw.Bytes
	}
	return n
}

func oneElement(b []byte) bool {
	var v asn1.RawValue
	rest, err := asn1.Unmarshal(b, &v)
	return err == nil && len(rest) == 0
}

// encode writes the tree back: DER, or BER with every constructed element
// (and every wrapping OCTET STRING, as chunks) of indefinite length.
func (n *derNode) encode(ber bool) []byte {
	if n.children == nil {
		return derTLV([]byte{n.tag}, n.content)
	}
	var body []byte
	for _, c := range n.children {
		body = append(body, c.encode(ber)...)
	}
	if n.wraps {
		if !ber {
			return derTLV([]byte{0x04}, body)
		}
		half := len(body) / 2
		chunks := append(derTLV([]byte{0x04}, body[:half]), derTLV([]byte{0x04}, body[half:])...)
		return append(append([]byte{0x24, 0x80}, chunks...), 0, 0)
	}
	if ber {
		return append(append([]byte{n.tag, 0x80}, body...), 0, 0)
	}
	return derTLV([]byte{n.tag}, body)
}

// setIntegers replaces every INTEGER equal to from with to.
func (n *derNode) setIntegers(from, to int64) {
	if n.tag == 0x02 && new(big.Int).SetBytes(n.content).Int64() == from && len(n.content) <= 8 {
		n.content = big.NewInt(to).Bytes()
		if n.content[0]&0x80 != 0 {
			n.content = append([]byte{0}, n.content...)
		}
	}
	for _, c := range n.children {
		c.setIntegers(from, to)
	}
}

func rewriteP12(t *testing.T, data []byte, ber bool, from, to int64) []byte {
	t.Helper()
	tree := parseDERTree(t, data)
	if from != 0 {
		tree.setIntegers(from, to)
	}
	return tree.encode(ber)
}

func decodeQuickly(t *testing.T, data []byte) error {
	t.Helper()
	start := time.Now()
	_, err := DecodePKCS12("b.p12", data, []byte("pw"))
	if took := time.Since(start); took > time.Second {
		t.Errorf("took %v: the limit was not checked before the work", took)
	}
	return err
}

// What Debian's openssl writes opens: the default (PBES2, AES-256, a
// SHA-256 MAC), -legacy (RC2 and 3DES), -macalg sha1 and sha512, -iter.
func TestPKCS12FromOpenSSLOpens(t *testing.T) {
	for _, args := range [][]string{nil, {"-legacy"}, {"-macalg", "sha1"}, {"-macalg", "sha512"}, {"-iter", "4096"}, {"-nomaciter"}} {
		data := opensslP12(t, args...)
		if b, err := DecodePKCS12("b.p12", data, []byte("pw")); err != nil || b.Leaf.Subject.CommonName != "p12 test" {
			t.Errorf("openssl pkcs12 %v: %v", args, err)
		}
		// Re-encoded as DER by the test's own tree: still the same bundle.
		if _, err := DecodePKCS12("b.p12", rewriteP12(t, data, false, 0, 0), []byte("pw")); err != nil {
			t.Errorf("openssl pkcs12 %v through the test's DER tree: %v", args, err)
		}
	}
}

// A BER-encoded bundle (indefinite lengths, chunked OCTET STRINGs) gets
// the same caps as DER, and within them a clear "unsupported" with the
// command that makes one onramp opens, before any key derivation.
func TestPKCS12BERBundles(t *testing.T) {
	data := opensslP12(t) // MAC and both encryptions: 2048 iterations
	ber := rewriteP12(t, data, true, 0, 0)
	if bytes.Equal(ber, data) || !bytes.Contains(ber, []byte{0x30, 0x80}) {
		t.Fatal("the test did not make a BER bundle")
	}
	err := decodeQuickly(t, ber)
	if causeOf(err) != cause.KeyUnsupported || !strings.Contains(err.Error(), "BER-encoded") ||
		!strings.Contains(err.Error(), "unsupported") || !strings.Contains(err.Error(), "openssl pkcs12 -in OLD.p12") {
		t.Fatalf("BER bundle: %v", err)
	}

	hostile := rewriteP12(t, data, true, 2048, 1<<31-1)
	err = decodeQuickly(t, hostile)
	if causeOf(err) != cause.KeyUnsupported || !strings.Contains(err.Error(), "MAC asks for an implausible amount of work (2147483647 iterations, over the 10000000 iterations limit)") {
		t.Fatalf("BER bundle with a huge MAC count: %v", err)
	}

	noMacIter := opensslP12(t, "-nomaciter")
	err = decodeQuickly(t, rewriteP12(t, noMacIter, true, 2048, 50_000_000))
	if causeOf(err) != cause.KeyUnsupported || !strings.Contains(err.Error(), "certificate encryption asks for an implausible amount of work (50000000 iterations, over the 10000000 iterations limit)") {
		t.Fatalf("BER bundle with a huge encryption count: %v", err)
	}
	// The same file in DER: the same words.
	err = decodeQuickly(t, rewriteP12(t, noMacIter, false, 2048, 50_000_000))
	if causeOf(err) != cause.KeyUnsupported || !strings.Contains(err.Error(), "over the 10000000 iterations limit") {
		t.Fatalf("DER bundle with a huge encryption count: %v", err)
	}
}

// RFC 9579's PBMAC1 keeps its iteration count in the MAC algorithm's
// parameters (go-pkcs12's Modern2026 writes it): it is capped too.
func TestPKCS12PBMAC1IterationsCapped(t *testing.T) {
	leaf := testpki.NewCA(t, "Test Root CA").Client(t, testpki.Options{CommonName: "client"})
	data, err := pkcs12.Modern2026.WithIterations(2049).Encode(leaf.Key, leaf.Cert, nil, "pw")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodePKCS12("b.p12", data, []byte("pw")); err != nil {
		t.Fatalf("a PBMAC1 bundle does not open: %v", err)
	}
	tree := parseDERTree(t, data)
	tree.children[2].setIntegers(2049, 1<<31-1) // macData only: the encryptions keep 2049
	err = decodeQuickly(t, tree.encode(false))
	if causeOf(err) != cause.KeyUnsupported || !strings.Contains(err.Error(), "MAC (PBMAC1) asks for an implausible amount of work (2147483647 iterations, over the 10000000 iterations limit)") {
		t.Fatalf("PBMAC1 with a huge count: %v", err)
	}
}

// A key bag inside an encrypted part is only visible once that part is
// decrypted: with the passphrase, a PBES2 part is opened to check it, so a
// key asking for 2^31-1 iterations is refused before the decoder runs it.
func TestPKCS12KeyBagInsideEncryptedPartCapped(t *testing.T) {
	data := opensslP12(t, "-nomaciter") // key bag in plain data, 2048 iterations
	b, err := DecodePKCS12("b.p12", data, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	leaf := b.Leaf
	tree := parseDERTree(t, data)
	// PFX -> [0] -> OCTET STRING -> AuthenticatedSafe -> ContentInfo(data) -> [0] -> OCTET STRING -> SafeContents
	authSafe := tree.children[1].children[1].children[0].children[0]
	var keyBag *derNode
	for _, ci := range authSafe.children {
		if ci.children[1].children[0].wraps {
			keyBag = ci.children[1].children[0].children[0].children[0]
		}
	}
	if keyBag == nil {
		t.Fatal("no plain key bag in the openssl bundle")
	}
	seq := func(parts ...[]byte) []byte { return derTLV([]byte{0x30}, bytes.Join(parts, nil)) }
	oid := func(o asn1.ObjectIdentifier) []byte { b, _ := asn1.Marshal(o); return b }
	integer := func(n int) []byte { b, _ := asn1.Marshal(n); return b }
	rebuild := func(bag *derNode) []byte {
		inner := derTLV([]byte{0x30}, bag.encode(false))

		// The part that holds it: PBES2 (PBKDF2-HMAC-SHA256, 2048, AES-256-CBC).
		salt, iv := bytes.Repeat([]byte{1}, 8), bytes.Repeat([]byte{2}, 16)
		block, _ := aes.NewCipher(pbkdf2.Key([]byte("pw"), salt, 2048, 32, sha256.New))
		pad := aes.BlockSize - len(inner)%aes.BlockSize
		ct := append(inner, bytes.Repeat([]byte{byte(pad)}, pad)...)
		cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, ct)
		alg := seq(oid(oidPBES2), seq(
			seq(oid(oidPBKDF2), seq(derTLV([]byte{0x04}, salt), integer(2048), seq(oid(asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9})))),
			seq(oid(asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}), derTLV([]byte{0x04}, iv))))
		encData := seq(integer(0), seq(oid(oidPKCS7Data), alg, derTLV([]byte{0x80}, ct)))
		part := seq(oid(oidPKCS7EncryptedData), derTLV([]byte{0xa0}, encData))
		// A MAC that verifies (PBMAC1: PBKDF2-HMAC-SHA256 and HMAC-SHA256), so
		// the decoder would go on to the hidden bag.
		// The certificate in a plain part, as a decoder needs one.
		certBag := seq(oid(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}), derTLV([]byte{0xa0},
			seq(oid(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}), derTLV([]byte{0xa0}, derTLV([]byte{0x04}, leaf.Raw)))))
		plainPart := seq(oid(oidPKCS7Data), derTLV([]byte{0xa0}, derTLV([]byte{0x04}, seq(certBag))))
		content := seq(plainPart, part)
		hmacSHA256 := seq(oid(asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}))
		mac := hmac.New(sha256.New, pbkdf2.Key([]byte("pw"), salt, 2048, 32, sha256.New))
		mac.Write(content)
		macData := seq(seq(seq(oid(oidPBMAC1), seq(seq(oid(oidPBKDF2), seq(derTLV([]byte{0x04}, salt), integer(2048), integer(32), hmacSHA256)), hmacSHA256)),
			derTLV([]byte{0x04}, mac.Sum(nil))), derTLV([]byte{0x04}, salt), integer(1))
		return seq(integer(3), seq(oid(oidPKCS7Data), derTLV([]byte{0xa0}, derTLV([]byte{0x04}, content))), macData)
	}
	keyBag.setIntegers(2048, 1<<31-1)
	pfx := rebuild(keyBag)
	err = decodeQuickly(t, pfx)
	if causeOf(err) != cause.KeyUnsupported || !strings.Contains(err.Error(), "key encryption (inside an encrypted part) asks for an implausible amount of work (2147483647 iterations, over the 10000000 iterations limit)") {
		t.Fatalf("hidden key bag: %v", err)
	}
	// Without the passphrase the part stays shut; the decoder refuses it.
	if _, err := DecodePKCS12("b.p12", pfx, []byte("other")); causeOf(err) != cause.KeyPassphraseWrong {
		t.Fatalf("wrong passphrase: %v", err)
	}
	// The same bundle with a key bag at 2048 iterations opens: the MAC and
	// the part are what a decoder accepts.
	keyBag.setIntegers(1<<31-1, 2048)
	if _, err := DecodePKCS12("b.p12", rebuild(keyBag), []byte("pw")); err != nil {
		t.Fatalf("the crafted bundle does not open with a sane key bag: %v", err)
	}
}
