package explain

import (
	"bytes"
	"fmt"
)

// patternSet finds every recogniser pattern in a byte stream in one pass: an
// Aho-Corasick automaton compiled to a DFA over byte classes, with ASCII
// case folded into the classes, so the input is never lower-cased or copied.
// States with outputs are numbered last, so the hot loop's only test per
// byte is one comparison. The table is stored class by class in 16-bit
// state numbers: the states ordinary text keeps visiting (those near the
// root, numbered first) then share a few cache lines per byte class, which
// keeps the scan fast as the tables grow into thousands of rows.
type patternSet struct {
	class  [256]uint8
	nclass uint32
	nodes  uint32
	// off is, for each byte, where its class's column starts in next.
	off [256]uint32
	// next[off[b]+s] is the state after state s reads byte b. Read only:
	// it may be the embedded table file itself.
	next        []uint16
	firstAccept uint32 // states >= firstAccept have outputs
	// The pattern indices ending at accepting state s are
	// out[outStart[s-firstAccept]:outStart[s-firstAccept+1]].
	outStart []uint32
	out      []int32
}

// maxStates is what 16-bit state numbers can hold.
const maxStates = 1 << 16

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// newPatternSet compiles the automaton (go generate: table.go); at run time
// it is read from the table file.
func newPatternSet(patterns []string) *patternSet {
	ps := &patternSet{}
	// Byte classes: one per distinct (folded) byte used by a pattern; every
	// other byte is class 0. There are fewer than 256: no pattern has
	// upper-case letters.
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			b := lowerASCII(p[i])
			if ps.class[b] == 0 {
				ps.nclass++
				ps.class[b] = uint8(ps.nclass)
			}
		}
	}
	ps.nclass++
	for b := 'A'; b <= 'Z'; b++ {
		ps.class[b] = ps.class[b+'a'-'A']
	}
	nc := ps.nclass

	// The trie (children in one map, keyed by node and class), then as a
	// flat goto table (none: no child); failure links breadth first turn the
	// table into the DFA in place.
	size := 0
	for _, p := range patterns {
		size += len(p)
	}
	child := make(map[uint64]int32, size/2)
	outs := [][]int32{nil}
	for pi, p := range patterns {
		s := int32(0)
		for i := 0; i < len(p); i++ {
			k := uint64(s)<<16 | uint64(ps.class[p[i]])
			t, ok := child[k]
			if !ok {
				t = int32(len(outs))
				outs = append(outs, nil)
				child[k] = t
			}
			s = t
		}
		outs[s] = append(outs[s], int32(pi))
	}
	const none = ^uint32(0)
	delta := make([]uint32, len(outs)*int(nc))
	for i := range delta {
		delta[i] = none
	}
	for k, t := range child {
		delta[uint32(k>>16)*nc+uint32(k&0xffff)] = uint32(t)
	}
	child = nil
	nodes := len(outs)
	fail := make([]uint32, nodes)
	order := make([]uint32, 0, nodes)
	order = append(order, 0)
	for c := uint32(0); c < nc; c++ {
		if t := delta[c]; t != none {
			fail[t] = 0
			order = append(order, t)
		} else {
			delta[c] = 0
		}
	}
	for q := 1; q < len(order); q++ {
		s := order[q]
		f := fail[s]
		if len(outs[f]) > 0 {
			outs[s] = append(outs[s], outs[f]...)
		}
		for c := uint32(0); c < nc; c++ {
			i := s*nc + c
			if t := delta[i]; t != none {
				fail[t] = delta[f*nc+c]
				order = append(order, t)
			} else {
				delta[i] = delta[f*nc+c]
			}
		}
	}

	// Renumber: states without outputs first (the root stays 0).
	id := make([]uint32, nodes)
	var n uint32
	for _, s := range order {
		if len(outs[s]) == 0 {
			id[s] = n
			n++
		}
	}
	ps.firstAccept = n
	for _, s := range order {
		if len(outs[s]) > 0 {
			id[s] = n
			ps.outStart = append(ps.outStart, uint32(len(ps.out)))
			ps.out = append(ps.out, outs[s]...)
			n++
		}
	}
	ps.outStart = append(ps.outStart, uint32(len(ps.out)))
	if nodes > maxStates {
		panic(fmt.Sprintf("explain: %d patterns make %d automaton states, more than %d", len(patterns), nodes, maxStates))
	}
	// Class by class, in the new order: the writes are sequential and the
	// reads a constant stride, which the CPU prefetches.
	inv := make([]uint32, nodes)
	for s, i := range id {
		inv[i] = uint32(s)
	}
	ps.nodes = uint32(nodes)
	ps.next = make([]uint16, nodes*int(nc))
	for c := range nc {
		col := ps.next[c*uint32(nodes) : (c+1)*uint32(nodes)]
		for j := range col {
			col[j] = uint16(id[delta[inv[j]*nc+c]])
		}
	}
	ps.setOffsets()
	return ps
}

