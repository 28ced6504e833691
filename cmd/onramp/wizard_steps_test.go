package main

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
	"github.com/onramp-cli/onramp/wizard"
)

// autoUser walks the wizard as a user who picks one provider and auth and
// otherwise takes what is offered, recording every frame shown.
type autoUser struct {
	provider, auth, certFile string

	mu    sync.Mutex
	shown []wizard.Frame
}

func (u *autoUser) show(f wizard.Frame) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.shown = append(u.shown, f)
}

func (u *autoUser) Select(ctx context.Context, p wizard.SelectPrompt) (string, error) {
	u.show(p.Frame)
	switch {
	case strings.Contains(p.Title, "Which API"):
		return u.provider, nil
	case strings.Contains(p.Title, "authenticate"):
		return u.auth, nil
	case strings.Contains(p.Title, "Your client certificate"):
		return "file", nil
	}
	return p.Default, nil
}

func (u *autoUser) Input(ctx context.Context, p wizard.InputPrompt) (string, error) {
	u.show(p.Frame)
	v := p.Default
	switch {
	case strings.Contains(p.Title, "certificate file"):
		v = u.certFile
	case strings.Contains(p.Title, "CA bundle"):
		v = ""
		if p.Validate != nil && p.Validate(v) != nil {
			v = u.certFile // a provider that requires its bundle (GOV.UK DCS)
		}
	case strings.Contains(p.Title, "URL"):
		v = cmpOr(v, "https://127.0.0.1:8443/status")
	case strings.Contains(p.Title, "Certificate subject"):
		v = cmpOr(v, "/CN=client-1")
	case v == "":
		v = "Example"
	}
	if p.Validate != nil {
		if err := p.Validate(v); err != nil {
			return "", fmt.Errorf("%q refused for %q: %w", v, p.Title, err)
		}
	}
	return v, nil
}

func (u *autoUser) Password(ctx context.Context, p wizard.InputPrompt) (string, error) {
	u.show(p.Frame)
	return "example-api-key-1", nil
}

func (u *autoUser) Confirm(ctx context.Context, p wizard.ConfirmPrompt) (bool, error) {
	u.show(p.Frame)
	return p.Default, nil
}

func (u *autoUser) Note(ctx context.Context, p wizard.NotePrompt) error {
	u.show(p.Frame)
	return nil
}

func (u *autoUser) Work(ctx context.Context, f wizard.Frame, fn func(context.Context) error) error {
	u.show(f)
	return fn(ctx)
}

// quickKeys makes the key files as onramp does, with a P-256 key whatever
// the template asks (an RSA-4096 key per case would be slow).
type quickKeys struct{ keyMaker }

func (k quickKeys) MakeKey(ctx context.Context, req wizard.KeyRequest) (wizard.KeyFiles, error) {
	req.Spec = wizard.KeySpec{Type: "ecdsa", Curve: "P-256"}
	return k.keyMaker.MakeKey(ctx, req)
}

type acceptCert struct{}

func (acceptCert) Import(ctx context.Context, req wizard.ImportRequest) (string, []diagnose.Finding, error) {
	return req.CertFile, nil, nil
}

type passingChecker struct{}

func (passingChecker) Check(ctx context.Context, p *profile.Profile) *diagnose.Report {
	return &diagnose.Report{OK: true, Target: p.URL}
}

