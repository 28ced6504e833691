package wizard

import (
	"context"
	"errors"
	"slices"
)

// ErrBack is a Prompter's answer when the user asks to go back (shift+tab
// in the TUI, "<" in line mode): the question before this one is asked
// again, in this step or, from a step's first question, at the end of the
// step before. Notes are never where back lands: back goes on to the
// question before them.
var ErrBack = errors.New("back")

// Going back replays: the step is run again and the answers the user gave
// before the question to go back to are given again without asking (work
// between them, such as importing a file, is done again), so each step's
// code stays straight-line. The question landed on offers the answer given
// before as its default.

// answer is one reply given in a run of a step.
type answer struct {
	kind  promptKind
	title string
	value string
}

type promptKind int

const (
	askSelect promptKind = iota
	askInput
	askPassword
	askConfirm
	askNote
)

func (a answer) question() bool { return a.kind != askNote }

// stepRun is a step as it ran in this session, with its answers.
type stepRun struct {
	id      string
	answers []answer
}

// backState is the flow's memory for going back.
type backState struct {
	// history holds the steps run in this session, oldest first.
	history []stepRun
	// answers are the replies of the step running now.
	answers []answer
	// replay are answers to give again without asking; landing is the
	// answer of the question to ask again (its value is the default).
	replay  []answer
	landing *answer
	// backTo is the step being replayed; asked says whether this run of
	// it has asked the user anything yet.
	backTo string
	asked  bool
}

// lastQuestion is the index of the last question in answers, or -1.
func lastQuestion(answers []answer) int {
	for i := len(answers) - 1; i >= 0; i-- {
		if answers[i].question() {
			return i
		}
	}
	return -1
}

// back goes back from the step that just ran (its run is the last of the
// history): to its question before the last, or to the last question of
// the step before. Every step it goes back over is undone, so it runs
// again after the one landed on (a new key makes a new CSR to send).
func (r *run) back() error {
	var from string
	for len(r.history) > 0 {
		last := r.history[len(r.history)-1]
		r.history = r.history[:len(r.history)-1]
		r.undo(last.id)
		from = last.id
		if i := lastQuestion(last.answers); i >= 0 {
			a := last.answers[i]
			r.replay, r.landing, r.backTo = slices.Clone(last.answers[:i]), &a, last.id
			r.redo = last.id // ask again even for what is stored
			return r.saveNamed()
		}
	}
	// Nothing asked in this session before: the step before, as an earlier
	// run finished it, runs again from its start.
	r.replay, r.landing, r.backTo = nil, nil, ""
	c := r.choice()
	prev := ""
	for _, s := range steps() {
		if s.id == from {
			break
		}
		if s.applies(c) && r.p.Wizard[s.id] {
			prev = s.id
		}
	}
	if prev == "" {
		return nil // the first step: it starts again
	}
	r.undo(prev)
	// Landing on it: if it asks nothing this time either, back goes on.
	r.redo, r.backTo = prev, prev
	return r.saveNamed()
}

// saveNamed saves the profile once it has a name (before, nothing of it
// is saved).
func (r *run) saveNamed() error {
	if r.p.Name == "" {
		return nil
	}
	return r.save()
}

// canGoBack says whether there is a question to go back to from the
// screen about to show: one answered in this session, or a step an
// earlier run finished.
func (r *run) canGoBack() bool {
	if len(r.answers) > 0 || slices.ContainsFunc(r.history, func(s stepRun) bool { return lastQuestion(s.answers) >= 0 }) {
		return true
	}
	c := r.choice()
	for _, s := range steps() {
		if s.id == r.cur.id {
			break
		}
		if s.applies(c) && r.p.Wizard[s.id] {
			return true
		}
	}
	return false
}

// undo makes a step unfinished, and no longer put off.
func (r *run) undo(id string) {
	delete(r.p.Wizard, id)
	delete(r.p.Wizard, "skip:"+id)
}

