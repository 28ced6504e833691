package tui

import (
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
)

// formTheme is the huh theme of the styles: Charm's colours, or the base
// theme with colour off.
func formTheme(s *Styles) huh.Theme {
	return huh.ThemeFunc(func(bool) *huh.Styles {
		if !s.Color {
			return huh.ThemeBase(s.IsDark)
		}
		return huh.ThemeCharm(s.IsDark)
	})
}

// newForm is a huh form for a screen w wide (40 to 76 columns) and h
// high, without huh's own help line. It is sized at once: without a size
// huh sizes a field's viewport from its first render, which can hide the
// input line under a wrapped description.
func newForm(s *Styles, w, h int, groups ...*huh.Group) *huh.Form {
	width := min(max(w, 40), 76)
	f := huh.NewForm(groups...).WithShowHelp(false).WithTheme(formTheme(s)).WithWidth(width)
	f.Update(tea.WindowSizeMsg{Width: width, Height: max(h, 6)})
	return f
}

// updateForm passes msg to the form and says whether it is now complete.
func updateForm(f *huh.Form, msg tea.Msg) (*huh.Form, tea.Cmd, bool) {
	m, cmd := f.Update(msg)
	if nf, ok := m.(*huh.Form); ok {
		f = nf
	}
	return f, cmd, f.State == huh.StateCompleted
}
