package wizard

import (
	"fmt"
	"strings"
)

// The auth step: how the user authenticates, when the provider accepts
// more than one way.
func (r *run) auth() error {
	pr := r.provider
	if pr == nil {
		pr = r.Flow.provider(r.p.Provider)
		r.provider = pr
	}
	if pr == nil || len(pr.AuthChoices) == 0 {
		return fmt.Errorf("profile %s names provider %q, which onramp does not know", r.p.Name, r.p.Provider)
	}
	picked := pr.AuthChoices[0]
	if len(pr.AuthChoices) > 1 {
		var opts []Option
		for _, c := range pr.AuthChoices {
			opts = append(opts, Option{Value: strings.Join(c, "+"), Label: authLabel(c)})
		}
		why := pr.AuthWhy
		if why == "" {
			why = pr.Name + " accepts more than one way to authenticate; pick the one your onboarding email names."
		}
		v, err := r.Prompter.Select(r.ctx, SelectPrompt{
			Frame:   r.frame("How will you authenticate to "+pr.Name+"?", why),
			Options: opts, Default: opts[0].Value,
		})
		if err != nil {
			return err
		}
		picked = strings.Split(v, "+")
	}
	r.p.Auth = picked
	return r.done(StepAuth)
}

// settleAuth records the auth of a provider that accepts only one way,
// with the auth step done: there is nothing to ask, so no screen (and no
// number in the step counter) for it.
func (r *run) settleAuth() {
	pr := r.currentProvider()
	if len(r.p.Auth) > 0 || r.p.Wizard[StepAuth] || len(pr.AuthChoices) != 1 {
		return
	}
	r.p.Auth = pr.AuthChoices[0]
	r.p.Wizard[StepAuth] = true
}

func authLabel(methods []string) string {
	names := map[string]string{AuthMTLS: "mutual TLS (client certificate)", AuthAPIKey: "API key",
		AuthSignedJWT: "signed JWT (OAuth client credentials)", AuthBearerJWT: "bearer token (JWT)"}
	var parts []string
	for _, m := range methods {
		parts = append(parts, names[m])
	}
	return strings.Join(parts, " + ")
}
