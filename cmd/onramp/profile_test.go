package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/tokens"
)

func TestProfileShowDaysLeft(t *testing.T) {
	useFileStore(t)
	ca := testpki.NewCA(t, "Show CA")
	cases := []struct {
		notAfter time.Duration
		days     int
		text     string
	}{
		{40*24*time.Hour + time.Hour, 40, "40 days left"},
		{10*24*time.Hour + time.Hour, 10, "10 days left: renew now"},
		{-3*24*time.Hour + time.Hour, -3, "EXPIRED 3 days ago"},
	}
	for _, c := range cases {
		leaf := ca.Client(t, testpki.Options{CommonName: "client-x", NotBefore: time.Now().Add(-400 * 24 * time.Hour), NotAfter: time.Now().Add(c.notAfter)})
		cert, key := leaf.Files(t, t.TempDir(), "c")
		tmpl, _ := provider.Get("hmpps")
		p := tmpl.NewProfile("hm", "dev")
		p.Cert, p.Key = cert, key
		if err := profile.Save(p); err != nil {
			t.Fatal(err)
		}
		r := runCmd(t, "", false, "profile", "show", "hm")
		if r.code != 0 || !strings.Contains(r.out, c.text) || !strings.Contains(r.out, "CN=client-x") || !strings.Contains(r.out, "HMPPS Integration API") {
			t.Errorf("show (%s): %d\n%s%s", c.text, r.code, r.out, r.errOut)
		}
		r = runCmd(t, "", false, "profile", "show", "--profile", "hm", "--json")
		var v struct {
			Provider    string   `json:"provider"`
			Auth        []string `json:"auth"`
			Certificate struct {
				DaysLeft *int `json:"days_left"`
			} `json:"certificate"`
		}
		if err := json.Unmarshal([]byte(r.out), &v); err != nil || v.Certificate.DaysLeft == nil || *v.Certificate.DaysLeft != c.days || v.Provider != "hmpps" || len(v.Auth) != 2 {
			t.Errorf("show --json (%d days): %v %s", c.days, err, r.out)
		}
	}
	// An unreadable certificate is shown, not fatal.
	p, _ := profile.Load("hm")
	p.Cert = filepath.Join(t.TempDir(), "missing.pem")
	_ = profile.Save(p)
	r := runCmd(t, "", false, "profile", "show", "hm", "--json")
	if r.code != 0 || !strings.Contains(r.out, `"cause": "input-file-unreadable"`) {
		t.Errorf("missing certificate: %d %s %s", r.code, r.out, r.errOut)
	}
	if r := runCmd(t, "", false, "profile", "show", "nope"); r.code != 1 || !strings.Contains(r.errOut, "no such profile") {
		t.Errorf("show of a missing profile: %d %s", r.code, r.errOut)
	}
	if r := runCmd(t, "", false, "profile", "show", "a", "--profile", "b"); r.code != 2 {
		t.Errorf("NAME and --profile disagreeing: exit %d", r.code)
	}
}

func TestProfileTypoThroughTheCLI(t *testing.T) {
	useFileStore(t)
	runCmd(t, "v", false, "secret", "set", "api-key", "--profile", "typo")
	path, _ := profile.Path("typo")
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString("api_key_heder: x-api-key\n")
	f.Close()
	r := runCmd(t, "", false, "profile", "show", "typo")
	want := path + `:5: unknown field "api_key_heder" (did you mean "api_key_header"?)`
	if r.code != 1 || !strings.Contains(r.errOut, want) {
		t.Fatalf("typo: exit %d\n%s\nwant %s", r.code, r.errOut, want)
	}
	// secret set refuses to touch a broken profile (and stores nothing).
	if r := runCmd(t, "w", false, "secret", "set", "other", "--profile", "typo"); r.code != 1 || !strings.Contains(r.errOut, "api_key_heder") {
		t.Fatalf("set on a broken profile: %d %s", r.code, r.errOut)
	}
	if r := runCmd(t, "", false, "secret", "get", "other", "--profile", "typo"); r.code != 1 {
		t.Fatal("a secret was stored for a broken profile")
	}
	ls := runCmd(t, "", false, "profile", "ls", "--json")
	if ls.code != 0 || !strings.Contains(ls.out, "api_key_heder") {
		t.Errorf("ls --json should carry the error: %s", ls.out)
	}
	// rm still finds the secrets of the broken profile and removes them.
	if r := runCmd(t, "", false, "profile", "rm", "typo", "--yes"); r.code != 0 {
		t.Fatalf("rm broken profile: %d %s", r.code, r.errOut)
	}
	if r := runCmd(t, "", false, "secret", "get", "api-key", "--profile", "typo"); r.code != 1 {
		t.Fatal("the broken profile's secret survived profile rm")
	}
}

