package usecase

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/profile"
)

var fixedNow = time.Date(2026, 3, 4, 5, 6, 7, 890, time.UTC)

func TestSecretsSetStoresAndRecords(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	kr := testkeyring.New()
	s := Secrets{Store: kr, Now: func() time.Time { return fixedNow }}
	p := &profile.Profile{Name: "hm", Auth: []string{"mtls"}}
	if err := s.Set(p, "key-pass", "s3cret"); err != nil {
		t.Fatal(err)
	}
	if kr.Items["hm/key-pass"] != "s3cret" {
		t.Errorf("the value is not in the store: %v", kr.Items)
	}
	saved, err := profile.Load("hm")
	if err != nil {
		t.Fatal(err)
	}
	if at := saved.Secrets["key-pass"]; !at.Equal(fixedNow.Truncate(time.Second)) {
		t.Errorf("recorded at %v, want %v", at, fixedNow.Truncate(time.Second))
	}
	// A passphrase stored under the usual name is the one diagnose reads.
	if saved.KeyPassSecret != "key-pass" || saved.APIKeySecret != "" {
		t.Errorf("key-pass %q, api-key %q", saved.KeyPassSecret, saved.APIKeySecret)
	}
	// A profile that names its own secrets keeps them.
	p.APIKeySecret = "partner-key"
	if err := s.Set(p, "api-key", "k"); err != nil || p.APIKeySecret != "partner-key" {
		t.Errorf("APIKeySecret %q, %v", p.APIKeySecret, err)
	}
}

func TestSecretsSetFailingStoreRecordsNothing(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	p := &profile.Profile{Name: "hm"}
	err := Secrets{Store: &testkeyring.Keyring{FailSet: true}}.Set(p, "api-key", "v")
	if c, ok := cause.Of(err); !ok || c.ID != cause.KeyringUnavailable {
		t.Fatalf("got %v", err)
	}
	if len(p.Secrets) != 0 {
		t.Errorf("recorded a secret that was not stored: %v", p.Secrets)
	}
	if _, err := profile.Load("hm"); !errors.Is(err, profile.ErrNotFound) {
		t.Errorf("the profile was saved: %v", err)
	}
	if err := (Secrets{}).Put(p, "api-key", "v"); !errors.Is(err, ErrNoStore) {
		t.Errorf("no store: %v", err)
	}
}

