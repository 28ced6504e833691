package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/provider"
)

// templateCommand finds the onramp commands a template's text shows: on a
// line of their own, or inside (...) or `...`.
var templateCommand = regexp.MustCompile("onramp (?:keygen|import|secret|token|diagnose|profile)[^)`,\n]*")

// splitWords splits a command line as a shell would for the words the
// templates use: spaces, and double quotes around a word with spaces.
func splitWords(s string) []string {
	var words []string
	var cur strings.Builder
	quoted, in := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, in = !quoted, true
		case r == ' ' && !quoted:
			if in {
				words = append(words, cur.String())
				cur.Reset()
			}
			in = false
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}

// TestTemplateCommandsRun: every onramp command a built-in template tells
// the user to run (what to send, the wizard's send text, the advice shown
// with a cause) is one onramp accepts: its flags and arguments parse, and
// each keygen runs and writes its key (a keygen shown without --out
// stops with a usage error, which is what a user pasting it would get).
func TestTemplateCommandsRun(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	io, _, _, _ := iostreams.Test()
	root := newRootCmd(testFactory(io, nil))
	seen := 0
	for _, tm := range provider.Builtin() {
		texts := []string{tm.Send, tm.Instructions}
		for _, n := range tm.CauseNotes {
			texts = append(texts, n)
		}
		for _, text := range texts {
			for _, line := range templateCommand.FindAllString(text, -1) {
				line = strings.NewReplacer("<profile>", "p", "<kid>", "test-1", "<role>", "serviceToken").Replace(strings.TrimRight(line, " ,.;"))
				args := splitWords(line)[1:]
				seen++
				if args[0] == "keygen" {
					for i, a := range args {
						if a == "DIR" {
							args[i] = filepath.Join(t.TempDir(), "keys")
						}
					}
					if r := runCmd(t, "", false, args...); r.code != 0 {
						t.Errorf("%s: %q exits %d: %s", tm.ID, line, r.code, r.errOut)
					}
					continue
				}
				cmd, rest, err := root.Find(args)
				if err == nil {
					err = cmd.ParseFlags(rest)
				}
				if err == nil && cmd.Args != nil {
					err = cmd.Args(cmd, cmd.Flags().Args())
				}
				if err != nil {
					t.Errorf("%s: %q does not parse: %v", tm.ID, line, err)
				}
			}
		}
	}
	if seen < 10 {
		t.Errorf("found %d commands in the templates; the pattern lost them", seen)
	}
}
