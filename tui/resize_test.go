package tui

import (
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/cause"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/wizard"
)

var wizardFrame = wizard.Frame{Step: "Step 1 of 7 · Provider", Title: "Which API are you connecting to? " + strings.Repeat("And a long title. ", 5),
	Why: strings.Repeat("A sentence of why that runs long. ", 6)}

// Every screen re-lays out on resize: no line wider than the terminal, the
// help line stays at the bottom.
func TestResizeKeepsTheFrame(t *testing.T) {
	configDir(t)
	threeProfiles(t)
	c := func() *Deps { return &Deps{Explain: realExplain, Keyring: testkeyring.New()} }
	rep := &diagnose.Report{Steps: []diagnose.Step{{Name: "tls", Status: diagnose.Fail, Cause: cause.Get("client-cert-wrong-issuer"),
		Detail: strings.Repeat("a long detail that has to wrap ", 8)}}, Cause: cause.Get("client-cert-wrong-issuer")}
	for _, size := range [][2]int{{80, 24}, {60, 20}, {120, 40}, {44, 16}} {
		w, h := size[0], size[1]
		a := NewApp(t.Context(), c(), Options{})
		screens := map[string]screen{"home": a.screen, "explain": newExplainScreen(a.c), "credentials": newCredentialsScreen(a.c)}
		wz := newWizardScreen(a.c, "", false)
		wz.cur = &promptRequest{kind: promptSelect, frame: wizardFrame, sel: wizard.SelectPrompt{Frame: wizardFrame,
			Options: []wizard.Option{{Value: "a", Label: strings.Repeat("a long option label ", 6)}}}}
		wz.form = wz.buildForm(wz.cur)
		screens["wizard"] = wz
		d := newDiagnoseScreen(a.c, "a-profile-with-a-name-long-enough-to-overrun-a-narrow-terminal")
		d.report, d.steps = rep, rep.Steps
		screens["diagnose"] = d
		for name, s := range screens {
			a.screen = s
			if cmd := s.Init(); cmd != nil && name != "diagnose" && name != "wizard" {
				if msg := cmd(); msg != nil {
					a.Update(msg)
				}
			}
			a.Update(tea.WindowSizeMsg{Width: w, Height: h})
			a.Update(tea.PasteMsg{Content: "x509: certificate signed by unknown authority " + strings.Repeat("more text ", 20)})
			view := a.View().Content
			lines := strings.Split(view, "\n")
			if len(lines) != h {
				t.Errorf("%s at %dx%d: %d lines", name, w, h, len(lines))
			}
			for i, l := range lines {
				if lw := ansi.StringWidth(l); lw > w {
					t.Errorf("%s at %dx%d: line %d is %d wide: %q", name, w, h, i, lw, ansi.Strip(l))
				}
			}
			if !strings.Contains(ansi.Strip(lines[len(lines)-1]), "quit") && !strings.Contains(ansi.Strip(lines[len(lines)-1]), "…") {
				t.Errorf("%s at %dx%d: last line is not the help: %q", name, w, h, ansi.Strip(lines[len(lines)-1]))
			}
		}
	}
}
