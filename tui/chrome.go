package tui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// headerView is "onramp › Title", wrapped between words when the title
// (a long profile name or URL) is wider than the screen: never cut.
func (a *App) headerView(width int) string {
	s := a.c.Styles
	lines := strings.Split(wrap("onramp › "+a.screen.Title(), width), "\n")
	for i, l := range lines {
		if i == 0 {
			lines[i] = s.Header.Render("onramp") + s.Crumb.Render(strings.TrimPrefix(l, "onramp"))
		} else {
			lines[i] = s.Crumb.Render(l)
		}
	}
	return strings.Join(lines, "\n")
}

// fullHelpView lays out the full help (?) as bubbles help does, a column
// of keys and descriptions per group side by side; when the columns do not
// fit the width, the groups stand in one column instead, each description
// wrapped between words beside its key.
func fullHelpView(st help.Styles, separator string, groups [][]key.Binding, width int) string {
	type entry struct{ key, desc string }
	var cols [][]entry
	for _, g := range groups {
		var col []entry
		for _, b := range g {
			if b.Enabled() {
				col = append(col, entry{b.Help().Key, b.Help().Desc})
			}
		}
		if len(col) > 0 {
			cols = append(cols, col)
		}
	}
	sep := st.FullSeparator.Inline(true).Render(separator)
	var side []string
	for i, col := range cols {
		var keys, descs []string
		for _, e := range col {
			keys, descs = append(keys, e.key), append(descs, e.desc)
		}
		if i > 0 {
			side = append(side, sep)
		}
		side = append(side, st.FullKey.Render(strings.Join(keys, "\n")), " ", st.FullDesc.Render(strings.Join(descs, "\n")))
	}
	if out := lipgloss.JoinHorizontal(lipgloss.Top, side...); lipgloss.Width(out) <= width {
		return out
	}
	keyWidth := 0
	for _, col := range cols {
		for _, e := range col {
			keyWidth = max(keyWidth, ansi.StringWidth(e.key))
		}
	}
	var lines []string
	for _, col := range cols {
		for _, e := range col {
			pad := strings.Repeat(" ", keyWidth-ansi.StringWidth(e.key)+1)
			for j, d := range strings.Split(wrap(e.desc, width-keyWidth-1), "\n") {
				if j == 0 {
					lines = append(lines, st.FullKey.Render(e.key)+pad+st.FullDesc.Render(d))
				} else {
					lines = append(lines, strings.Repeat(" ", keyWidth+1)+st.FullDesc.Render(d))
				}
			}
		}
	}
	return strings.Join(lines, "\n")
}
