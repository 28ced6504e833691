package corpus

import (
	"strings"
	"testing"
)

// The regeneration test fails when a scenario's expected cause changes, a
// sample appears or one the run could make is gone; a sample of a client
// not installed here is no drift.
func TestDrift(t *testing.T) {
	committed := []Sample{
		{Client: "curl", Scenario: "a", Cause: "tcp-reset"},
		{Client: "curl", Scenario: "b", Cause: "tcp-refused"},
		{Client: "java", Scenario: "a", Cause: "tcp-reset"},
	}
	fresh := []Sample{
		{Client: "curl", Scenario: "a", Cause: "tcp-timeout"},
		{Client: "curl", Scenario: "c", Cause: "tcp-refused"},
	}
	ran := map[string]bool{"a/curl": true, "b/curl": true, "c/curl": true}
	got := strings.Join(drift(committed, fresh, ran), "\n")
	for _, want := range []string{"a/curl: expected cause tcp-timeout", "c/curl: new sample", "b/curl: committed sample this run did not make"} {
		if !strings.Contains(got, want) {
			t.Errorf("drift lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "java") {
		t.Errorf("a client that did not run drifted:\n%s", got)
	}
	if d := drift(committed[:2], committed[:2], ran); len(d) != 0 {
		t.Errorf("no change, yet drift %v", d)
	}
}