func TestProfileRemoveConfirmation(t *testing.T) {
	useFileStore(t)
	runCmd(t, "v", false, "secret", "set", "api-key", "--profile", "keep")
	if r := runCmd(t, "", false, "profile", "rm", "keep"); r.code != 2 {
		t.Fatalf("rm without a terminal: %d %s", r.code, r.errOut)
	}
	if r := runCmd(t, "\n", true, "profile", "rm", "keep"); r.code != exitCancelled || !strings.Contains(r.errOut, "api-key") {
		t.Fatalf("rm answered with enter (default no): %d %s", r.code, r.errOut)
	}
	if _, err := profile.Load("keep"); err != nil {
		t.Fatal("profile removed although the answer was no")
	}
	if r := runCmd(t, "yes\n", true, "profile", "rm", "keep"); r.code != 0 {
		t.Fatalf("rm answered yes: %d %s", r.code, r.errOut)
	}
	if names, _ := profile.List(); len(names) != 0 {
		t.Fatalf("profiles left: %v", names)
	}
	if r := runCmd(t, "", false, "profile", "rm", "keep", "--yes"); r.code != 1 {
		t.Fatalf("rm of a missing profile: %d", r.code)
	}
}

func TestProfileLs(t *testing.T) {
	useFileStore(t)
	if r := runCmd(t, "", false, "profile", "ls"); r.code != 0 || r.out != "" || !strings.Contains(r.errOut, "No profiles") {
		t.Fatalf("empty ls: %d %q %q", r.code, r.out, r.errOut)
	}
	for _, id := range []string{"nhs-apim", "govuk-dcs"} {
		tmpl, _ := provider.Get(id)
		if err := profile.Save(tmpl.NewProfile(id+"-p", "")); err != nil {
			t.Fatal(err)
		}
	}
	r := runCmd(t, "", false, "profile", "ls")
	if !strings.Contains(r.out, "govuk-dcs-p") || !strings.Contains(r.out, "https://dcs-integration.ida.digital.cabinet-office.gov.uk") {
		t.Errorf("ls:\n%s", r.out)
	}
	r = runCmd(t, "", false, "profile", "ls", "--json")
	var v struct {
		Profiles []profileSummary `json:"profiles"`
	}
	if err := json.Unmarshal([]byte(r.out), &v); err != nil || len(v.Profiles) != 2 || v.Profiles[0].Name != "govuk-dcs-p" || v.Profiles[1].Environment != "internal-dev" {
		t.Fatalf("ls --json: %v %s", err, r.out)
	}
}

// A cached OAuth token is the profile's too: profile rm must not leave it
// behind in the keyring.
func TestProfileRemoveForgetsCachedToken(t *testing.T) {
	useFileStore(t)
	p := &profile.Profile{Name: "nhs", Provider: "nhs-apim", Auth: []string{provider.AuthSignedJWT},
		TokenURL: "https://int.api.service.nhs.uk/oauth2/token"}
	if err := profile.Save(p); err != nil {
		t.Fatal(err)
	}
	io, _, _, _ := iostreams.Test()
	store, err := openSecretStore(io, "", testFileWorkFactor, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Set("nhs", tokens.TokenItem, `{"token":"cached"}`); err != nil {
		t.Fatal(err)
	}
	if r := runCmd(t, "", false, "profile", "rm", "nhs", "--yes"); r.code != 0 {
		t.Fatalf("profile rm: %d %s", r.code, r.errOut)
	}
	if store, err = openSecretStore(io, "", testFileWorkFactor, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Get("nhs", tokens.TokenItem); !errors.Is(err, secretstore.ErrMissing) {
		t.Fatalf("cached token after profile rm: err = %v, want keyring-secret-missing", err)
	}
}
