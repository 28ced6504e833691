package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/onramp-cli/onramp/monitor"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/wizard"
)

type menuItem struct {
	id, label, desc string
}

var menu = []menuItem{
	{"setup", "Set up a connection", "keys, certificate and API key, step by step"},
	{"diagnose", "Diagnose a connection", "run the checks; name the cause of a failure"},
	{"explain", "Explain an error", "paste an error message, get the cause and fix"},
	{"credentials", "Credentials", "profiles and their keyring secrets"},
	{"sandbox", "Try the sandbox", "a local practice API with mutual TLS"},
}

// profileRow is what Home shows of a saved profile: its status as
// `onramp status` reads it (last check, certificates' days left).
type profileRow struct {
	name, provider, env string
	status              monitor.ProfileStatus
	unfinished          bool
	err                 error
}

type profilesMsg struct{ rows []profileRow }

// loadProfiles reads the profiles and their certificates' expiry in a Cmd:
// file reads never run in Update.
func loadProfiles(now time.Time) tea.Cmd {
	return func() tea.Msg {
		names, _ := profile.List()
		var rows []profileRow
		for _, n := range names {
			row := profileRow{name: n}
			p, err := profile.Load(n)
			if err != nil {
				row.err = err
				rows = append(rows, row)
				continue
			}
			row.provider, row.env = p.Provider, p.Environment
			row.status = monitor.Status(p, now, monitor.DefaultWindow, nil)
			row.unfinished = !p.Wizard[wizard.StepCheck] && len(p.Wizard) > 0
			rows = append(rows, row)
		}
		return profilesMsg{rows}
	}
}

type home struct {
	c        *Common
	cursor   int
	profiles []profileRow
	loaded   bool
	status   string
	// storeNote says once why the secret store does not answer, and what
	// to do about it here.
	storeNote    string
	storeChecked bool
	w, h         int
}

func newHome(c *Common) *home { return &home{c: c} }

func (h *home) Title() string { return "Home" }

func (h *home) Init() tea.Cmd {
	if h.storeChecked && h.storeNote == "" {
		return loadProfiles(h.c.Deps.now())
	}
	// Checked once at start, and again while the note shows: the wizard
	// may have moved secrets to the file meanwhile.
	h.storeChecked = true
	return tea.Batch(loadProfiles(h.c.Deps.now()), checkStore(h.c.Deps))
}

func (h *home) SetSize(w, hh int) { h.w, h.h = w, hh }

func (h *home) Typing() bool { return false }

func (h *home) Bindings() []key.Binding {
	k := h.c.Keys
	b := []key.Binding{k.Up, k.Down, k.Enter}
	if h.cursor >= len(menu) {
		b = append(b, k.Edit)
	}
	if h.storeNote != "" && h.c.Deps.UseFileStore != nil {
		b = append(b, fileStoreKey)
	}
	return b
}

func (h *home) items() int { return len(menu) + len(h.profiles) }

func (h *home) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case profilesMsg:
		h.profiles, h.loaded = msg.rows, true
	case storeCheckedMsg:
		h.storeNote = storeNote(msg.err, secretstore.OnHome)
	case fileStoreChosenMsg:
		h.storeNote = ""
		h.status = "✓ Secrets are kept in " + msg.path + " (encrypted) from now on; later commands use it without flags."
	case tea.KeyPressMsg:
		k := h.c.Keys
		switch {
		// No wrap-around: ↑ on the first item stays there.
		case key.Matches(msg, k.Up):
			h.cursor = max(h.cursor-1, 0)
		case key.Matches(msg, k.Down):
			h.cursor = min(h.cursor+1, h.items()-1)
		case key.Matches(msg, k.Enter):
			return h, h.choose()
		case key.Matches(msg, k.Edit) && h.cursor >= len(menu):
			return h, open(newProfileScreen(h.c, h.profiles[h.cursor-len(menu)].name, nil))
		case key.Matches(msg, fileStoreKey) && h.c.Deps.UseFileStore != nil && h.c.Deps.FileStore != nil:
			return h, open(newFileStoreScreen(h.c))
		}
	}
	return h, nil
}

