package wizard

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/profile"
)

// stepLines are the step lines the user saw, in order, each once (a step
// has several screens), without the final "Done".
func stepLines(shown []Frame) []string {
	var out []string
	for _, f := range shown {
		if f.Step == "" || f.Step == "Done" {
			continue
		}
		if len(out) == 0 || out[len(out)-1] != f.Step {
			out = append(out, f.Step)
		}
	}
	return out
}

// counted is what the user must see once the total is settled: "Step N
// of M · title" for N = from..M, no gaps.
func counted(from int, titles ...string) []string {
	var out []string
	for i := from - 1; i < len(titles); i++ {
		out = append(out, fmt.Sprintf("Step %d of %d · %s", i+1, len(titles), titles[i]))
	}
	return out
}

var dcsProvider = Provider{ID: "dcs", Name: "GOV.UK DCS", Environments: []Environment{{Name: "integration", URL: "https://dcs.example"}},
	AuthChoices: [][]string{{AuthMTLS}}, Key: KeySpec{Type: "rsa", Bits: 2048}, Subject: "/O=Org/CN=Org TLS"}

var anyProvider = Provider{ID: "generic", Name: "Any HTTPS API", AskURL: true,
	Environments: []Environment{{Name: "default"}},
	AuthChoices:  [][]string{{AuthMTLS}, {AuthAPIKey}, {AuthMTLS, AuthAPIKey}}, Key: KeySpec{Type: "rsa", Bits: 2048}}