func TestSecretsSetUnsavableProfile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ONRAMP_CONFIG_DIR", dir)
	// A file where the profiles directory should be: the save fails.
	if err := os.WriteFile(filepath.Join(dir, "profiles"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	kr := testkeyring.New()
	err := Secrets{Store: kr}.Set(&profile.Profile{Name: "hm"}, "api-key", "v")
	if err == nil || !strings.Contains(err.Error(), "could not record api-key in profile hm, so it was not stored") {
		t.Fatalf("got %v", err)
	}
	if _, ok := kr.Items["hm/api-key"]; ok {
		t.Error("the secret was stored for a profile that could not record it")
	}
}

// A store that refuses the value takes the record back out: the profile
// is as it was.
func TestSecretsSetStoreRefuses(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	kr := testkeyring.New()
	s := Secrets{Store: kr, Now: func() time.Time { return fixedNow }}
	p := &profile.Profile{Name: "hm"}
	if err := s.Set(p, "other", "v4lue"); err != nil {
		t.Fatal(err)
	}
	kr.FailSet = true
	if err := s.Set(p, "api-key", "v4lue"); err == nil {
		t.Fatal("no error from a store that refused")
	}
	saved, _ := profile.Load("hm")
	if _, ok := saved.Secrets["api-key"]; ok || saved.APIKeySecret != "" || len(saved.Secrets) != 1 {
		t.Errorf("the refused secret is still recorded: %+v", saved)
	}
}

func TestSecretsRemove(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	kr := testkeyring.New()
	s := Secrets{Store: kr, Now: func() time.Time { return fixedNow }}
	p := &profile.Profile{Name: "hm"}
	if err := s.Set(p, "api-key", "v"); err != nil {
		t.Fatal(err)
	}
	r, err := s.Remove(p, "hm", "api-key")
	if err != nil || !r.Stored || !r.Recorded {
		t.Fatalf("remove: %+v %v", r, err)
	}
	if _, ok := kr.Items["hm/api-key"]; ok {
		t.Error("still in the store")
	}
	if saved, _ := profile.Load("hm"); len(saved.Secrets) != 0 {
		t.Errorf("still recorded: %v", saved.Secrets)
	}
	// Already gone from the store: only the record goes.
	p.RecordSecret("other", fixedNow)
	if r, err := s.Remove(p, "hm", "other"); err != nil || r.Stored || !r.Recorded {
		t.Errorf("missing from the store: %+v %v", r, err)
	}
	if r, err := s.Remove(nil, "nobody", "x"); err != nil || r.Stored || r.Recorded {
		t.Errorf("nothing anywhere: %+v %v", r, err)
	}
	// A store that fails keeps the record.
	p.RecordSecret("kept", fixedNow)
	if _, err := (Secrets{Store: &testkeyring.Keyring{Unavailable: true}}).Remove(p, "hm", "kept"); err == nil {
		t.Error("a failing store removed nothing and said nothing")
	}
	if _, ok := p.Secrets["kept"]; !ok {
		t.Error("the record of a secret still stored was dropped")
	}
}

func TestRecordCheckUsesTheReportsStart(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	p := &profile.Profile{Name: "hm"}
	started := time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("x", 3600))
	c := cause.Get(cause.TCPTimeout)
	if err := SaveCheck(p, &diagnose.Report{Started: started, OK: false, Cause: c}); err != nil {
		t.Fatal(err)
	}
	saved, _ := profile.Load("hm")
	want := profile.Check{At: started.UTC().Truncate(time.Second), OK: false, CauseID: cause.TCPTimeout}
	if saved.LastCheck == nil || *saved.LastCheck != want {
		t.Errorf("last check %+v, want %+v", saved.LastCheck, want)
	}
	RecordCheck(p, &diagnose.Report{Started: started, OK: true})
	if p.LastCheck.CauseID != "" || !p.LastCheck.OK {
		t.Errorf("a passing check keeps a cause: %+v", p.LastCheck)
	}
	leafEnd, caEnd := started.Add(90*24*time.Hour), started.Add(30*24*time.Hour)
	RecordCheck(p, &diagnose.Report{Started: started, OK: true, TLS: &diagnose.TLSInfo{
		ServerChain: []diagnose.CertSummary{{NotAfter: leafEnd}, {NotAfter: caEnd}}}})
	if !p.LastCheck.ServerNotAfter.Equal(caEnd) {
		t.Errorf("server expiry recorded %v, want the chain's earliest %v", p.LastCheck.ServerNotAfter, caEnd)
	}
}

func TestChecksOptionsRevocation(t *testing.T) {
	mtls := &profile.Profile{Name: "hm", URL: "https://api.example/", Auth: []string{"mtls"}, Cert: "/c.pem", Key: "/c.key"}
	jwt := &profile.Profile{Name: "nhs", URL: "https://api.example/", Auth: []string{"signed-jwt"}, Key: "/jwt.key", KID: "k1"}
	for _, tc := range []struct {
		c    Checks
		p    *profile.Profile
		want bool
	}{{Checks{CheckRevocation: true}, mtls, true}, {Checks{}, mtls, false}, {Checks{CheckRevocation: true}, jwt, false}} {
		if o, err := tc.c.Options(tc.p); err != nil || o.CheckRevocation != tc.want {
			t.Errorf("%s with CheckRevocation=%v: %v %v, want %v", tc.p.Name, tc.c.CheckRevocation, o.CheckRevocation, err, tc.want)
		}
	}
}