func (h *home) choose() tea.Cmd {
	if h.cursor >= len(menu) {
		row := h.profiles[h.cursor-len(menu)]
		if row.unfinished {
			return open(newWizardScreen(h.c, row.name, false))
		}
		return open(newDiagnoseScreen(h.c, row.name))
	}
	switch menu[h.cursor].id {
	case "setup":
		return open(newWizardScreen(h.c, "", false))
	case "diagnose":
		return open(newDiagnoseScreen(h.c, ""))
	case "explain":
		return open(newExplainScreen(h.c))
	case "credentials":
		return open(newCredentialsScreen(h.c))
	case "sandbox":
		if h.c.Deps.StartSandbox == nil {
			h.status = "Start the practice API in another terminal with `onramp sandbox`, then choose Diagnose → sandbox."
			return nil
		}
		return open(newSandboxScreen(h.c))
	}
	return nil
}

func (h *home) View() string {
	s := h.c.Styles
	width := min(h.w, 78)
	var b strings.Builder
	intro := s.Why.Render(wrap("Get connected to APIs secured with mutual TLS, API keys and signed-JWT OAuth, and find out exactly why a connection fails.", width)) + "\n\n"
	labelW := 24
	// Too narrow for label and description side by side: the chosen
	// item's description goes under the menu, whole, instead of every
	// one cut mid-word.
	narrow := width < labelW+2+1+46
	for i, m := range menu {
		desc := s.Muted.Render(m.desc)
		if narrow {
			desc = ""
		}
		b.WriteString(h.row(i, fmt.Sprintf("%-*s", labelW, m.label), desc, width) + "\n")
	}
	if narrow && h.cursor < len(menu) {
		b.WriteString(s.Muted.Render(indentLines(wrap(menu[h.cursor].desc, width-4), "    ")) + "\n")
	}
	b.WriteString("\n")
	titleAt := b.Len() // the title goes here, once it is known whether it holds the count
	b.WriteString("\n")
	switch {
	case !h.loaded:
		b.WriteString(s.Muted.Render("  loading…") + "\n")
	case len(h.profiles) == 0:
		b.WriteString(s.Muted.Render(indentLines(wrap("None yet: choose Set up a connection, or Try the sandbox.", width-2), "  ")) + "\n")
	}
	status := ""
	if h.status != "" {
		status = "\n" + wrap(h.status, width) + "\n"
	}
	if h.storeNote != "" {
		status += "\n" + s.Warn.Render(wrap(h.storeNote, width)) + "\n"
	}
	// Many profiles: show those around the cursor, with a count of the rest.
	first, last := 0, len(h.profiles)
	room := h.h - lineCount(b.String()) - lineCount(status)
	if room-lineCount(intro) < min(len(h.profiles), 1) {
		// Short of room (60×20 with a note, the help on two lines): the
		// tagline gives way to the saved connections and the note.
		intro = ""
	}
	room -= lineCount(intro)
	for _, p := range h.profiles {
		// A name too long to share its line takes more lines: fewer
		// rows fit (counted for every row, so the list never overflows).
		room -= lineCount(h.longNameRow(0, p, width))
	}
	title := s.Title.Render("Saved connections")
	moreLine := true
	if len(h.profiles) > 0 && len(h.profiles) > room {
		at := max(h.cursor-len(menu), 0)
		if room >= 3 {
			rows := room - 2 // a "more" line at each clipped end
			first = min(max(at-rows/2, 0), len(h.profiles)-rows)
			switch { // clipped at one end only: one more row
			case first == 0:
				rows++
			case first+rows == len(h.profiles):
				first, rows = first-1, rows+1
			}
			room = rows
		} else { // too tight for a line of its own: the title counts them
			// With the cursor in the menu, no row at all may fit.
			room, moreLine = max(room, 0), false
			if h.cursor >= len(menu) {
				room = max(room, 1)
			}
			title += s.Muted.Render(fmt.Sprintf(" (%d, ↑/↓ for more)", len(h.profiles)))
			first = min(max(at-room/2, 0), len(h.profiles)-room)
		}
		last = first + room
	}
	if first > 0 && moreLine {
		b.WriteString(s.Muted.Render(fmt.Sprintf("  ↑ %d more", first)) + "\n")
	}
	// The name column fits the longest name (up to 24), so names are
	// shown whole.
	nameW := 16
	for _, p := range h.profiles {
		nameW = max(nameW, min(ansi.StringWidth(p.name), 24))
	}
	for i := first; i < last; i++ {
		p := h.profiles[i]
		// A longer name is shown whole too: its summary keeps the parts
		// that still fit.
		label := fmt.Sprintf("%-*s", nameW, p.name)
		if long := h.longNameRow(len(menu)+i, p, width); long != "" {
			b.WriteString(long + "\n")
			continue
		}
		b.WriteString(h.row(len(menu)+i, label, h.profileSummary(p, width-2-ansi.StringWidth(label)-1), width) + "\n")
	}
	if below := len(h.profiles) - last; below > 0 && moreLine {
		b.WriteString(s.Muted.Render(fmt.Sprintf("  ↓ %d more", below)) + "\n")
	}
	out := b.String()
	return intro + out[:titleAt] + title + out[titleAt:] + status
}

