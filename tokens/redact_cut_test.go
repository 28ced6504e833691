package tokens

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSecretAcrossTheCutIsRedacted: the server's words are cut to a few
// hundred characters for the report; an API key the server echoes across
// the cut must be blanked before the cut, not leave its start behind.
func TestSecretAcrossTheCutIsRedacted(t *testing.T) {
	const key = "KEYSTART-0123456789abcdef0123456789"
	c := &NHSConfig{TokenURL: "https://api.example/oauth2/token", APIKey: key}
	at := func(n int) string { return strings.Repeat("x", n-4) + key } // the key starts 4 before the cut
	cases := map[string]struct {
		status int
		header http.Header
		body   string
		field  func(*Error) string
	}{
		"error_description": {418, nil, `{"error_description":"` + at(300) + `"}`, func(e *Error) string { return e.Description }},
		"body":              {418, nil, at(60), func(e *Error) string { return e.Description }},
		"Location": {302, http.Header{"Location": {"https://login.example/?" + at(120-len("https://login.example/?"))}}, "",
			func(e *Error) string { return e.Detail }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tc.status, Header: tc.header}
			if resp.Header == nil {
				resp.Header = http.Header{}
			}
			e := classifyNHS(resp, []byte(tc.body), time.Now(), c, "")
			got := tc.field(e)
			if !strings.Contains(got, "x") {
				t.Fatalf("the field does not show the server's words: %q", got)
			}
			if strings.Contains(got, "KEYS") {
				t.Errorf("the start of the API key survived the cut: %q", got)
			}
		})
	}
}