// Every provider template, every auth choice: the step lines the user sees
// run "Step 1 of M" … "Step M of M" without a gap, M counts only the steps
// that apply, and before the choice that settles M only "Step N · title"
// shows (the first screen: the templates' totals differ; the auth screen:
// the choices' totals differ).
func TestWizardStepCounterPerTemplate(t *testing.T) {
	const (
		prov, auth, keys, send = "Provider", "Authentication", "Keys", "Send to the provider"
		apiKey, cert, checks   = "API key", "Certificate", "Checks"
		bearer, keyAndToken    = "Bearer token", "API key and token"
		check                  = "Check endpoint" // HMPPS, NHS APIM: several documented, no health check
	)
	mtls := []string{prov, keys, send, cert, checks}
	mtlsAndKey := []string{prov, keys, send, apiKey, cert, checks}
	want := map[string]map[string][]string{ // template → auth answer → steps
		"generic": {
			"mtls":                    {prov, auth, keys, send, cert, checks},
			"api-key":                 {prov, auth, apiKey, checks},
			"bearer-jwt":              {prov, auth, bearer, checks},
			"mtls+api-key":            {prov, auth, keys, send, apiKey, cert, checks},
			"mtls+bearer-jwt":         {prov, auth, keys, send, bearer, cert, checks},
			"api-key+bearer-jwt":      {prov, auth, keyAndToken, checks},
			"mtls+api-key+bearer-jwt": {prov, auth, keys, send, keyAndToken, cert, checks},
		},
		"govuk-dcs": {"mtls": mtls},
		"hmpps":     {"mtls+api-key": {prov, check, keys, send, apiKey, cert, checks}},
		"nhs-apim": {
			"signed-jwt": {prov, check, auth, keys, send, apiKey, checks},
			"api-key":    {prov, check, auth, apiKey, checks},
		},
		"sandbox": {"mtls+api-key": mtlsAndKey},
		"securosys": {
			"api-key":                 {prov, auth, apiKey, checks},
			"mtls":                    {prov, auth, keys, send, cert, checks},
			"bearer-jwt":              {prov, auth, bearer, checks},
			"api-key+mtls":            {prov, auth, keys, send, apiKey, cert, checks},
			"mtls+bearer-jwt":         {prov, auth, keys, send, bearer, cert, checks},
			"api-key+bearer-jwt":      {prov, auth, keyAndToken, checks},
			"api-key+mtls+bearer-jwt": {prov, auth, keys, send, keyAndToken, cert, checks},
		},
	}
	ca := testpki.NewCA(t, "Provider CA")
	certFile := testpki.WriteFile(t, t.TempDir(), "issued.pem", ca.Client(t, testpki.Options{}).CertPEM(false))
	for _, tmpl := range provider.All() {
		t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
		wp := wizard.ProviderFrom(tmpl)
		if len(wp.AuthChoices) != len(want[tmpl.ID]) {
			t.Errorf("%s offers %v: add its steps to this table", tmpl.ID, wp.AuthChoices)
			continue
		}
		for _, choice := range wp.AuthChoices {
			answer := strings.Join(choice, "+")
			t.Run(tmpl.ID+"/"+answer, func(t *testing.T) {
				t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
				titles, ok := want[tmpl.ID][answer]
				if !ok {
					t.Fatalf("no steps listed for %s with %s", tmpl.ID, answer)
				}
				u := &autoUser{provider: tmpl.ID, auth: answer, certFile: certFile}
				f := &wizard.Flow{Prompter: u, Providers: wizardProviders(), Keys: quickKeys{}, Certs: acceptCert{},
					Secrets: testkeyring.New(), Checker: passingChecker{}}
				res, err := f.Run(context.Background(), "")
				if err != nil || !res.Connected {
					t.Fatalf("res %+v err %v", res, err)
				}
				// Up to the auth choice, the total is open.
				expect := []string{"Step 1 · Provider"}
				from := 1
				if i := slices.Index(titles, auth); i >= 0 {
					for n := 2; n <= i+1; n++ {
						expect = append(expect, fmt.Sprintf("Step %d · %s", n, titles[n-1]))
					}
					from = i + 2
				}
				for n := from; n <= len(titles); n++ {
					expect = append(expect, fmt.Sprintf("Step %d of %d · %s", n, len(titles), titles[n-1]))
				}
				var got []string
				for _, fr := range u.shown {
					if fr.Step != "Done" && (len(got) == 0 || got[len(got)-1] != fr.Step) {
						got = append(got, fr.Step)
					}
				}
				if !reflect.DeepEqual(got, expect) {
					t.Errorf("step lines:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(expect, "\n  "))
				}
			})
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