// replayed is the answer to give again for this prompt, if the replay
// holds one for it. A prompt the replay did not expect ends the replay:
// from there on the user is asked.
func (r *run) replayed(kind promptKind, title string) (answer, bool) {
	if len(r.replay) == 0 {
		return answer{}, false
	}
	a := r.replay[0]
	if a.kind != kind || a.title != title {
		r.replay = nil
		return answer{}, false
	}
	r.replay = r.replay[1:]
	return a, true
}

// lands is the answer given before to the question now asked live, the
// first after a replay.
func (r *run) lands(kind promptKind, title string) (answer, bool) {
	if kind == askNote {
		return answer{}, false // a note shown on the way keeps the landing
	}
	l := r.landing
	r.landing, r.replay, r.asked = nil, nil, true
	if l == nil || l.kind != kind || l.title != title {
		return answer{}, false
	}
	return *l, true
}

// recorder is the Prompter the steps see: it records each answer, and
// gives the replay's answers without asking.
type recorder struct {
	Prompter
	r *run
}

func (rc recorder) keep(kind promptKind, title, value string, err error) {
	if err == nil {
		rc.r.answers = append(rc.r.answers, answer{kind: kind, title: title, value: value})
	}
}

func (rc recorder) Select(ctx context.Context, p SelectPrompt) (string, error) {
	offered := func(a answer) bool {
		return slices.ContainsFunc(p.Options, func(o Option) bool { return o.Value == a.value })
	}
	if a, ok := rc.r.replayed(askSelect, p.Title); ok {
		if offered(a) {
			rc.keep(askSelect, p.Title, a.value, nil)
			return a.value, nil
		}
		rc.r.replay, rc.r.landing = nil, nil // no longer offered: ask
	}
	if a, ok := rc.r.lands(askSelect, p.Title); ok && offered(a) {
		p.Default = a.value
	}
	v, err := rc.Prompter.Select(ctx, p)
	rc.keep(askSelect, p.Title, v, err)
	return v, err
}

func (rc recorder) input(ctx context.Context, kind promptKind, p InputPrompt) (string, error) {
	if a, ok := rc.r.replayed(kind, p.Title); ok {
		if p.Validate == nil || p.Validate(a.value) == nil {
			rc.keep(kind, p.Title, a.value, nil)
			return a.value, nil
		}
		// No longer valid (a file moved): ask it again, offering it.
		rc.r.replay, rc.r.landing = nil, &a
	}
	if a, ok := rc.r.lands(kind, p.Title); ok && kind == askInput && a.value != "" {
		p.Default = a.value // a secret is never shown again
	}
	ask := rc.Prompter.Input
	if kind == askPassword {
		ask = rc.Prompter.Password
	}
	v, err := ask(ctx, p)
	rc.keep(kind, p.Title, v, err)
	return v, err
}

func (rc recorder) Input(ctx context.Context, p InputPrompt) (string, error) {
	return rc.input(ctx, askInput, p)
}

func (rc recorder) Password(ctx context.Context, p InputPrompt) (string, error) {
	return rc.input(ctx, askPassword, p)
}

func (rc recorder) Confirm(ctx context.Context, p ConfirmPrompt) (bool, error) {
	if a, ok := rc.r.replayed(askConfirm, p.Title); ok {
		rc.keep(askConfirm, p.Title, a.value, nil)
		return a.value == "yes", nil
	}
	if a, ok := rc.r.lands(askConfirm, p.Title); ok {
		p.Default = a.value == "yes"
	}
	v, err := rc.Prompter.Confirm(ctx, p)
	yes := "no"
	if v {
		yes = "yes"
	}
	rc.keep(askConfirm, p.Title, yes, err)
	return v, err
}

func (rc recorder) Note(ctx context.Context, p NotePrompt) error {
	if _, ok := rc.r.replayed(askNote, p.Title); ok {
		rc.keep(askNote, p.Title, "", nil)
		return nil
	}
	err := rc.Prompter.Note(ctx, p)
	rc.keep(askNote, p.Title, "", err)
	return err
}
