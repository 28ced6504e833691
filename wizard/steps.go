package wizard

import (
	"fmt"
	"slices"
)

// Step ids, as saved in profile.Profile.Wizard.
const (
	StepTarget = "target"
	// StepCheckPath: which documented endpoint the checks call, where the
	// provider documents several and no health check (HMPPS, NHS APIM).
	StepCheckPath = "checkpath"
	StepAuth      = "auth"
	StepKeys      = "keys"
	StepSend      = "send"
	StepSecrets   = "secrets"
	StepCert      = "certificate"
	StepCheck     = "check"
)

// step is one step of the wizard. Each has its own file (step_ID.go).
type step struct {
	id    string // saved in profile.Profile.Wizard when done
	title string // shown as "Step N of M · title"
	// applies says whether the step is part of the setup for this
	// provider and auth; only those steps run and count.
	applies func(c choice) bool
	run     func(r *run) error
}

// steps lists every step, in the order they run. (A function, not a
// variable: the steps' code reads the table for its step counter.)
func steps() []step {
	return []step{
		{StepTarget, "Provider", always, (*run).target},
		{StepCheckPath, "Check endpoint", offersCheckChoice, (*run).checkPath},
		// A provider with one way to authenticate leaves nothing to ask:
		// the target step records it (settleAuth).
		{StepAuth, "Authentication", offersAuthChoice, (*run).auth},
		{StepKeys, "Keys", needsKey, (*run).keys},
		// Counted even when an existing key has nothing next to it to
		// send, so the total does not change after the keys step.
		{StepSend, "Send to the provider", needsKey, (*run).send},
		// A signed JWT's iss and sub are the API key (NHS API Management).
		{StepSecrets, "API key", func(c choice) bool {
			return c.uses(AuthAPIKey) || c.uses(AuthSignedJWT) || c.uses(AuthBearerJWT)
		}, (*run).secrets},
		{StepCert, "Certificate", func(c choice) bool { return c.uses(AuthMTLS) }, (*run).certificate},
		{StepCheck, "Checks", always, (*run).check},
	}
}

func always(choice) bool { return true }

// offersAuthChoice: the user picks how to authenticate only when the
// provider accepts more than one way (or is unknown, which the step
// reports).
func offersAuthChoice(c choice) bool {
	return !c.noAuth && (c.provider == nil || len(c.provider.AuthChoices) != 1)
}

// offersCheckChoice: the provider documents several endpoints to check
// and no health check; an environment without auth has its own path.
func offersCheckChoice(c choice) bool {
	return !c.noAuth && c.provider != nil && len(c.provider.Checks) > 1
}

func needsKey(c choice) bool { return c.uses(AuthMTLS) || c.uses(AuthSignedJWT) }

// choice is what decides which steps apply: the provider and the auth.
type choice struct {
	provider *Provider
	auth     []string
	// noAuth: the environment needs no credentials (NHS APIM's sandbox).
	noAuth bool
}

// secretsTitle names the secrets step by what it asks for.
func (c choice) secretsTitle() string {
	switch key := c.uses(AuthAPIKey) || c.uses(AuthSignedJWT); {
	case key && c.uses(AuthBearerJWT):
		return "API key and token"
	case c.uses(AuthBearerJWT):
		return "Bearer token"
	}
	return "API key"
}

func (c choice) uses(method string) bool { return slices.Contains(c.auth, method) }

// candidates are the choices still open to this profile: the one made,
// or, before it is, each auth of the provider (each of every provider's
// before the provider is picked).
func (r *run) candidates() []choice {
	if r.noAuthEnv() {
		return []choice{{provider: r.provider, noAuth: true}}
	}
	if len(r.p.Auth) > 0 {
		return []choice{{provider: r.provider, auth: r.p.Auth}}
	}
	providers := []*Provider{r.provider}
	if r.provider == nil && r.p.Provider == "" {
		providers = providers[:0]
		for i := range r.Providers {
			providers = append(providers, &r.Providers[i])
		}
	}
	var out []choice
	for _, pr := range providers {
		if pr == nil || len(pr.AuthChoices) == 0 {
			out = append(out, choice{provider: pr})
			continue
		}
		for _, a := range pr.AuthChoices {
			out = append(out, choice{provider: pr, auth: a})
		}
	}
	if len(out) == 0 {
		out = append(out, choice{})
	}
	return out
}

// position is the number of step id among the steps that apply to c, and
// how many apply.
func position(c choice, id string) (n, m int) {
	for _, s := range steps() {
		if !s.applies(c) {
			continue
		}
		m++
		if s.id == id {
			n = m
		}
	}
	return n, m
}

// progress says "Step N of M · title" for step id. N counts the steps that
// apply up to this one; the steps before the choice that settles M are the
// same for every candidate, so N is never wrong. M shows only once every
// choice still open gives the same total: before the provider (and, when
// it offers several, the auth) is picked, it says "Step N · title".
func (r *run) progress(id string) string {
	title := id
	for _, s := range steps() {
		if s.id == id {
			title = s.title
		}
	}
	if id == StepSecrets {
		title = r.choice().secretsTitle()
	}
	n, m := 0, 0
	for i, c := range r.candidates() {
		cn, cm := position(c, id)
		switch {
		case i == 0:
			n, m = cn, cm
		case cm != m:
			m = -1 // still open
		}
	}
	if m <= 0 {
		return fmt.Sprintf("Step %d · %s", n, title)
	}
	return fmt.Sprintf("Step %d of %d · %s", n, m, title)
}