// setOffsets fills off from class.
func (ps *patternSet) setOffsets() {
	for b := range ps.off {
		ps.off[b] = uint32(ps.class[b]) * ps.nodes
	}
}

// A scanHit is where in a block a pattern ends and the automaton's state
// there, which says which patterns end there: position<<16 | state.
type scanHit uint64

func newScanHit(pos int, state uint32) scanHit { return scanHit(pos)<<16 | scanHit(state) }
func (h scanHit) pos() int                     { return int(h >> 16) }

// outputs appends the patterns that end at h to found, with their ends
// counted from the line that starts at lineStart; in the order matches
// finds them.
func (ps *patternSet) outputs(h scanHit, lineStart int, found []patternMatch) []patternMatch {
	k := uint32(h&0xffff) - ps.firstAccept
	for _, p := range ps.out[ps.outStart[k]:ps.outStart[k+1]] {
		found = append(found, patternMatch{p, h.pos() - lineStart})
	}
	return found
}

// scanHits appends to hits where in data pattern occurrences end, in
// increasing order.
func (ps *patternSet) scanHits(data []byte, hits []scanHit) []scanHit {
	sc := scanner{ps: ps}
	return sc.hits(data, hits)
}

// scanner is scanHits with buffers kept from one block to the next.
type scanner struct {
	ps      *patternSet
	streams [4][]scanHit // each stream's hits
}

// hits is scanHits. No pattern spans a newline, so data is cut at newlines
// into four parts scanned in one loop: four independent chains of table
// look-ups keep the CPU busy where one chain would wait on each load.
func (sc *scanner) hits(data []byte, hits []scanHit) []scanHit {
	const streams = len(sc.streams)
	ps := sc.ps
	if len(data) < 4096 {
		return ps.scanFrom(data, 0, 0, hits)
	}
	var cut [streams + 1]int
	cut[streams] = len(data)
	for k := 1; k < streams; k++ {
		cut[k] = cutAtLine(data, max(len(data)*k/streams, cut[k-1]))
	}
	d0, d1, d2, d3 := data[cut[0]:cut[1]], data[cut[1]:cut[2]], data[cut[2]:cut[3]], data[cut[3]:cut[4]]
	n := min(len(d0), len(d1), len(d2), len(d3))
	d0, d1, d2, d3 = d0[:n], d1[:n], d2[:n], d3[:n]
	h := &sc.streams
	for k := range h {
		h[k] = h[k][:0]
	}
	next, off, accept := ps.next, &ps.off, ps.firstAccept
	var s0, s1, s2, s3 uint32
	for i := 0; i < n; i++ {
		s0 = uint32(next[off[d0[i]]+s0])
		s1 = uint32(next[off[d1[i]]+s1])
		s2 = uint32(next[off[d2[i]]+s2])
		s3 = uint32(next[off[d3[i]]+s3])
		if s0 >= accept || s1 >= accept || s2 >= accept || s3 >= accept {
			for k, s := range [streams]uint32{s0, s1, s2, s3} {
				if s >= accept {
					h[k] = append(h[k], newScanHit(cut[k]+i, s))
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

// cutAtLine is the start of the first line that begins at or after at, or
// len(data).
func cutAtLine(data []byte, at int) int {
	nl := bytes.IndexByte(data[at:], '\n')
	if nl < 0 {
		return len(data)
	}
	return at + nl + 1
}

// scanFrom continues a scan of data at offset from in state s.
func (ps *patternSet) scanFrom(data []byte, from int, s uint32, hits []scanHit) []scanHit {
	next, off, accept := ps.next, &ps.off, ps.firstAccept
	for i := from; i < len(data); i++ {
		s = uint32(next[off[data[i]]+s])
		if s >= accept {
			hits = append(hits, newScanHit(i, s))
		}
	}
	return hits
}

// patternMatch is a pattern found in a line and the index of the byte where
// it ends.
type patternMatch struct {
	pattern int32
	end     int
}

// matches appends every pattern occurrence in data to found, in order of
// their ends and, where several end at one byte, longest first.
func (ps *patternSet) matches(data []byte, found []patternMatch) []patternMatch {
	for _, h := range ps.scanFrom(data, 0, 0, nil) {
		found = ps.outputs(h, 0, found)
	}
	return found
}
