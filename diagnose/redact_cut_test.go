package diagnose

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// A server that echoes the API key where the detail cuts its words (the
// 200-byte title of a refusal, the 300-byte body shown for --expect-json):
// the key is blanked before the cut, so not even its start is shown.
func TestEchoedSecretAcrossTheCutIsRedacted(t *testing.T) {
	const apiKey = "KEYSTART-CANARY-0123456789abcdef"
	at := func(n int) string { return strings.Repeat("x", n-4) + apiKey } // the key starts 4 before the cut
	cases := map[string]struct {
		status int
		body   string
		expect string
	}{
		"refusal title":        {http.StatusForbidden, at(200) + "\n", ""},
		"--expect-json body":   {http.StatusOK, `{"a":"` + at(300-len(`{"a":"`)) + `"}`, `{"b":1}`},
		"the body is not JSON": {http.StatusOK, at(200) + "\n", `{"b":1}`},
	}
	f := newFixture(t)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := startTLS(t, f.serverConfig(), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			o := f.opts(srv.URL)
			o.APIKey, o.ExpectJSON = apiKey, tc.expect
			r := Run(context.Background(), o, nil)
			if r.OK {
				t.Fatal("passed")
			}
			if !strings.Contains(textOf(r), "xxxx") {
				t.Fatalf("the detail does not show the server's words:\n%s", textOf(r))
			}
			assertNoSecret(t, r, "KEYS")
		})
	}
}
