package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/onramp-cli/onramp/cause"
)

type explainedMsg struct {
	version   int
	matches   []Match
	tellApart string
}

// explainScreen is a paste box; the causes update as the text changes.
type explainScreen struct {
	version   int
	tellApart string
	scroll    int
	c         *Common
	box       textarea.Model
	last      string
	matches   []Match
	w, h      int
}

func newExplainScreen(c *Common) *explainScreen {
	box := textarea.New()
	box.Placeholder = "Paste an error message or a log here (curl, openssl, Java, Python, an API's JSON error)…"
	box.ShowLineNumbers = false
	box.SetHeight(3)
	box.SetStyles(textarea.DefaultStyles(c.Styles.IsDark))
	return &explainScreen{c: c, box: box}
}

func (e *explainScreen) Title() string { return "Explain an error" }

func (e *explainScreen) Init() tea.Cmd { return e.box.Focus() }

func (e *explainScreen) SetSize(w, h int) {
	e.w, e.h = w, h
	e.box.SetWidth(min(w, 78))
}

func (e *explainScreen) Typing() bool { return true }

func (e *explainScreen) Bindings() []key.Binding {
	return []key.Binding{
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		key.NewBinding(key.WithKeys("ctrl+l"), key.WithHelp("ctrl+l", "clear")),
		key.NewBinding(key.WithKeys("pgdown", "pgup"), key.WithHelp("pgdn/pgup", "scroll")),
	}
}

func (e *explainScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			return e, goHome
		case "ctrl+l":
			e.box.Reset()
		case "pgdown":
			e.scroll += 5
			return e, nil
		case "pgup":
			e.scroll = max(e.scroll-5, 0)
			return e, nil
		}
	}
	if m, ok := msg.(explainedMsg); ok {
		if m.version == e.version {
			e.matches, e.tellApart = m.matches, m.tellApart
		}
		return e, nil
	}
	var cmd tea.Cmd
	e.box, cmd = e.box.Update(msg)
	if v := e.box.Value(); v != e.last {
		e.last = v
		e.version++
		e.matches, e.tellApart, e.scroll = nil, "", 0
		if strings.TrimSpace(v) != "" && e.c.Deps.Explain != nil {
			// A big paste takes a moment to classify: off the UI loop,
			// and only the answer for the latest text counts.
			explain, version := e.c.Deps.Explain, e.version
			return e, tea.Batch(cmd, func() tea.Msg {
				m, tell := explain(v)
				return explainedMsg{version: version, matches: m, tellApart: tell}
			})
		}
	}
	return e, cmd
}

func (e *explainScreen) View() string {
	s := e.c.Styles
	width := min(e.w, 78)
	var b strings.Builder
	switch {
	case strings.TrimSpace(e.last) == "":
		b.WriteString(s.Muted.Render(wrap("The causes appear here as you paste. Nothing you paste leaves this machine.", width)) + "\n")
	case len(e.matches) == 0:
		b.WriteString(s.Warn.Render("! No known cause matches this text yet.") + "\n")
		b.WriteString(s.Muted.Render(wrap("Paste more of the output (the lines around the error help), or run `onramp diagnose` against the URL to find out directly.", width)) + "\n")
	default:
		best := e.matches[0]
		shown := 1
		if best.Candidate {
			b.WriteString(s.Label.Render("Could be one of (the text cannot tell them apart):") + "\n")
			for shown < len(e.matches) && e.matches[shown].Candidate {
				shown++
			}
			for i, m := range e.matches[:shown] {
				b.WriteString("\n" + s.Title.Render(wrap(fmt.Sprintf("%d. %s  [%s]", i+1, m.Cause.Title, m.Cause.ID), width)) + "\n")
				b.WriteString(renderFix(s, m.Cause, width) + "\n")
			}
			if best.Evidence != "" {
				b.WriteString(s.Muted.Render(clipLines(wrap("matched: “"+best.Evidence+"”", width), 2, width)) + "\n")
			}
		} else {
			b.WriteString(s.Title.Render(wrap(best.Cause.Title+"  ["+string(best.Cause.ID)+"]", width)) + "\n")
			if best.Evidence != "" {
				b.WriteString(s.Muted.Render(clipLines(wrap("matched: “"+best.Evidence+"”", width), 2, width)) + "\n")
			}
			if best.Cause.Meaning != "" {
				b.WriteString(wrap(best.Cause.Meaning, width) + "\n")
			}
			b.WriteString(renderFix(s, best.Cause, width) + "\n")
		}
		if len(e.matches) > shown {
			b.WriteString("\n" + s.Muted.Render("Also possible:") + "\n")
			for _, m := range e.matches[shown:] {
				// Wrapped, not cut: the id (one word) is muted after.
				id := "[" + string(m.Cause.ID) + "]"
				item := strings.Replace(wrap(m.Cause.Title+" "+id, width-4), id, s.Muted.Render(id), 1)
				b.WriteString("  • " + strings.ReplaceAll(item, "\n", "\n    ") + "\n")
			}
		}
		if e.tellApart != "" {
			b.WriteString("\n" + s.Label.Render("Not sure which?") + "\n" + wrap(e.tellApart, width) + "\n")
		}
	}
	// The box stays; the causes scroll under it (pgup/pgdown).
	box := e.box.View() + "\n\n"
	return box + scrollView(s, b.String(), e.h-lipgloss.Height(box)+1, &e.scroll, "pgdn")
}

// hanging renders "Label text…" with the text's continuation lines
// indented under its first word.
// clipLines keeps the first n lines of wrapped text; when there are more,
// the last kept line ends in " …" after a whole word.
func clipLines(text string, n, width int) string {
	lines := strings.Split(text, "\n")
	if len(lines) <= n {
		return text
	}
	lines = lines[:n]
	last := lines[n-1]
	for ansi.StringWidth(last)+2 > width {
		i := strings.LastIndex(last, " ")
		if i <= 0 {
			break
		}
		last = last[:i]
	}
	lines[n-1] = last + " …"
	return strings.Join(lines, "\n")
}

// renderFix is a cause's advice (cause.FixLines): onramp's fix, the
// client's and the provider's note, each after its label; a long label (a
// provider's name), or a command that would not fit beside the label, puts
// the text on lines of its own.
func renderFix(s *Styles, c *cause.Cause, width int) string {
	var out []string
	for _, l := range c.FixLines() {
		widest := 0
		for _, w := range unbreakableWords(l.Text) {
			widest = max(widest, ansi.StringWidth(w))
		}
		if lw := ansi.StringWidth(l.Label); lw > 16 || widest > width-lw-1 {
			out = append(out, s.Label.Render(l.Label)+"\n"+indentLines(wrap(l.Text, width-2), "  "))
		} else {
			out = append(out, hanging(s.Label.Render(l.Label), l.Text, width))
		}
	}
	return strings.Join(out, "\n")
}

func hanging(label, text string, width int) string {
	pad := ansi.StringWidth(label) + 1
	lines := strings.Split(wrap(text, width-pad), "\n")
	return label + " " + strings.Join(lines, "\n"+strings.Repeat(" ", pad))
}
