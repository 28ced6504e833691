package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/profile"
)

// diagnose --profile of a signed-JWT profile runs the token step and calls
// the API with the bearer token.
func TestDiagnoseSignedJWTProfileRunsTokenStep(t *testing.T) {
	kr := useTokenTestKeyring(t)
	old := keyringForDiagnose
	keyringForDiagnose = kr
	t.Cleanup(func() { keyringForDiagnose = old })
	f := newTokenCmdFixture(t)
	p := &profile.Profile{Name: "nhs", Provider: "nhs-apim", URL: f.apim.URL, StatusPath: "/hello", TokenURL: f.apim.TokenURL,
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
	code, out, errOut := runTokenCmd(t, false, "diagnose", "--profile", "nhs", "--json")
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
	assertNoSecret(t, "report", out, f.apim.Tokens...)
	assertNoSecret(t, "stderr", errOut, f.apim.Tokens...)

	// A kid that is not registered fails the token step with its cause.
	p.KID = "test-2"
	_ = profile.Save(p)
	code, out, _ = runTokenCmd(t, false, "diagnose", "--profile", "nhs", "--json")
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
