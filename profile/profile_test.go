package profile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ONRAMP_CONFIG_DIR", dir)
	at := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	p := &Profile{Name: "hmpps-dev", Provider: "hmpps", URL: "https://dev.example", Auth: []string{"mtls", "api-key"},
		Cert: "/k/c.pem", APIKeyHeader: "x-api-key", APIKeySecret: "api-key"}
	p.RecordSecret("api-key", at)
	if err := Save(p); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "profiles", "hmpps-dev.yaml")
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("profile file mode: %v %v", fi, err)
	}
	got, err := Load("hmpps-dev")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "hmpps-dev" || got.URL != p.URL || !got.Secrets["api-key"].Equal(at) || got.SecretNames()[0] != "api-key" {
		t.Fatalf("loaded %+v", got)
	}
	if !got.ForgetSecret("api-key") || got.ForgetSecret("api-key") {
		t.Fatal("ForgetSecret")
	}
	names, err := List()
	if err != nil || len(names) != 1 || names[0] != "hmpps-dev" {
		t.Fatalf("List = %v, %v", names, err)
	}
	if _, err := Load("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing profile: %v", err)
	}
	if p, created, err := LoadOrNew("fresh"); err != nil || !created || p.Name != "fresh" {
		t.Fatalf("LoadOrNew: %+v %v %v", p, created, err)
	}
	if err := Remove("hmpps-dev"); err != nil {
		t.Fatal(err)
	}
	if err := Remove("hmpps-dev"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second remove: %v", err)
	}
}

func TestHandEditedTypoNamesFileLineAndField(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ONRAMP_CONFIG_DIR", dir)
	cases := []struct {
		name, body string
		want       []string
	}{
		{"typo", "provider: hmpps\nurll: https://x.example\n", []string{"typo.yaml:2:", `unknown field "urll"`, `did you mean "url"?`}},
		{"unrelated", "provider: hmpps\ncolour: blue\n", []string{"unrelated.yaml:2:", `unknown field "colour"`, "known fields:", "api_key_header"}},
		{"wrongtype", "provider: hmpps\nsecrets:\n  api-key: yesterday\n", []string{"wrongtype.yaml:3:", `field "secrets.api-key"`}},
		{"authtype", "auth: {a: b}\n", []string{"authtype.yaml:1:", `field "auth"`}},
		{"syntax", "provider: hmpps\nurl: [unclosed\n", []string{"syntax.yaml:", "not valid YAML"}},
	}
	for _, c := range cases {
		path := filepath.Join(dir, "profiles", c.name+".yaml")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(c.body), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Load(c.name)
		if err == nil {
			t.Errorf("%s: loaded without error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %q does not name the file", c.name, err)
		}
	}
}

func TestValidateNames(t *testing.T) {
	for _, bad := range []string{"", "../x", "a/b", ".hidden", strings.Repeat("a", 65), "sp ace", "-dash", "_u", "bücher", "a\x00b", "a\n"} {
		if ValidateName(bad) == nil || ValidateSecretName(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, good := range []string{"default", "hmpps-dev", "a.b_c", "api-key", "9", "A-", strings.Repeat("a", 64)} {
		if ValidateName(good) != nil || ValidateSecretName(good) != nil {
			t.Errorf("%q refused", good)
		}
	}
}
