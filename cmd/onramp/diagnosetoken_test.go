package main

import (
	"encoding/json"
	"net"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/sandbox/tokenapi"
)

// diagnose --profile of a signed-JWT profile runs the token step and calls
// the API with the bearer token.
func TestDiagnoseSignedJWTProfileRunsTokenStep(t *testing.T) {
	kr := useTokenTestKeyring(t)
	f := newTokenCmdFixture(t)
	p := &profile.Profile{Name: "nhs", Provider: "nhs-apim", URL: f.apim.URL, StatusPath: tokenapi.HelloPath, TokenURL: f.apim.TokenURL,
		Auth: []string{"signed-jwt"}, Key: f.keyFile, KID: "test-1", CACert: f.caFile, APIKeyHeader: "apikey", APIKeySecret: "api-key"}
	if err := profile.Save(p); err != nil {
		t.Fatal(err)
	}
	_ = kr.Set("nhs", "api-key", tokenTestAPIKey)

	type report struct {
		OK    bool `json:"ok"`
		Steps []struct {
			Name   string `json:"name"`
			Status string `json:"status"`
			Cause  *struct {
				ID string `json:"id"`
			} `json:"cause"`
		} `json:"steps"`
		Cause *struct {
			ID string `json:"id"`
		} `json:"cause"`
	}
	code, out, errOut := runTokenCmd(t, kr, false, "diagnose", "--profile", "nhs", "--json")
	var r report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("exit %d, %q: %v\n%s", code, out, err, errOut)
	}
	steps := map[string]string{}
	for _, s := range r.Steps {
		steps[s.Name] = s.Status
	}
	if code != 0 || !r.OK || steps["token"] != "pass" || steps["http"] != "pass" {
		t.Fatalf("exit %d ok=%v steps=%v\n%s%s", code, r.OK, steps, out, errOut)
	}
	if f.apim.Count() != 1 {
		t.Errorf("issued %d tokens", f.apim.Count())
	}
	assertNoSecret(t, "report", out, f.apim.Tokens()...)
	assertNoSecret(t, "stderr", errOut, f.apim.Tokens()...)

	// A kid that is not registered fails the token step with its cause.
	p.KID = "test-2"
	_ = profile.Save(p)
	code, out, _ = runTokenCmd(t, kr, false, "diagnose", "--profile", "nhs", "--json")
	r = report{}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if code != 1 || r.OK || r.Cause == nil || r.Cause.ID != "jwt-kid-unknown" {
		t.Errorf("wrong kid: exit %d %s", code, out)
	}
	for _, s := range r.Steps {
		if s.Name == "token" && (s.Status != "fail" || s.Cause == nil || s.Cause.ID != "jwt-kid-unknown") {
			t.Errorf("token step = %+v", s)
		}
	}
	if strings.Contains(out, tokenTestAPIKey) {
		t.Error("the report holds the API key")
	}
}

// A profile reaching the token endpoint by its real host name through a
// resolve entry (as a user tests an environment from a tunnel) gets its
// token over the same override as the API call.
func TestDiagnoseSignedJWTProfileHonoursResolve(t *testing.T) {
	kr := useTokenTestKeyring(t)
	const host = "int.api.service.nhs.uk"
	f := newTokenCmdFixture(t, host)
	_, port, _ := net.SplitHostPort(f.apim.Addr)
	base := "https://" + net.JoinHostPort(host, port)
	f.apim.Set(func(o *tokenapi.APIMOptions) { o.Audience = base + tokenapi.APIMTokenPath })
	p := &profile.Profile{Name: "nhs", Provider: "nhs-apim", URL: base, StatusPath: tokenapi.HelloPath, TokenURL: base + "/oauth2/token",
		Auth: []string{"signed-jwt"}, Key: f.keyFile, KID: "test-1", CACert: f.caFile, APIKeyHeader: "apikey",
		Resolve: []string{host + ":" + port + ":127.0.0.1"}}
	if err := profile.Save(p); err != nil {
		t.Fatal(err)
	}
	_ = kr.Set("nhs", "api-key", tokenTestAPIKey)
	code, out, errOut := runTokenCmd(t, kr, false, "diagnose", "--profile", "nhs")
	if code != 0 || f.apim.Count() != 1 {
		t.Fatalf("exit %d, %d tokens issued\n%s%s", code, f.apim.Count(), out, errOut)
	}
}
