package sandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/sandbox/tokenapi"
)

// FuzzOAuthToken: whatever a client posts as its assertion, the token
// endpoint answers with NHS-style JSON and never a token.
func FuzzOAuthToken(f *testing.F) {
	dir := f.TempDir()
	s, err := New(Config{Dir: dir, Addr: "127.0.0.1:0"})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := RegisterJWKS(dir, publicJWKS(f, testRSAKey, "test-1")); err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{"", "a.b.c", "eyJhbGciOiJSUzUxMiIsInR5cCI6IkpXVCIsImtpZCI6InRlc3QtMSJ9.e30.AAAA",
		"eyJhbGciOiJub25lIn0.eyJpc3MiOjF9.", "....", "eyJ9.eyJ9.eyJ9"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, assertion string) {
		form := url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {tokenapi.AssertionType}, "client_assertion": {assertion}}
		req := httptest.NewRequest("POST", "https://localhost:8443"+TokenPath, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		s.apim.ServeHTTP(rec, req)
		var body map[string]string
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("non-JSON answer %d %q", rec.Code, rec.Body.String())
		}
		if rec.Code == http.StatusOK || body["access_token"] != "" || body["error"] == "" {
			t.Fatalf("a fuzzed assertion got %d %v", rec.Code, body)
		}
	})
}

// FuzzSignCSR: arbitrary input is refused with an error, never a panic or
// a certificate.
func FuzzSignCSR(f *testing.F) {
	p, err := LoadPKI(f.TempDir(), time.Now())
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte("-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n"))
	f.Add([]byte{0x30, 0x82, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		cert, err := p.SignCSR(data, SignOptions{})
		if err == nil && cert == nil {
			t.Fatal("no error and no certificate")
		}
	})
}
