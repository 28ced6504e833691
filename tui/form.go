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

// formWidth is the width of a form on a screen w wide: 40 to 76 columns.
func formWidth(w int) int { return min(max(w, 40), 76) }

// baseForm is a huh form in the styles' theme for a screen w wide,
// without huh's own help line; huh sizes it from its first render.
func baseForm(s *Styles, w int, groups ...*huh.Group) *huh.Form {
	return huh.NewForm(groups...).WithShowHelp(false).WithTheme(formTheme(s)).WithWidth(formWidth(w))
}

// newForm is baseForm for a screen w wide and h high, sized at once:
// without a size huh sizes a field's viewport from its first render,
// which can hide the input line under a wrapped description.
func newForm(s *Styles, w, h int, groups ...*huh.Group) *huh.Form {
	f := baseForm(s, w, groups...)
	f.Update(tea.WindowSizeMsg{Width: formWidth(w), Height: max(h, 6)})
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
