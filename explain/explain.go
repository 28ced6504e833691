// Package explain maps error text that clients, servers and providers print
// (one message or a whole log) to causes of the catalog, most likely first,
// without connecting anywhere. Its recognisers are a table of wordings; the
// TLS alert rows come from classify's alert table.
package explain

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/onramp-cli/onramp/cause"
)

// Match is one cause recognised in text given to Explain.
type Match struct {
	Cause *cause.Cause
	// Evidence is the line that names the cause: trimmed, cut to a few
	// hundred characters around the match, with tokens and API keys redacted.
	Evidence string
	// Line is Evidence's 1-based line number in the input.
	Line int
	// Count is how many lines named this cause.
	Count int
	// Client is the program whose words named the cause ("java",
	// "python", …: cause.ClientName knows them), or "" when the words are
	// everyone's. The fix can then be said in its terms (cause.FixFor).
	Client string

	weight   int // of the strongest recogniser that named the cause
	row      int // the first table row of that weight that named it: the order of equally likely causes
	support  int // lines that make the cause likelier without naming it
	lastLine int // the last line that named the cause
}

// compiledRecogniser is a Recogniser ready to run.
type compiledRecogniser struct {
	Recogniser
	re          func() *regexp.Regexp // nil without Regexp
	cause       *cause.Cause
	knownClient bool // cause.ClientName knows Client
}

// supportRow is wording that makes one candidate of an ambiguous match
// likelier without naming a cause on its own: a successful mutual-TLS
// exchange prints these too.
type supportRow struct {
	Pattern string
	Cause   cause.ID
	// Refutes: the wording shows the cause is not it (a request that
	// carried a token did not lack one), so it is dropped when another
	// cause explains the text.
	Refutes bool
}

var supportRows = []supportRow{
	{"> authorization: bearer", cause.TokenMissing, true},                      // curl -v: a token was sent
	{"tls handshake, request cert (13)", cause.ClientCertNotSent, false},       // curl -v: the server asked for a certificate
	{"acceptable client certificate ca names", cause.ClientCertNotSent, false}, // openssl s_client
	{"no client certificate ca names sent", cause.TLSNoCommonCipher, false},    // openssl s_client: no certificate was asked for
}

// refuted is what a refuting line takes off a cause's support: more than
// any log's count of supporting lines.
const refuted = 1 << 30

// Explain maps error text (one message or a whole log) to causes, most
// likely first. It returns nil when nothing is recognised.
func Text(text string) []Match {
	m, _ := Read(strings.NewReader(text))
	return m
}

// Read is Text over a stream. It reads r once, in bounded blocks, so a log
// of any size (or a huge file without newlines) is explained in constant
// memory. The error is a read error of r.
func Read(r io.Reader) ([]Match, error) {
	return read(explainRules(), r)
}

func read(t *explainTable, r io.Reader) ([]Match, error) {
	e := &explainer{table: t, found: map[cause.ID]*Match{}, scanner: newBlockScanner(t.patterns)}
	line := 1
	err := readBlocks(textReader(r), func(block []byte) { line = e.block(block, line) })
	return e.result(), err
}

type explainer struct {
	table *explainTable
	found map[cause.ID]*Match
	// support counts support rows by cause until the end, when they are
	// added to causes that were named.
	support map[cause.ID]int
	hits    []lineHit      // scratch for one line
	matched []patternMatch // scratch: the patterns found in one line
	named   []cause.ID     // scratch: the causes one line named
	offsets []scanHit      // scratch: pattern ends in one block
	scanner *blockScanner
	lower   []byte // scratch: one line lower-cased
}

// lowered is text lower-cased as bytes.ToLower does it. An ASCII line (the
// usual) is lowered into e's scratch buffer, which the string views until
// the next line.
func (e *explainer) lowered(text []byte) string {
	for _, c := range text {
		if c >= utf8.RuneSelf {
			l := bytes.ToLower(text) // a new slice, never written
			return unsafe.String(unsafe.SliceData(l), len(l))
		}
	}
	e.lower = append(e.lower[:0], text...)
	for i, c := range e.lower {
		if 'A' <= c && c <= 'Z' {
			e.lower[i] = c + 'a' - 'A'
		}
	}
	return unsafe.String(unsafe.SliceData(e.lower), len(e.lower))
}

