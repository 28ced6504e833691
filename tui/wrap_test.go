package tui

import (
	"strings"
	"testing"
)

func TestWrapBreaksOnlyAtSpaces(t *testing.T) {
	got := wrap(`use letters, digits, '.', '_' or '-' (at most 64)`, 40)
	want := "use letters, digits, '.', '_' or '-' (at\nmost 64)"
	if got != want {
		t.Errorf("got %q want %q", got, want)
	}
	long := strings.Repeat("x", 25)
	if got := wrap("a "+long, 10); got != "a\nxxxxxxxxxx\nxxxxxxxxxx\nxxxxx" {
		t.Errorf("long word: %q", got)
	}
	if got := wrap("one\n\ntwo", 20); got != "one\n\ntwo" {
		t.Errorf("paragraphs: %q", got)
	}
}
