package iostreams

import (
	"errors"
	"strings"
	"testing"
)

func TestReadLineLeavesTheRest(t *testing.T) {
	r := strings.NewReader("first\r\nsecond")
	if l, err := ReadLine(r); l != "first" || err != nil {
		t.Errorf("first line %q %v", l, err)
	}
	if l, err := ReadLine(r); l != "second" || err != nil {
		t.Errorf("last line without newline %q %v", l, err)
	}
	if _, err := ReadLine(r); !errors.Is(err, ErrCancelled) {
		t.Errorf("end of input: %v", err)
	}
}

func TestConfirm(t *testing.T) {
	for in, want := range map[string]error{"y\n": nil, " YES \n": nil, "n\n": ErrCancelled, "\n": ErrCancelled, "": ErrCancelled} {
		s, stdin, _, errOut := Test()
		stdin.WriteString(in)
		if err := s.Confirm("delete it"); !errors.Is(err, want) && err != want {
			t.Errorf("%q: %v, want %v", in, err, want)
		}
		if errOut.String() != "Delete it? [y/N] " {
			t.Errorf("question %q", errOut)
		}
	}
}

func TestReadAllLimited(t *testing.T) {
	if b, err := ReadAllLimited(strings.NewReader("1234"), 4); string(b) != "1234" || err != nil {
		t.Errorf("at the limit: %q %v", b, err)
	}
	if _, err := ReadAllLimited(strings.NewReader("12345"), 4); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
}
