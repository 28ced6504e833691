package tui

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/wizard"
)

func press(k rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: k, Text: string(k)} }

// The console's keys act only when they make sense: r and s wait for the
// run to end; t toggles the TLS details.
func TestDiagnoseConsoleKeys(t *testing.T) {
	c := testCommon(&Deps{})
	d := newDiagnoseScreen(c, "p")
	d.SetSize(78, 20)
	d.id = 1
	if cmd := d.runKey(press('r')); cmd != nil {
		t.Error("r re-ran a diagnosis still running")
	}
	if cmd := d.runKey(press('s')); cmd != nil {
		t.Error("s saved a report that does not exist yet")
	}
	d.Update(diagDoneMsg{id: 1, report: &diagnose.Report{OK: true}})
	d.Update(press('t'))
	if !d.showTLS {
		t.Error("t did not open the TLS details")
	}
	d.Update(press('t'))
	if d.showTLS {
		t.Error("t did not close the TLS details")
	}
	// A straggler of an earlier run is ignored.
	d.Update(diagEventMsg{id: 0, ev: diagnose.Event{Kind: diagnose.StepStarted, Step: diagnose.Step{Name: "dns"}}})
	if d.running != "" {
		t.Errorf("a stale event changed the screen: running %q", d.running)
	}
}

// A note answers the flow on enter; c copies what it offers (OSC 52).
func TestWizardNoteKeys(t *testing.T) {
	c := testCommon(&Deps{})
	w := newWizardScreen(c, "", false)
	w.SetSize(78, 20)
	reply := make(chan promptReply, 1)
	w.Update(promptMsg{w, promptRequest{kind: promptNote, note: wizard.NotePrompt{Copy: "-----BEGIN CERTIFICATE REQUEST-----", CopyLabel: "the CSR"}, reply: reply}})
	_, cmd := w.Update(press('c'))
	if cmd == nil {
		t.Fatal("c did nothing")
	}
	for _, m := range runBatch(cmd) {
		w.Update(m)
	}
	if !w.copied {
		t.Error("no copied confirmation")
	}
	select {
	case <-reply:
		t.Fatal("c answered the note")
	default:
	}
	w.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	select {
	case r := <-reply:
		if r.err != nil {
			t.Errorf("reply %+v", r)
		}
	default:
		t.Fatal("enter did not answer the note")
	}
}

// A late message of a flow left with esc does not drive a newer screen.
func TestStaleFlowMessagesIgnored(t *testing.T) {
	c := testCommon(&Deps{})
	old, cur := newWizardScreen(c, "", false), newWizardScreen(c, "", false)
	cur.Update(promptMsg{old, promptRequest{kind: promptSelect}})
	if cur.cur != nil {
		t.Error("the old flow's prompt took over")
	}
	if _, cmd := cur.Update(wizardDoneMsg{from: old, err: wizard.ErrCancelled}); cmd != nil || cur.ended != nil {
		t.Error("the old flow's end ended the new screen")
	}
}
