package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/internal/testenv"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
)

func newHMPPSProfile(t *testing.T, name string) {
	t.Helper()
	tmpl, err := provider.Get("hmpps")
	if err != nil {
		t.Fatal(err)
	}
	if err := profile.Save(tmpl.NewProfile(name, "dev")); err != nil {
		t.Fatal(err)
	}
}

func TestProfileSet(t *testing.T) {
	useFileStore(t)
	newHMPPSProfile(t, "hm")
	ca := testpki.NewCA(t, "Private CA")
	dir := t.TempDir()
	caFile := testpki.WriteFile(t, dir, "ca.pem", ca.CertPEM())
	t.Chdir(dir)

	// A relative path is saved absolute.
	r := runCmd(t, "", false, "profile", "set", "hm", "cacert", "ca.pem")
	if p, _ := profile.Load("hm"); r.code != 0 || p.CACert != caFile || !strings.Contains(r.errOut, "Set cacert of hm to "+caFile+" (was nothing)") {
		t.Fatalf("set cacert: %d %q %+v", r.code, r.errOut, p)
	}
	// A new environment moves the URL that was the old one's.
	r = runCmd(t, "", false, "profile", "set", "hm", "environment", "prod")
	p, _ := profile.Load("hm")
	if r.code != 0 || p.Environment != "prod" || p.URL != "https://integration-api.hmpps.service.justice.gov.uk" || !strings.Contains(r.errOut, "Set url of hm") {
		t.Fatalf("set environment: %d %q %+v", r.code, r.errOut, p)
	}
	// Wrong values leave the profile as it was, and say why.
	for _, c := range []struct {
		key, value, want string
		code             int
	}{
		{"cacert", "/etc/hostname", "holds nothing onramp recognises", 1},
		{"url", "http://plain.example", "must start with https://", 1},
		{"environment", "staging", "has no environment \"staging\" (it has dev, preprod, prod)", 1},
		{"auth", "signed-jwt", "does not use signed-jwt", 1},
		{"expect_json", "{status:pass", "not JSON", 1},
		{"colour", "blue", "no setting \"colour\": the settings are url, environment", 2},
		{"api-key", "s3cr3t-value", "api-key is a secret, not a setting: store it with `onramp secret set api-key --profile hm`", 2},
	} {
		r := runCmd(t, "", false, "profile", "set", "hm", c.key, c.value)
		after, _ := profile.Load("hm")
		if r.code != c.code || !strings.Contains(r.errOut, c.want) || after.CACert != caFile || after.URL != p.URL || after.Environment != "prod" {
			t.Errorf("set %s %q: %d %q", c.key, c.value, r.code, r.errOut)
		}
		if strings.Contains(r.errOut+r.out, "s3cr3t-value") {
			t.Errorf("a secret value was echoed: %q", r.errOut)
		}
	}
	// An empty value clears a setting.
	r = runCmd(t, "", false, "profile", "set", "hm", "cacert", "")
	if p, _ := profile.Load("hm"); r.code != 0 || p.CACert != "" {
		t.Fatalf("clear cacert: %d %q", r.code, r.errOut)
	}
	if r := runCmd(t, "", false, "profile", "set", "nope", "url", "https://x.example"); r.code != 1 || !strings.Contains(r.errOut, "no such profile") {
		t.Errorf("unknown profile: %d %q", r.code, r.errOut)
	}
}

