package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/onramp-cli/onramp/cause"
)

// PracticeMode is one way the sandbox can be made to fail (sandbox.Breaks).
type PracticeMode struct {
	ID cause.ID
	// Does says what the sandbox does to produce the cause.
	Does string
}

type sandboxStartedMsg struct {
	name string
	err  error
}

// sandboxScreen picks how the practice API runs: working, or failing in
// one practice mode; the diagnosis then names that cause.
type sandboxScreen struct {
	c      *Common
	cursor int
	status string
	w, h   int
}

func newSandboxScreen(c *Common) *sandboxScreen { return &sandboxScreen{c: c} }

func (ss *sandboxScreen) Title() string { return "Try the sandbox" }

func (ss *sandboxScreen) Init() tea.Cmd { return nil }

func (ss *sandboxScreen) SetSize(w, h int) { ss.w, ss.h = w, h }

func (ss *sandboxScreen) Typing() bool { return false }

func (ss *sandboxScreen) Bindings() []key.Binding {
	k := ss.c.Keys
	return []key.Binding{k.Up, k.Down, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "start and check")), k.Back}
}

func (ss *sandboxScreen) items() int { return 1 + len(ss.c.Deps.PracticeModes) }

func (ss *sandboxScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case sandboxStartedMsg:
		if msg.err != nil {
			ss.status = "✗ The sandbox did not start: " + msg.err.Error()
			return ss, nil
		}
		return ss, open(newDiagnoseScreen(ss.c, msg.name))
	case tea.KeyPressMsg:
		k := ss.c.Keys
		switch {
		case key.Matches(msg, k.Back):
			return ss, goHome
		case key.Matches(msg, k.Up):
			ss.cursor = (ss.cursor - 1 + ss.items()) % ss.items()
		case key.Matches(msg, k.Down):
			ss.cursor = (ss.cursor + 1) % ss.items()
		case key.Matches(msg, k.Enter):
			brk := ""
			if ss.cursor > 0 {
				brk = string(ss.c.Deps.PracticeModes[ss.cursor-1].ID)
			}
			ss.status = "Starting the sandbox…"
			start, ctx := ss.c.Deps.StartSandbox, ss.c.Ctx
			return ss, func() tea.Msg {
				name, err := start(ctx, brk)
				return sandboxStartedMsg{name, err}
			}
		}
	}
	return ss, nil
}

func (ss *sandboxScreen) View() string {
	s := ss.c.Styles
	width := min(ss.w, 78)
	var b strings.Builder
	b.WriteString(s.Why.Render(wrap("A practice API on this machine (mutual TLS and an API key), running inside onramp until you quit. "+
		"A practice mode makes it fail the way real APIs do; the checks should name that cause.", width)) + "\n\n")
	rows := []string{fmt.Sprintf("%-30s %s", "working", "every check passes")}
	for _, m := range ss.c.Deps.PracticeModes {
		rows = append(rows, fmt.Sprintf("%-30s %s", m.ID, m.Does))
	}
	// Show the rows around the cursor when they do not all fit.
	room := max(ss.h-lipgloss.Height(b.String())-6, 3)
	if len(rows) > room {
		room = max(room-2, 3) // the two "more" lines
	}
	first := min(max(ss.cursor-room/2, 0), max(len(rows)-room, 0))
	last := min(first+room, len(rows))
	if first > 0 {
		b.WriteString(s.Muted.Render(fmt.Sprintf("  ↑ %d more", first)) + "\n")
	}
	for i := first; i < last; i++ {
		cursor, style := "  ", s.Title.UnsetBold()
		if i == ss.cursor {
			cursor, style = s.Cursor.Render("▸ "), s.Selected
		}
		b.WriteString(cursor + style.Render(ansi.Truncate(rows[i], width-2, "…")) + "\n")
	}
	if last < len(rows) {
		b.WriteString(s.Muted.Render(fmt.Sprintf("  ↓ %d more", len(rows)-last)) + "\n")
	}
	if ss.cursor > 0 {
		m := ss.c.Deps.PracticeModes[ss.cursor-1]
		b.WriteString("\n" + s.Muted.Render(wrap("The sandbox "+m.Does+"; the checks should name "+string(m.ID)+".", width)) + "\n")
	}
	if ss.status != "" {
		st := s.Muted
		if strings.HasPrefix(ss.status, "✗") {
			st = s.Error
		}
		b.WriteString("\n" + st.Render(wrap(ss.status, width)) + "\n")
	}
	return b.String()
}
