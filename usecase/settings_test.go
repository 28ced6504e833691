package usecase

import (
	"reflect"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
)

// The certificate that arrived must be for the profile's key.
func TestSetCertChecksTheKey(t *testing.T) {
	dir := t.TempDir()
	ca := testpki.NewCA(t, "Issuing CA")
	cert, key := ca.Client(t, testpki.Options{CommonName: "mine"}).Files(t, dir, "mine")
	other, _ := ca.Client(t, testpki.Options{CommonName: "someone-else"}).Files(t, dir, "other")
	p := &profile.Profile{Name: "p", Key: key}
	if _, err := SetSetting(p, "cert", other); err == nil || !strings.Contains(err.Error(), "is not for the profile's key") {
		t.Errorf("another key's certificate: %v", err)
	}
	if p.Cert != "" {
		t.Errorf("a refused value was set: %q", p.Cert)
	}
	if _, err := SetSetting(p, "cert", cert); err != nil || p.Cert != cert {
		t.Errorf("the right certificate: %v %q", err, p.Cert)
	}
}

// Sources: the template's value, the user's, onramp's default, nothing.
func TestSettingsSources(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	p := &profile.Profile{Name: "hm", Provider: "hmpps", Environment: "dev",
		URL: "https://dev.integration-api.hmpps.service.justice.gov.uk", APIKeyHeader: "x-custom"}
	got := map[string]string{}
	for _, s := range Settings(p) {
		got[s.Key] = s.SourceKind
	}
	want := map[string]string{"url": "template", "api_key_header": "profile", "cacert": "default", "kid": "unset"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: source %q, want %q", k, got[k], v)
		}
	}
}

// Every field of a profile file is a setting, or on purpose not one
// (secrets' records, the wizard's progress, the last check, role keys:
// `profile edit` changes those). A new field must choose.
func TestEveryProfileFieldIsASetting(t *testing.T) {
	notSettings := map[string]bool{"secrets": true, "wizard": true, "last_check": true, "role_keys": true, "renewal": true, "previous": true,
		// The sandbox writes its practice keys beside its PKI and names them here.
		"key_files": true}
	keys := map[string]bool{}
	for _, k := range SettingKeys() {
		keys[k] = true
	}
	typ := reflect.TypeOf(profile.Profile{})
	for i := 0; i < typ.NumField(); i++ {
		tag, _, _ := strings.Cut(typ.Field(i).Tag.Get("yaml"), ",")
		if tag == "" || tag == "-" || notSettings[tag] {
			continue
		}
		if !keys[tag] {
			t.Errorf("profile field %q is not a setting (usecase/settings.go) nor listed as not one", tag)
		}
	}
}

// TestMessageKeySettingsShownWhereUsed: the signing and encryption pairs
// are settings of a DCS profile (its template makes those keys), not of
// an HMPPS one unless it sets them.
func TestMessageKeySettingsShownWhereUsed(t *testing.T) {
	keys := func(p *profile.Profile) string {
		var out []string
		for _, s := range Settings(p) {
			out = append(out, s.Key)
		}
		return strings.Join(out, ",")
	}
	dcs, _ := provider.Get("govuk-dcs")
	hmpps, _ := provider.Get("hmpps")
	if k := keys(dcs.NewProfile("d", "")); !strings.Contains(k, "signing_cert,signing_key,encryption_cert,encryption_key") {
		t.Errorf("dcs settings %s", k)
	}
	h := hmpps.NewProfile("h", "")
	if k := keys(h); strings.Contains(k, "signing") {
		t.Errorf("hmpps settings %s", k)
	}
	h.SigningKey = "/x/signing.key"
	if k := keys(h); !strings.Contains(k, "signing_key") || strings.Contains(k, "encryption") {
		t.Errorf("hmpps with a signing key: %s", k)
	}
}
