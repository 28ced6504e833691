package explain

import (
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/cause"
)

// Every message of the clients' tables, with its placeholders filled in,
// explains to a cause the tables give it, among the first three: a row the
// loader drops or another row outranks wrongly shows here. Messages too
// short to be recognised alone (minSourcePattern) are left out.
func TestSourceRowsExplainThemselves(t *testing.T) {
	want := map[string][]string{} // filled-in text -> causes the tables give it
	files, err := sourceFiles.ReadDir("sources")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !strings.HasSuffix(f.Name(), ".tsv") {
			continue
		}
		data, err := sourceFiles.ReadFile("sources/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			col := strings.Split(line, "\t")
			if i == 0 || len(col) < 5 {
				continue
			}
			id, ok := cause.Parse(col[3])
			if !ok {
				continue
			}
			text := strings.ReplaceAll(col[2], `\\`, `\`)
			if _, reason, ok := strings.Cut(text, " routines::"); ok && len(reason) >= minReason {
				text = reason
			}
			if _, _, ok := sourceRow(col[0], text, id); !ok {
				continue
			}
			pieces, _ := splitHoles(text)
			filled := strings.Join(pieces, "x")
			want[filled] = append(want[filled], string(id))
		}
	}
	var miss []string
	for text, ids := range want {
		m := Text(text)
		hit := false
		for i, x := range m {
			if i < 3 && strings.Contains(" "+strings.Join(ids, " ")+" ", " "+string(x.Cause.ID)+" ") {
				hit = true
			}
		}
		if !hit {
			miss = append(miss, text)
		}
	}
	rate := 1 - float64(len(miss))/float64(len(want))
	t.Logf("%d of %d table messages explain to one of their causes (top 3): %.1f%%", len(want)-len(miss), len(want), 100*rate)
	for _, m := range miss[:min(len(miss), 15)] {
		t.Logf("miss: %q -> %v (want %v)", m, matchIDs(Text(m)), want[m])
	}
	if rate < 0.95 {
		t.Errorf("only %.1f%% of the tables' messages explain to their own causes", 100*rate)
	}
}
