package explain

import (
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"unsafe"

	_ "embed"

	"github.com/onramp-cli/onramp/cause"
)

// The compiled recogniser table: every row (the hand-written ones and the
// clients' own tables, explain/sources) and the automaton over all their
// patterns, built by `go generate` so no run of onramp pays for building
// it. TestTableFile fails when the file is stale.
//
//go:generate go test -count=1 -run ^TestTableFile$ . -args -update-table
//go:embed table.bin
var tableFile string

// explainTable is the compiled recognisers and support rows with one
// pattern set over all their patterns (support rows after recognisers).
type explainTable struct {
	rows     []compiledRecogniser
	support  []supportRow
	patterns *patternSet
}

// explainRules is read from the table file on first use, not at package
// init: every onramp command would pay for it.
var explainRules = sync.OnceValue(func() *explainTable {
	t, err := decodeTable(tableFile)
	if err != nil {
		panic("explain: " + err.Error() + ": run go generate ./explain")
	}
	return t
})

// buildTable compiles the table from its sources: the rows of
// recognisers.go and the clients' tables. go generate writes its encoding to
// table.bin; tests compare the two.
func buildTable() *explainTable {
	t := &explainTable{support: supportRows}
	var pats []string
	for _, r := range slices.Concat(recognisers(), sourceRecognisers()) {
		t.rows = append(t.rows, compileRecogniser(r, cause.Get(r.Cause)))
		pats = append(pats, r.Pattern)
	}
	for _, s := range supportRows {
		cause.Get(s.Cause)
		pats = append(pats, s.Pattern)
	}
	t.patterns = newPatternSet(pats)
	return t
}

func compileRecogniser(r Recogniser, c *cause.Cause) compiledRecogniser {
	cr := compiledRecogniser{Recogniser: r, cause: c, knownClient: cause.ClientName(r.Client) != ""}
	if r.Regexp != "" {
		re := regexp.MustCompile(r.Regexp)
		cr.re = func() *regexp.Regexp { return re }
	}
	return cr
}

// The table file: a header, the rows, the support rows, then the automaton.
// Numbers are unsigned varints, strings a length and their bytes; the
// transition table is raw little-endian 16-bit words at an offset that is a
// multiple of 8, so it is used in place.
const (
	tableMagic   = "onramp explain table\n"
	tableVersion = 1
)

// encodeTable is the table file's bytes for t.
func encodeTable(t *explainTable) []byte {
	w := &tableWriter{}
	w.b = append(w.b, tableMagic...)
	w.uint(tableVersion)
	w.uint(uint64(len(t.rows)))
	for _, r := range t.rows {
		w.str(r.Pattern)
		w.str(r.Regexp)
		w.str(string(r.Cause))
		w.str(r.Client)
		w.uint(uint64(r.Weight))
		w.bool(r.fromSource)
		w.bool(r.serverSide)
		w.uint(uint64(len(r.parts)))
		for _, p := range r.parts {
			w.str(p)
		}
		w.uint(uint64(r.anchorPart))
	}
	w.uint(uint64(len(t.support)))
	for _, s := range t.support {
		w.str(s.Pattern)
		w.str(string(s.Cause))
		w.bool(s.Refutes)
	}
	ps := t.patterns
	w.uint(uint64(ps.nclass))
	w.uint(uint64(ps.nodes))
	w.uint(uint64(ps.firstAccept))
	w.b = append(w.b, ps.class[:]...)
	w.uint(uint64(len(ps.outStart)))
	for _, v := range ps.outStart {
		w.uint(uint64(v))
	}
	w.uint(uint64(len(ps.out)))
	for _, v := range ps.out {
		w.uint(uint64(v))
	}
	w.uint(uint64(len(ps.next)))
	for len(w.b)%8 != 0 {
		w.b = append(w.b, 0)
	}
	for _, v := range ps.next {
		w.b = binary.LittleEndian.AppendUint16(w.b, v)
	}
	return w.b
}

type tableWriter struct{ b []byte }

func (w *tableWriter) uint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *tableWriter) str(s string)  { w.uint(uint64(len(s))); w.b = append(w.b, s...) }
func (w *tableWriter) bool(v bool) {
	if v {
		w.uint(1)
	} else {
		w.uint(0)
	}
}

