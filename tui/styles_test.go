package tui

import (
	"testing"

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
