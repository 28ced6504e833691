package diagnose

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

// firstHit returns the index of the byte at which the first pattern occurrence
// in data ends, or -1. The scan starts in the root state.
func (ps *patternSet) firstHit(data []byte) int {
	next, class, accept := ps.next, &ps.class, ps.firstAccept
	var s uint32
	for i, b := range data {
		s = next[s+uint32(class[b])]
		if s >= accept {
			return i
		}
	}
	return -1
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
