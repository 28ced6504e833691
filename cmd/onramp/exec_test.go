package main

import (
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/internal/testenv"
	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/sandbox"
)

// TestExecGivesTheCommandItsCredentials: a real curl, run by onramp exec,
// reaches the sandbox with the profile's client certificate and API key,
// and the APIM-like API with a bearer token, all from its environment.
func TestExecGivesTheCommandItsCredentials(t *testing.T) {
	testenv.Tool(t, "curl")
	kr := testkeyring.New()
	sb := startTestSandbox(t, kr)

	r := runCmdStore(t, kr, "", false, "exec", "--profile", sandbox.ProfileName, "--", "sh", "-c",
		`curl -sS --fail --max-time 10 --cacert "$ONRAMP_CACERT" --cert "$ONRAMP_CERT" --key "$ONRAMP_KEY" -H "$ONRAMP_API_KEY_HEADER: $ONRAMP_API_KEY" "$ONRAMP_URL"`)
	if r.code != 0 || !strings.Contains(r.out, `"available"`) {
		t.Fatalf("curl with the sandbox profile's credentials: %+v", r)
	}

	if err := sb.PrepareAPIMProfile(); err != nil {
		t.Fatal(err)
	}
	r = runCmdStore(t, kr, "", false, "exec", "--profile", sandbox.APIMProfileName, "--", "sh", "-c",
		`test -z "$ONRAMP_API_KEY" && curl -sS --fail --max-time 10 --cacert "$ONRAMP_CACERT" -H "Authorization: Bearer $ONRAMP_TOKEN" "$ONRAMP_URL"`)
	if r.code != 0 || !strings.Contains(r.out, "Hello") {
		t.Fatalf("curl with a bearer token: %+v", r)
	}

	// COMMAND's exit status is onramp's; nothing is added to its output.
	if r := runCmdStore(t, kr, "", false, "exec", "--profile", sandbox.ProfileName, "--", "sh", "-c", "exit 7"); r.code != 7 || r.errOut != "" {
		t.Errorf("exit 7: %+v", r)
	}
	// A profile whose API key is not in the store: the cause, exit 1, COMMAND not run.
	if err := profile.Save(&profile.Profile{Name: "nokey", URL: "https://api.example.test/", Auth: []string{"api-key"}}); err != nil {
		t.Fatal(err)
	}
	if r := runCmdStore(t, kr, "", false, "exec", "--profile", "nokey", "--", "sh", "-c", "echo ran"); r.code != 1 ||
		strings.Contains(r.out, "ran") || !strings.Contains(r.errOut, "keyring-secret-missing") {
		t.Errorf("missing API key: %+v", r)
	}
	for _, args := range [][]string{
		{"exec", "--", "true"},
		{"exec", "--profile", sandbox.ProfileName, "--", "no-such-command-here"},
		{"exec", "--profile", "nope", "--", "true"},
		{"exec", "--profile", sandbox.ProfileName},
	} {
		if r := runCmdStore(t, kr, "", false, args...); r.code != 2 || r.errOut == "" {
			t.Errorf("%q: %+v, want a usage error", args, r)
		}
	}
}