type lineHit struct {
	row int32
	end int // where the pattern ends
	// The span of the line the row matched: its pattern, regexp match or
	// parts.
	start, stop int
	out         bool // outranked by another hit
}

// block explains a run of whole lines (or one piece of an over-long line)
// whose first line is number line; it returns the number of the line after.
func (e *explainer) block(data []byte, line int) int {
	e.offsets = e.scanner.scan(data, e.offsets[:0])
	counted := 0 // data[:counted] has been counted into line
	for j := 0; j < len(e.offsets); {
		i := e.offsets[j].pos()
		start := bytes.LastIndexByte(data[:i], '\n') + 1
		end := bytes.IndexByte(data[i:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += i
		}
		line += bytes.Count(data[counted:start], []byte{'\n'})
		counted = start
		// The line's patterns are those of its hits: a newline takes the
		// automaton back to its start, so the block's scan is the line's.
		e.matched = e.matched[:0]
		for ; j < len(e.offsets) && e.offsets[j].pos() < end; j++ {
			e.matched = e.table.patterns.outputs(e.offsets[j], start, e.matched)
		}
		e.line(data[start:end], line, e.matched)
	}
	return line + bytes.Count(data[counted:], []byte{'\n'})
}

// line applies the recognisers whose patterns occur in one line (found, in
// the automaton's order): the rows of the highest weight that hold (regexp
// included) name the line's causes.
func (e *explainer) line(text []byte, n int, found []patternMatch) {
	e.hits = e.hits[:0]
	rows := e.table.rows
	var lower string // the line lower-cased, once a row needs it
	for _, f := range found {
		p, end := f.pattern, f.end
		if int(p) >= len(rows) {
			if e.support == nil {
				e.support = map[cause.ID]int{}
			}
			if sr := &e.table.support[int(p)-len(rows)]; sr.Refutes {
				e.support[sr.Cause] -= refuted
			} else {
				e.support[sr.Cause]++
			}
			continue
		}
		r := &rows[p]
		start, stop := end+1-len(r.Pattern), end+1
		if (r.re != nil || r.parts != nil) && lower == "" {
			lower = e.lowered(text)
		}
		if r.re != nil {
			loc := r.re().FindStringIndex(lower)
			if loc == nil {
				continue
			}
			start, stop = min(start, loc[0]), max(stop, loc[1])
		}
		if r.parts != nil {
			// The pattern is the start of the longest part: most rows
			// sharing a pattern fail right here, before any search.
			if a := end + 1 - len(r.Pattern); len(lower) == len(text) && !strings.HasPrefix(lower[a:], r.parts[r.anchorPart]) {
				continue
			}
			s, t, ok := matchParts(lower, r.parts)
			if !ok {
				continue
			}
			start, stop = min(start, s), max(stop, t)
		}
		e.hits = append(e.hits, lineHit{row: p, end: end, start: start, stop: stop})
	}
	// Rows another row outranks do not count; of the rest, only those of
	// the highest weight name the line's causes.
	best := 0
	outrankAll(rows, e.hits)
	for k := range e.hits {
		if !e.hits[k].out {
			best = max(best, rows[e.hits[k].row].Weight)
		}
	}
	e.named = e.named[:0]
	for _, h := range e.hits {
		r := &rows[h.row]
		if h.out || r.Weight < best || slices.Contains(e.named, r.Cause) {
			continue
		}
		e.named = append(e.named, r.Cause)
		m := e.found[r.Cause]
		if m == nil {
			m = &Match{Cause: r.cause}
			e.found[r.Cause] = m
		}
		m.Count++
		m.lastLine = n
		known := r.knownClient
		if r.Weight == m.weight {
			m.row = min(m.row, int(h.row))
		}
		if r.Weight > m.weight {
			m.weight = r.Weight
			m.row = int(h.row)
			m.Line = n
			m.Evidence = explainEvidence(text, h.end)
			if known {
				m.Client = r.Client
			}
		}
		if m.Client == "" && known {
			m.Client = r.Client
		}
	}
}

func (e *explainer) result() []Match {
	if len(e.found) == 0 {
		return nil
	}
	out := make([]Match, 0, len(e.found))
	for id, m := range e.found {
		m.support = e.support[id]
		if m.support <= -refuted && len(e.found) > 1 {
			continue
		}
		if m.Client == "" {
			m.Client = clientOf(m.Evidence)
		}
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.weight != b.weight:
			return a.weight > b.weight
		case a.support != b.support:
			return a.support > b.support
		case a.Count != b.Count:
			return a.Count > b.Count
		case a.Line != b.Line:
			return a.Line < b.Line
		case a.row != b.row:
			// Causes a wording fits equally go in the order of the table's
			// rows, which lists such candidates most likely first
			// (explain/sources/README.md).
			return a.row < b.row
		}
		return a.Cause.ID < b.Cause.ID
	})
	// A cause goes before the first finding it explains. (Within the sort
	// this rule would make the order depend on the map's: the rule and the
	// keys can disagree about a third finding between the two.)
	for i := range out {
		for j := range i {
			if explains(out[i].Cause.ID, out[j].Cause.ID) {
				m := out[i]
				copy(out[j+1:i+1], out[j:i])
				out[j] = m
				break
			}
		}
	}
	// An exact finding explains away vaguer findings of the same kind close
	// to it: a Java stack trace's "validity check failed" next to its
	// "CertificateNotYetValidException" is one error, not two.
	kept := out[:0]
	for _, m := range out {
		if !explainedAway(m, kept) {
			kept = append(kept, m)
		}
	}
	return kept
}

