package cause

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Every ID constant declared in this package is in the catalog, so Get never
// panics for a constant.
func TestEveryConstantIsInTheCatalog(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "catalog.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			typ, _ := v.Type.(*ast.Ident)
			lit, ok := v.Values[0].(*ast.BasicLit)
			if !ok || typ == nil || typ.Name != "ID" {
				continue
			}
			id, _ := strconv.Unquote(lit.Value)
			if _, ok := Lookup(ID(id)); !ok {
				t.Errorf("constant %s = %q is not in the catalog", v.Names[0].Name, id)
			}
			n++
		}
	}
	if n != len(catalog) {
		t.Errorf("%d constants for %d catalog entries", n, len(catalog))
	}
}

// Cause ids are written once, here. Elsewhere code names them by constant, so
// a typo is a compile error; this test catches a string literal that is an id,
// or one letter away from one, in any non-test Go file outside this package.
func TestNoCauseIDLiteralsOutsideTheCatalog(t *testing.T) {
	root := filepath.Join("..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == "cause" || name == "testdata" || strings.HasPrefix(name, ".") && path != root {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || strings.ContainsAny(s, " \t") {
				return true
			}
			for _, c := range catalog {
				if d := distance(s, string(c.ID)); d <= 1 && len(s) > 6 {
					t.Errorf("%s: string literal %q is cause id %q (or a typo of it): use cause.%s", fset.Position(lit.Pos()), s, c.ID, constName(c.ID))
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func constName(id ID) string {
	var b strings.Builder
	for _, p := range strings.Split(string(id), "-") {
		b.WriteString(strings.ToUpper(p[:1]) + p[1:])
	}
	return b.String()
}

// distance is the Levenshtein distance, for typo detection.
func distance(a, b string) int {
	if a == b {
		return 0
	}
	if d := len(a) - len(b); d > 1 || d < -1 {
		return 2
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
