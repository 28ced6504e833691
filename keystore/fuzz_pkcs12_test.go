package keystore

import (
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testpki"

	"software.sslmate.com/src/go-pkcs12"
)

// The PKCS#12 pre-check runs on untrusted bytes before any key derivation:
// any input (DER or BER, damaged or hostile) is judged at once, never a
// panic; BER that converts is DER that encoding/asn1 reads.
func FuzzPKCS12PreCheck(f *testing.F) {
	leaf := testpki.NewCA(f, "Fuzz CA").Client(f, testpki.Options{CommonName: "fuzz"})
	for _, enc := range []*pkcs12.Encoder{pkcs12.Modern2023, pkcs12.Modern2026, pkcs12.LegacyDES, pkcs12.LegacyRC2} {
		data, err := enc.WithIterations(16).Encode(leaf.Key, leaf.Cert, nil, "pw")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, []byte("pw"))
		f.Add(toBER(data), []byte("pw"))
	}
	f.Add([]byte{0x30, 0x80, 0x30, 0x80, 0, 0, 0, 0}, []byte(nil))
	f.Add([]byte{0x24, 0x80, 0x04, 0x01, 0x41, 0x24, 0x80, 0x04, 0x00, 0, 0, 0, 0}, []byte(nil))
	f.Add([]byte{0x1f, 0x81, 0x80, 0x01, 0x00}, []byte(nil))
	f.Fuzz(func(t *testing.T, data, pass []byte) {
		start := time.Now()
		_ = checkPKCS12WorkFactor("f.p12", data, pass)
		if der, err := berToDER(data); err == nil {
			if again, err := berToDER(der); err != nil || string(again) != string(der) {
				t.Fatalf("converting BER twice differs or fails: %v", err)
			}
		}
		if d := time.Since(start); d > 3*time.Second { // a loaded machine; unloaded it is milliseconds
			t.Fatalf("the pre-check took %v for %d bytes", d, len(data))
		}
	})
}

// toBER re-encodes every constructed element of a DER bundle with an
// indefinite length, as a BER writer may.
func toBER(der []byte) []byte {
	if len(der) < 2 || der[0]&0x20 == 0 || der[0]&0x1f == 0x1f {
		return der
	}
	_, content := derSplit(der)
	var body []byte
	for rest := content; len(rest) > 0; {
		el, r, err := berElement(rest, 0)
		if err != nil || len(el) > len(rest) {
			return der
		}
		body = append(body, toBER(el)...)
		rest = r
	}
	return append(append([]byte{der[0], 0x80}, body...), 0, 0)
}
