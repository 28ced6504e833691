package wizard

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/usecase"
)

// The target step: provider, environment, URL and profile name.
func (r *run) target() error {
	opts := make([]Option, 0, len(r.Providers))
	for _, pr := range r.Providers {
		opts = append(opts, Option{Value: pr.ID, Label: pr.Name})
	}
	def := ""
	if r.provider != nil {
		def = r.provider.ID
	}
	id, err := r.Prompter.Select(r.ctx, SelectPrompt{
		Frame: r.frame("Which API are you connecting to?",
			"onramp fills in the hosts, headers and key rules that provider publishes, so you do not have to look them up."),
		Options: opts, Default: def,
	})
	if err != nil {
		return err
	}
	pr := r.provider
	if pr == nil || pr.ID != id {
		pr = r.Flow.provider(id)
	}
	if pr == nil {
		return fmt.Errorf("unknown provider %q", id)
	}
	if r.p.Provider != "" && r.p.Provider != pr.ID {
		// Another provider (after going back): its own ways to authenticate.
		r.p.Auth = nil
		delete(r.p.Wizard, StepAuth)
	}
	r.provider = pr

	env := Environment{}
	if len(pr.Environments) == 1 {
		env = pr.Environments[0]
	} else if len(pr.Environments) > 1 {
		var eopts []Option
		for _, e := range pr.Environments {
			label := e.Name
			if e.URL != "" {
				label += " — " + e.URL
			}
			if e.NoAuth {
				label += " (no authentication)"
			}
			eopts = append(eopts, Option{Value: e.Name, Label: label})
		}
		name, err := r.Prompter.Select(r.ctx, SelectPrompt{
			Frame: r.frame("Which "+pr.Name+" environment?",
				"Each environment has its own host (and, with most providers, its own credentials): start with a test environment."),
			Options: eopts, Default: pr.Environments[0].Name,
		})
		if err != nil {
			return err
		}
		for _, e := range pr.Environments {
			if e.Name == name {
				env = e
			}
		}
	}
	u := env.URL
	if pr.AskURL || u == "" {
		why := "The checks connect to this address; include the port if it is not 443."
		switch {
		case pr.Sandbox:
		case pr.StatusPath == "":
			why = "Give the full URL of an endpoint your credentials may call (include the port if it is not 443): the checks call it, so a bare host only shows that something answers at /. A 404 there means the path is wrong, not that the connection failed."
		default:
			why += " The checks call " + pr.StatusPath + " on it."
		}
		u, err = r.Prompter.Input(r.ctx, InputPrompt{
			Frame:       r.frame("What is the API's URL?", why),
			Placeholder: "https://api.example.com/status", Default: env.URL,
			Validate: CheckURL,
		})
		if err != nil {
			return err
		}
		u = strings.TrimSpace(u)
	}

	if r.p.Name == "" {
		name, err := r.Prompter.Input(r.ctx, InputPrompt{
			Frame: r.frame("Name this connection",
				"The profile keeps paths and settings under this name (secrets go to the OS keyring); other commands take it as --profile."),
			Default:  suggestName(pr, env),
			Validate: checkNewProfileName,
		})
		if err != nil {
			return err
		}
		r.p.Name = strings.TrimSpace(name)
	}

	r.p.Provider = pr.ID
	r.p.Environment = env.Name
	r.p.URL = u
	r.p.StatusPath, r.p.ExpectJSON = pr.StatusPath, pr.ExpectJSON
	if env.StatusPath != "" {
		r.p.StatusPath, r.p.ExpectJSON = env.StatusPath, env.ExpectJSON
	}
	// The target sets the default path: the check path step (where it
	// applies) asks again after every run of this step. (Recorded as not
	// done, not left out: Run takes a record without it for one an older
	// onramp made, which asked this within the target step.)
	r.p.Wizard[StepCheckPath] = false
	if env.NoAuth {
		// Nothing to set up: the checks are all there is.
		r.p.Auth, r.p.APIKeyHeader, r.p.TokenURL = nil, "", ""
		r.p.Wizard[StepAuth] = true
		return r.done(StepTarget)
	}
	r.p.APIKeyHeader = pr.APIKeyHeader
	if pr.TokenPath != "" {
		r.p.TokenURL = joinURL(u, pr.TokenPath)
	}
	r.settleAuth()
	return r.done(StepTarget)
}

func suggestName(pr *Provider, env Environment) string {
	name := pr.ID
	if pr.Sandbox {
		// "sandbox" is the sandbox's own ready profile.
		name = "practice"
	}
	if env.Name != "" && len(pr.Environments) > 1 {
		name += "-" + strings.ToLower(strings.Fields(env.Name)[0])
	}
	return name
}

func checkNewProfileName(name string) error {
	name = strings.TrimSpace(name)
	if err := profile.ValidateName(name); err != nil {
		return err
	}
	if _, err := profile.Load(name); err == nil {
		return fmt.Errorf("a profile %q exists: pick another name, or resume it with `onramp init --profile %s`", name, name)
	}
	return nil
}

// CheckURL accepts an https URL with a host.
func CheckURL(s string) error { return usecase.CheckHTTPSURL(s) }

func joinURL(base, path string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base + path
	}
	u.Path = path
	u.RawQuery = ""
	return u.String()
}
