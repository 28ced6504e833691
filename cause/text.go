package cause

import (
	"fmt"
	"io"
	"strings"
)

// Show says how Fprint shows one cause.
type Show struct {
	// Label starts the first line ("Cause", "Warning", "Also"); empty for
	// none.
	Label string
	// Detail is what happened this time; empty shows the cause's meaning.
	Detail string
	// Indent goes before every line, for a cause inside a list.
	Indent string
	// Head styles the first line (colour, a mark); nil leaves it plain.
	Head func(string) string
}

// Fprint writes a cause and its fix the way every text front end shows one,
// so a cause reads the same whichever command found it:
//
//	Label: Title (id)
//	  what happened this time, or what the cause means
//	  Fix: what to do
//	  Fix (Java): what to do in the user's client, when known
//	  Fix (Provider name): the provider's own note, when known
//
// wrapped at about 78 columns.
func Fprint(w io.Writer, c *Cause, s Show) {
	io.WriteString(w, s.Text(c))
}

// Text is what Fprint writes, ending in a newline.
func (s Show) Text(c *Cause) string {
	head := fmt.Sprintf("%s (%s)", c.Title, c.ID)
	if s.Label != "" {
		head = s.Label + ": " + head
	}
	if s.Head != nil {
		head = s.Head(head)
	}
	var b strings.Builder
	b.WriteString(s.Indent + head + "\n")
	in := s.Indent + "  "
	if s.Detail != "" {
		b.WriteString(wrap(s.Detail, in) + "\n")
	} else if c.Meaning != "" {
		b.WriteString(wrap(c.Meaning, in) + "\n")
	}
	for _, l := range c.FixLines() {
		b.WriteString(wrap(l.Label+" "+l.Text, in) + "\n")
	}
	return b.String()
}

// FixLine is one labelled line of a cause's advice.
type FixLine struct{ Label, Text string }

// FixLines are the cause's fix as every front end labels it: onramp's own
// ("Fix:"), the fix in the user's client's words ("Fix (Java):") and the
// provider's note ("Fix (HMPPS Integration API):"), each when there is one.
func (c *Cause) FixLines() []FixLine {
	var out []FixLine
	if c.Fix != "" {
		out = append(out, FixLine{"Fix:", c.Fix})
	}
	if c.ClientFix != "" {
		out = append(out, FixLine{"Fix (" + ClientName(c.Client) + "):", c.ClientFix})
	}
	if c.ProviderNote != "" {
		out = append(out, FixLine{"Fix (" + c.Provider + "):", c.ProviderNote})
	}
	return out
}

// wrap indents text and breaks it at about 78 columns, never inside a
// `quoted command`, so it can be copied whole: one longer than a line
// gets a line of its own and runs past the margin (a terminal's soft wrap
// copies as one line; a hard break would run half a command when pasted).
func wrap(s, indent string) string {
	var b strings.Builder
	width := 78 - len(indent)
	col := 0
	b.WriteString(indent)
	for i, word := range words(s) {
		if i > 0 && (col+1+len(word) > width || col > width) {
			b.WriteString("\n" + indent)
			col = 0
		} else if i > 0 {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(word)
		col += len(word)
	}
	return b.String()
}

// words splits s at spaces, keeping each `quoted command` (and the
// punctuation right after it) as one word.
func words(s string) []string {
	var out []string
	for {
		s = strings.TrimLeft(s, " \t\n")
		if s == "" {
			return out
		}
		end := strings.IndexAny(s, " \t\n")
		if end < 0 {
			end = len(s)
		}
		if field := s[:end]; strings.Count(field, "`")%2 == 1 {
			// The field's last backtick opens a command: it ends at the
			// next backtick, and the word at the space after that.
			open := strings.LastIndex(field, "`")
			if close := strings.IndexByte(s[open+1:], '`'); close >= 0 {
				end = open + 1 + close + 1
				for end < len(s) && !strings.ContainsRune(" \t\n", rune(s[end])) {
					end++
				}
				out = append(out, strings.Join(strings.Fields(s[:end]), " "))
				s = s[end:]
				continue
			}
		}
		out = append(out, s[:end])
		s = s[end:]
	}
}
