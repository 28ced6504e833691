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
