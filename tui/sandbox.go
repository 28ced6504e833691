package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
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
			ss.cursor = max(ss.cursor-1, 0) // no wrap-around: ↑ on the first stays
		case key.Matches(msg, k.Down):
			ss.cursor = min(ss.cursor+1, ss.items()-1)
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
	modes := append([]PracticeMode{{ID: "working", Does: "every check passes"}}, ss.c.Deps.PracticeModes...)
	idW := 0
	for _, m := range modes {
		idW = max(idW, ansi.StringWidth(string(m.ID)))
	}
	// Each mode's description beside its id when every one fits whole;
	// otherwise the ids alone, and the chosen mode's description under the
	// list, wrapped, instead of every one cut mid-word.
	beside := true
	for _, m := range modes {
		beside = beside && 2+idW+1+ansi.StringWidth(m.Does) <= width
	}
	rows := make([]string, len(modes))
	for i, m := range modes {
		rows[i] = string(m.ID)
		if beside {
			rows[i] = fmt.Sprintf("%-*s %s", idW, m.ID, m.Does)
		}
	}
	describe := func(i int) string {
		if i == 0 {
			return "\n" + s.Muted.Render(wrap("The sandbox works as a healthy API does: every check should pass.", width)) + "\n"
		}
		m := modes[i]
		return "\n" + s.Muted.Render(wrap("The sandbox "+m.Does+"; the checks should name "+string(m.ID)+".", width)) + "\n"
	}
	// Room for the longest description, so the list does not jump as the
	// cursor moves.
	detailH := 0
	for i := range modes {
		detailH = max(detailH, lineCount(describe(i)))
	}
	status := ""
	if ss.status != "" {
		st := s.Muted
		if strings.HasPrefix(ss.status, "✗") {
			st = s.Error
		}
		status = "\n" + st.Render(wrap(ss.status, width)) + "\n"
	}
	// Show the rows around the cursor when they do not all fit.
	room := ss.h - lineCount(b.String()) - detailH - lineCount(status)
	if room < 6 {
		// Short of room (60×20): the introduction gives way to the list.
		room += lineCount(b.String())
		b.Reset()
	}
	room = max(room, 3)
	if len(rows) > room {
		room = max(room-2, 1) // the two "more" lines
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
		b.WriteString(cursor + style.Render(rows[i]) + "\n")
	}
	if last < len(rows) {
		b.WriteString(s.Muted.Render(fmt.Sprintf("  ↓ %d more", len(rows)-last)) + "\n")
	}
	b.WriteString(describe(ss.cursor) + status)
	return b.String()
}
