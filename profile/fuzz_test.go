package profile

import (
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// Loading a profile file: any bytes give a profile or an error that names
// the file, never a panic, an endless parse or an error that repeats the
// file back; a profile that loads saves and loads again the same.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"provider: hmpps\nurl: https://api.example.com/\ncert: ~/c.pem\nkey: ~/k.pem\n",
		"url: https://x/\nsecrets:\n  api-key: 2026-01-01T00:00:00Z\n",
		"urll: https://x/\n",
		"headers:\n  X-A: [1, 2]\n",
		"a: &a [*a, *a]\n",
		"url: !!binary aGk=\n",
		"key_files: {api-key: /tmp/x}\n",
		"\t- bad\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		p, err := Parse("p.yaml", data)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("took %v for %d bytes", d, len(data))
		}
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "p.yaml") {
				t.Fatalf("error does not name the file: %q", msg)
			}
			if len(data) > 2000 && len(msg) > len(data) {
				t.Fatalf("error of %d bytes for %d bytes of input", len(msg), len(data))
			}
			return
		}
		out, err := yaml.Marshal(p)
		if err != nil {
			t.Fatalf("a loaded profile does not save: %v", err)
		}
		p2, err := Parse("p.yaml", out)
		if err != nil {
			t.Fatalf("a saved profile does not load: %v\n%s", err, out)
		}
		out2, _ := yaml.Marshal(p2)
		if string(out) != string(out2) {
			t.Fatalf("save, load, save differ:\n%s\n---\n%s", out, out2)
		}
	})
}
