package egress

import (
	"strings"
	"testing"
)

func TestInterleave(t *testing.T) {
	got := strings.Join(Interleave([]string{"10.0.0.1", "10.0.0.2", "2001:db8::1", "10.0.0.3", "2001:db8::2"}), " ")
	if want := "2001:db8::1 10.0.0.1 2001:db8::2 10.0.0.2 10.0.0.3"; got != want {
		t.Errorf("interleave = %s, want %s", got, want)
	}
}
