package wizard

import (
	"github.com/onramp-cli/onramp/provider"
)

// Providers are the provider templates as the flow offers them.
func Providers() []Provider {
	var out []Provider
	for _, t := range provider.All() {
		out = append(out, ProviderFrom(t))
	}
	return out
}

// ProviderFrom is what the flow needs of a provider template: its
// environments with something to set up, the auth combinations to offer,
// the key, CSR subject, status and token endpoints. The sandbox's URL is
// the caller's to fill in (it depends on the sandbox that runs).
func ProviderFrom(t *provider.Template) Provider {
	wp := Provider{
		ID: t.ID, Name: t.Name, APIKeyHeader: t.APIKeyHeader,
		Instructions: t.Instructions, Sandbox: t.ID == "sandbox",
	}
	for _, e := range t.Environments {
		if e.NoAuth {
			continue // nothing to set up there
		}
		wp.Environments = append(wp.Environments, Environment{Name: e.Name, URL: e.URL})
		if e.URL == "" {
			wp.AskURL = true
		}
	}
	if t.Status != nil {
		wp.StatusPath, wp.ExpectJSON = t.Status.Path, t.Status.ExpectJSON
	}
	if t.Token != nil && t.Token.Kind == provider.AuthSignedJWT {
		wp.TokenPath = t.Token.Path
	}
	wp.AuthChoices, wp.AuthWhy = authChoices(t)
	wp.Key = KeySpec{Type: "rsa", Bits: 2048}
	for _, purpose := range []string{"tls", "signing"} {
		if k, ok := t.KeyFor(purpose); ok {
			wp.Key = KeySpec{Type: k.Type, Bits: k.Bits, Curve: k.Curve}
			break
		}
	}
	if t.CSR != nil {
		wp.Subject, wp.SubjectRule = t.CSR.Subject, t.CSR.CNRule
	}
	return wp
}

// authChoices lists the combinations the wizard offers: the required
// methods plus one of the choices, or for all-optional templates each
// method alone and all together.
func authChoices(t *provider.Template) ([][]string, string) {
	var required, choice, optional []string
	why := ""
	for _, a := range t.Auth {
		switch {
		case a.Method == provider.AuthBearerJWT:
			continue // a token the user already has: not something to set up
		case a.Need == provider.NeedRequired:
			required = append(required, a.Method)
		case a.Need == provider.NeedChoice:
			choice = append(choice, a.Method)
			if why == "" {
				why = a.Notes
			}
		default:
			optional = append(optional, a.Method)
		}
	}
	var out [][]string
	switch {
	case len(choice) > 0:
		for _, c := range choice {
			out = append(out, append(append([]string{}, required...), c))
		}
	case len(required) > 0:
		out = append(out, required)
		if len(optional) > 0 {
			out = append(out, append(append([]string{}, required...), optional...))
		}
	default:
		for _, o := range optional {
			out = append(out, []string{o})
		}
		if len(optional) > 1 {
			out = append(out, optional)
		}
	}
	return out, why
}
