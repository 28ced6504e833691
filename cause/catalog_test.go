package cause

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The catalog is a public interface kept in step with ../shared/CAUSES.md:
// every id there must be here with a title and a fix, and nothing here may be
// missing from there.
func TestCatalogMatchesCausesDoc(t *testing.T) {
	doc, err := os.ReadFile("../../shared/CAUSES.md")
	if err != nil {
		t.Skipf("shared/CAUSES.md not beside the repo: %v", err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z0-9-]+)` \\|")
	inDoc := map[string]bool{}
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		inDoc[m[1]] = true
		c, ok := Lookup(ID(m[1]))
		if !ok {
			t.Errorf("cause %q is in CAUSES.md but not in the catalog", m[1])
			continue
		}
		if c.Title == "" || c.Fix == "" || c.Meaning == "" {
			t.Errorf("cause %q lacks a title, meaning or fix", c.ID)
		}
	}
	if len(inDoc) < 40 {
		t.Fatalf("parsed only %d ids from CAUSES.md: the table format changed?", len(inDoc))
	}
	for _, c := range All() {
		if !inDoc[string(c.ID)] {
			t.Errorf("cause %q is in the catalog but not in CAUSES.md: add it there too", c.ID)
		}
	}
}

// Titles and fixes must agree with the DCS guide's own error table.
func TestCatalogUsesDCSWording(t *testing.T) {
	for id, phrase := range map[string]string{
		"client-cert-not-sent":  "No required SSL certificate was sent",
		"client-cert-rejected":  "SSL certificate error",
		"server-cert-untrusted": "unable to get local issuer certificate",
	} {
		if c, _ := Lookup(ID(id)); !strings.Contains(c.Title, phrase) {
			t.Errorf("%s title %q does not quote the DCS guide's %q", id, c.Title, phrase)
		}
	}
}
