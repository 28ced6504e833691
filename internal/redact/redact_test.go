package redact

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

func TestSetBlanksEveryFormOfASecret(t *testing.T) {
	const key = "sk-live/abc+def=123"
	var s Set
	s.Add(key, "ab", "")
	s.AddHeader("Authorization", "Bearer eyJhbGciOi.tokenpart")
	s.AddHeader("Accept", "application/json")
	s.AddURL("https://user:pa55word@api.example/")
	text := strings.Join([]string{key, url.QueryEscape(key), base64.StdEncoding.EncodeToString([]byte(key)),
		`Bearer error="invalid_token", token="eyJhbGciOi.tokenpart"`, "pa55word", "application/json", "ab"}, " | ")
	got := s.String(text)
	for _, secret := range []string{key, url.QueryEscape(key), "eyJhbGciOi", "pa55word"} {
		if strings.Contains(got, secret) {
			t.Errorf("%q survived: %s", secret, got)
		}
	}
	if !strings.Contains(got, "application/json") || !strings.Contains(got, "| ab") {
		t.Errorf("a non-secret was blanked: %s", got)
	}
	if u := URL("https://user:pa55word@api.example/x"); strings.Contains(u, "pa55word") || !strings.Contains(u, "user:") {
		t.Errorf("URL = %s", u)
	}
}

// A child's output arrives in pieces cut anywhere: a secret split across
// writes is blanked all the same, and so is a URL's password, while
// everything else comes through byte for byte.
func TestStreamBlanksSecretsCutAcrossWrites(t *testing.T) {
	const key = "CANARY-stream-key-9f3a1c"
	var s Set
	s.Add(key)
	text := "GET / HTTP/1.1\nx-api-key: " + key + "\nproxy http://bob:pr0xy-pw@proxy:3128 ok\n" +
		strings.Repeat("x", 5000) + key + " tail without newline " + key[:10]
	for _, size := range []int{1, 3, 7, 64, 4096} {
		var out strings.Builder
		st := &Stream{W: &out, Set: &s}
		for i := 0; i < len(text); i += size {
			if _, err := st.Write([]byte(text[i:min(i+size, len(text))])); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.Flush(); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		if strings.Contains(got, key) || strings.Contains(got, "pr0xy-pw") {
			t.Errorf("size %d: a secret survived:\n%.300s", size, got)
		}
		want := strings.NewReplacer(key, Placeholder, "pr0xy-pw", Placeholder).Replace(text)
		if got != want {
			t.Errorf("size %d: output differs beyond the secrets", size)
		}
	}
}

func TestWriterBlanksEachWrite(t *testing.T) {
	var s Set
	s.Add("sekret-value-1")
	var out strings.Builder
	w := &Writer{W: &out, Set: &s}
	n, err := w.Write([]byte("token sekret-value-1 at https://u:pw1234@h/\n"))
	if err != nil || n != 44 || out.String() != "token [redacted] at https://u:[redacted]@h/\n" {
		t.Errorf("%d %v %q", n, err, out.String())
	}
}
