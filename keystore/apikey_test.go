package keystore

import (
	"encoding/base64"
	"slices"
	"testing"

	"github.com/onramp-cli/onramp/cause"
)

func TestAPIKeyShape(t *testing.T) {
	const key = "Zk3q9TbX7mWp2LrA8sYv4NcD" // a plausible raw key
	cases := []struct {
		value string
		want  []cause.ID
	}{
		{key, nil},
		{"0123456789abcdef0123456789abcdef", nil}, // hex keys are not flagged
		{"a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6", nil},
		{key + "\n", []cause.ID{"api-key-whitespace"}},
		{" " + key, []cause.ID{"api-key-whitespace"}},
		{"abc def ghi jkl mno pqr", []cause.ID{"api-key-whitespace"}},
		{base64.StdEncoding.EncodeToString([]byte(key)), []cause.ID{"api-key-base64-encoded"}},
		{base64.StdEncoding.EncodeToString([]byte(key)) + "\r\n", []cause.ID{"api-key-whitespace", "api-key-base64-encoded"}},
		{base64.RawURLEncoding.EncodeToString([]byte("clientid:secretvalue123")), []cause.ID{"api-key-base64-encoded"}},
		{base64.StdEncoding.EncodeToString([]byte("short")), nil},
		{base64.StdEncoding.EncodeToString([]byte(key + "\n")), []cause.ID{"api-key-base64-encoded"}}, // echo KEY | base64
		{base64.StdEncoding.EncodeToString([]byte("this is a sentence, not a key")), nil},
		{"", nil},
	}
	for _, c := range cases {
		if got := APIKeyShape(c.value); !slices.Equal(got, c.want) {
			t.Errorf("APIKeyShape(%q) = %v, want %v", c.value, got, c.want)
		}
	}
}

func FuzzAPIKeyShape(f *testing.F) {
	f.Add("Zk3q9TbX7mWp2LrA8sYv4NcD")
	f.Add("WmszcTlUYlg3bVdwMkxyQThzWXY0TmNE")
	f.Fuzz(func(t *testing.T, v string) {
		for _, id := range APIKeyShape(v) {
			if id != "api-key-whitespace" && id != "api-key-base64-encoded" {
				t.Fatalf("unexpected id %q", id)
			}
		}
	})
}