// longNameRow is the row of a profile whose name leaves no room for its
// state on the same line, or "": the name wraps (after a '-' if it must)
// and the summary goes under it, so neither is cut.
func (h *home) longNameRow(i int, p profileRow, width int) string {
	if ansi.StringWidth(p.name)+1+1 <= width-2 {
		return ""
	}
	s := h.c.Styles
	cursor, style := "  ", s.Title.UnsetBold()
	if i == h.cursor {
		cursor, style = s.Cursor.Render("▸ "), s.Selected
	}
	var b strings.Builder
	for j, l := range strings.Split(wrap(p.name, width-2), "\n") {
		if j > 0 {
			cursor = "  "
		}
		b.WriteString(cursor + style.Render(l) + "\n")
	}
	b.WriteString("    " + h.profileSummary(p, width-4))
	return b.String()
}

func (h *home) row(i int, label, desc string, width int) string {
	s := h.c.Styles
	cursor, style := "  ", s.Title.UnsetBold()
	if i == h.cursor {
		cursor, style = s.Cursor.Render("▸ "), s.Selected
	}
	room := width - 2 - len([]rune(label)) - 1
	return cursor + style.Render(label) + " " + ansi.Truncate(desc, room, "…")
}

// profileSummary is the row's state, certificate and provider, as many
// whole parts as fit in room.
func (h *home) profileSummary(p profileRow, room int) string {
	s := h.c.Styles
	if p.err != nil {
		return s.Error.Render("unreadable profile")
	}
	var parts []string
	check := p.status.LastCheck
	switch {
	case p.unfinished:
		parts = append(parts, s.Warn.Render("… setup unfinished"))
	case check == nil:
		parts = append(parts, s.Muted.Render("never checked"))
	case check.OK:
		parts = append(parts, s.Pass.Render("✓ ok "+monitor.Ago(h.c.Deps.now().Sub(check.At))))
	default:
		parts = append(parts, s.Fail.Render("✗ "+string(check.Cause)))
	}
	expiry := func(label string, x *monitor.Expiry) {
		if x == nil {
			return
		}
		st, txt := s.Muted, fmt.Sprintf("%s %dd left", label, x.DaysLeft)
		switch {
		case x.DaysLeft < 0:
			st, txt = s.Fail, label+" expired"
		case time.Duration(x.DaysLeft)*24*time.Hour < monitor.DefaultWindow:
			st = s.Warn
		}
		parts = append(parts, st.Render(txt))
	}
	expiry("cert", p.status.ClientCert)
	expiry("server", p.status.ServerCert)
	if p.provider != "" {
		prov := p.provider
		if p.env != "" {
			prov += "/" + p.env
		}
		parts = append(parts, s.Muted.Render(prov))
	}
	out := parts[0]
	if ansi.StringWidth(out) > room {
		// Beside a long name: the state's sign alone (✓, ✗, …), never
		// a cut word; the diagnose screen has the rest.
		out = strings.Fields(out)[0]
	}
	for _, part := range parts[1:] {
		if ansi.StringWidth(out+"  "+part) > room {
			continue // a whole part or none; a shorter one may still fit
		}
		out += "  " + part
	}
	return out
}
