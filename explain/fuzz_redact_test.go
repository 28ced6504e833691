package explain

import (
	"strings"
	"testing"
	"time"
)

// Redaction of pasted text: whatever surrounds it, a credential on its own
// line never survives Redact or the evidence explain shows, and explain
// stays quick.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{
		"< HTTP/1.1 401 Unauthorized\n> x-api-key: sk-live-1234567890",
		"https://user:hunter2@api.example.com/v1?api_key=abc%3Ddef&token=xyz",
		"-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----",
		"Cookie: session=abc; other=def\r\nSet-Cookie: x=y",
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
		"curl: (60) SSL certificate problem: unable to get local issuer certificate",
		"Authorization: Bearer \"abcd.efgh-ijkl\"",
		strings.Repeat("token=", 500),
	} {
		f.Add(s, s)
	}
	const planted = "Zq7plantedSecretValue42"
	lines := []string{
		"Authorization: Bearer " + planted,
		"x-api-key: " + planted,
		"client_secret=" + planted,
		"https://user:" + planted + "@api.example.com/",
	}
	f.Fuzz(func(t *testing.T, before, after string) {
		for _, l := range lines {
			in := before + "\n" + l + "\n" + after
			if strings.Contains(before+after, planted) {
				return
			}
			out := Redact(in)
			if strings.Contains(out, planted) {
				t.Fatalf("the planted secret survived Redact in %q:\n%q", l, out)
			}
			start := time.Now()
			for _, m := range Text(in + "\ncurl: (60) SSL certificate problem: unable to get local issuer certificate\n") {
				if strings.Contains(m.Evidence, planted) {
					t.Fatalf("the planted secret is in the evidence of %s: %q", m.Cause.ID, m.Evidence)
				}
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("explain took %v for %d bytes", d, len(in))
			}
		}
	})
}
