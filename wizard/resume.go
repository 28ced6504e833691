package wizard

import (
	"fmt"
	"path/filepath"
	"strings"
)

// resumeGoOn is the summary's answer that goes on with the next step.
const resumeGoOn = "go-on"

// resumeSummary greets a resumed profile with its finished steps, each
// with "change": the one chosen runs again (and the checks after it), so a
// wrong environment, auth or file is fixed without starting over.
func (r *run) resumeSummary() error {
	c := r.choice()
	var done []step
	for _, s := range steps() {
		if s.applies(c) && r.p.Wizard[s.id] {
			done = append(done, s)
		}
	}
	if len(done) == 0 {
		return nil
	}
	goOn := "Run the checks again"
	if next, ok := r.next(); ok && next.id != StepCheck {
		goOn = "Go on: " + next.title
	}
	opts := []Option{{Value: resumeGoOn, Label: goOn}}
	for _, s := range done {
		label := "change " + s.title
		if what := r.stepSummary(s.id); what != "" {
			label += " (" + what + ")"
		}
		opts = append(opts, Option{Value: s.id, Label: label})
	}
	r.cur = step{}
	v, err := r.Prompter.Select(r.ctx, SelectPrompt{
		Frame: Frame{Title: "Welcome back to " + r.p.Name, NoBack: true,
			Why: doneText(len(done)) + " Go on, or change one: it runs again, then the checks."},
		Options: opts, Default: resumeGoOn,
	})
	if err != nil || v == resumeGoOn {
		return err
	}
	delete(r.p.Wizard, v)
	delete(r.p.Wizard, StepCheck)
	r.redo = v
	return nil
}

func doneText(n int) string {
	if n == 1 {
		return "1 step is done and saved."
	}
	return fmt.Sprintf("%d steps are done and saved.", n)
}

// stepSummary is what a finished step chose, in a few words.
func (r *run) stepSummary(id string) string {
	p := r.p
	switch id {
	case StepTarget:
		s := p.Provider
		if p.Environment != "" {
			s += "/" + p.Environment
		}
		return strings.TrimPrefix(s, "/")
	case StepCheckPath:
		return strings.TrimSpace(p.StatusMethod + " " + p.StatusPath)
	case StepAuth:
		return strings.Join(p.Auth, " + ")
	case StepKeys:
		if p.Key != "" {
			return filepath.Base(p.Key)
		}
	case StepSecrets:
		return strings.Join(p.SecretNames(), ", ")
	case StepCert:
		if p.Cert != "" {
			return filepath.Base(p.Cert)
		}
	case StepCheck:
		if p.LastCheck != nil && p.LastCheck.OK {
			return "passed"
		}
	}
	return ""
}
