package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/profile"
)

func TestProfileNewFromTemplate(t *testing.T) {
	useFileStore(t)
	dir := t.TempDir()
	key := filepath.Join(dir, "jwt.key")
	r := runCmd(t, "", false, "profile", "new", "nhs-int", "--provider", "nhs-apim", "--env", "int", "--key", key, "--kid", "k1")
	if r.code != 0 || !strings.Contains(r.errOut, "onramp secret set api-key --profile nhs-int") {
		t.Fatalf("profile new: %d %s", r.code, r.errOut)
	}
	p, err := profile.Load("nhs-int")
	if err != nil {
		t.Fatal(err)
	}
	if p.Provider != "nhs-apim" || p.URL != "https://int.api.service.nhs.uk" || p.TokenURL != "https://int.api.service.nhs.uk/oauth2/token" ||
		p.Key != key || p.KID != "k1" || p.APIKeyHeader != "apikey" || !slices.Equal(p.Auth, []string{"signed-jwt"}) {
		t.Fatalf("profile: %+v", p)
	}
	// Refusals, each naming the flag.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"profile", "new", "nhs-int", "--provider", "nhs-apim"}, "--force"},
		{[]string{"profile", "new", "x"}, "--provider is required"},
		{[]string{"profile", "new", "x", "--provider", "nope"}, "--provider"},
		{[]string{"profile", "new", "x", "--provider", "hmpps", "--env", "staging"}, "dev, preprod, prod"},
		{[]string{"profile", "new", "x", "--provider", "securosys"}, "--url"},
		{[]string{"profile", "new", "x", "--provider", "generic", "--url", "http://plain.test"}, "https://"},
		{[]string{"profile", "new", "x", "--provider", "govuk-dcs", "--auth", "api-key"}, "--auth api-key"},
	} {
		r := runCmd(t, "", false, c.args...)
		if r.code != 2 || !strings.Contains(r.errOut, c.want) {
			t.Errorf("%v: exit %d %q, want 2 and %q", c.args, r.code, r.errOut, c.want)
		}
	}
	r = runCmd(t, "", false, "profile", "new", "sec", "--provider", "securosys", "--url", "https://tsb.example.test", "--auth", "api-key")
	if r.code != 0 {
		t.Fatalf("securosys with --url: %d %s", r.code, r.errOut)
	}
	if p, _ := profile.Load("sec"); p.URL != "https://tsb.example.test" || p.APIKeyHeader != "X-API-KEY" || p.StatusPath != "/v1/versionInfo" {
		t.Errorf("securosys profile: %+v", p)
	}
}

func TestProfileProviders(t *testing.T) {
	useFileStore(t)
	r := runCmd(t, "", false, "profile", "providers")
	for _, id := range []string{"hmpps", "nhs-apim", "govuk-dcs", "securosys", "generic", "sandbox"} {
		if !strings.Contains(r.out, id) {
			t.Errorf("providers list lacks %s:\n%s", id, r.out)
		}
	}
	r = runCmd(t, "", false, "profile", "providers", "securosys")
	if r.code != 0 || !strings.Contains(r.out, "keyManagementToken: /v1/key /v1/key/**") {
		t.Errorf("securosys details:\n%s", r.out)
	}
	r = runCmd(t, "", false, "profile", "providers", "hmpps", "--json")
	var v struct {
		ID           string `json:"id"`
		APIKeyHeader string `json:"api_key_header"`
		Token        struct {
			Path string `json:"path"`
		} `json:"token"`
	}
	if err := json.Unmarshal([]byte(r.out), &v); err != nil || v.ID != "hmpps" || v.APIKeyHeader != "x-api-key" || v.Token.Path != "/token" {
		t.Errorf("providers hmpps --json: %v %s", err, r.out)
	}
}
