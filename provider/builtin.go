package provider

import (
	"embed"
	"io/fs"
	"slices"
	"sort"
	"sync"
)

//go:embed templates/*.yaml
var builtinFS embed.FS

// builtinOrder is how the built-ins are listed: documented providers first.
var builtinOrder = []string{"hmpps", "nhs-apim", "govuk-dcs", "securosys", "generic", "sandbox"}

var builtins = sync.OnceValues(func() ([]*Template, error) {
	entries, err := fs.ReadDir(builtinFS, "templates")
	if err != nil {
		return nil, err
	}
	var out []*Template
	for _, e := range entries {
		data, err := builtinFS.ReadFile("templates/" + e.Name())
		if err != nil {
			return nil, err
		}
		t, err := Parse("built-in "+e.Name(), data)
		if err != nil {
			return nil, err
		}
		t.Origin = "built-in"
		out = append(out, t)
	}
	sortTemplates(out)
	return out, nil
})

func sortTemplates(ts []*Template) {
	rank := func(id string) int {
		if i := slices.Index(builtinOrder, id); i >= 0 {
			return i
		}
		return len(builtinOrder)
	}
	sort.SliceStable(ts, func(i, j int) bool {
		ri, rj := rank(ts[i].ID), rank(ts[j].ID)
		if ri != rj {
			return ri < rj
		}
		return ts[i].ID < ts[j].ID
	})
}

// Builtin returns the embedded templates.
func Builtin() []*Template {
	ts, err := builtins()
	if err != nil {
		// The embedded files are fixed at build time and tested.
		panic(err)
	}
	return ts
}
