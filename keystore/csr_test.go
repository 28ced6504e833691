package keystore

import (
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
)

func TestParseSubject(t *testing.T) {
	n, err := ParseSubject(`/C=GB/ST=London/L=Camden/O=Bob's Widgets\/Ltd/OU=Integration/CN=client-1/emailAddress=ops@example.test`)
	if err != nil {
		t.Fatal(err)
	}
	if n.CommonName != "client-1" || n.Organization[0] != "Bob's Widgets/Ltd" || n.Country[0] != "GB" ||
		n.Province[0] != "London" || n.Locality[0] != "Camden" || n.OrganizationalUnit[0] != "Integration" {
		t.Errorf("parsed %+v", n)
	}
	bad := map[string]string{
		"":              "empty subject",
		"CN=x":          `must start with "/"`,
		"/CN=x/FOO=bar": `unknown subject attribute "FOO"`,
		"/CN":           `has no "="`,
		"/C=GBR/CN=x":   "two-letter",
		"/CN=":          "empty value",
		`/CN=x\`:        "lone backslash",
		"//":            "names no attributes",
	}
	for in, want := range bad {
		if _, err := ParseSubject(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSubject(%q) = %v, want error with %q", in, err, want)
		}
	}
}

func TestParseSANs(t *testing.T) {
	s, err := ParseSANs([]string{"DNS:api.example.test,email:ops@example.test", "IP:10.0.0.1", "URI:spiffe://example/client", "::1", "bare.example.test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.DNSNames) != 2 || len(s.EmailAddresses) != 1 || len(s.IPAddresses) != 2 || len(s.URIs) != 1 {
		t.Errorf("got %+v", s)
	}
	for _, in := range []string{"IP:999.1.1.1", "email:not-an-address", "DNS:bad host", "URI:relative/path", "host:8443"} {
		if _, err := ParseSANs([]string{in}); err == nil {
			t.Errorf("ParseSANs(%q) accepted", in)
		}
	}
}

// The CSR verifies with real OpenSSL, keeps the subject in the order
// written and carries the SANs.
func TestCreateCSRVerifiesWithOpenSSL(t *testing.T) {
	key, _ := GenerateKey("rsa", 2048, "")
	subject := `/C=GB/ST=London/O=Bob's Widgets\/Ltd/CN=Bob's Widgets TLS Integration 2020-02-02`
	csrPEM, err := CreateCSR(key, subject, []string{"DNS:client.example.test", "IP:192.0.2.7", "email:ops@example.test"})
	if err != nil {
		t.Fatal(err)
	}
	p := writeTemp(t, "req.csr", csrPEM)
	out := string(openssl(t, nil, "req", "-verify", "-in", p, "-noout", "-subject"))
	if !strings.Contains(out, "verify OK") && !strings.Contains(out, "verify ok") {
		t.Errorf("openssl req -verify: %s", out)
	}
	if !strings.Contains(out, "subject=C = GB, ST = London, O = Bob's Widgets/Ltd, CN = Bob's Widgets TLS Integration 2020-02-02") {
		t.Errorf("subject order or content differs: %s", out)
	}
	text := string(openssl(t, nil, "req", "-in", p, "-noout", "-text"))
	for _, want := range []string{"DNS:client.example.test", "IP Address:192.0.2.7", "email:ops@example.test", "sha256WithRSAEncryption"} {
		if !strings.Contains(text, want) {
			t.Errorf("CSR lacks %s", want)
		}
	}
	b, _ := pem.Decode(csrPEM)
	csr, _ := x509.ParseCertificateRequest(b.Bytes)
	if got := FormatSubject(csr.RawSubject); got != subject {
		t.Errorf("FormatSubject = %s, want %s", got, subject)
	}
	if _, err := CreateCSR(key, "/CN=x/Bogus=1", nil); err == nil {
		t.Error("unknown attribute accepted")
	}
}
