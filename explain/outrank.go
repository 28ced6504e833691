package explain

import "sort"

// outrankDirect is the most hits on one line for which outranked compares
// every pair; above it (a long line that repeats a message) the spans are
// indexed, so a line's cost grows as n log n, not n².
const outrankDirect = 32

// outrankAll marks each hit that another hit outranks (outranked).
func outrankAll(rows []compiledRecogniser, hits []lineHit) {
	if len(hits) <= outrankDirect {
		for k := range hits {
			hits[k].out = outranked(rows, hits, k)
		}
		return
	}
	ix := newOutrankIndex(rows, hits)
	for k := range hits {
		hits[k].out = ix.outranked(rows, hits[k])
	}
}

// outranked says whether another hit whose span nests with hit k's says
// more. Between rows of one table, a longer span of the same weight wins.
// Between the hand-written table and the clients' tables the hand-written
// row wins (it settles what the generated tables leave open, such as the
// two meanings of a handshake_failure alert) unless it is only weak
// evidence, and except that a longer line only servers print wins over a
// wording inside it: nginx's "client SSL certificate verify error:
// (10:certificate has expired)" is about the client's certificate,
// whatever "certificate has expired" alone means.
func outranked(rows []compiledRecogniser, hits []lineHit, k int) bool {
	h, hr := hits[k], &rows[hits[k].row]
	for i, g := range hits {
		gr := &rows[g.row]
		if i == k {
			continue
		}
		inside := g.start <= h.start && g.stop >= h.stop // h inside g
		around := h.start <= g.start && h.stop >= g.stop // g inside h
		if !inside && !around {
			continue
		}
		gLonger := inside && g.stop-g.start > h.stop-h.start
		hLonger := around && h.stop-h.start > g.stop-g.start
		switch {
		case gr.fromSource == hr.fromSource:
			if gLonger && gr.Weight == hr.Weight {
				return true
			}
		case gr.fromSource: // g generated, h hand-written
			if gLonger && gr.serverSide && hr.Weight <= gr.Weight {
				return true
			}
		default: // g hand-written, h generated
			if (gr.Weight > weak || g.start == h.start && g.stop == h.stop) && !(hr.serverSide && hLonger) {
				return true
			}
		}
	}
	return false
}

// outrankIndex answers outranked for one line's hits by kind of row. Spelled
// out, another hit g outranks h when:
//   - g is of h's table and weight and its span strictly contains h's;
//   - h is hand-written, g a server's line from the clients' tables of at
//     least h's weight, and g's span strictly contains h's;
//   - h is from the clients' tables and g hand-written with the same span;
//     or g is hand-written, more than weak, and its span contains h's or
//     (unless h is a server's line) lies within it.
type outrankIndex struct {
	same       map[tableWeight]*spanSet
	serverRows map[int]*spanSet // the clients' tables' server lines, by weight
	hand       map[span]bool    // the spans of hand-written hits
	handStrong *spanSet         // hand-written hits above weak
}

type tableWeight struct {
	fromSource bool
	weight     int
}

type span struct{ start, stop int }

func newOutrankIndex(rows []compiledRecogniser, hits []lineHit) *outrankIndex {
	same := map[tableWeight][]span{}
	server := map[int][]span{}
	var strong []span
	ix := &outrankIndex{hand: map[span]bool{}}
	for _, h := range hits {
		r, s := &rows[h.row], span{h.start, h.stop}
		same[tableWeight{r.fromSource, r.Weight}] = append(same[tableWeight{r.fromSource, r.Weight}], s)
		switch {
		case r.fromSource && r.serverSide:
			server[r.Weight] = append(server[r.Weight], s)
		case !r.fromSource:
			ix.hand[s] = true
			if r.Weight > weak {
				strong = append(strong, s)
			}
		}
	}
	ix.same = map[tableWeight]*spanSet{}
	for k, v := range same {
		ix.same[k] = newSpanSet(v)
	}
	ix.serverRows = map[int]*spanSet{}
	for k, v := range server {
		ix.serverRows[k] = newSpanSet(v)
	}
	ix.handStrong = newSpanSet(strong)
	return ix
}

func (ix *outrankIndex) outranked(rows []compiledRecogniser, h lineHit) bool {
	r, a, b := &rows[h.row], h.start, h.stop
	if s := ix.same[tableWeight{r.fromSource, r.Weight}]; s.strictlyContains(a, b) {
		return true
	}
	if !r.fromSource {
		for w, s := range ix.serverRows {
			if w >= r.Weight && s.strictlyContains(a, b) {
				return true
			}
		}
		return false
	}
	if ix.hand[span{a, b}] || ix.handStrong.contains(a, b) {
		return true
	}
	return !r.serverSide && ix.handStrong.within(a, b)
}

// spanSet answers containment questions about a set of spans: sorted by
// start, with the largest stop up to each and the smallest from each on.
type spanSet struct {
	byStart []span
	maxStop []int // of byStart[:i+1]
	minStop []int // of byStart[i:]
}

func newSpanSet(spans []span) *spanSet {
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	s := &spanSet{byStart: spans, maxStop: make([]int, len(spans)), minStop: make([]int, len(spans))}
	for i, sp := range spans {
		s.maxStop[i] = sp.stop
		if i > 0 {
			s.maxStop[i] = max(sp.stop, s.maxStop[i-1])
		}
	}
	for i := len(spans) - 1; i >= 0; i-- {
		s.minStop[i] = spans[i].stop
		if i < len(spans)-1 {
			s.minStop[i] = min(spans[i].stop, s.minStop[i+1])
		}
	}
	return s
}

// contains says whether a span of the set contains [a, b).
func (s *spanSet) contains(a, b int) bool {
	if s == nil {
		return false
	}
	i := sort.Search(len(s.byStart), func(i int) bool { return s.byStart[i].start > a })
	return i > 0 && s.maxStop[i-1] >= b
}

// strictlyContains says whether a span of the set other than [a, b) itself
// contains it.
func (s *spanSet) strictlyContains(a, b int) bool { return s.contains(a-1, b) || s.contains(a, b+1) }

// within says whether a span of the set lies within [a, b).
func (s *spanSet) within(a, b int) bool {
	if s == nil {
		return false
	}
	i := sort.Search(len(s.byStart), func(i int) bool { return s.byStart[i].start >= a })
	return i < len(s.byStart) && s.minStop[i] <= b
}
