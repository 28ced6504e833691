package explain

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/explain/corpus"
)

// plainSearch finds patterns the obvious way, for comparison with the
// automaton: at every byte of a line, every pattern that starts with the
// same four (ASCII-folded) bytes.
type plainSearch struct {
	patterns []string
	starts   [1 << 16]bool // the first two bytes of some pattern
	byStart  map[[4]byte][]int32
}

func newPlainSearch(t *explainTable) *plainSearch {
	ps := &plainSearch{byStart: map[[4]byte][]int32{}}
	for _, r := range t.rows {
		ps.patterns = append(ps.patterns, r.Pattern)
	}
	for _, s := range t.support {
		ps.patterns = append(ps.patterns, s.Pattern)
	}
	for i, p := range ps.patterns {
		p = foldASCII(p)
		ps.patterns[i] = p
		if len(p) < 4 {
			panic("pattern shorter than 4 bytes: " + p)
		}
		ps.starts[int(p[0])<<8|int(p[1])] = true
		k := [4]byte{p[0], p[1], p[2], p[3]}
		ps.byStart[k] = append(ps.byStart[k], int32(i))
	}
	return ps
}

func foldASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lowerASCII(c)
	}
	return string(b)
}

// matches is patternSet.matches: every occurrence, by where it ends, the
// longest first, then in table order.
func (ps *plainSearch) matches(line []byte) []patternMatch {
	l := foldASCII(string(line))
	var found []patternMatch
	for i := 0; i+3 < len(l); i++ {
		if !ps.starts[int(l[i])<<8|int(l[i+1])] {
			continue
		}
		for _, p := range ps.byStart[[4]byte{l[i], l[i+1], l[i+2], l[i+3]}] {
			if strings.HasPrefix(l[i:], ps.patterns[p]) {
				found = append(found, patternMatch{p, i + len(ps.patterns[p]) - 1})
			}
		}
	}
	slices.SortStableFunc(found, func(a, b patternMatch) int {
		if a.end != b.end {
			return a.end - b.end
		}
		if la, lb := len(ps.patterns[a.pattern]), len(ps.patterns[b.pattern]); la != lb {
			return lb - la
		}
		return int(a.pattern - b.pattern)
	})
	return found
}

// referenceExplain is Read done plainly: the whole text at once, line by
// line (a line longer than Read's buffer in pieces of its size, as Read
// looks at it), each searched with plainSearch, in a table built from the
// sources now.
func referenceExplain(t *explainTable, ps *plainSearch, text string) []Match {
	e := &explainer{table: t, found: map[cause.ID]*Match{}}
	all, err := io.ReadAll(textReader(strings.NewReader(text)))
	if err != nil {
		panic(err)
	}
	for n, line := range bytes.Split(all, []byte("\n")) {
		for len(line) > explainBuffer {
			e.line(line[:explainBuffer], n+1, ps.matches(line[:explainBuffer]))
			line = line[explainBuffer:]
		}
		e.line(line, n+1, ps.matches(line))
	}
	return e.result()
}

func describeMatches(m []Match) string {
	var b strings.Builder
	for _, x := range m {
		fmt.Fprintf(&b, "%s %q line %d-%d count %d client %q weight %d support %d\n",
			x.Cause.ID, x.Evidence, x.Line, x.lastLine, x.Count, x.Client, x.weight, x.support)
	}
	return b.String()
}

// sourceTexts are the clients' messages as they print them: each row's text
// with its holes filled in.
func sourceTexts(t *testing.T) []string {
	files, err := fs.Glob(sourceFiles, "sources/*.tsv")
	if err != nil || len(files) == 0 {
		t.Fatalf("no tables: %v", err)
	}
	fill := strings.NewReplacer("%s", "api.example", "%d", "7", "{0}", "x", "{1}", "y", `\n`, "\n", `\t`, "\t", `\\`, `\`)
	var texts []string
	for _, f := range files {
		data, err := sourceFiles.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range strings.Split(string(data), "\n")[1:] {
			if cols := strings.Split(row, "\t"); len(cols) > 2 {
				texts = append(texts, fill.Replace(cols[2]))
			}
		}
	}
	return texts
}

// What onramp explain answers is what the plain reference answers: the
// table read from table.bin (as the binary uses it), the automaton, its four
// interleaved streams, the two halves of a block scanned at once, the
// patterns taken from the block's scan and the reading in blocks change no
// answer, for every sample of the corpus and every message of the clients'
// tables, alone and in logs.
func TestFastPathMatchesReference(t *testing.T) {
	ref := buildTable()
	if !bytes.Equal(encodeTable(ref), []byte(tableFile)) {
		t.Fatal("table.bin is stale (see TestTableFile): run go generate ./explain")
	}
	compiled, err := decodeTable(tableFile)
	if err != nil {
		t.Fatal(err)
	}
	plain := newPlainSearch(ref)
	check := func(name, text string) {
		t.Helper()
		m, err := read(compiled, strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		got, want := describeMatches(m), describeMatches(referenceExplain(ref, plain, text))
		if got != want {
			t.Errorf("%s: explain says\n%s\nthe reference says\n%s", name, got, want)
		}
	}
	samples, err := corpus.Load("testdata/corpus")
	if err != nil || len(samples) < 200 {
		t.Fatalf("corpus: %d samples, %v", len(samples), err)
	}
	for _, s := range samples {
		check(s.Client+"/"+s.Scenario, s.Text)
	}
	texts := sourceTexts(t)
	ordinary := []string{
		`2026-11-22T10:00:00.123Z INFO  http: 10.0.0.7 "GET /v1/persons/A1234BC HTTP/1.1" 200 1532 12ms`,
		"DEBUG pool: connection reused host=api.example:443 idle=3\r",
		"Ünïcödé ßtraße İstanbul KELVIN \u212a sign: Zertifikat abgelaufen",
		"\tat java.base/sun.security.ssl.Alert.createSSLException(Alert.java:131)",
		"",
	}
	rng := rand.New(rand.NewPCG(16, 2))
	for i := range 400 {
		var b strings.Builder
		for range 1 + rng.IntN(30) {
			switch rng.IntN(4) {
			case 0:
				b.WriteString(ordinary[rng.IntN(len(ordinary))])
			case 1:
				b.WriteString(strings.ToUpper(texts[rng.IntN(len(texts))]))
			default:
				b.WriteString(texts[rng.IntN(len(texts))])
			}
			if rng.IntN(3) == 0 {
				b.WriteString(" ; " + texts[rng.IntN(len(texts))])
			}
			b.WriteByte('\n')
		}
		check(fmt.Sprintf("log %d", i), b.String())
	}
	// One long log of everything, in blocks large enough to be scanned in
	// two halves; with lines longer than the buffer, a pattern across the
	// cut included.
	var log strings.Builder
	for i, text := range texts {
		log.WriteString(text + "\n" + ordinary[i%len(ordinary)] + "\n")
		if i%1000 == 0 {
			long := strings.Repeat("lorem ipsum ", explainBuffer/10)
			log.WriteString("x509: certificate signed by unknown authority " + long[:explainBuffer-60] +
				"curl: (60) SSL certificate problem: self-signed certificate " + long + "tls: bad certificate\n")
		}
	}
	for _, s := range samples {
		log.WriteString(s.Text + "\n")
	}
	check("everything", log.String())
	prev := runtime.GOMAXPROCS(1)
	check("everything, one CPU", log.String())
	runtime.GOMAXPROCS(prev)
}
