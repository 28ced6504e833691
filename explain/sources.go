package explain

import (
	"embed"
	"io/fs"
	"strings"
	"sync"
	"unsafe"

	"github.com/onramp-cli/onramp/cause"
)

// The clients' own error tables (explain/sources/README.md): every message
// each client, library and server prints, read from its sources, with the
// cause it means and which side prints it. go generate compiles them into
// table.bin; onramp itself never reads them.
//
//go:embed sources/*.tsv
var sourceFiles embed.FS

// minSourcePattern is the shortest literal a source row is recognised by:
// shorter pieces ("%s: %s", "EOF") hit ordinary log lines.
const minSourcePattern = 8

// minReason is the shortest bare OpenSSL reason recognised alone.
const minReason = 12

// maxSourcePattern caps the part of a row's longest literal that goes into
// the pattern set (the rest is checked on the lines that hit it), which
// bounds the automaton's size as the tables grow.
const maxSourcePattern = 16

// sourceRecognisers are the rows of the tables whose cause is known, as
// recognisers: the longest literal piece of the message is the pattern, and
// all its pieces must occur in order on the line.
func sourceRecognisers() []Recogniser {
	type serverRow struct {
		Recogniser
		key string
	}
	var rows []Recogniser
	var server []serverRow
	// Rows by their text, and by text and cause: a text one client prints
	// is not repeated for the next client that prints it too.
	seen := map[string]bool{}
	add := func(r Recogniser, key string, serverSide bool) {
		if seen[key+"\x00"+string(r.Cause)] {
			return
		}
		seen[key+"\x00"+string(r.Cause)] = true
		if serverSide {
			r.serverSide = true
			server = append(server, serverRow{r, key})
			return
		}
		seen[key] = true
		rows = append(rows, r)
	}
	// The files are read in parallel, then merged in order.
	files, _ := fs.Glob(sourceFiles, "sources/*.tsv")
	per := make([][]sourceEntry, len(files))
	var wg sync.WaitGroup
	for i, name := range files {
		wg.Go(func() { per[i] = readSourceFile(name) })
	}
	wg.Wait()
	for _, entries := range per {
		for _, e := range entries {
			add(e.r, e.key, e.server)
		}
	}
	// A server's log line that a client prints in the same words (Java's
	// "Received fatal alert: certificate_unknown") is read as the client's:
	// that is what people paste. Lines only servers print (nginx's "client
	// SSL certificate verify error") keep the server's meaning.
	for _, r := range server {
		if !seen[r.key] {
			rows = append(rows, r.Recogniser)
		}
	}
	return rows
}

// sourceEntry is one row of a table, made into a recogniser.
type sourceEntry struct {
	r      Recogniser
	key    string
	server bool // printed by a server, about the client
}

// readSourceFile reads one table's rows whose cause is known.
func readSourceFile(name string) []sourceEntry {
	data, err := sourceFiles.ReadFile(name)
	if err != nil || len(data) == 0 {
		return nil
	}
	var out []sourceEntry
	clients := map[string]string{}
	// data is this function's own copy, never written: its fields are used
	// in place, and nothing kept points into it.
	_, body, _ := strings.Cut(unsafe.String(&data[0], len(data)), "\n") // the header row
	for line := range strings.Lines(body) {
		client, rest, _ := strings.Cut(strings.TrimSuffix(line, "\n"), "\t")
		_, rest, _ = strings.Cut(rest, "\t") // code
		text, rest, _ := strings.Cut(rest, "\t")
		id, rest, _ := strings.Cut(rest, "\t")
		side, _, _ := strings.Cut(rest, "\t")
		cid, ok := cause.Parse(id)
		if !ok {
			continue
		}
		cid = cause.Get(cid).ID
		if c, ok := clients[client]; ok {
			client = c
		} else {
			client = strings.Clone(client)
			clients[client] = client
		}
		// Node and Python print an OpenSSL reason without its
		// "error:XXXXXXXX:LIB routines::" prefix: the reason alone is the
		// row.
		if _, reason, ok := strings.Cut(text, " routines::"); ok && len(reason) >= minReason {
			text = reason
		}
		if r, key, ok := sourceRow(client, text, cid); ok {
			out = append(out, sourceEntry{r, key, side == "server"})
		}
	}
	return out
}

