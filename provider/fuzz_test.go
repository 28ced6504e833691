package provider

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Matching a server's answer against every built-in template's table:
// any status, body and path give a known cause and a bounded detail (the
// server's words are clipped), or no match; never a panic.
func FuzzMatchAnswer(f *testing.F) {
	f.Add(403, []byte(`{"message":"Missing Authentication Token"}`), "/v1/x")
	f.Add(200, []byte(`{"available":false,"message":"outage until 10:00"}`), "/checks/passport")
	f.Add(401, []byte(`{"fault":{"faultstring":"Invalid ApiKey"}}`), "/")
	f.Add(403, []byte(`{"code":632,"role":"`+strings.Repeat("r", 1000)+`"}`), "/v1/keys")
	f.Add(403, []byte(strings.Repeat("{", 10000)), "/")
	// A long serial number (HMPPS's {1}) whose 300th byte falls inside a character.
	f.Add(403, []byte("Certificate with serial number "+strings.Repeat("a", 299)+"ééé has been revoked"), "/")
	templates := Builtin()
	f.Fuzz(func(t *testing.T, status int, body []byte, path string) {
		for _, tpl := range templates {
			id, detail, ok := tpl.MatchAnswer(status, body, path)
			if !ok {
				if id != "" || detail != "" {
					t.Fatalf("%s: no match but %q %q", tpl.ID, id, detail)
				}
				continue
			}
			if id == "" {
				t.Fatalf("%s: a match without a cause", tpl.ID)
			}
			// Each placeholder adds at most 300 bytes of the answer (a
			// path is the caller's own).
			if max := 400 + 8*(303+len(path)); len(detail) > max {
				t.Fatalf("%s: detail of %d bytes (over %d): the answer is not clipped", tpl.ID, len(detail), max)
			}
			if utf8.ValidString(path) && utf8.Valid(body) && !utf8.ValidString(detail) {
				t.Fatalf("%s: clipping broke UTF-8: %q", tpl.ID, detail)
			}
		}
	})
}
