package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// How the wizard lays out a note's text (provider instructions, the files
// to send, the commands to run next) at the screen's width.

// wrapKeepIndent reflows text written with hard line breaks (provider
// instructions) to the width: a line that continues the one before (same
// or deeper indent, not a new "- " item, a "Label: " line such as a
// cause's "Fix: " or a "CSR:  path", nor a command) joins it; each logical
// line keeps its indent, and its continuation lines hang two further in.
// Paths are never split; a command on its own line that does not fit goes
// on over " \\" continuations, so it still runs when copied.
func wrapKeepIndent(s string, width int) string {
	var logical []string
	prevIndent := -1
	for _, l := range strings.Split(s, "\n") {
		trimmed := strings.TrimLeft(l, " ")
		indent := len(l) - len(trimmed)
		n := len(logical)
		continues := n > 0 && trimmed != "" && strings.TrimSpace(logical[n-1]) != "" &&
			!strings.HasPrefix(trimmed, "- ") && !isLabelled(trimmed) && indent >= prevIndent && (indent > 0) == (prevIndent > 0) &&
			(!strings.HasSuffix(logical[n-1], ":") || isFixLine(strings.TrimLeft(logical[n-1], " "))) && !strings.HasSuffix(logical[n-1], "\\") &&
			!isCommand(trimmed) && !isCommand(strings.TrimLeft(logical[n-1], " "))
		if continues {
			logical[n-1] += " " + trimmed
			continue
		}
		logical = append(logical, l)
		prevIndent = indent
	}
	var out []string
	for _, l := range logical {
		if ansi.StringWidth(l) <= width {
			out = append(out, l)
			continue
		}
		trimmed := strings.TrimLeft(l, " ")
		indent := len(l) - len(trimmed)
		if indent > width/2 {
			indent = 0
		}
		if isCommand(trimmed) {
			out = append(out, wrapCommand(trimmed, indent, width))
			continue
		}
		if strings.HasPrefix(trimmed, "CSR: ") || strings.HasPrefix(trimmed, "JWKS: ") || strings.HasPrefix(trimmed, "kid: ") {
			// "CSR:  path (signing)": the rest hangs under the value,
			// where it fits.
			pad := strings.Repeat(" ", indent)
			parts := strings.Split(wrap(trimmed, width-indent), "\n")
			out = append(out, pad+parts[0])
			for _, p := range parts[1:] {
				h := pad + "      "
				if ansi.StringWidth(h+p) > width {
					h = pad
				}
				out = append(out, h+p)
			}
			continue
		}
		hang := ""
		if indent > 0 || strings.HasPrefix(trimmed, "- ") {
			hang = strings.Repeat(" ", indent+2)
		}
		for i, w := range strings.Split(wrap(trimmed, width-len(hang)), "\n") {
			if i == 0 {
				out = append(out, strings.Repeat(" ", indent)+w)
			} else {
				out = append(out, hang+w)
			}
		}
	}
	return strings.Join(out, "\n")
}

// isLabelled says whether a line starts with one of the wizard's labels
// ("CSR:  path", a cause's "Fix: …").
func isLabelled(line string) bool {
	for _, l := range []string{"CSR: ", "JWKS: ", "kid: ", "Cause: ", "Warning: ", "Fix: ", "Fix ("} {
		if strings.HasPrefix(line, l) {
			return true
		}
	}
	return false
}

// isFixLine says whether a line is one of a cause's fix lines ("Fix: ",
// "Fix (Java): ", "Fix (Provider): "): its text may end in a colon and
// still go on on the next line.
func isFixLine(line string) bool {
	return strings.HasPrefix(line, "Fix: ") || strings.HasPrefix(line, "Fix (")
}

// isCommand says whether a line (without its indent) is a command to run.
func isCommand(line string) bool {
	for _, c := range []string{"onramp ", "curl ", "openssl ", "keytool "} {
		if strings.HasPrefix(line, c) {
			return true
		}
	}
	return false
}

// wrapCommand lays a command out at indent within width, breaking only
// between arguments (a quoted one stays whole) with " \\" at each break
// and the rest four further in.
func wrapCommand(cmd string, indent, width int) string {
	pad := strings.Repeat(" ", indent)
	var lines []string
	line := ""
	for _, w := range unbreakableWords(cmd) {
		room := width - 2 // for " \\"
		if len(lines) > 0 {
			room -= 4
		}
		switch {
		case line == "":
			line = w
		case ansi.StringWidth(pad+line+" "+w) <= room:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	lines = append(lines, line)
	for i := range lines {
		more := ""
		if i > 0 {
			more = "    "
		}
		lines[i] = pad + more + lines[i]
	}
	return strings.Join(lines, " \\\n")
}
