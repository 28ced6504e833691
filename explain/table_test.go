package explain

import (
	"bytes"
	"flag"
	"os"
	"reflect"
	"testing"
)

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

// The table read from the file is the table built from the sources, row
// for row and state for state.
func TestTableFileDecodes(t *testing.T) {
	built, read := buildTable(), explainRules()
	if len(built.rows) != len(read.rows) {
		t.Fatalf("%d rows built, %d read", len(built.rows), len(read.rows))
	}
	for i := range built.rows {
		b, r := built.rows[i], read.rows[i]
		if !reflect.DeepEqual(b.Recogniser, r.Recogniser) || b.cause.ID != r.cause.ID ||
			b.knownClient != r.knownClient || (b.re == nil) != (r.re == nil) || b.re != nil && b.re().String() != r.re().String() {
			t.Fatalf("row %d: built %+v, read %+v", i, b, r)
		}
	}
	if !reflect.DeepEqual(built.support, read.support) || !reflect.DeepEqual(built.patterns, read.patterns) {
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