// The counter over every provider and auth choice: N runs 1..M without a
// gap, M never changes once shown, and before the choice that settles M
// only "Step N · title" shows.
func TestStepCounterPerChoice(t *testing.T) {
	ca := testpki.NewCA(t, "Provider CA")
	certFile := testpki.WriteFile(t, t.TempDir(), "issued.pem", ca.Client(t, testpki.Options{}).CertPEM(false))
	providers := []Provider{sandboxProvider, nhsProvider, dcsProvider, anyProvider}
	const (
		prov, auth, keys, send = "Provider", "Authentication", "Keys", "Send to the provider"
		apiKey, cert, checks   = "API key", "Certificate", "Checks"
	)
	// Before the provider is picked the total is open (these providers'
	// totals differ): the first screen never shows one.
	first := "Step 1 · Provider"
	for _, tc := range []struct {
		provider string
		auth     string // the auth screen's answer; "" when not asked
		uses     string // the methods it sets up
		want     []string
	}{
		{"sandbox", "", "mtls+api-key", append([]string{first}, counted(1, prov, keys, send, apiKey, cert, checks)...)},
		{"dcs", "", "mtls", append([]string{first}, counted(1, prov, keys, send, cert, checks)...)},
		// A choice of auth: its screen is step 2, the total shows from 3.
		{"nhs", "api-key", "api-key", append([]string{first, "Step 2 · Authentication"}, counted(3, prov, auth, apiKey, checks)...)},
		{"nhs", "signed-jwt", "signed-jwt", append([]string{first, "Step 2 · Authentication"}, counted(3, prov, auth, keys, send, apiKey, checks)...)},
		{"generic", "mtls", "mtls", append([]string{first, "Step 2 · Authentication"}, counted(3, prov, auth, keys, send, cert, checks)...)},
		{"generic", "api-key", "api-key", append([]string{first, "Step 2 · Authentication"}, counted(3, prov, auth, apiKey, checks)...)},
		{"generic", "mtls+api-key", "mtls+api-key", append([]string{first, "Step 2 · Authentication"}, counted(3, prov, auth, keys, send, apiKey, cert, checks)...)},
	} {
		t.Run(tc.provider+"/"+tc.uses, func(t *testing.T) {
			t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
			answers := []Answer{{"Which API", tc.provider}}
			add := func(title, value string) { answers = append(answers, Answer{title, value}) }
			switch tc.provider {
			case "sandbox", "generic":
				add("URL", "https://127.0.0.1:9443/status")
			case "nhs":
				add("environment", "int")
			}
			add("Name this connection", "")
			if tc.auth != "" {
				add("authenticate", tc.auth)
			}
			methods := tc.uses
			if strings.Contains(methods, "mtls") || strings.Contains(methods, "jwt") {
				add("Your private key", "generate")
				if strings.Contains(methods, "mtls") {
					add("subject", "/CN=client-1")
				} else {
					add("Key id", "")
				}
			}
			if strings.Contains(methods, "api-key") || strings.Contains(methods, "jwt") {
				add("Paste your API key", canary)
			}
			if strings.Contains(methods, "mtls") {
				if tc.provider == "sandbox" {
					add("Your client certificate", "sandbox")
				} else {
					add("Your client certificate", "file")
					add("Where is the certificate file?", certFile)
					add("CA bundle", "")
				}
			}
			s := &Script{Answers: answers}
			f := &Flow{Prompter: s, Providers: providers, Keys: &fakeKeys{}, Certs: fakeImporter{},
				Secrets: &memStore{}, Checker: fakeChecker{ok: true}, Issuer: fakeIssuer{}}
			res, err := f.Run(context.Background(), "")
			if err != nil || !res.Connected {
				t.Fatalf("res %+v err %v", res, err)
			}
			if len(s.Answers) > 0 {
				t.Errorf("unused answers %v", s.Answers)
			}
			if got := stepLines(s.Shown); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("steps shown:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}

// With one provider, or providers whose every choice gives the same total,
// the total is settled from the first screen.
func TestStepCounterSettledFromTheStart(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	s := &Script{} // ctrl+c at the first screen
	f := &Flow{Prompter: s, Providers: []Provider{sandboxProvider, {ID: "hmpps", AuthChoices: [][]string{{AuthMTLS, AuthAPIKey}}}}}
	f.Run(context.Background(), "")
	if got := s.Shown[0].Step; got != "Step 1 of 6 · Provider" {
		t.Errorf("first screen %q", got)
	}
	s = &Script{}
	f = &Flow{Prompter: s, Providers: []Provider{nhsProvider}}
	f.Run(context.Background(), "")
	if got := s.Shown[0].Step; got != "Step 1 · Provider" {
		t.Errorf("one provider with two totals (4 and 6): first screen %q", got)
	}
}

// A key the user already has, with nothing next to it to send: the send
// step still shows, saying what the provider needs, so the count goes on
// without a gap and the total stays.
func TestExistingKeyKeepsTheCount(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	key := testpki.WriteFile(t, t.TempDir(), "own.key", testpki.NewCA(t, "x").Client(t, testpki.Options{}).KeyPEM(t))
	s := &Script{Answers: []Answer{
		{"Which API", "nhs"},
		{"environment", "int"},
		{"Name this connection", ""},
		{"authenticate", "signed-jwt"},
		{"Your private key", "existing"},
		{"Where is the private key file?", key},
		{"Key id", ""},
		{"Paste your API key", canary},
	}}
	f, _ := newFlow(s, &memStore{}, true)
	if _, err := f.Run(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	want := append([]string{"Step 1 · Provider", "Step 2 · Authentication"},
		counted(3, "Provider", "Authentication", "Keys", "Send to the provider", "API key", "Checks")...)
	if got := stepLines(s.Shown); !reflect.DeepEqual(got, want) {
		t.Errorf("steps shown:\n  %s", strings.Join(got, "\n  "))
	}
	var note *NotePrompt
	for i := range s.Notes {
		if s.Notes[i].Title == "Nothing to send from here" {
			note = &s.Notes[i]
		}
	}
	if note == nil || !strings.Contains(note.Why, "your public key as a JWKS") || !strings.Contains(note.Body, strings.TrimSuffix(key, ".key")+".jwks.json") {
		t.Errorf("send note %+v", note)
	}
}

// Profiles saved by an older onramp resume: no auth mark for a provider
// with one way to authenticate, and no send mark after an existing key
// (the old flow left that step out). Neither brings back a screen.
func TestResumeOlderProfiles(t *testing.T) {
	for _, tc := range []struct {
		name  string
		saved *profile.Profile
		first string // the title and step line resumed at
		step  string
		done  string // a step recorded done on the way, without a screen
	}{
		{"target done, auth not recorded", &profile.Profile{Name: "p", Provider: "sandbox", URL: "https://127.0.0.1:9443/v1/status",
			Wizard: map[string]bool{StepTarget: true}},
			"Your private key", "Step 2 of 6 · Keys", StepAuth},
		{"existing key, no send mark", &profile.Profile{Name: "p", Provider: "sandbox", Auth: []string{AuthMTLS, AuthAPIKey},
			URL: "https://127.0.0.1:9443/v1/status", Key: "/nonexistent/own.key",
			Wizard: map[string]bool{StepTarget: true, StepAuth: true, StepKeys: true, StepSecrets: true}},
			"Your client certificate", "Step 5 of 6 · Certificate", StepSend},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
			if err := profile.Save(tc.saved); err != nil {
				t.Fatal(err)
			}
			// Go on past the summary, then ctrl+c at the first question.
			s := &Script{Answers: []Answer{{"Welcome back to p", resumeGoOn}}}
			f, _ := newFlow(s, &memStore{}, true)
			res, err := f.Run(context.Background(), "p")
			if !errors.Is(err, ErrCancelled) {
				t.Fatalf("err %v", err)
			}
			if len(s.Shown) != 2 || s.Shown[1].Title != tc.first || s.Shown[1].Step != tc.step {
				t.Fatalf("resumed at %+v, want %q at %q", s.Shown, tc.step, tc.first)
			}
			p := res.Profile
			if !p.Wizard[tc.done] || !reflect.DeepEqual(p.Auth, []string{AuthMTLS, AuthAPIKey}) {
				t.Errorf("auth %v, wizard %v", p.Auth, p.Wizard)
			}
		})
	}
}
