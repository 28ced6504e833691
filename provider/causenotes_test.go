package provider

import (
	"regexp"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/cause"
)

// providerNames are the words that name a built-in provider: each
// template's id and name, the acronyms in its name, and the short names
// its guide uses.
func providerNames(t *testing.T) []string {
	names := []string{"DCS", "GDS", "Developer Hub", "TSB", "CloudHSM", "APIM"}
	for _, tp := range Builtin() {
		if tp.ID == "generic" || tp.ID == "sandbox" {
			continue
		}
		names = append(names, tp.ID, tp.Name)
		for _, w := range strings.Fields(tp.Name) {
			if len(w) > 2 && w == strings.ToUpper(w) && w != "API" && w != "REST" && w != "GOV.UK" {
				names = append(names, w) // HMPPS, NHS
			}
		}
		names = append(names, strings.Fields(tp.Name)[0]) // Securosys, GOV.UK, HMPPS, NHS
	}
	if len(names) < 12 {
		t.Fatalf("only %d provider names: the built-in templates did not load?", len(names))
	}
	return names
}

// Generic advice names no provider: a fix for the DCS must not reach an
// HMPPS user. The catalog's meanings and fixes and every client's fix are
// generic; what is true of one provider is its template's cause note.
func TestGenericFixesNameNoProvider(t *testing.T) {
	var alts []string
	for _, n := range providerNames(t) {
		alts = append(alts, regexp.QuoteMeta(n))
	}
	re := regexp.MustCompile(`(?i)\b(` + strings.Join(alts, "|") + `)\b`)
	check := func(where, text string) {
		if m := re.FindString(text); m != "" {
			t.Errorf("%s names the provider %q: move it to that provider's cause_notes: %s", where, m, text)
		}
	}
	for _, c := range cause.All() {
		check(string(c.ID)+" fix", c.Fix)
		check(string(c.ID)+" meaning", c.Meaning)
		check(string(c.ID)+" title", c.Title)
		for _, client := range cause.Clients() {
			if fix, ok := c.FixFor(client); ok {
				check(string(c.ID)+" fix for "+client, fix)
			}
		}
	}
	// The scan itself must see a provider name where there is one.
	if !re.MatchString("HMPPS certificates last 365 days") || !re.MatchString("for the DCS, the DCS CA bundle") ||
		!re.MatchString("in the NHS Developer Hub") || !re.MatchString("Securosys roles") {
		t.Fatal("the provider-name pattern misses names it must catch")
	}
}

// A template's notes reach a cause only for that provider's users: Advice
// adds them (and the client's words) to a copy, never to the catalog.
func TestCauseNotesAreTheProvidersOwn(t *testing.T) {
	hmpps, err := Get("hmpps")
	if err != nil {
		t.Fatal(err)
	}
	expired := cause.Get(cause.ClientCertExpired)
	got := hmpps.Advice(cause.ClientJava).Apply(expired)
	if got.Provider != "HMPPS Integration API" || !strings.Contains(got.ProviderNote, "365 days") {
		t.Errorf("HMPPS note: %q %q", got.Provider, got.ProviderNote)
	}
	if got.Client != cause.ClientJava || !strings.Contains(got.ClientFix, "keystore") {
		t.Errorf("client fix: %q %q", got.Client, got.ClientFix)
	}
	if cause.Get(cause.ClientCertExpired).ProviderNote != "" || expired.ProviderNote != "" {
		t.Error("Apply changed the catalog's entry")
	}
	dcs, _ := Get("govuk-dcs")
	if n := dcs.Advice("").Apply(expired); n.ProviderNote != "" || strings.Contains(cause.Show{}.Text(n), "365") {
		t.Errorf("a DCS user gets HMPPS advice: %q", cause.Show{}.Text(n))
	}
	text := cause.Show{}.Text(dcs.Advice(cause.ClientCurl).Apply(cause.Get(cause.ServerCertUntrusted)))
	for _, want := range []string{"Fix: Pass the provider's CA bundle", "Fix (curl): Pass the provider's CA bundle: `curl --cacert", "Fix (GOV.UK Document Checking Service): The DCS's certificates chain to a private GDS CA"} {
		if !strings.Contains(strings.Join(strings.Fields(text), " "), want) {
			t.Errorf("DCS advice for curl lacks %q:\n%s", want, text)
		}
	}
}

func TestCauseNotesMustNameCatalogCauses(t *testing.T) {
	base := "id: x\nname: X\nenvironments: [{name: a, url: 'https://x.example'}]\nauth: [{method: mtls, need: required}]\ninstructions: x\n"
	if _, err := Parse("x.yaml", []byte(base+"cause_notes:\n  no-such-cause: advice\n")); err == nil || !strings.Contains(err.Error(), `"no-such-cause" is not a cause`) {
		t.Errorf("unknown cause in cause_notes: %v", err)
	}
	if _, err := Parse("x.yaml", []byte(base+"cause_notes:\n  tcp-timeout: ' '\n")); err == nil || !strings.Contains(err.Error(), "empty note") {
		t.Errorf("empty note: %v", err)
	}
	tp, err := Parse("x.yaml", []byte(base+"cause_notes:\n  tcp-timeout: Our firewall allows only listed IPs.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := tp.Advice("").Apply(cause.Get(cause.TCPTimeout)); got.Provider != "X" || got.ProviderNote != "Our firewall allows only listed IPs." {
		t.Errorf("a user template's note: %+v", got)
	}
}
