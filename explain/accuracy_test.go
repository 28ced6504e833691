package explain

import (
	"flag"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/explain/corpus"
)

var showHeldOut = flag.Bool("heldout-misses", false, "also list the misses of the held-out clients (never write a recogniser from them)")

// Accuracy floors: top-1 on the tuned and on the held-out part of the
// corpus may not fall
// below issue 16's goal of 97% on both. Every sample counts; an opaque one
// is right only when explain marks it ambiguous with its cause among the
// candidates.
const (
	tunedFloor   = 0.97
	heldOutFloor = 0.97
)

// tally counts one client's (or one part's) samples. top1 and top3 are
// over the samples whose text can tell the cause; opaque samples are
// counted apart: opaqueRight when explain marks the answer ambiguous
// (Candidates) and the true cause is among the candidates it shows, strict
// when its first answer is the true cause (explain/sources/README.md,
// "Scoring").
type tally struct{ n, top1, top3, opaque, opaqueRight, opaqueStrict int }

// rank is where the first cause the sample accepts is in m (0-based), or -1.
func rank(s corpus.Sample, m []Match) int {
	for i, x := range m {
		if s.Accepts(string(x.Cause.ID)) {
			return i
		}
	}
	return -1
}

func (t *tally) add(s corpus.Sample, m []Match) (right bool) {
	r := rank(s, m)
	if s.Opaque {
		t.opaque++
		if r == 0 {
			t.opaqueStrict++
		}
		if rank(s, Candidates(m)) >= 0 {
			t.opaqueRight++
			return true
		}
		return false
	}
	t.n++
	if r == 0 {
		t.top1++
	}
	if r >= 0 && r < 3 {
		t.top3++
	}
	return r == 0
}

func pct(a, b int) float64 { return 100 * float64(a) / float64(max(b, 1)) }

func partName(held bool) string {
	if held {
		return "held-out"
	}
	return "tuned"
}

// TestExplainAccuracy explains every sample of the corpus real clients
// printed (explain/corpus) and reports top-1 and top-3 accuracy per client,
// for the tuned and the held-out part separately (go test -v shows the
// table; make bench prints it). A sample is held out when its client or its
// scenario is (corpus.HeldOut, corpus.HeldOutScenarios).
func TestExplainAccuracy(t *testing.T) {
	samples, err := corpus.Load("testdata/corpus")
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) < 200 {
		t.Fatalf("corpus has %d samples; regenerate it: go test ./explain/corpus -update", len(samples))
	}
	type group struct {
		client string
		held   bool
	}
	byGroup := map[group]*tally{}
	parts := map[bool]*tally{false: {}, true: {}}
	var misses []string
	for _, s := range samples {
		m := Text(s.Text)
		g := group{s.Client, s.HeldOut()}
		if byGroup[g] == nil {
			byGroup[g] = &tally{}
		}
		parts[g.held].add(s, m)
		if !byGroup[g].add(s, m) && (!g.held || *showHeldOut) {
			misses = append(misses, fmt.Sprintf("%s/%s: want %s (also %v, opaque %v), got %v", s.Scenario, s.Client, s.Cause, s.Also, s.Opaque, matchIDs(m)))
		}
	}
	groups := make([]group, 0, len(byGroup))
	for g := range byGroup {
		groups = append(groups, g)
	}
	sort.Slice(groups, func(i, j int) bool {
		a, b := groups[i], groups[j]
		if a.held != b.held {
			return !a.held
		}
		return a.client < b.client
	})
	var b strings.Builder
	fmt.Fprintf(&b, "%-16s %-8s %7s %7s %7s %7s %9s %7s %7s\n", "client", "part", "samples", "top-1", "strict", "top-3", "opaque", "op.right", "op.top1")
	row := func(name, part string, x *tally) {
		op, ot := "-", "-"
		if x.opaque > 0 {
			op, ot = fmt.Sprintf("%d/%d", x.opaqueRight, x.opaque), fmt.Sprintf("%d/%d", x.opaqueStrict, x.opaque)
		}
		all := x.n + x.opaque
		fmt.Fprintf(&b, "%-16s %-8s %7d %6.1f%% %6.1f%% %6.1f%% %7d %9s %7s\n", name, part, all,
			pct(x.top1+x.opaqueRight, all), pct(x.top1+x.opaqueStrict, all), pct(x.top3, x.n), x.opaque, op, ot)
	}
	for _, g := range groups {
		row(g.client, partName(g.held), byGroup[g])
	}
	for _, held := range []bool{false, true} {
		row("all", strings.ToUpper(partName(held)), parts[held])
	}
	for _, held := range []bool{false, true} {
		x := parts[held]
		fmt.Fprintf(&b, "%s: top-1 %.1f%% of %d (opaque right only when marked ambiguous with the cause among the candidates); strict top-1 %.1f%%; decidable samples alone %.1f%% of %d\n",
			partName(held), pct(x.top1+x.opaqueRight, x.n+x.opaque), x.n+x.opaque, pct(x.top1+x.opaqueStrict, x.n+x.opaque), pct(x.top1, x.n), x.n)
	}
	t.Logf("\nexplain accuracy on the client corpus (held out: clients %s; scenarios %s)\n"+
		"samples: all of them; top-1: the first answer is the cause, or, for an opaque sample (the text cannot tell: a bare\n"+
		"HTTP 400/401 through a client that hides the body), explain says it is ambiguous and lists the cause among its\n"+
		"candidates (op.right); strict: the first answer is the cause, opaque samples included (op.top1); top-3: decidable samples only\n%s",
		strings.Join(corpus.HeldOut, ", "), strings.Join(corpus.HeldOutScenarios, ", "), b.String())
	slices.Sort(misses)
	for _, m := range misses {
		t.Logf("miss: %s", m)
	}
	score := func(x *tally) float64 { return pct(x.top1+x.opaqueRight, x.n+x.opaque) }
	if got := score(parts[false]); got < 100*tunedFloor {
		t.Errorf("top-1 on the tuned part %.1f%%, floor %.0f%%", got, 100*tunedFloor)
	}
	if got := score(parts[true]); got < 100*heldOutFloor {
		t.Errorf("top-1 on the held-out part %.1f%%, floor %.0f%%", got, 100*heldOutFloor)
	}
}
