package explain

import "bytes"

// patternSet finds every recogniser pattern in a byte stream in one pass: an
// Aho-Corasick automaton compiled to a DFA over byte classes, with ASCII
// case folded into the classes, so the input is never lower-cased or copied.
// States with outputs are numbered last, so the hot loop's only test per
// byte is one comparison.
type patternSet struct {
	class  [256]uint16
	nclass uint32
	// next holds, for state s (stored pre-multiplied as s*nclass), the next
	// state for each byte class, also pre-multiplied.
	next        []uint32
	firstAccept uint32 // pre-multiplied: states >= firstAccept have outputs
	// out lists the pattern indices ending at accepting state s, indexed by
	// s/nclass - firstAccept/nclass.
	out [][]int32
}

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

func newPatternSet(patterns []string) *patternSet {
	ps := &patternSet{}
	// Byte classes: one per distinct (folded) byte used by a pattern; every
	// other byte is class 0.
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			b := lowerASCII(p[i])
			if ps.class[b] == 0 {
				ps.nclass++
				ps.class[b] = uint16(ps.nclass)
			}
		}
	}
	ps.nclass++
	for b := 'A'; b <= 'Z'; b++ {
		ps.class[b] = ps.class[b+'a'-'A']
	}
	nc := ps.nclass

	// The trie, then failure links breadth first.
	type node struct {
		child map[uint16]int
		fail  int
		out   []int32
	}
	nodes := []node{{child: map[uint16]int{}}}
	for pi, p := range patterns {
		s := 0
		for i := 0; i < len(p); i++ {
			c := ps.class[p[i]]
			t, ok := nodes[s].child[c]
			if !ok {
				t = len(nodes)
				nodes = append(nodes, node{child: map[uint16]int{}})
				nodes[s].child[c] = t
			}
			s = t
		}
		nodes[s].out = append(nodes[s].out, int32(pi))
	}
	delta := make([]int, len(nodes)*int(nc))
	order := make([]int, 0, len(nodes))
	queue := []int{0}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		order = append(order, s)
		for c := uint32(0); c < nc; c++ {
			t, ok := nodes[s].child[uint16(c)]
			switch {
			case ok:
				if s == 0 {
					nodes[t].fail = 0
				} else {
					nodes[t].fail = delta[nodes[s].fail*int(nc)+int(c)]
				}
				nodes[t].out = append(nodes[t].out, nodes[nodes[t].fail].out...)
				delta[s*int(nc)+int(c)] = t
				queue = append(queue, t)
			case s == 0:
				delta[int(c)] = 0
			default:
				delta[s*int(nc)+int(c)] = delta[nodes[s].fail*int(nc)+int(c)]
			}
		}
	}

	// Renumber: states without outputs first (the root stays 0).
	id := make([]uint32, len(nodes))
	var n uint32
	for _, s := range order {
		if len(nodes[s].out) == 0 {
			id[s] = n
			n++
		}
	}
	ps.firstAccept = n * nc
	for _, s := range order {
		if len(nodes[s].out) > 0 {
			id[s] = n
			ps.out = append(ps.out, nodes[s].out)
			n++
		}
	}
	ps.next = make([]uint32, len(nodes)*int(nc))
	for s := range nodes {
		for c := 0; c < int(nc); c++ {
			ps.next[id[s]*nc+uint32(c)] = id[delta[s*int(nc)+c]] * nc
		}
	}
	return ps
}

// scanHits appends to hits the offsets in data at which pattern occurrences
// end, in increasing order. No pattern spans a newline, so data is cut at
// newlines into four parts scanned in one loop: four independent chains of
// table look-ups keep the CPU busy where one chain would wait on each load.
func (ps *patternSet) scanHits(data []byte, hits []int) []int {
	const streams = 4
	if len(data) < 4096 {
		return ps.scanFrom(data, 0, 0, hits)
	}
	var cut [streams + 1]int
	cut[streams] = len(data)
	for k := 1; k < streams; k++ {
		at := len(data) * k / streams
		if at < cut[k-1] {
			at = cut[k-1]
		}
		nl := bytes.IndexByte(data[at:], '\n')
		if nl < 0 {
			cut[k] = len(data)
		} else {
			cut[k] = at + nl + 1
		}
	}
	d0, d1, d2, d3 := data[cut[0]:cut[1]], data[cut[1]:cut[2]], data[cut[2]:cut[3]], data[cut[3]:cut[4]]
	n := min(len(d0), len(d1), len(d2), len(d3))
	d0, d1, d2, d3 = d0[:n], d1[:n], d2[:n], d3[:n]
	var h [streams][]int
	next, class, accept := ps.next, &ps.class, ps.firstAccept
	var s0, s1, s2, s3 uint32
	for i := 0; i < n; i++ {
		s0 = next[s0+uint32(class[d0[i]])]
		s1 = next[s1+uint32(class[d1[i]])]
		s2 = next[s2+uint32(class[d2[i]])]
		s3 = next[s3+uint32(class[d3[i]])]
		if s0 >= accept || s1 >= accept || s2 >= accept || s3 >= accept {
			for k, s := range [streams]uint32{s0, s1, s2, s3} {
				if s >= accept {
					h[k] = append(h[k], cut[k]+i)
				}
			}
		}
	}
	for k, s := range [streams]uint32{s0, s1, s2, s3} {
		hits = append(hits, h[k]...)
		hits = ps.scanFrom(data[:cut[k+1]], cut[k]+n, s, hits)
	}
	return hits
}

// scanFrom continues a scan of data at offset from in state s.
func (ps *patternSet) scanFrom(data []byte, from int, s uint32, hits []int) []int {
	next, class, accept := ps.next, &ps.class, ps.firstAccept
	for i := from; i < len(data); i++ {
		s = next[s+uint32(class[data[i]])]
		if s >= accept {
			hits = append(hits, i)
		}
	}
	return hits
}

// each calls fn for every pattern occurrence in data with the pattern index
// and the index of the byte where it ends.
func (ps *patternSet) each(data []byte, fn func(pattern int32, end int)) {
	var s uint32
	for i, b := range data {
		s = ps.next[s+uint32(ps.class[b])]
		if s >= ps.firstAccept {
			for _, p := range ps.out[(s-ps.firstAccept)/ps.nclass] {
				fn(p, i)
			}
		}
	}
}