func TestChecksOptions(t *testing.T) {
	kr := &testkeyring.Keyring{Items: map[string]string{"nhs/api-key": "iss-value", "hm/key": "k"}}
	checks := Checks{Store: kr}
	nhs := &profile.Profile{Name: "nhs", URL: "https://int.api.service.nhs.uk/x", Auth: []string{"signed-jwt"},
		Key: "/keys/jwt.key", KID: "k1", APIKeySecret: "api-key"}
	o, err := checks.Options(nhs)
	if err != nil {
		t.Fatal(err)
	}
	if o.CertFile != "" || o.KeyFile != "" || o.APIKey != "" || o.TokenSource == nil {
		t.Errorf("a signed-JWT profile's key is for tokens and its API key is the JWT issuer: %+v", o)
	}

	hm := &profile.Profile{Name: "hm", URL: "https://api.example/", StatusPath: "/health", Auth: []string{"mtls", "api-key"},
		Cert: "/c.pem", Key: "/c.key", APIKeySecret: "key", Resolve: []string{"api.example:443:10.0.0.1"}}
	o, err = checks.Options(hm)
	if err != nil {
		t.Fatal(err)
	}
	if o.URL != "https://api.example/health" || o.CertFile != "/c.pem" || o.APIKey != "k" || !o.APIKeyRequired ||
		o.Resolve["api.example:443"] != "10.0.0.1" || o.TokenSource != nil {
		t.Errorf("options %+v", o)
	}
	// A store that does not answer for the API key leaves the key missing
	// (reported at the HTTP step), not a local failure.
	o, err = Checks{Store: &testkeyring.Keyring{Unavailable: true}}.Options(hm)
	if err != nil || len(o.Findings) != 0 || len(o.MissingSecrets) != 1 || o.MissingSecrets[0].Cause.ID != cause.KeyringUnavailable ||
		!strings.Contains(o.MissingSecrets[0].Detail, "onramp secret set key --profile hm") {
		t.Errorf("unavailable store: %+v %+v %v", o.Findings, o.MissingSecrets, err)
	}
	hm.Resolve = []string{"nonsense"}
	if _, err := checks.Options(hm); err == nil || !strings.Contains(err.Error(), "resolve") {
		t.Errorf("a bad resolve entry in a profile: %v", err)
	}
	rep := Checks{Store: kr, Now: func() time.Time { return fixedNow }}.Check(context.Background(), hm)
	if rep.OK || rep.Cause == nil || rep.Steps[0].Name != diagnose.StepLocal || !rep.Started.Equal(fixedNow) {
		t.Errorf("a profile that cannot be checked: %+v", rep)
	}
}

// SetRole records the role's key before storing it, and a store that
// refuses takes both records back out.
func TestSetRoleStoreRefuses(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	kr := &testkeyring.Keyring{Items: map[string]string{}, FailSet: true}
	p := &profile.Profile{Name: "tsb", Provider: "securosys"}
	if err := profile.Save(p); err != nil {
		t.Fatal(err)
	}
	if err := (Secrets{Store: kr}).SetRole(p, "serviceToken", "", "svc-key-value"); err == nil {
		t.Fatal("no error from a store that refused")
	}
	saved, _ := profile.Load("tsb")
	if len(saved.RoleKeys) != 0 || len(saved.Secrets) != 0 {
		t.Errorf("recorded what was not stored: %v %v", saved.RoleKeys, saved.Secrets)
	}
	kr.FailSet = false
	if err := (Secrets{Store: kr}).SetRole(p, "serviceToken", "", "svc-key-value"); err != nil {
		t.Fatal(err)
	}
	if saved, _ := profile.Load("tsb"); saved.RoleKeys["serviceToken"] != "serviceToken" || kr.Items["tsb/serviceToken"] != "svc-key-value" {
		t.Errorf("role_keys %v, store %v", saved.RoleKeys, kr.Items)
	}
}
