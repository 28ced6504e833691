package explain

import (
	"bytes"
	"flag"
	"os"
	"reflect"
	"sync"
	"testing"
)

// Tests use the table built from the sources as they are now, so an edit to
// a client's table or a hand-written row shows in every test at once.
// TestTableFile says when table.bin needs go generate, TestTableFileDecodes
// that the file reads back as this table, and TestFastPathMatchesReference
// runs it through the whole fast path.
func init() { explainRules = sync.OnceValue(buildTable) }

var updateTable = flag.Bool("update-table", false, "rewrite table.bin from the recognisers and explain/sources (go generate ./explain)")

// TestTableFile fails when table.bin is not what go generate makes of the
// recognisers and the clients' tables today; with -update-table (what go
// generate runs) it rewrites it.
func TestTableFile(t *testing.T) {
	built := encodeTable(buildTable())
	if *updateTable {
		if err := os.WriteFile("table.bin", built, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(built, []byte(tableFile)) {
		t.Fatalf("table.bin is stale: the recognisers or explain/sources/*.tsv changed since it was generated; run `go generate ./explain` and commit table.bin")
	}
}

// A table written and read back is the table, row for row and state for
// state; and table.bin reads.
func TestTableFileDecodes(t *testing.T) {
	if _, err := decodeTable(tableFile); err != nil {
		t.Fatal(err)
	}
	built := buildTable()
	fromFile, err := decodeTable(string(encodeTable(built)))
	if err != nil {
		t.Fatal(err)
	}
	if len(built.rows) != len(fromFile.rows) {
		t.Fatalf("%d rows built, %d read", len(built.rows), len(fromFile.rows))
	}
	for i := range built.rows {
		b, r := built.rows[i], fromFile.rows[i]
		if !reflect.DeepEqual(b.Recogniser, r.Recogniser) || b.cause.ID != r.cause.ID ||
			b.knownClient != r.knownClient || (b.re == nil) != (r.re == nil) || b.re != nil && b.re().String() != r.re().String() {
			t.Fatalf("row %d: built %+v, read %+v", i, b, r)
		}
	}
	if !reflect.DeepEqual(built.support, fromFile.support) || !reflect.DeepEqual(built.patterns, fromFile.patterns) {
		t.Fatal("support rows or automaton differ")
	}
}

// A damaged or foreign file is an error, not a panic or a table that
// answers wrong.
func TestTableFileDamaged(t *testing.T) {
	good := tableFile
	for name, data := range map[string]string{
		"empty":       "",
		"foreign":     "not a table at all",
		"version":     tableMagic + "\x09",
		"cut":         good[:len(good)/2],
		"cut at rows": good[:len(tableMagic)+40],
		"extra byte":  good + "x",
	} {
		if _, err := decodeTable(data); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// The transition table is read as little-endian words wherever it lies,
// aligned (in place) or not (copied).
func TestTableWords(t *testing.T) {
	data := "x\x01\x00\x02\x01\xff\xff"
	for _, s := range []string{data[1:], data[2:]} {
		var want []uint16
		for i := 0; i+1 < len(s); i += 2 {
			want = append(want, uint16(s[i])|uint16(s[i+1])<<8)
		}
		if got := words(s); !reflect.DeepEqual(got, want) {
			t.Errorf("words(%q) = %v, want %v", s, got, want)
		}
	}
}
