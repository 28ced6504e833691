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
	if c.Fix != "" {
		b.WriteString(wrap("Fix: "+c.Fix, in) + "\n")
	}
	return b.String()
}

// wrap indents text and breaks it at about 78 columns.
func wrap(s, indent string) string {
	var b strings.Builder
	col := 0
	b.WriteString(indent)
	for i, word := range strings.Fields(s) {
		if i > 0 && col+1+len(word) > 78-len(indent) {
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
