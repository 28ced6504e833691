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
		p.Key != key || p.KID != "k1" || p.APIKeySecret != "api-key" || !slices.Equal(p.Auth, []string{"signed-jwt"}) {
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
		{[]string{"profile", "new", "x", "--provider", "hmpps", "--auth", "mtls"}, "always needs api-key"},
		{[]string{"profile", "new", "x", "--provider", "nhs-apim", "--auth", "signed-jwt,api-key"}, "exactly one of"},
		{[]string{"profile", "new", "x", "--provider", "nhs-apim", "--env", "sandbox", "--auth", "api-key"}, "needs no authentication"},
		{[]string{"profile", "new", "x", "--provider", "generic", "--url", "https://a.test", "--auth", "api-key", "--cert", "c.pem"}, "add mtls"},
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

// TestProfileNewAuthModes: the chosen auth decides which secrets the
// profile names and what `profile new` tells the user to store.
func TestProfileNewAuthModes(t *testing.T) {
	useFileStore(t)
	cases := []struct {
		name, provider, auth string
		keySecret, bearer    string
		next                 []string
		noNext               []string
	}{
		{"mtls-only", "generic", "mtls", "", "", nil, []string{"secret set"}},
		{"bearer-only", "securosys", "bearer-jwt", "", "bearer-token", []string{"onramp secret set bearer-token --profile bearer-only"}, []string{"set api-key"}},
		{"key-bearer-mtls", "securosys", "api-key,mtls,bearer-jwt", "api-key", "bearer-token",
			[]string{"onramp secret set api-key --profile key-bearer-mtls", "onramp secret set bearer-token --profile key-bearer-mtls",
				"onramp secret set --role serviceToken --profile key-bearer-mtls"}, nil},
		{"static-token", "generic", "bearer-jwt", "", "bearer-token", []string{"secret set bearer-token"}, []string{"set api-key"}},
		{"apim-key", "nhs-apim", "api-key", "api-key", "", []string{"secret set api-key"}, nil},
		{"dcs", "govuk-dcs", "", "", "", nil, []string{"secret set"}},
	}
	for _, c := range cases {
		args := []string{"profile", "new", c.name, "--provider", c.provider, "--url", "https://api.example.test"}
		if c.auth != "" {
			args = append(args, "--auth", c.auth)
		}
		r := runCmd(t, "", false, args...)
		if r.code != 0 {
			t.Fatalf("%s: %d %s", c.name, r.code, r.errOut)
		}
		p, err := profile.Load(c.name)
		if err != nil {
			t.Fatal(err)
		}
		if p.APIKeySecret != c.keySecret || p.BearerSecret != c.bearer {
			t.Errorf("%s: api_key_secret %q bearer_secret %q, want %q %q", c.name, p.APIKeySecret, p.BearerSecret, c.keySecret, c.bearer)
		}
		if c.auth != "" && strings.Join(p.Auth, ",") != c.auth {
			t.Errorf("%s: auth %v, want %s", c.name, p.Auth, c.auth)
		}
		for _, w := range c.next {
			if !strings.Contains(r.errOut, w) {
				t.Errorf("%s: output lacks %q:\n%s", c.name, w, r.errOut)
			}
		}
		for _, w := range c.noNext {
			if strings.Contains(r.errOut, w) {
				t.Errorf("%s: output has %q:\n%s", c.name, w, r.errOut)
			}
		}
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

// TestProfileNewHMPPSCheck: profile new offers the same checks as the
// wizard (the guide's example read, its person id an example; POST
// /token), marks the one the profile calls, and --status-path /token
// brings its documented method.
func TestProfileNewHMPPSCheck(t *testing.T) {
	useFileStore(t)
	r := runCmd(t, "", false, "profile", "new", "hm", "--provider", "hmpps")
	for _, want := range []string{
		"  * GET /v1/persons/X802678/risks/scores: The example read in the HMPPS Integration API guide. X802678 is the guide's example person id",
		"    POST /token: Documented in the HMPPS Integration API guide for consumers with an SQS queue",
		"(to be confirmed with HMPPS)",
		"onramp profile set hm status_path PATH",
	} {
		if r.code != 0 || !strings.Contains(r.errOut, want) {
			t.Errorf("profile new lacks %q (exit %d):\n%s", want, r.code, r.errOut)
		}
	}
	r = runCmd(t, "", false, "profile", "new", "hm2", "--provider", "hmpps", "--status-path", "/token")
	if p, err := profile.Load("hm2"); r.code != 0 || err != nil || p.StatusPath != "/token" || p.StatusMethod != "POST" || !strings.Contains(r.errOut, "  * POST /token") {
		t.Errorf("--status-path /token: %d %+v\n%s", r.code, p, r.errOut)
	}
	r = runCmd(t, "", false, "profile", "new", "hm3", "--provider", "hmpps", "--status-path", "/v1/persons/A1234BC/risks/scores")
	if p, err := profile.Load("hm3"); r.code != 0 || err != nil || p.StatusMethod != "" || strings.Contains(r.errOut, "  * ") {
		t.Errorf("--status-path of the user's: %d %+v\n%s", r.code, p, r.errOut)
	}
	for _, args := range [][]string{{"--status-method", "POST"}, {"--status-path", "token"}, {"--status-path", "/token", "--status-method", "PUT"}} {
		if r := runCmd(t, "", false, append([]string{"profile", "new", "bad", "--provider", "hmpps"}, args...)...); r.code != 2 {
			t.Errorf("%v: exit %d %s", args, r.code, r.errOut)
		}
	}
	if r := runCmd(t, "", false, "profile", "new", "dcs", "--provider", "govuk-dcs"); strings.Contains(r.errOut, "No health check is documented") {
		t.Errorf("DCS documents its status endpoint:\n%s", r.errOut)
	}
}

// TestProfileNewSaysWhatIsMissing: a profile made without its client
// certificate or its signing key says how to get and add each; one made
// with them does not.
func TestProfileNewSaysWhatIsMissing(t *testing.T) {
	useFileStore(t)
	cert := "Next: the client certificate (what to send for it: onramp profile providers hmpps); when it comes back: onramp import --cert FILE --key KEY --out DIR --profile h1"
	signing := "Next: the signing key, its JWKS registered under a kid (how: onramp profile providers nhs-apim); then onramp profile set n1 key FILE and onramp profile set n1 kid KID"
	for _, c := range []struct {
		args []string
		want string
		not  string
	}{
		{[]string{"h1", "--provider", "hmpps"}, cert, signing},
		{[]string{"h2", "--provider", "hmpps", "--cert", "c.pem", "--key", "c.key"}, "", "Next: the client certificate"},
		{[]string{"n1", "--provider", "nhs-apim"}, signing, "Next: the client certificate"},
		{[]string{"n2", "--provider", "nhs-apim", "--key", "j.key", "--kid", "k1"}, "", "Next: the signing key"},
		{[]string{"n3", "--provider", "nhs-apim", "--auth", "api-key"}, "", "Next: the signing key"},
	} {
		r := runCmd(t, "", false, append([]string{"profile", "new"}, c.args...)...)
		if r.code != 0 || !strings.Contains(r.errOut, c.want) || strings.Contains(r.errOut, c.not) {
			t.Errorf("profile new %v: exit %d\n%s", c.args, r.code, r.errOut)
		}
	}
}
