package inspect

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/provider"
)

func ids(r *Result) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Severity+":"+string(f.ID))
	}
	return out
}

func has(r *Result, severity, id string) bool {
	for _, f := range r.Findings {
		if string(f.ID) == id && f.Severity == severity {
			return true
		}
	}
	return false
}

func TestInspectChainAndKeyMatch(t *testing.T) {
	now := time.Now()
	ca := testpki.NewCA(t, "Test Root CA")
	inter := ca.Intermediate(t, "Test Intermediate CA")
	leaf := inter.Client(t, testpki.Options{CommonName: "client-1", DNSNames: []string{"client.example.test"}})
	chain := Inspect("client.crt", leaf.CertPEM(true), now)
	if chain.Kind != keystore.KindCertificateChain || chain.Role != "chain" || len(chain.Certificates) != 2 {
		t.Fatalf("kind %s role %s certs %d", chain.Kind, chain.Role, len(chain.Certificates))
	}
	c := chain.Certificates[0]
	if c.CommonName != "client-1" || c.IssuerCommonName != "Test Intermediate CA" || c.Key != "ECDSA P-256" ||
		len(c.SANs) != 1 || c.SANs[0] != "DNS:client.example.test" || c.EKU[0] != "clientAuth" || c.DaysLeft < 360 || len(c.SHA256) != 64 {
		t.Errorf("described %+v", c)
	}
	if len(chain.Findings) != 0 {
		t.Errorf("a good chain has findings: %v", ids(chain))
	}
	key := Inspect("client.key", leaf.KeyPEM(t), now)
	other := Inspect("other.key", inter.Client(t, testpki.Options{}).KeyPEM(t), now)
	CrossCheck([]*Result{chain, key, other})
	if key.Failed() || len(key.Key.Matches) != 1 || key.Key.Matches[0] != "client.crt" {
		t.Errorf("matching key: %v, matches %v", ids(key), key.Key.Matches)
	}
	if !has(other, SeverityFail, "key-cert-mismatch") {
		t.Errorf("other key: %v", ids(other))
	}
	// Key material never appears in any output.
	var text, js bytes.Buffer
	RenderText(&text, []*Result{chain, key, other}, false)
	JSON(&js, []*Result{chain, key, other})
	der, _ := x509.MarshalPKCS8PrivateKey(leaf.Key)
	b64 := string(pem.EncodeToMemory(&pem.Block{Type: "X", Bytes: der}))
	secret := strings.Split(b64, "\n")[2]
	for _, out := range []string{text.String(), js.String()} {
		if strings.Contains(out, secret) {
			t.Fatal("private key material in output")
		}
	}
	for _, want := range []string{
		"client.crt: certificate chain (2 certificates)",
		"X.509v3 TLS Certificate (ECDSA P-256) [Serial: ",
		"Subject:     /O=onramp tests/CN=client-1", // the full DN, not only the CN
		"Issuer:      /O=onramp tests/CN=Test Intermediate CA",
		"X.509v3 Intermediate CA Certificate",
		"days left)",
		"client.key: private key (ECDSA P-256, PKCS#8 PEM)",
		"Matches:     client.crt",
		"✗ The private key does not belong to the certificate (key-cert-mismatch)",
		"Fix: Pair the certificate",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
}

func TestInspectFindings(t *testing.T) {
	now := time.Now()
	ca := testpki.NewCA(t, "Test Root CA")
	inter := ca.Intermediate(t, "Test Intermediate CA")
	expired := inter.Client(t, testpki.Options{NotBefore: now.Add(-72 * time.Hour), NotAfter: now.Add(-24 * time.Hour)})
	soon := inter.Client(t, testpki.Options{NotAfter: now.Add(10 * 24 * time.Hour)})
	server := ca.Server(t, testpki.Options{})

	r := Inspect("expired.crt", expired.CertPEM(true), now)
	if !r.Failed() || !has(r, SeverityFail, "client-cert-expired") || r.Certificates[0].DaysLeft != -1 {
		t.Errorf("expired: %v days %d", ids(r), r.Certificates[0].DaysLeft)
	}
	r = Inspect("soon.crt", soon.CertPEM(true), now)
	if r.Failed() || !has(r, SeverityWarn, "client-cert-expired") || !strings.Contains(r.Findings[0].Title, "expires in 9 days") {
		t.Errorf("expiring soon: %v %+v", ids(r), r.Findings)
	}
	r = Inspect("server.crt", server.CertPEM(false), now)
	if r.Failed() || !has(r, SeverityWarn, "client-cert-no-client-auth") {
		t.Errorf("server cert: %v", ids(r))
	}
	r = Inspect("leaf-only.crt", soon.CertPEM(false), now)
	if !has(r, SeverityWarn, "client-chain-incomplete") {
		t.Errorf("leaf without its intermediate: %v", ids(r))
	}
	// Wrong order: the intermediate first.
	wrong := append(inter.CertPEM(), soon.CertPEM(false)...)
	r = Inspect("wrong-order.pem", wrong, now)
	if r.Role != "chain" || !has(r, SeverityWarn, "client-chain-incomplete") || !strings.Contains(r.Findings[0].Detail, "leaf first") {
		t.Errorf("wrong order: %v", r.Findings)
	}
}

func TestInspectCABundleOf200(t *testing.T) {
	bundle, _ := makeBundle(t, 200)
	r := Inspect("ca-bundle.pem", bundle, time.Now())
	if r.Role != "ca-bundle" || len(r.Certificates) != 200 || r.Failed() {
		t.Fatalf("role %s, %d certs, %v", r.Role, len(r.Certificates), ids(r))
	}
	var out bytes.Buffer
	RenderText(&out, []*Result{r}, false)
	lines := strings.Count(out.String(), "\n")
	if lines > 30 || !strings.Contains(out.String(), "CA bundle (200 certificates)") || !strings.Contains(out.String(), "and 190 more") {
		t.Errorf("bundle summary not compact (%d lines):\n%s", lines, out.String())
	}
}

func makeBundle(t testing.TB, n int) ([]byte, []*testpki.CA) {
	var b bytes.Buffer
	var cas []*testpki.CA
	for i := 0; i < n; i++ {
		ca := testpki.NewCA(t, "Bundle CA "+strings.Repeat("x", i%7))
		cas = append(cas, ca)
		b.Write(ca.CertPEM())
	}
	return b.Bytes(), cas
}

func TestInspectOtherKinds(t *testing.T) {
	now := time.Now()
	key, _ := keystore.GenerateKey("rsa", 2048, "")
	csr, _ := keystore.CreateCSR(key, "/C=GB/O=Org/CN=client-1", []string{"DNS:a.test"})
	jwks, _ := keystore.JWKS(key.Public(), "test-1", "")
	enc, _ := keystore.MarshalPrivateKeyPEM(key, []byte("pw"))
	other, _ := keystore.GenerateKey("ecdsa", 0, "")
	otherJWKS, _ := keystore.JWKS(other.Public(), "k2", "")

	r := Inspect("req.csr", csr, now)
	if r.Kind != keystore.KindCSR || r.CSR.Subject != "/C=GB/O=Org/CN=client-1" || !r.CSR.SignatureValid || r.Failed() {
		t.Errorf("csr: %+v %v", r.CSR, ids(r))
	}
	r = Inspect("jwks.json", jwks, now)
	if r.Kind != keystore.KindJWKS || r.JWKS[0].KID != "test-1" || r.JWKS[0].Alg != "RS512" || r.JWKS[0].Key != "RSA 2048" || r.JWKS[0].Private {
		t.Errorf("jwks: %+v", r.JWKS)
	}
	e := Inspect("enc.key", enc, now)
	if e.Kind != keystore.KindEncryptedPrivateKey || !e.Key.Encrypted || e.Key.Type != "" || e.Failed() {
		t.Errorf("encrypted without pass: %+v %v", e.Key, ids(e))
	}
	e = InspectWith("enc.key", enc, Options{Now: now, Pass: []byte("pw")})
	if e.Key.Type != "RSA 2048" || !e.Key.Decrypted {
		t.Errorf("encrypted with pass: %+v", e.Key)
	}
	bad := InspectWith("enc.key", enc, Options{Now: now, Pass: []byte("wrong")})
	if !has(bad, SeverityFail, "key-passphrase-wrong") {
		t.Errorf("wrong pass: %v", ids(bad))
	}
	// A key against its CSR and a JWKS that does not publish it.
	csrR, jwksR := Inspect("req.csr", csr, now), Inspect("other.jwks.json", otherJWKS, now)
	CrossCheck([]*Result{e, csrR, jwksR})
	if !has(e, SeverityFail, "jwt-signature-invalid") || has(e, SeverityFail, "key-cert-mismatch") {
		t.Errorf("key vs csr and foreign jwks: %v", ids(e))
	}

	for name, data := range map[string][]byte{
		"empty":       nil,
		"garbage":     []byte{0x00, 0xff, 0x13, 0x37, 0x99},
		"truncated":   csr[:40],
		"ssh":         []byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl me\n"),
		"huge":        bytes.Repeat([]byte("A"), keystore.MaxFileSize+1),
		"private jwk": []byte(`{"kty":"oct","k":"AAAA"}`),
	} {
		r := Inspect(name, data, now)
		if name == "private jwk" {
			continue // recognised as a JWKS; must simply not panic
		}
		if !has(r, SeverityFail, "input-wrong-file-type") {
			t.Errorf("%s: kind %s, %v", name, r.Kind, ids(r))
		}
	}
}

func TestJSONShape(t *testing.T) {
	ca := testpki.NewCA(t, "Root")
	leaf := ca.Client(t, testpki.Options{NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-time.Hour)})
	r := Inspect("old.crt", leaf.CertPEM(false), time.Now())
	var buf bytes.Buffer
	JSON(&buf, []*Result{r})
	var one struct {
		File     string `json:"file"`
		Kind     string `json:"kind"`
		Findings []struct {
			ID, Title, Fix, Detail, Severity string
		} `json:"findings"`
	}
	if err := json.Unmarshal(buf.Bytes(), &one); err != nil {
		t.Fatal(err)
	}
	if one.File != "old.crt" || one.Kind != "certificate" || len(one.Findings) == 0 || one.Findings[0].ID != "client-cert-expired" || one.Findings[0].Fix == "" || one.Findings[0].Title == "" {
		t.Errorf("json: %s", buf.String())
	}
	buf.Reset()
	JSON(&buf, []*Result{r, r})
	var many []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &many); err != nil || len(many) != 2 {
		t.Errorf("several files: %v", err)
	}
	// findings is [] (not null) when there are none.
	buf.Reset()
	JSON(&buf, []*Result{Inspect("root.crt", ca.CertPEM(), time.Now())})
	if !strings.Contains(buf.String(), `"findings": []`) {
		t.Errorf("empty findings not []: %s", buf.String())
	}
}

