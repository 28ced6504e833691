package wizard

import (
	"cmp"
	"errors"
	"strings"
)

// otherPath is the choice of a path the provider's documents do not name.
const otherPath = "other"

// The check path step: which endpoint the checks call.
func (r *run) checkPath() error {
	pr := r.currentProvider()
	ownPath := false
	for _, e := range pr.Environments {
		ownPath = ownPath || (e.Name == r.p.Environment && e.StatusPath != "")
	}
	if ownPath { // the environment's own path
		return r.done(StepCheckPath)
	}
	if err := r.chooseCheck(pr); err != nil {
		return err
	}
	return r.done(StepCheckPath)
}

// chooseCheck asks which documented endpoint the checks call (HMPPS: the
// guide's example read or POST /token), or for a path the client is
// authorised for; profile new offers the same (--status-path,
// --status-method) from the same template data.
func (r *run) chooseCheck(pr *Provider) error {
	var opts []Option
	var why strings.Builder
	def := checkID(pr.Checks[0]) // or what the profile calls now
	why.WriteString("No health check is documented, so the checks call one of these:")
	for _, c := range pr.Checks {
		opts = append(opts, Option{Value: checkID(c), Label: c.Label})
		if c.Path == r.p.StatusPath && c.Method == r.p.StatusMethod {
			def = checkID(c)
		}
		why.WriteString("\n- " + cmp.Or(c.Method, "GET") + " " + c.Path + ": " + c.Notes)
	}
	opts = append(opts, Option{Value: otherPath, Label: "another path your client is authorised for"})
	choice, err := r.Prompter.Select(r.ctx, SelectPrompt{
		Frame:   r.frame("Which endpoint should the checks call?", why.String()),
		Options: opts, Default: def,
	})
	if err != nil {
		return err
	}
	for _, c := range pr.Checks {
		if checkID(c) == choice {
			r.p.StatusPath, r.p.StatusMethod = c.Path, c.Method
			return nil
		}
	}
	path, err := r.Prompter.Input(r.ctx, InputPrompt{
		Frame: r.frame("Which path should the checks call?",
			"A GET endpoint your client is authorised for (ask the provider which, if you do not know), e.g. "+pr.Checks[0].Path+
				". A 404 there means the path or the resource is wrong, not that the connection failed."),
		Placeholder: pr.Checks[0].Path, Validate: checkPath,
	})
	if err != nil {
		return err
	}
	r.p.StatusPath, r.p.StatusMethod, r.p.ExpectJSON = strings.TrimSpace(path), "", ""
	return nil
}

func checkID(c CheckChoice) string { return strings.TrimSpace(c.Method + " " + c.Path) }

func checkPath(s string) error {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "/") || strings.ContainsAny(s, " \t") {
		return errors.New("a path starts with / and has no spaces, e.g. /v1/persons/ID/risks/scores")
	}
	return nil
}
