package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/internal/testpki"
)

// TestDiagnoseBearerEnv: --bearer-env sends the variable's token as
// Authorization: Bearer (never in argv); a token sent and refused is
// token-rejected, whether it came from --bearer-env or -H.
func TestDiagnoseBearerEnv(t *testing.T) {
	ca := testpki.NewCA(t, "Bearer CLI CA")
	const token = "static-token-6c0e55a1"
	var got string
	srv := ca.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("Authorization")
		if got != "Bearer "+token {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		io.WriteString(w, `{}`)
	}))
	caFile := testpki.WriteFile(t, t.TempDir(), "ca.pem", ca.CertPEM())
	base := []string{"diagnose", srv.URL + "/v1/versionInfo", "--cacert", caFile, "--timeout", "5s", "--json"}

	t.Setenv("TSB_JWT", token+"\n")
	code, out, _ := runCLI(t, append(base, "--bearer-env", "TSB_JWT")...)
	if code != 0 || got != "Bearer "+token || strings.Contains(out, token) {
		t.Errorf("--bearer-env: exit %d, sent %q\n%s", code, got, out)
	}
	t.Setenv("TSB_JWT", "expired-token")
	code, out, _ = runCLI(t, append(base, "--bearer-env", "TSB_JWT")...)
	if r := parseReport(t, out); code != 1 || r.Cause == nil || r.Cause.ID != "token-rejected" || strings.Contains(out, "expired-token") {
		t.Errorf("refused --bearer-env token: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, append(base, "-H", "Authorization: Bearer expired-token")...)
	if r := parseReport(t, out); code != 1 || r.Cause == nil || r.Cause.ID != "token-rejected" {
		t.Errorf("refused -H bearer token: exit %d\n%s", code, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--bearer-env", "NOPE_UNSET"}, "is not set"},
		{[]string{"--bearer-env", "TSB_JWT", "-H", "Authorization: Bearer x"}, "give one"},
	} {
		code, _, errOut := runCLI(t, append(base, c.args...)...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d %s", c.args, code, errOut)
		}
	}
}
