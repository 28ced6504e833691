package cause

import (
	"bytes"
	"strings"
	"testing"
)

func TestShowOneWording(t *testing.T) {
	c := &Cause{ID: "some-id", Title: "Something failed", Meaning: "What it means.", Fix: "Do this."}
	var b bytes.Buffer
	Fprint(&b, c, Show{Label: "Cause"})
	if want := "Cause: Something failed (some-id)\n  What it means.\n  Fix: Do this.\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	// The detail of this occurrence stands in for the meaning; an indent and
	// a styled head nest it in a list.
	got := Show{Detail: "it broke here", Indent: "  ", Head: func(s string) string { return "✗ " + s }}.Text(c)
	if want := "  ✗ Something failed (some-id)\n    it broke here\n    Fix: Do this.\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	long := Show{}.Text(&Cause{ID: "x", Title: "T", Fix: strings.Repeat("word ", 40)})
	for _, l := range strings.Split(strings.TrimSuffix(long, "\n"), "\n") {
		if len(l) > 78 {
			t.Errorf("line longer than 78 columns: %q", l)
		}
	}
}

type fixHere struct{ fix string }

func (fixHere) Error() string      { return "keyring get p/api-key: missing" }
func (fixHere) CauseID() ID        { return KeyringSecretMissing }
func (e fixHere) CauseFix() string { return e.fix }

func TestOfGivesTheFixForThisMachine(t *testing.T) {
	c, ok := Of(fixHere{fix: "Store it: onramp secret set api-key --profile p"})
	if !ok || c.Fix != "Store it: onramp secret set api-key --profile p" || c.Title != Get(KeyringSecretMissing).Title {
		t.Errorf("got %+v", c)
	}
	if c, _ := Of(fixHere{}); c.Fix != Get(KeyringSecretMissing).Fix {
		t.Errorf("no fix of its own: %q", c.Fix)
	}
	if Get(KeyringSecretMissing).Fix == "Store it: onramp secret set api-key --profile p" {
		t.Error("the catalog entry was changed")
	}
}