// sourceRow makes one table row into a recogniser; key is its text as
// matched (lower case).
func sourceRow(client, text string, id cause.ID) (r Recogniser, key string, ok bool) {
	text = strings.Clone(strings.ToLower(strings.ReplaceAll(text, `\\`, `\`))) // not a view of the table: it outlives it
	var parts []string
	literal, longest := 0, -1
	pieces, endsInHole := splitHoles(text)
	for _, p := range pieces {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if longest < 0 || len(p) > len(parts[longest]) {
			longest = len(parts)
		}
		parts = append(parts, p)
		literal += len(p)
	}
	if longest < 0 || len(parts[longest]) < minSourcePattern {
		return Recogniser{}, "", false
	}
	anchor := parts[longest]
	if len(anchor) > maxSourcePattern {
		anchor = anchor[:maxSourcePattern]
	}
	// How specific the message is: a bare prefix ("curl: (60)") or an
	// exception's class name ("javax.net.ssl.SSLHandshakeException") is
	// weak, the text after it decides; a short phrase or a message whose
	// meaning is filled in at run time ("SSL certificate problem: %s") names
	// a family of causes; a whole message or an error code names one.
	weight := specific
	switch {
	case literal < 12 || isClassName(strings.TrimSpace(text)):
		weight = weak
	case literal < 20, strings.HasSuffix(text, " "), endsInHole:
		weight = generic
	}
	r = Recogniser{Pattern: anchor, Cause: id, Client: client, Weight: weight, fromSource: true}
	if len(parts) > 1 || len(parts[0]) > len(anchor) {
		r.parts, r.anchorPart = parts, longest
	}
	return r, strings.Join(parts, "\x00"), true
}

// matchParts finds parts in order in the lower-cased line and returns the
// span they cover.
func matchParts(lower string, parts []string) (start, end int, ok bool) {
	at := 0
	start = -1
	for _, p := range parts {
		i := strings.Index(lower[at:], p)
		if i < 0 {
			return 0, 0, false
		}
		if start < 0 {
			start = at + i
		}
		at += i + len(p)
	}
	return start, at, true
}

// isClassName says whether text is an exception's class name (dotted or
// ending in Exception/Error), not an error code.
func isClassName(text string) bool {
	if strings.ContainsAny(text, " :") {
		return false
	}
	return strings.Contains(text, ".") || strings.HasSuffix(text, "exception") || strings.HasSuffix(text, "error")
}

// splitHoles cuts a table's message at what the client fills in at run
// time: printf verbs (%s, %d, %lu), .NET and Java placeholders ({0}, {}),
// template fields (${name}), and the escaped tabs and newlines of the
// tables (a row's pieces must be found on one line).
func splitHoles(text string) (pieces []string, endsInHole bool) {
	start := 0
	for i := 0; i < len(text); {
		n := holeAt(text, i)
		if n == 0 {
			i++
			continue
		}
		pieces = append(pieces, text[start:i])
		i += n
		start = i
	}
	return append(pieces, text[start:]), start == len(text) && start > 0
}

// holeAt is the length of the placeholder at text[i:], 0 if none.
func holeAt(text string, i int) int {
	rest := text[i:]
	switch {
	case strings.HasPrefix(rest, `\n`), strings.HasPrefix(rest, `\t`):
		return 2
	case strings.HasPrefix(rest, "${"):
		if j := strings.IndexByte(rest, '}'); j > 0 {
			return j + 1
		}
	case rest[0] == '{':
		j := 1
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j < len(rest) && rest[j] == '}' {
			return j + 1
		}
	case rest[0] == '%':
		j := 1
		for j < len(rest) && strings.IndexByte("-+ #0123456789.*", rest[j]) >= 0 {
			j++
		}
		for j < len(rest) && strings.IndexByte("lhzjq", rest[j]) >= 0 {
			j++
		}
		if j < len(rest) && ('a' <= rest[j] && rest[j] <= 'z' || 'A' <= rest[j] && rest[j] <= 'Z') {
			return j + 1
		}
	}
	return 0
}
