// Package tui is onramp's terminal UI: the home screen, the onboarding
// wizard's screens, the diagnose console, explain and credentials. It renders
// what the diagnose, wizard and keystore packages decide; it decides nothing
// itself. Only the root model returns a tea.View; screens render strings.
package tui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Styles is every style of the TUI, built in one place.
type Styles struct {
	App      lipgloss.Style
	Header   lipgloss.Style
	Crumb    lipgloss.Style
	Title    lipgloss.Style
	Why      lipgloss.Style
	Muted    lipgloss.Style
	Cursor   lipgloss.Style
	Selected lipgloss.Style
	Pass     lipgloss.Style
	Fail     lipgloss.Style
	Warn     lipgloss.Style
	Skip     lipgloss.Style
	Error    lipgloss.Style
	Code     lipgloss.Style
	Box      lipgloss.Style
	Label    lipgloss.Style

	// Help styles the help line (bubbles help).
	Help help.Styles

	// Accent is the colour huh forms are themed with.
	Accent color.Color
	IsDark bool
	Color  bool
}

// NewStyles builds the styles for a light or dark background. With colour
// off (NO_COLOR, TERM=dumb) only bold and faint remain, so nothing relies on
// colour alone: statuses also carry ✓ ✗ ! symbols.
func NewStyles(isDark, useColor bool) *Styles {
	ld := lipgloss.LightDark(isDark)
	c := func(light, dark string) color.Color {
		if !useColor {
			return lipgloss.NoColor{}
		}
		return ld(lipgloss.Color(light), lipgloss.Color(dark))
	}
	accent := c("#5A4FCF", "#A79BFF")
	green := c("#1A7F37", "#3FB950")
	red := c("#CF222E", "#F85149")
	yellow := c("#9A6700", "#D29922")
	muted := c("#57606A", "#8B949E")
	s := &Styles{Accent: accent, IsDark: isDark, Color: useColor}
	s.App = lipgloss.NewStyle().Padding(0, 1)
	s.Header = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.Crumb = lipgloss.NewStyle().Foreground(muted)
	s.Title = lipgloss.NewStyle().Bold(true)
	s.Why = lipgloss.NewStyle().Foreground(muted)
	s.Muted = lipgloss.NewStyle().Foreground(muted)
	s.Cursor = lipgloss.NewStyle().Foreground(accent).Bold(true)
	s.Selected = lipgloss.NewStyle().Foreground(accent).Bold(true)
	s.Pass = lipgloss.NewStyle().Foreground(green)
	s.Fail = lipgloss.NewStyle().Foreground(red).Bold(true)
	s.Warn = lipgloss.NewStyle().Foreground(yellow)
	s.Skip = lipgloss.NewStyle().Foreground(muted)
	s.Error = lipgloss.NewStyle().Foreground(red)
	s.Code = lipgloss.NewStyle().Foreground(accent)
	s.Label = lipgloss.NewStyle().Bold(true)
	s.Box = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(muted).Padding(0, 1)
	s.Help = help.DefaultStyles(isDark)
	if !useColor {
		s.Help = help.Styles{
			ShortKey: lipgloss.NewStyle().Bold(true), FullKey: lipgloss.NewStyle().Bold(true),
			Ellipsis: lipgloss.NewStyle(), ShortDesc: lipgloss.NewStyle(), ShortSeparator: lipgloss.NewStyle(),
			FullDesc: lipgloss.NewStyle(), FullSeparator: lipgloss.NewStyle(),
		}
	}
	return s
}

// Placeholder is an input's placeholder as shown: with colour it is faint;
// without (NO_COLOR) it is put in parentheses, so it never looks like a
// pre-filled value the user could accept with enter.
func (s *Styles) Placeholder(text string) string {
	if s.Color || text == "" {
		return text
	}
	return "(" + text + ")"
}
