package wizard

import (
	"context"
	"errors"
)

// ErrBack is a Prompter's answer when the user asks to go back (shift+tab
// in the TUI): the step starts again, or, asked at its first question, the
// step before it runs again. Nothing is lost: finished steps stay saved
// until they are done again.
var ErrBack = errors.New("back")

// back undoes the step before cur when the user went back from cur's
// first question; otherwise cur simply starts again.
func (r *run) back(cur step, answered int) error {
	if answered > 0 {
		return nil
	}
	c := r.choice()
	prev := ""
	for _, s := range steps() {
		if s.id == cur.id {
			break
		}
		if s.applies(c) && r.p.Wizard[s.id] {
			prev = s.id
		}
	}
	if prev == "" {
		return nil
	}
	delete(r.p.Wizard, prev)
	return r.save()
}

// answerCounter counts the questions answered, so going back knows
// whether the step had begun.
type answerCounter struct {
	Prompter
	n *int
}

func (a answerCounter) count(err error) error {
	if err == nil {
		*a.n++
	}
	return err
}

func (a answerCounter) Select(ctx context.Context, p SelectPrompt) (string, error) {
	v, err := a.Prompter.Select(ctx, p)
	return v, a.count(err)
}

func (a answerCounter) Input(ctx context.Context, p InputPrompt) (string, error) {
	v, err := a.Prompter.Input(ctx, p)
	return v, a.count(err)
}

func (a answerCounter) Password(ctx context.Context, p InputPrompt) (string, error) {
	v, err := a.Prompter.Password(ctx, p)
	return v, a.count(err)
}

func (a answerCounter) Confirm(ctx context.Context, p ConfirmPrompt) (bool, error) {
	v, err := a.Prompter.Confirm(ctx, p)
	return v, a.count(err)
}

func (a answerCounter) Note(ctx context.Context, p NotePrompt) error {
	return a.count(a.Prompter.Note(ctx, p))
}
