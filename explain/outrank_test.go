package explain

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// The indexed answer is the pairwise one, for random lines of hits of every
// kind of row, spans nesting, overlapping and equal.
func TestOutrankIndexMatchesPairs(t *testing.T) {
	var rows []compiledRecogniser
	for _, src := range []bool{false, true} {
		for _, server := range []bool{false, true} {
			for w := weak; w <= exact; w++ {
				rows = append(rows, compiledRecogniser{Recogniser: Recogniser{Weight: w, fromSource: src, serverSide: server}})
			}
		}
	}
	rng := rand.New(rand.NewPCG(16, 3))
	for trial := range 3000 {
		hits := make([]lineHit, 1+rng.IntN(120))
		width := 1 + rng.IntN(60)
		for i := range hits {
			a := rng.IntN(width)
			hits[i] = lineHit{row: int32(rng.IntN(len(rows))), start: a, stop: a + 1 + rng.IntN(width)}
		}
		ix := newOutrankIndex(rows, hits)
		for k, h := range hits {
			if got, want := ix.outranked(rows, h), outranked(rows, hits, k); got != want {
				t.Fatalf("trial %d, hit %d (%+v, row %+v): indexed %v, pairwise %v", trial, k, h, rows[h.row].Recogniser, got, want)
			}
		}
	}
}

// BenchmarkExplainLongLine is a long line that repeats one message
// thousands of times: its cost grows with its length, not with its hits
// squared (each 256 KB piece took seconds when every pair of hits was
// compared).
func BenchmarkExplainLongLine(b *testing.B) {
	line := strings.Repeat("tls: failed to verify certificate: x509: certificate signed by unknown authority; ", 3000)
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if m := Text(line); len(m) == 0 {
			b.Fatal("not recognised")
		}
	}
}