// decodeTable reads a table file. Its strings are views of data, which
// must outlive the table (the embedded file does).
func decodeTable(data string) (*explainTable, error) {
	r := &tableReader{data: data}
	if len(data) < len(tableMagic) || data[:len(tableMagic)] != tableMagic {
		return nil, errors.New("table.bin is not an explain table")
	}
	r.at = len(tableMagic)
	if v := r.uint(); v != tableVersion {
		return nil, fmt.Errorf("table.bin has format %d, want %d", v, tableVersion)
	}
	t := &explainTable{rows: make([]compiledRecogniser, r.count(8))}
	causes := map[cause.ID]*cause.Cause{}
	clients := map[string]bool{}
	var parts []string // one backing array for every row's parts
	for i := range t.rows {
		rec := Recogniser{Pattern: r.str(), Regexp: r.str(), Cause: cause.ID(r.str()), Client: r.str(),
			Weight: int(r.uint()), fromSource: r.bool(), serverSide: r.bool()}
		if n := r.count(1); n > 0 {
			if cap(parts)-len(parts) < n {
				parts = make([]string, 0, max(n, 4096))
			}
			for range n {
				parts = append(parts, r.str())
			}
			rec.parts = parts[len(parts)-n : len(parts) : len(parts)]
		}
		rec.anchorPart = int(r.uint())
		c, ok := causes[rec.Cause]
		if !ok {
			if _, known := cause.Parse(string(rec.Cause)); !known {
				return nil, fmt.Errorf("table.bin names cause %q, which the catalog does not have", rec.Cause)
			}
			c = cause.Get(rec.Cause)
			causes[rec.Cause] = c
		}
		known, ok := clients[rec.Client]
		if !ok {
			known = cause.ClientName(rec.Client) != ""
			clients[rec.Client] = known
		}
		t.rows[i] = compiledRecogniser{Recogniser: rec, cause: c, knownClient: known}
		if rec.Regexp != "" {
			// Compiled when a line first needs it (go generate compiled
			// it once already).
			t.rows[i].re = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(rec.Regexp) })
		}
	}
	t.support = make([]supportRow, r.count(3))
	for i := range t.support {
		t.support[i] = supportRow{Pattern: r.str(), Cause: cause.ID(r.str()), Refutes: r.bool()}
	}
	ps := &patternSet{nclass: uint32(r.uint()), nodes: uint32(r.uint()), firstAccept: uint32(r.uint())}
	if r.at+len(ps.class) > len(data) {
		return nil, errors.New("table.bin is cut short")
	}
	copy(ps.class[:], data[r.at:])
	r.at += len(ps.class)
	ps.outStart = make([]uint32, r.count(1))
	for i := range ps.outStart {
		ps.outStart[i] = uint32(r.uint())
	}
	ps.out = make([]int32, r.count(1))
	for i := range ps.out {
		ps.out[i] = int32(r.uint())
	}
	n := r.count(0)
	r.at = (r.at + 7) &^ 7
	if r.err != nil || len(data)-r.at != 2*n || uint64(n) != uint64(ps.nodes)*uint64(ps.nclass) {
		return nil, errors.New("table.bin is cut short or corrupt")
	}
	ps.next = words(data[r.at:])
	if err := ps.check(len(t.rows) + len(t.support)); err != nil {
		return nil, fmt.Errorf("table.bin: %w", err)
	}
	ps.setOffsets()
	t.patterns = ps
	return t, nil
}

// words is data, little-endian 16-bit words, as a slice: in place when the
// machine is little-endian and data is aligned, else a copy.
func words(data string) []uint16 {
	n := len(data) / 2
	if n == 0 {
		return nil
	}
	p := unsafe.StringData(data)
	if binary.NativeEndian.Uint16([]byte{1, 0}) == 1 && uintptr(unsafe.Pointer(p))%2 == 0 {
		return unsafe.Slice((*uint16)(unsafe.Pointer(p)), n) // read only: data is the embedded file
	}
	w := make([]uint16, n)
	for i := range w {
		w[i] = uint16(data[2*i]) | uint16(data[2*i+1])<<8
	}
	return w
}

// check says whether the automaton read from a file is whole: its sizes
// agree and every output is a pattern. (Transitions are not checked: that
// would read the whole table, and a wrong one is an index out of range.)
func (ps *patternSet) check(patterns int) error {
	accepting := int(ps.nodes) - int(ps.firstAccept)
	if ps.nclass == 0 || ps.nodes == 0 || accepting < 0 || len(ps.outStart) != accepting+1 {
		return errors.New("automaton sizes disagree")
	}
	for _, c := range ps.class {
		if uint32(c) >= ps.nclass {
			return errors.New("byte class out of range")
		}
	}
	for i := 1; i < len(ps.outStart); i++ {
		if ps.outStart[i] < ps.outStart[i-1] {
			return errors.New("outputs out of order")
		}
	}
	if int(ps.outStart[accepting]) != len(ps.out) {
		return errors.New("outputs cut short")
	}
	for _, p := range ps.out {
		if p < 0 || int(p) >= patterns {
			return errors.New("output names no pattern")
		}
	}
	return nil
}

type tableReader struct {
	data string
	at   int
	err  error
}

func (r *tableReader) uint() uint64 {
	var v uint64
	for shift := 0; r.at < len(r.data) && shift < 64; shift += 7 {
		b := r.data[r.at]
		r.at++
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return v
		}
	}
	r.err = errors.New("bad number")
	r.at = len(r.data)
	return 0
}

// count reads a number of items that each take at least size bytes.
func (r *tableReader) count(size int) int {
	n := r.uint()
	if n > uint64(len(r.data)-r.at) || size > 0 && n*uint64(size) > uint64(len(r.data)-r.at) {
		r.err = errors.New("count beyond the end")
		r.at = len(r.data)
		return 0
	}
	return int(n)
}

func (r *tableReader) str() string {
	n := r.count(1)
	s := r.data[r.at : r.at+n]
	r.at += n
	return s
}

func (r *tableReader) bool() bool { return r.uint() == 1 }
