package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/diagnose"
)

func TestWrapBreaksOnlyAtSpaces(t *testing.T) {
	got := wrap(`use letters, digits, '.', '_' or '-' (at most 64)`, 40)
	want := "use letters, digits, '.', '_' or '-' (at\nmost 64)"
	if got != want {
		t.Errorf("got %q want %q", got, want)
	}
	long := strings.Repeat("x", 25)
	if got := wrap("a "+long, 10); got != "a\nxxxxxxxxxx\nxxxxxxxxxx\nxxxxx" {
		t.Errorf("long word: %q", got)
	}
	if got := wrap("one\n\ntwo", 20); got != "one\n\ntwo" {
		t.Errorf("paragraphs: %q", got)
	}
}

func TestWrapKeepIndentReflowsInstructions(t *testing.T) {
	in := "Send HMPPS:\n  - your client id and the environments you need;\n  - a CSR for an RSA 2048 key whose CN is your client id\n    (onramp keygen --csr --subject \"/CN=<client id>\"),\n    or ask HMPPS to generate it;\nYou get back:\n  - a certificate.\nRun `onramp sandbox` in another terminal: it issues itself a CA, signs a client certificate and\nkeeps a ready profile."
	got := wrapKeepIndent(in, 60)
	want := "Send HMPPS:\n" +
		"  - your client id and the environments you need;\n" +
		"  - a CSR for an RSA 2048 key whose CN is your client id\n" +
		"    (onramp keygen --csr --subject \"/CN=<client id>\"), or\n" +
		"    ask HMPPS to generate it;\n" +
		"You get back:\n" +
		"  - a certificate.\n" +
		"Run `onramp sandbox` in another terminal: it issues itself a\n" +
		"CA, signs a client certificate and keeps a ready profile."
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// A quoted argument is never split: the command must work when copied.
func TestWrapKeepsQuotedArgumentsWhole(t *testing.T) {
	in := `run onramp keygen --csr --subject "/C=GB/O=Bob's Widgets Ltd/CN=bob-widgets-client" now`
	got := wrap(in, 50)
	if !strings.Contains(got, "\n\"/C=GB/O=Bob's Widgets Ltd/CN=bob-widgets-client\"") {
		t.Errorf("the quoted subject is split:\n%s", got)
	}
	if got := wrap("see `onramp profile set NAME cacert FILE` to fix", 40); !strings.Contains(got, "`onramp profile set NAME cacert FILE`") {
		t.Errorf("the backquoted command is split:\n%s", got)
	}
}

// A cause as the wizard shows it (cause.Show's text, reflowed to the
// screen): onramp's fix, the client's and the provider's each start a
// line of their own, and a fix line ending in a colon still continues.
func TestWrapKeepIndentKeepsEachFixLine(t *testing.T) {
	c := cause.Advice{Client: cause.ClientJava, Provider: "HMPPS Integration API",
		Notes: map[cause.ID]string{cause.ClientCertExpired: "HMPPS client certificates last 365 days."}}.Apply(cause.Get(cause.ClientCertExpired))
	got := wrapKeepIndent(cause.Show{Label: "Cause"}.Text(c), 58)
	var starts []string
	for _, l := range strings.Split(got, "\n") {
		if strings.HasPrefix(l, "  Fix") {
			starts = append(starts, strings.SplitN(l, ":", 2)[0])
		}
	}
	if strings.Join(starts, "|") != "  Fix|  Fix (Java)|  Fix (HMPPS Integration API)" {
		t.Errorf("fix lines %q in:\n%s", starts, got)
	}
	for _, l := range strings.Split(got, "\n") {
		if len([]rune(l)) > 58 {
			t.Errorf("wider than 58: %q", l)
		}
	}
}

// Lines that start with a label ("CSR:  path") stay lines, and a command
// on its own line goes on over " \" continuations, never joined with the
// prose around it: copied from the screen, it is the same command.
func TestWrapKeepIndentKeepsListsAndCommands(t *testing.T) {
	cmd := `onramp keygen --name signing --type rsa --bits 2048 --csr --subject "/CN=<Organisation> Signing <Environment> <Date>"`
	in := "CSR:  /keys/client.csr\nCSR:  /keys/signing.csr (signing)\n\nmake the other one with\n  " + cmd + "\nYou get back a certificate."
	got := wrapKeepIndent(in, 60)
	want := "CSR:  /keys/client.csr\nCSR:  /keys/signing.csr (signing)\n\nmake the other one with\n" +
		"  onramp keygen --name signing --type rsa --bits 2048 \\\n" +
		"      --csr --subject \\\n" +
		"      \"/CN=<Organisation> Signing <Environment> <Date>\"\n" +
		"You get back a certificate."
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	var pasted []string
	for _, l := range strings.Split(got, "\n")[4:7] {
		pasted = append(pasted, strings.TrimSuffix(strings.TrimSpace(l), " \\"))
	}
	if strings.Join(pasted, " ") != cmd {
		t.Errorf("the command as pasted: %q", strings.Join(pasted, " "))
	}
}

// TLS details at 60 columns: a long subject, issuer or acceptable CA
// wraps between its words, whole, instead of ending in "…".
func TestTLSDetailsWrapLongNames(t *testing.T) {
	long := "CN=Government Digital Service Document Checking Service Intermediate CA 2026,O=Government Digital Service,C=GB"
	info := &diagnose.TLSInfo{Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256",
		ServerChain:         []diagnose.CertSummary{{Subject: long, Issuer: long, NotAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}},
		ClientCertRequested: true, AcceptableCAs: []string{long}, AcceptableCAsOmitted: 7}
	view := renderTLS(NewStyles(false, false), info, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), 58)
	checkNoCut(t, view)
	checkFits(t, view, 58, 40)
	if n := strings.Count(strings.Join(strings.Fields(view), " "), strings.Join(strings.Fields(long), " ")); n != 3 {
		t.Errorf("the names are not whole (%d of 3):\n%s", n, view)
	}
	if !strings.Contains(view, "and 7 more, not kept") {
		t.Errorf("the clipped CA list does not say how many more:\n%s", view)
	}
}