// explains says whether cause a is why b was printed too: a chain that a
// TLS-inspection product issued is why the client does not trust the
// server's certificate, so tls-intercepted goes first.
func explains(a, b cause.ID) bool {
	return a == cause.TLSIntercepted && (b == cause.ServerCertUntrusted || b == cause.ServerCertSelfSigned || b == cause.ServerChainIncomplete)
}

// nearLines is how close (in lines) findings must be to count as one error,
// about the length of a stack trace.
const nearLines = 60

func explainedAway(m Match, by []Match) bool {
	if m.weight > generic {
		return false
	}
	for _, k := range by {
		if k.weight >= exact && k.Cause.Group == m.Cause.Group &&
			lineDistance(k.Line-m.Line) <= nearLines && lineDistance(k.Line-m.lastLine) <= nearLines {
			return true
		}
	}
	return false
}

func lineDistance(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// maxEvidence bounds Evidence, in bytes before redaction.
const maxEvidence = 300

// explainEvidence is the line as shown to the user: a window around the match for a
// long line, valid UTF-8, no control characters, secrets redacted.
func explainEvidence(line []byte, end int) string {
	from, to := 0, len(line)
	if to-from > maxEvidence {
		from = max(0, end-maxEvidence*2/3)
		to = min(len(line), from+maxEvidence)
		// Do not start or end inside a UTF-8 sequence.
		for from > 0 && from < len(line) && !utf8.RuneStart(line[from]) {
			from++
		}
		for to < len(line) && to > from && !utf8.RuneStart(line[to]) {
			to--
		}
	}
	s := strings.ToValidUTF8(string(line[from:to]), "?")
	s = strings.Map(func(r rune) rune {
		if r == '\t' {
			return ' '
		}
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if from > 0 {
		s = "…" + s
	}
	if to < len(line) {
		s += "…"
	}
	return Redact(s)
}

// Secrets that pasted logs carry: credentials in headers (Authorization,
// API keys, cookies, AWS tokens), in parameters and JSON fields (also
// URL-encoded), in URLs (user:password@), JWTs, and private keys.
// Compiled at the first Redact, not at every start of onramp (about a
// third of a millisecond of each process).
var secretPatterns = sync.OnceValue(func() []secretPattern {
	return []secretPattern{
		{regexp.MustCompile(`-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[^-]+(-----END [A-Z0-9 ]*PRIVATE KEY-----)?`), "-----BEGIN ${1}PRIVATE KEY----- [redacted] "},
		{regexp.MustCompile(`(?i)(\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:(?:basic|bearer|digest|negotiate|ntlm|token|sharedkey|aws4-hmac-sha256)\s+["']?)?)[^\s"',;]+`), "${1}[redacted]"},
		// A token, not a challenge's parameters (Bearer error="invalid_token").
		{regexp.MustCompile(`(?i)(\bbearer\s+["']?)[A-Za-z0-9._~+/-]{8,}=*`), "${1}[redacted]"},
		{regexp.MustCompile(`(?i)(\b(?:set-)?cookie["']?\s*:\s*)[^\r\n"']+`), "${1}[redacted]"},
		{regexp.MustCompile(`(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@"']+:)[^/\s@"']+@`), "${1}[redacted]@"},
		{regexp.MustCompile(`(?i)((?:\b|_)(?:x-)?(?:api[-_]?key|ocp-apim-subscription-key|subscription-key|x-amz-security-token|aws_secret_access_key|aws_session_token|secretaccesskey|sessiontoken|session_token|access_token|refresh_token|id_token|client_secret|client_assertion|password|passwd|passphrase|secret|token|signature|credential)["']?(?:\s*[:=]\s*|%3d)["']?)(?:[^\s"',;&%]|%[0-9a-f]{2})+`), "${1}[redacted]"},
		{regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`), "[redacted JWT]"},
	}
})

type secretPattern struct {
	re   *regexp.Regexp
	repl string
}

// Redact replaces secret values in a line of log text with "[redacted]":
// authorization headers, API keys, tokens, client secrets, cookies, AWS
// credentials, passwords in URLs, JWTs and private keys.
func Redact(s string) string {
	for _, p := range secretPatterns() {
		s = p.re.ReplaceAllString(s, p.repl)
	}
	return s
}

// Candidate causes that the same wording fits, and what tells them apart.
var ambiguityHints = []struct {
	causes []cause.ID
	hint   string
}{
	{[]cause.ID{cause.ClientCertNotSent, cause.TLSNoCommonCipher},
		"A handshake_failure alert (40) is what TLS 1.2 servers send both when a required client certificate is missing and when no cipher suite is shared. " +
			"If the server asked for a certificate (curl -v shows \"TLS handshake, Request CERT (13)\", openssl s_client lists \"Acceptable client certificate CA names\") and none was sent, it is the certificate; if it did not ask, it is the ciphers."},
	{[]cause.ID{cause.ServerCertUntrusted, cause.ServerChainIncomplete},
		"The client found no trusted issuer for the server's certificate: either your CA bundle lacks the provider's CA (pass it with --cacert), or the server does not send its intermediate certificate. " +
			"`openssl s_client -connect HOST:443 -showcerts` shows what the server sends: a single certificate whose issuer is an intermediate CA means the chain is incomplete."},
	{[]cause.ID{cause.KeyCertMismatch, cause.KeyPassphraseWrong},
		"The client could not use the private key: either its passphrase is wrong or the key is not the certificate's. " +
			"`openssl pkey -in KEY -noout` asks for the passphrase and says 'bad decrypt' when it is wrong; if the key opens, compare `openssl pkey -in KEY -pubout` with `openssl x509 -in CERT -noout -pubkey`."},
	{[]cause.ID{cause.InputWrongFileType, cause.KeyPassphraseWrong},
		"OpenSSL could not use the certificate or key file: it is not PEM (or the certificate and key are swapped), or the key is encrypted and the password is wrong. " +
			"`openssl x509 -in CERT -noout -subject` and `openssl pkey -in KEY -noout` show which file it is and ask for the passphrase."},
	{[]cause.ID{cause.APIKeyBase64Encoded, cause.APIKeyRejected},
		"The key was sent Base64-encoded (it ends in \"=\" padding): gateways compare the key exactly as issued. Send it as the provider gave it, not encoded."},
	{[]cause.ID{cause.ClientCertNotSent, cause.ClientCertRejected, cause.TLSNotTLS},
		"A bare 400 Bad Request names no cause: the server refused the request before the API saw it. " +
			"In front of an API this is most often nginx's own page, which says which: \"No required SSL certificate was sent\" (client-cert-not-sent), " +
			"\"The SSL certificate error\" (client-cert-rejected; its error log says why, e.g. expired) or \"The plain HTTP request was sent to HTTPS port\" (tls-not-tls). " +
			"Your client hid the page: rerun with curl -v to see it, or read the server's error log."},
	{[]cause.ID{cause.TokenRejected, cause.TokenMissing},
		"A bare 401 Unauthorized says the request was not authenticated, not why: the token was refused (expired, wrong audience or scope), or none was sent; an API that takes a key answers a missing key with 401 too. " +
			"The exchange tells them apart, and your client hid it: rerun with curl -v and look for the \"> Authorization:\" (or API-key) header you sent and the server's \"< WWW-Authenticate:\" answer (error=\"invalid_token\" means refused), or read the gateway's log."},
	{[]cause.ID{cause.ClientCertWrongIssuer, cause.ClientChainIncomplete},
		"The server could not chain the client certificate to a CA it trusts: either the certificate is from a CA the server does not accept, or its intermediate CA was not sent with it. " +
			"`openssl x509 -in CERT -noout -issuer` names the issuer: if it is an intermediate under the provider's CA, append that intermediate to the certificate file; otherwise get a certificate from the CA the provider names."},
	{[]cause.ID{cause.ClientCertExpired, cause.ServerCertExpired},
		"Find whose certificate expired: an alert received from the server means yours; a verify error in your client means the server's."},
}

// Candidates are the causes the text fits equally well when it cannot tell
// them apart (a bare 401, a bare 400 through a client that hides the page,
// curl's "unable to set private key file"): the best match and the matches
// as strong and as supported that follow it, named by the best match's
// line or known to be confused with it, in Text's order (the table lists
// such candidates most likely first): always a prefix of m. It returns nil
// when the best match stands alone or the text leans to it; then m[0] is
// the answer.
func Candidates(m []Match) []Match {
	c := equals(m, true)
	n := 0
	for n < len(c) && c[n].Cause == m[n].Cause {
		n++
	}
	if n < 2 {
		return nil
	}
	return m[:n]
}

// equals is the best match and those that fit as well; with sameSupport,
// only those the text's supporting lines do not set apart.
func equals(m []Match, sameSupport bool) []Match {
	var out []Match
	for _, c := range m {
		if c.Cause == nil || c.weight != m[0].weight || sameSupport && c.support != m[0].support {
			continue
		}
		if c.Line == m[0].Line || knownConfusion(m[0].Cause.ID, c.Cause.ID) {
			out = append(out, c)
		}
	}
	return out
}

// Disambiguate says what would tell apart the causes that fit the text
// equally well, and which command would settle it. It returns "" when the
// best match stands alone.
func Disambiguate(m []Match) string {
	if len(m) < 2 {
		return ""
	}
	eq := equals(m, false)
	if len(eq) < 2 {
		return ""
	}
	ids := make([]cause.ID, len(eq))
	for i, c := range eq {
		ids[i] = c.Cause.ID
	}
	var b strings.Builder
	for _, h := range ambiguityHints {
		if containsAll(ids, h.causes) {
			b.WriteString(h.hint)
			b.WriteString(" ")
			break
		}
	}
	if m[0].support > m[1].support && m[0].weight == m[1].weight {
		fmt.Fprintf(&b, "The text itself leans to %q. ", m[0].Cause.ID)
	}
	if b.Len() == 0 {
		fmt.Fprintf(&b, "The text fits %d causes equally: %s. ", len(ids), joinIDs(ids))
	}
	b.WriteString("To settle it, run the checks against the server: onramp diagnose https://HOST/PATH --cert CERT --key KEY --cacert CA")
	return b.String()
}

func knownConfusion(a, b cause.ID) bool {
	for _, h := range ambiguityHints {
		if containsAll(h.causes, []cause.ID{a, b}) {
			return true
		}
	}
	return false
}

func containsAll(have, want []cause.ID) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

func joinIDs(ids []cause.ID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return strings.Join(s, ", ")
}
