package testpki

import (
	"encoding/asn1"
	"testing"

	"software.sslmate.com/src/go-pkcs12"
)

// PKCS12 is l's key and certificate as a modern .p12 protected by pass.
// A macIter above 0 replaces the MAC's iteration count (the MAC then no
// longer verifies, but checking it costs that many iterations): the
// bundle a hostile or damaged file is.
func (l *Leaf) PKCS12(t testing.TB, pass string, macIter int) []byte {
	t.Helper()
	data, err := pkcs12.Modern.Encode(l.Key, l.Cert, nil, pass)
	if err != nil {
		t.Fatal(err)
	}
	if macIter <= 0 {
		return data
	}
	var pfx struct {
		Version  int
		AuthSafe asn1.RawValue
		MacData  struct {
			Mac        asn1.RawValue
			Salt       []byte
			Iterations int
		}
	}
	if _, err := asn1.Unmarshal(data, &pfx); err != nil {
		t.Fatal(err)
	}
	pfx.MacData.Iterations = macIter
	out, err := asn1.Marshal(pfx)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
