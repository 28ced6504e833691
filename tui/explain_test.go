package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/onramp-cli/onramp/explain"
)

func realExplain(text string) ([]Match, string) {
	ms := explain.Text(text)
	cands := len(explain.Candidates(ms))
	var out []Match
	for i, m := range ms {
		out = append(out, Match{Cause: m.Cause, Evidence: m.Evidence, Candidate: i < cands})
	}
	return out, explain.Disambiguate(ms)
}

func TestExplainAsYouPaste(t *testing.T) {
	configDir(t)
	s := start(t, &Deps{Explain: realExplain}, Options{})
	s.waitFor("Explain an error")
	s.down()
	s.down()
	s.enter()
	s.snapshot("empty", s.waitFor("The causes appear here"))
	s.tm.Send(tea.PasteMsg{Content: "curl: (58) unable to set private key file: '/home/me/client.key' type PEM"})
	scr := s.waitFor("Fix:")
	s.snapshot("pasted", scr)
	if strings.Contains(scr, "No known cause") {
		t.Fatalf("nothing matched:\n%s", scr)
	}
}

// Two causes fit the same alert: the screen says what tells them apart.
func TestExplainTellsApart(t *testing.T) {
	configDir(t)
	s := start(t, &Deps{Explain: realExplain}, Options{})
	s.waitFor("Explain an error")
	s.down()
	s.down()
	s.enter()
	s.waitFor("The causes appear here")
	s.tm.Send(tea.PasteMsg{Content: "curl: (35) error:0A000410:SSL routines::sslv3 alert handshake failure"})
	scr := s.waitFor("Not sure which?")
	s.snapshot("handshake-failure", scr)
	if !strings.Contains(scr, "tls-no-common-cipher") {
		t.Errorf("the other candidate is not listed:\n%s", scr)
	}
	s.key(tea.KeyPgDown)
	scr = s.waitFor("(end;")
	if !strings.Contains(scr, "onramp diagnose") && !strings.Contains(scr, "run the checks") {
		t.Errorf("the end of the hint is not reachable:\n%s", scr)
	}
}

// Plain Update: typing changes the matches; clearing brings back the hint.
func TestExplainUpdate(t *testing.T) {
	c := testCommon(&Deps{Explain: realExplain})
	e := newExplainScreen(c)
	e.SetSize(78, 20)
	e.Init()
	_, cmd := e.Update(tea.PasteMsg{Content: "x509: certificate signed by unknown authority"})
	for _, m := range runBatch(cmd) {
		e.Update(m)
	}
	if len(e.matches) == 0 || e.matches[0].Cause.ID != "server-cert-untrusted" {
		t.Fatalf("matches %+v", e.matches)
	}
	e.Update(tea.KeyPressMsg{Code: 'q', Text: "q"})
	if !strings.HasSuffix(e.box.Value(), "q") {
		t.Errorf("q was not typed: %q", e.box.Value())
	}
	e.Update(tea.KeyPressMsg{Code: 'l', Mod: tea.ModCtrl})
	if e.box.Value() != "" || len(e.matches) != 0 {
		t.Errorf("ctrl+l left %q %v", e.box.Value(), e.matches)
	}
}

// runBatch runs a Cmd and the Cmds of a batch, returning their messages.
func runBatch(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runBatch(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}
