package diagnose

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/cause"
)

const (
	ansiReset  = "\x1b[0m"
	ansiGreen  = "\x1b[32m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiDim    = "\x1b[2m"
	ansiBold   = "\x1b[1m"
)

var statusMark = map[Status]string{Pass: "✓", Fail: "✗", Warn: "!", Skip: "-"}
var statusColor = map[Status]string{Pass: ansiGreen, Fail: ansiRed, Warn: ansiYellow, Skip: ansiDim}

// StepLine is one step as a line of text: mark, name, time, detail.
func StepLine(s Step, color bool) string {
	mark := statusMark[s.Status]
	if color {
		mark = statusColor[s.Status] + mark + ansiReset
	}
	ms := ""
	if s.Status != Skip {
		ms = fmt.Sprintf("%5.0f ms", s.MS)
	} else {
		ms = "        "
	}
	line := fmt.Sprintf("%s %-7s %s", mark, s.Name, ms)
	switch {
	case s.Cause != nil && s.Status != Pass:
		line += "  " + string(s.Cause.ID) + ": " + s.Detail
	case s.Detail != "":
		line += "  " + s.Detail
	}
	return strings.TrimRight(line, " ")
}

// RenderText writes the report for a person: one line per step, then the
// root cause (or the warnings) with what it means and the fix. color adds
// ANSI colours for a terminal.
func RenderText(w io.Writer, r *Report, color bool) {
	bold := func(s string) string {
		if color {
			return ansiBold + s + ansiReset
		}
		return s
	}
	fmt.Fprintf(w, "%s %s\n", bold("onramp diagnose"), r.Target)
	for _, s := range r.Steps {
		fmt.Fprintln(w, StepLine(s, color))
		for _, n := range s.Notes {
			kind := "also"
			if n.Warning {
				kind = "warning"
			}
			fmt.Fprintf(w, "              %s %s: %s\n", kind, n.Cause.ID, n.Detail)
		}
	}
	fmt.Fprintln(w)
	if r.OK {
		msg := "All checks passed."
		if r.HTTPStatus != 0 {
			msg = fmt.Sprintf("All checks passed (HTTP %d).", r.HTTPStatus)
		}
		if color {
			msg = ansiGreen + msg + ansiReset
		}
		fmt.Fprintln(w, msg)
	}
	if r.Cause != nil {
		writeCause(w, "Cause", r.Cause, "", color)
	}
	seen := map[string]bool{}
	if r.Cause != nil {
		seen[string(r.Cause.ID)] = true
	}
	for _, s := range r.Steps {
		fs := s.Notes
		if s.Status == Warn && s.Cause != nil {
			fs = append([]Finding{{Cause: s.Cause, Detail: s.Detail, Warning: true}}, fs...)
		}
		for _, f := range fs {
			if f.Cause == nil || seen[string(f.Cause.ID)+f.Detail] {
				continue
			}
			seen[string(f.Cause.ID)+f.Detail] = true
			label := "Also"
			if f.Warning {
				label = "Warning"
			}
			writeCause(w, label, f.Cause, f.Detail, color)
		}
	}
}

// writeCause writes a cause the way every front end does (cause.Fprint):
// the detail of this finding (for a secondary one) or the cause's meaning,
// then the fix.
func writeCause(w io.Writer, label string, c *cause.Cause, detail string, color bool) {
	var head func(string) string
	if color {
		col := ansiRed
		if label == "Warning" {
			col = ansiYellow
		}
		head = func(s string) string { return ansiBold + col + s + ansiReset }
	}
	cause.Fprint(w, c, cause.Show{Label: label, Detail: detail, Head: head})
}

// RenderMarkdown writes a report a user can attach to a support ticket:
// no secret values (header values and keys are placeholders), the steps,
// the server's chain, the acceptable CAs, the cause with its fix, and the
// curl command that makes the same request.
func RenderMarkdown(w io.Writer, r *Report, version string) {
	fmt.Fprintf(w, "# onramp diagnose report\n\n")
	fmt.Fprintf(w, "- Target: `%s`\n", r.Target)
	fmt.Fprintf(w, "- Run at: %s\n", r.Started.UTC().Format(time.RFC3339))
	fmt.Fprintf(w, "- onramp version: %s\n", version)
	result := "**FAILED**"
	if r.OK {
		result = "**OK**"
	}
	fmt.Fprintf(w, "- Result: %s", result)
	if r.HTTPStatus != 0 {
		fmt.Fprintf(w, " (HTTP %d)", r.HTTPStatus)
	}
	fmt.Fprintf(w, "\n\n## Steps\n\n| step | status | ms | cause | detail |\n|---|---|---|---|---|\n")
	for _, s := range r.Steps {
		id := ""
		if s.Cause != nil && s.Status != Pass {
			id = "`" + string(s.Cause.ID) + "`"
		}
		ms := "" // a skipped step did not run: no time, as in the text
		if s.Status != Skip {
			ms = fmt.Sprintf("%.1f", s.MS)
		}
		fmt.Fprintf(w, "| %s | %s %s | %s | %s | %s |\n", s.Name, statusMark[s.Status], s.Status, ms, id, mdCell(s.Detail))
		for _, n := range s.Notes {
			kind := "also"
			if n.Warning {
				kind = "warning"
			}
			fmt.Fprintf(w, "| | %s | | `%s` | %s |\n", kind, n.Cause.ID, mdCell(n.Detail))
		}
	}
	if r.Cause != nil {
		c := r.Cause
		fmt.Fprintf(w, "\n## Cause: %s (`%s`)\n\n%s\n", c.Title, c.ID, c.Meaning)
		for _, l := range c.FixLines() {
			fmt.Fprintf(w, "\n**%s** %s\n", l.Label, l.Text)
		}
		if c.Source != "" {
			fmt.Fprintf(w, "\n(Source: %s.)\n", c.Source)
		}
	}
	if p := r.Proxy; p != nil {
		fmt.Fprintf(w, "\n## Proxy\n\n")
		if p.URL == "" {
			fmt.Fprintf(w, "- Not used: %s (%s is set)\n", p.Bypass, p.Source)
		} else {
			fmt.Fprintf(w, "- Proxy: `%s` (from %s)\n", p.URL, p.Source)
			if p.Credentials != "" {
				fmt.Fprintf(w, "- Credentials: from %s (not shown)\n", p.Credentials)
			}
			if p.Dialed != "" {
				fmt.Fprintf(w, "- Connected to: %s\n", p.Dialed)
			}
			if p.Connect != "" {
				fmt.Fprintf(w, "- Answer to CONNECT: %s\n", p.Connect)
			}
		}
	}
	if t := r.TLS; t != nil {
		fmt.Fprintf(w, "\n## TLS\n\n")
		if t.Version != "" {
			fmt.Fprintf(w, "- Version: %s, cipher suite: %s\n", t.Version, t.CipherSuite)
		}
		fmt.Fprintf(w, "- Client certificate requested: %v; sent: %v\n", t.ClientCertRequested, t.ClientCertSent)
		if len(t.ServerChain) > 0 {
			fmt.Fprintf(w, "\n### Server certificate chain (as sent)\n\n| # | subject | issuer | valid from | valid to | SHA-256 |\n|---|---|---|---|---|---|\n")
			for i, c := range t.ServerChain {
				fmt.Fprintf(w, "| %d | %s | %s | %s | %s | `%s` |\n", i, mdCell(c.Subject), mdCell(c.Issuer),
					c.NotBefore.Format("2006-01-02"), c.NotAfter.Format("2006-01-02"), shortHash(c.SHA256))
			}
		}
		if t.ClientCertRequested {
			fmt.Fprintf(w, "\n### CAs the server accepts for client certificates\n\n")
			if len(t.AcceptableCAs) == 0 {
				fmt.Fprintf(w, "(the server's CertificateRequest named none: any CA it trusts)\n")
			}
			for _, ca := range t.AcceptableCAs {
				fmt.Fprintf(w, "- %s\n", ca)
			}
			if t.AcceptableCAsOmitted > 0 {
				fmt.Fprintf(w, "- … and %d more, not kept\n", t.AcceptableCAsOmitted)
			}
		}
	}
	fmt.Fprintf(w, "\n## The same request with curl\n\nSecrets are placeholders: set them in your shell first.\n\n```sh\n%s\n```\n", CurlCommand(r))
}

// CurlCommand is the curl command line that makes the report's request,
// with shell variables in place of every secret.
func CurlCommand(r *Report) string {
	parts := []string{"curl -v"}
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	if ri := r.Request; ri != nil {
		if ri.Method != "" && ri.Method != "GET" {
			parts = append(parts, "-X "+ri.Method)
		}
		if ri.Location && ri.APIKeyHeader == "" && !ri.Bearer && len(ri.HeaderNames) == 0 {
			// curl -L sends -H headers to whatever host it is redirected
			// to; with secret headers the command leaves redirects alone.
			parts = append(parts, "-L --proto-redir =https")
		}
		if ri.CACertFile != "" {
			parts = append(parts, "--cacert "+q(ri.CACertFile))
		}
		if ri.CertFile != "" {
			parts = append(parts, "--cert "+q(ri.CertFile))
		}
		if ri.KeyFile != "" {
			parts = append(parts, "--key "+q(ri.KeyFile))
		}
		if ri.KeyEncrypted {
			// curl has no way to read --pass from stdin or a file; a
			// decrypted copy of the key would avoid it in argv.
			parts = append(parts, `--pass "$KEY_PASS"`)
		}
		for _, res := range ri.Resolve {
			parts = append(parts, "--resolve "+q(res))
		}
		if p := r.Proxy; p != nil && p.URL != "" {
			parts = append(parts, "-x "+q(p.URL))
			if p.Credentials != "" {
				// A config file from a process substitution keeps the
				// password out of curl's argv.
				parts = append(parts, `-K <(printf 'proxy-user = "%s"\n' "$PROXY_USER:$PROXY_PASSWORD")`)
			}
		}
		var secret []SecretHeader
		if ri.APIKeyHeader != "" {
			secret = append(secret, SecretHeader{ri.APIKeyHeader, `"$API_KEY"`})
		}
		if ri.Bearer {
			secret = append(secret, SecretHeader{"Authorization", `"Bearer $TOKEN"`})
		}
		for _, h := range ri.HeaderNames {
			secret = append(secret, SecretHeader{h, `"$` + envName(h) + `"`})
		}
		if len(secret) > 0 {
			parts = append(parts, "-H @-")
			parts = append(parts, q(r.Target))
			return CurlSecretHeaders(secret) + strings.Join(parts, " \\\n  ")
		}
	}
	parts = append(parts, q(r.Target))
	return strings.Join(parts, " \\\n  ")
}

// SecretHeader is a request header whose value is a secret, as the shell
// word that produces it ("$API_KEY", "$(onramp secret get ...)").
type SecretHeader struct {
	Name, Value string
}

// CurlSecretHeaders is the start of a suggested curl command that hands
// curl its secret headers on stdin (curl -H @-) instead of its argv, where
// ps and the process table would show them: printf is a shell builtin, so
// no process is started with a secret among its arguments. The caller adds
// "-H @-" to the curl command that follows. Lines stay short, so a terminal
// at 80 columns shows the command as it must be pasted.
func CurlSecretHeaders(headers []SecretHeader) string {
	var b strings.Builder
	indent := ""
	if len(headers) > 1 {
		b.WriteString("{\n")
		indent = "  "
	}
	for _, h := range headers {
		fmt.Fprintf(&b, "%sprintf '%s: %%s\\n' \\\n%s  %s", indent, h.Name, indent, h.Value)
		if len(headers) > 1 {
			b.WriteString("\n")
		}
	}
	if len(headers) > 1 {
		b.WriteString("}")
	}
	b.WriteString(" |\n  ")
	return b.String()
}

// envName turns a header name into a shell variable name.
func envName(h string) string {
	var b strings.Builder
	for _, c := range strings.ToUpper(h) {
		if c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String() + "_VALUE"
}

func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

func shortHash(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	return h
}
