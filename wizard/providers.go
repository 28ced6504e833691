package wizard

import (
	"fmt"
	"strings"

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
		Instructions: t.Instructions, Send: t.Send, Sandbox: t.ID == "sandbox",
	}
	var noAuth []Environment
	for _, e := range t.Environments {
		we := Environment{Name: e.Name, URL: e.URL, NoAuth: e.NoAuth}
		if e.Status != nil {
			we.StatusPath, we.ExpectJSON = e.Status.Path, e.Status.ExpectJSON
		}
		if e.NoAuth {
			// Offered last, so the default is an environment to set up.
			noAuth = append(noAuth, we)
			continue
		}
		wp.Environments = append(wp.Environments, we)
		if e.URL == "" {
			wp.AskURL = true
		}
	}
	wp.Environments = append(wp.Environments, noAuth...)
	if t.CABundle != nil && t.CABundle.Required {
		wp.CABundleRequired, wp.CABundleWhy = true, t.CABundle.Notes
	}
	if len(t.Roles) > 0 {
		var b strings.Builder
		for _, r := range t.Roles {
			fmt.Fprintf(&b, "  %s: %s\n", r.Name, r.Purpose)
		}
		wp.RoleTable = strings.TrimRight(b.String(), "\n")
		if t.Status != nil {
			wp.StatusRole, _ = provider.RequiredRole(t, t.Status.Path)
		}
	}
	if t.Status != nil {
		wp.StatusPath, wp.ExpectJSON = t.Status.Path, t.Status.ExpectJSON
		if checks := t.Status.Checks(); len(checks) > 1 {
			for _, c := range checks {
				wp.Checks = append(wp.Checks, CheckChoice{Method: c.MethodIfNotGET(), Path: c.Path, Label: c.Label, Notes: c.Notes})
			}
		}
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
		if _, ok := t.KeyFor("tls"); ok && strings.Contains(t.CSR.Subject, "{purpose}") {
			for _, k := range t.Keys {
				if k.Purpose != "tls" {
					wp.ExtraKeys = append(wp.ExtraKeys, k.Purpose)
				}
			}
		}
	}
	return wp
}

// authChoices lists the combinations the wizard offers: the template's
// (provider.Template.AuthChoices, the preferred first), with the notes of
// its choice methods as the reason to pick.
func authChoices(t *provider.Template) ([][]string, string) {
	why := ""
	for _, a := range t.Auth {
		if a.Need == provider.NeedChoice && why == "" {
			why = a.Notes
		}
	}
	if t.AuthWhy != "" {
		why = t.AuthWhy
	}
	return t.AuthChoices(), why
}
