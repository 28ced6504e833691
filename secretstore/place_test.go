package secretstore

import (
	"errors"
	"strings"
	"testing"
)

// Each place's fix names what can be done there: Home's key on Home, the
// way back to Home on other screens, the wizard's own offer in the wizard,
// the menu entry in accessible mode; the command line keeps its flags.
func TestFixAtNamesWhatCanBeDoneThere(t *testing.T) {
	want := map[Place]string{OnHome: "Press f", OnScreen: "Home screen press f",
		InWizard: "when the wizard offers it", InMenu: "in onramp's menu"}
	for _, p := range []Problem{NoKeyring, KeyringLocked, NoPassphrase, WrongPassphrase} {
		for at, w := range want {
			fix := p.FixAt(at)
			if !strings.Contains(strings.ToLower(fix), strings.ToLower(w)) {
				t.Errorf("%s at %d: %q lacks %q", p.Headline(), at, fix, w)
			}
			if at != OnScreen && strings.Contains(fix, "Home screen") {
				t.Errorf("%s at %d sends the user to Home: %q", p.Headline(), at, fix)
			}
			if at != OnHome && at != OnScreen && strings.Contains(fix, "press f") {
				t.Errorf("%s at %d names a key that does nothing there: %q", p.Headline(), at, fix)
			}
		}
	}
	e := &Error{Problem: NoKeyring, Fix: UnavailableFix(), Err: ErrUnavailable}
	if got := FixAt(e, OnCommandLine); got != error(e) {
		t.Errorf("the command line's fix was rewritten: %v", got)
	}
	var got *Error
	if !errors.As(FixAt(e, InWizard), &got) || got.Fix != NoKeyring.FixAt(InWizard) || e.Fix != UnavailableFix() {
		t.Errorf("FixAt(InWizard) = %+v (original %q)", got, e.Fix)
	}
	if plain := errors.New("other"); FixAt(plain, InWizard) != plain {
		t.Error("an error that is no store problem was changed")
	}
}
