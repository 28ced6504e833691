package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/onramp-cli/onramp/diagnose"
)

// The diagnose console's pure renderers: the step list, a finished
// report in a note, the TLS details.

var stepLabels = map[string]string{
	diagnose.StepLocal: "local files", diagnose.StepProxy: "proxy tunnel", diagnose.StepDNS: "DNS", diagnose.StepTCP: "TCP connect",
	diagnose.StepTLS: "TLS handshake", diagnose.StepToken: "OAuth token", diagnose.StepHTTP: "HTTP request",
	diagnose.StepExpect: "response",
}

func stepLabel(name string) string {
	if l, ok := stepLabels[name]; ok {
		return l
	}
	return name
}

// renderSteps draws the live step list: ✓ ✗ ! - with timings, the running
// step with the spinner, and a failed or warning step expanded to its
// cause's title, meaning and fix.
func renderSteps(s *Styles, steps []diagnose.Step, running, spin string, width int) string {
	var b strings.Builder
	indent := "      "
	for _, st := range steps {
		sym, style := "✓", s.Pass
		switch st.Status {
		case diagnose.Fail:
			sym, style = "✗", s.Fail
		case diagnose.Warn:
			sym, style = "!", s.Warn
		case diagnose.Skip:
			sym, style = "-", s.Skip
		}
		ms := fmt.Sprintf("%6.0f ms", st.MS)
		if st.Status == diagnose.Skip {
			ms = fmt.Sprintf("%9s", "skipped")
		}
		fmt.Fprintf(&b, "  %s %-14s %s\n", style.Render(sym), stepLabel(st.Name), s.Muted.Render(ms))
		if st.Cause != nil && (st.Status == diagnose.Fail || st.Status == diagnose.Warn) {
			tw := width - len(indent)
			b.WriteString(indentLines(style.Render(wrap(st.Cause.Title, tw)), indent) + "\n")
			if st.Detail != "" {
				b.WriteString(indentLines(s.Muted.Render(wrap(st.Detail, tw)), indent) + "\n")
			}
			if st.Status == diagnose.Fail {
				if st.Cause.Meaning != "" {
					b.WriteString(indentLines(wrap(st.Cause.Meaning, tw), indent) + "\n")
				}
				b.WriteString(indentLines(renderFix(s, st.Cause, tw), indent) + "\n")
			}
		}
		for _, n := range st.Notes {
			if n.Cause != nil {
				b.WriteString(indent + s.Warn.Render("! "+n.Cause.Title) + "\n")
			}
		}
	}
	if running != "" {
		fmt.Fprintf(&b, "  %s %-14s %s\n", spin, stepLabel(running), s.Muted.Render("…"))
	}
	return b.String()
}

// renderReport is a finished diagnosis in a note: one line of ✓ when every
// check passed, the full step list with the cause when one failed.
func renderReport(s *Styles, r *diagnose.Report, width int) string {
	if !r.OK {
		return renderSteps(s, r.Steps, "", "", width)
	}
	var parts []string
	for _, st := range r.Steps {
		sym := s.Pass.Render("✓")
		switch st.Status {
		case diagnose.Warn:
			sym = s.Warn.Render("!")
		case diagnose.Skip:
			continue
		}
		parts = append(parts, sym+" "+stepLabel(st.Name))
	}
	return joinWrapped(parts, " · ", width)
}

// joinWrapped joins items with sep, breaking lines only between items.
func joinWrapped(items []string, sep string, width int) string {
	var lines []string
	line := ""
	for _, it := range items {
		switch {
		case line == "":
			line = it
		case ansi.StringWidth(line+sep+it) <= width:
			line += sep + it
		default:
			lines = append(lines, line)
			line = it
		}
	}
	return strings.Join(append(lines, line), "\n")
}

func indentLines(s, indent string) string {
	return indent + strings.ReplaceAll(s, "\n", "\n"+indent)
}

// renderTLS shows what the handshake revealed: version, the server chain
// and the CAs the server accepts client certificates from.
func renderTLS(s *Styles, t *diagnose.TLSInfo, now time.Time, width int) string {
	var b strings.Builder
	b.WriteString(s.Title.Render("TLS details") + "\n")
	if t == nil {
		b.WriteString(s.Muted.Render("  No TLS handshake took place.") + "\n")
		return b.String()
	}
	if t.Version != "" {
		fmt.Fprintf(&b, "  %s %s  %s\n", s.Label.Render("Version:"), t.Version, s.Muted.Render(t.CipherSuite))
	}
	b.WriteString("  " + s.Label.Render("Server chain:") + "\n")
	if len(t.ServerChain) == 0 {
		b.WriteString(s.Muted.Render("    (none received)") + "\n")
	}
	for i, c := range t.ServerChain {
		days := int(c.NotAfter.Sub(now).Hours() / 24)
		// Names wrap (at their commas and spaces), never cut.
		fmt.Fprintf(&b, "    %s\n", hanging(fmt.Sprint(i), c.Subject, width-4))
		fmt.Fprintf(&b, "      %s\n", hanging(s.Muted.Render("issuer"), c.Issuer, width-6))
		fmt.Fprintf(&b, "      %s %s (%d days left)\n", s.Muted.Render("until "), c.NotAfter.UTC().Format("2006-01-02"), days)
	}
	req := "no"
	if t.ClientCertRequested {
		req = "yes"
	}
	sent := "no"
	if t.ClientCertSent {
		sent = "yes"
	}
	fmt.Fprintf(&b, "  %s %s   %s %s\n", s.Label.Render("Client certificate requested:"), req, s.Label.Render("sent:"), sent)
	if t.ClientCertRequested {
		b.WriteString("  " + s.Label.Render("Acceptable client CAs:") + "\n")
		if len(t.AcceptableCAs) == 0 {
			b.WriteString(s.Muted.Render("    (any: the server named none)") + "\n")
		}
		for _, ca := range t.AcceptableCAs {
			b.WriteString(indentLines(wrap(ca, width-4), "    ") + "\n")
		}
		if t.AcceptableCAsOmitted > 0 {
			b.WriteString(s.Muted.Render(fmt.Sprintf("    and %d more, not kept", t.AcceptableCAsOmitted)) + "\n")
		}
	}
	return b.String()
}

func truncate(s string, n int) string {
	r := []rune(s)
	if n < 4 || len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
