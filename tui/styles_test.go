package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// Light and dark backgrounds get different colours; with colour off there
// are none at all, and the status symbols carry the meaning.
func TestStylesLightDarkAndNoColor(t *testing.T) {
	dark, light := NewStyles(true, true), NewStyles(false, true)
	if dark.Pass.GetForeground() == light.Pass.GetForeground() || dark.Accent == light.Accent {
		t.Error("light and dark backgrounds share colours")
	}
	plainStyles := NewStyles(true, false)
	for name, st := range map[string]lipgloss.Style{"pass": plainStyles.Pass, "fail": plainStyles.Fail, "muted": plainStyles.Muted} {
		if _, ok := st.GetForeground().(lipgloss.NoColor); !ok {
			t.Errorf("%s has a colour with colour off: %v", name, st.GetForeground())
		}
	}
}

// The background colour query switches the palette; NO_COLOR (Color false)
// leaves no colour codes in the frame at all.
func TestBackgroundQuerySwitchesPalette(t *testing.T) {
	configDir(t)
	view := func(color bool, bg string) string {
		a := NewApp(t.Context(), &Deps{}, Options{Color: color})
		a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		a.Update(tea.BackgroundColorMsg{Color: lipgloss.Color(bg)})
		return a.View().Content
	}
	dark, light := view(true, "#101010"), view(true, "#fafafa")
	if dark == light {
		t.Error("light and dark backgrounds render the same")
	}
	if !strings.Contains(dark, "38;2;") {
		t.Error("no colour with colour on")
	}
	if plainView := view(false, "#fafafa"); strings.Contains(plainView, "38;") || strings.Contains(plainView, "48;") {
		i := strings.Index(plainView, "38;")
		if i < 0 {
			i = strings.Index(plainView, "48;")
		}
		t.Errorf("colour codes with colour off: %q", plainView[max(i-40, 0):i+20])
	}
}

// Under NO_COLOR a placeholder cannot be faint, so it is marked: it must
// not look like a pre-filled value.
func TestPlaceholderWithoutColour(t *testing.T) {
	if got := NewStyles(true, false).Placeholder("https://x"); got != "(https://x)" {
		t.Errorf("no colour: %q", got)
	}
	if got := NewStyles(true, true).Placeholder("https://x"); got != "https://x" {
		t.Errorf("colour: %q", got)
	}
}
