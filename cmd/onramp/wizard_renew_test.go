package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/usecase"
	"github.com/onramp-cli/onramp/wizard"
)

// TestWizardOffersRenewal: resuming a set-up profile whose certificate ends
// within 30 days offers the renewal first; yes writes the CSR (the profile
// keeps its certificate) and pauses with what to do next; no writes nothing.
func TestWizardOffersRenewal(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	dir := t.TempDir()
	ca := testpki.NewCA(t, "Provider CA")
	cert, key := ca.Client(t, testpki.Options{CommonName: "hmpps-client", NotAfter: time.Now().Add(10*24*time.Hour + time.Hour)}).Files(t, dir, "client")
	done := map[string]bool{wizard.StepTarget: true, wizard.StepAuth: true, wizard.StepCheck: true}
	save := func() {
		if err := profile.Save(&profile.Profile{Name: "hmpps-dev", Provider: "hmpps", URL: "https://api.example.test/",
			Auth: []string{"mtls"}, Cert: cert, Key: key, Wizard: done}); err != nil {
			t.Fatal(err)
		}
	}
	kr := testkeyring.New()
	flow := func(answers ...wizard.Answer) (*wizard.Flow, *wizard.Script) {
		s := &wizard.Script{Answers: answers}
		return &wizard.Flow{Prompter: s, Providers: wizardProviders(),
			Renewer: wizardRenewer{store: kr, checks: usecase.Checks{Store: kr}, now: time.Now}}, s
	}

	save()
	f, _ := flow(wizard.Answer{Title: "expires in 10 days", Value: "no"})
	_, _ = f.Run(context.Background(), "hmpps-dev") // the flow goes on to its other steps
	if p, _ := profile.Load("hmpps-dev"); p.Renewal != nil {
		t.Fatalf("declined, yet a renewal started: %+v", p.Renewal)
	}
	if csrs, _ := filepath.Glob(filepath.Join(dir, "*.csr")); len(csrs) != 0 {
		t.Fatalf("declined, yet %v written", csrs)
	}

	save()
	f, s := flow(wizard.Answer{Title: "expires in 10 days", Value: "yes"})
	res, err := f.Run(context.Background(), "hmpps-dev")
	if err != nil || !res.Paused {
		t.Fatalf("renew: %+v %v", res, err)
	}
	p, _ := profile.Load("hmpps-dev")
	if p.Renewal == nil || p.Cert != cert {
		t.Fatalf("profile after the offer: %+v", p)
	}
	if _, err := os.Stat(p.Renewal.CSR); err != nil {
		t.Fatal(err)
	}
	if len(s.Notes) == 0 || !strings.Contains(s.Notes[len(s.Notes)-1].Body, "onramp renew --profile hmpps-dev --import") {
		t.Errorf("notes: %+v", s.Notes)
	}
}