func TestProfileEdit(t *testing.T) {
	useFileStore(t)
	newHMPPSProfile(t, "hm")
	path, _ := profile.Path("hm")
	before, _ := os.ReadFile(path)

	// An invalid edit keeps the old file, says which line is wrong and
	// keeps the user's copy.
	t.Setenv("VISUAL", "")
	t.Setenv("EDITOR", `sed -i 's/^environment:/enviroment:/'`)
	r := runCmd(t, "", false, "profile", "edit", "hm")
	after, _ := os.ReadFile(path)
	if r.code != 1 || string(after) != string(before) || !strings.Contains(r.errOut, `line 3: unknown field "enviroment" (did you mean "environment"?)`) {
		t.Fatalf("invalid edit: %d %q", r.code, r.errOut)
	}
	kept := strings.TrimSpace(strings.SplitN(strings.SplitN(r.errOut, "kept at ", 2)[1], ";", 2)[0])
	if data, err := os.ReadFile(kept); err != nil || !strings.Contains(string(data), "enviroment:") {
		t.Errorf("the edited copy is not kept at %s: %v", kept, err)
	}
	os.RemoveAll(filepath.Dir(kept))

	// A value a setting would refuse is refused here too.
	t.Setenv("EDITOR", `sed -i 's|^url: .*|url: http://plain.example|'`)
	if r := runCmd(t, "", false, "profile", "edit", "hm"); r.code != 1 || !strings.Contains(r.errOut, "url: the URL must start with https://") {
		t.Errorf("http URL: %d %q", r.code, r.errOut)
	}
	// On a terminal, onramp offers to reopen the copy; the second edit fixes it.
	script := filepath.Join(t.TempDir(), "editor.sh")
	os.WriteFile(script, []byte(`#!/bin/sh
if grep -q '^url: http://' "$1"; then sed -i 's|^url: .*|url: https://fixed.example|' "$1"; else sed -i 's|^url: .*|url: http://wrong.example|' "$1"; fi
`), 0o700)
	t.Setenv("EDITOR", script)
	r = runCmd(t, "y\n", true, "profile", "edit", "hm")
	if p, _ := profile.Load("hm"); r.code != 0 || p.URL != "https://fixed.example" || !strings.Contains(r.errOut, "Open your copy again to fix it?") || !strings.Contains(r.errOut, "Saved profile hm.") {
		t.Errorf("reopen: %d %q %+v", r.code, r.errOut, p)
	}
	// No change, no write.
	t.Setenv("EDITOR", "true")
	if r := runCmd(t, "", false, "profile", "edit", "hm"); r.code != 0 || !strings.Contains(r.errOut, "No change") {
		t.Errorf("no change: %d %q", r.code, r.errOut)
	}
	if r := runCmd(t, "", false, "profile", "edit", "nope"); r.code != 1 || !strings.Contains(r.errOut, "no such profile") {
		t.Errorf("unknown profile: %d %q", r.code, r.errOut)
	}
}

// TestProfileEditKeepsWhatAnotherOnrampSaved: while the editor is open,
// another onramp records a secret in the profile (secret set); saving the
// edit must apply the edit over that, not put the old file back with the
// edit in it (the secret's record would be lost, and profile rm would leave
// it in the store).
func TestProfileEditKeepsWhatAnotherOnrampSaved(t *testing.T) {
	useFileStore(t)
	newHMPPSProfile(t, "hm")
	bin := testenv.OnrampBinary(t)
	script := filepath.Join(t.TempDir(), "editor.sh")
	os.WriteFile(script, []byte(`#!/bin/sh
echo "s3cr3t-extra-value" | "$ONRAMP_BIN" secret set extra --profile hm || exit 1
sed -i 's|^url: .*|url: https://edited.example|' "$1"
`), 0o700)
	t.Setenv("ONRAMP_BIN", bin)
	t.Setenv("VISUAL", "")
	t.Setenv("EDITOR", script)
	r := runCmd(t, "", false, "profile", "edit", "hm")
	p, err := profile.Load("hm")
	if r.code != 0 || err != nil {
		t.Fatalf("edit: %d %q %v", r.code, r.errOut, err)
	}
	if p.URL != "https://edited.example" {
		t.Errorf("the edit was lost: url %q", p.URL)
	}
	if _, ok := p.Secrets["extra"]; !ok {
		t.Errorf("the secret recorded meanwhile was lost: %v\n%s", p.Secrets, r.errOut)
	}
	if !strings.Contains(r.errOut, "Another onramp saved profile hm while you edited it") {
		t.Errorf("no word of the merge: %q", r.errOut)
	}
}