func FuzzInspect(f *testing.F) {
	ca := testpki.NewCA(f, "Fuzz CA")
	leaf := ca.Client(f, testpki.Options{})
	f.Add(leaf.CertPEM(true))
	f.Add(leaf.KeyPEM(f))
	f.Add(append(leaf.CertPEM(false), leaf.KeyPEM(f)...))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}]}`))
	f.Add([]byte("ssh-rsa AAAA"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := Inspect("fuzz", data, time.Now())
		CrossCheck([]*Result{r, r})
		var out bytes.Buffer
		RenderText(&out, []*Result{r}, true)
		if err := JSON(&out, []*Result{r}); err != nil {
			t.Fatal(err)
		}
	})
}

func BenchmarkInspectBundle200(b *testing.B) {
	bundle, _ := makeBundle(b, 200)
	now := time.Now()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := Inspect("bundle.pem", bundle, now)
		RenderText(&bytes.Buffer{}, []*Result{r}, false)
	}
}

// TestInspectCombinedPEM: a certificate and its key in one file is said to
// hold both, with whether they match, in text and JSON; a key that is not
// the certificate's fails with key-cert-mismatch even for a self-signed
// certificate, and an encrypted key is checked once its passphrase is given.
func TestInspectCombinedPEM(t *testing.T) {
	now := time.Now()
	ca := testpki.NewCA(t, "Combined Test CA")
	leaf := ca.Intermediate(t, "Combined Intermediate CA").Client(t, testpki.Options{CommonName: "client-2"})
	stranger := ca.Client(t, testpki.Options{CommonName: "stranger"})
	enc, err := keystore.MarshalPrivateKeyPEM(leaf.Key, []byte("pass-7c1e"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, head string
		data       []byte
		pass       string
		match      *bool
		fail       bool
	}{
		{"good.pem", "good.pem: certificate and its private key (they match)", append(leaf.CertPEM(false), leaf.KeyPEM(t)...), "", ptr(true), false},
		{"key-first.pem", "key-first.pem: certificate and its private key (they match)", append(leaf.KeyPEM(t), leaf.CertPEM(false)...), "", ptr(true), false},
		{"chain.pem", "chain.pem: certificate chain (2 certificates) and its private key (they match)", append(leaf.CertPEM(true), leaf.KeyPEM(t)...), "", ptr(true), false},
		{"wrong.pem", "wrong.pem: certificate and a private key that does NOT match it", append(leaf.CertPEM(false), stranger.KeyPEM(t)...), "", ptr(false), true},
		{"ca.pem", "ca.pem: certificate and a private key that does NOT match it", append(ca.CertPEM(), leaf.KeyPEM(t)...), "", ptr(false), true},
		{"enc.pem", "enc.pem: certificate and a private key (not read: give --pass-env VAR to check it matches)", append(leaf.CertPEM(false), enc...), "", nil, false},
		{"enc-pass.pem", "enc-pass.pem: certificate and its private key (they match)", append(leaf.CertPEM(false), enc...), "pass-7c1e", ptr(true), false},
	} {
		r := InspectWith(c.name, c.data, Options{Now: now, Pass: []byte(c.pass)})
		CrossCheck([]*Result{r})
		var text, js bytes.Buffer
		RenderText(&text, []*Result{r}, false)
		if got := strings.SplitN(text.String(), "\n", 2)[0]; got != c.head {
			t.Errorf("%s: heading %q, want %q", c.name, got, c.head)
		}
		if err := JSON(&js, []*Result{r}); err != nil {
			t.Fatal(err)
		}
		var out struct {
			Holds   []string `json:"holds"`
			Matches *bool    `json:"key_matches_certificate"`
		}
		if err := json.Unmarshal(js.Bytes(), &out); err != nil {
			t.Fatalf("%s: json %v: %s", c.name, err, js.String())
		}
		if strings.Join(out.Holds, ",") != "certificate,private-key" || (out.Matches == nil) != (c.match == nil) ||
			(c.match != nil && *out.Matches != *c.match) {
			t.Errorf("%s: json holds %v matches %v, want %v", c.name, out.Holds, out.Matches, c.match)
		}
		if r.Failed() != c.fail || (c.fail && !has(r, SeverityFail, "key-cert-mismatch")) {
			t.Errorf("%s: findings %v", c.name, ids(r))
		}
		if n := strings.Count(text.String(), "(key-cert-mismatch)"); n > 1 {
			t.Errorf("%s: the mismatch is reported %d times", c.name, n)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// A JWKS key without a kid gets a note that says why it matters in words
// true of every provider: one provider's facts belong in its own advice.
func TestJWKSWithoutKidNoteNamesNoProvider(t *testing.T) {
	key, _ := keystore.GenerateKey("ecdsa", 0, "")
	jwks, err := keystore.JWKS(key.Public(), "k1", "")
	if err != nil {
		t.Fatal(err)
	}
	var set map[string][]map[string]any
	if err := json.Unmarshal(jwks, &set); err != nil {
		t.Fatal(err)
	}
	delete(set["keys"][0], "kid")
	noKid, _ := json.Marshal(set)
	r := Inspect("jwks.json", noKid, time.Now())
	var note string
	for _, n := range r.Notes {
		if strings.Contains(n, "kid") {
			note = n
		}
	}
	if note == "" {
		t.Fatalf("no note about the missing kid: %q", r.Notes)
	}
	for _, tp := range provider.Builtin() {
		if tp.ID == "generic" || tp.ID == "sandbox" {
			continue
		}
		for _, name := range []string{tp.ID, tp.Name, strings.Fields(tp.Name)[0]} {
			if strings.Contains(note, name) {
				t.Errorf("the note names the provider %q: %s", name, note)
			}
		}
	}
}
