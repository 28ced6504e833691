package wizard

import (
	"context"
	"errors"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/usecase"
)

// The check step: run the checks until they pass or the user stops.
func (r *run) check() error {
	for {
		var rep *diagnose.Report
		_ = r.Prompter.Work(r.ctx, r.frame("Running the checks against "+r.p.URL+"…", ""), func(ctx context.Context) error {
			rep = r.Checker.Check(ctx, r.p)
			return nil
		})
		if r.ctx.Err() != nil {
			return ErrCancelled
		}
		if rep == nil {
			return errors.New("the checks returned no report")
		}
		usecase.RecordCheck(r.p, rep)
		if rep.OK {
			r.lastReport = rep
			return r.done(StepCheck)
		}
		if err := r.save(); err != nil {
			return err
		}
		if err := r.Prompter.Note(r.ctx, NotePrompt{
			Frame:  r.frame("The checks failed", "Each step below ran in order; the first failure names the cause and its fix."),
			Report: rep,
		}); err != nil {
			return err
		}
		title, fix := "The checks failed", "Fix what the report says, then run them again."
		if rep.Cause != nil {
			title, fix = "The checks failed: "+rep.Cause.Title, "Fix: "+rep.Cause.Fix
		}
		again, err := r.Prompter.Select(r.ctx, SelectPrompt{
			Frame: r.frame(title, fix),
			Options: []Option{
				{Value: "again", Label: "Run the checks again"},
				{Value: "later", Label: "Stop here; resume with onramp init --profile " + r.p.Name},
			},
			Default: "again",
		})
		if err != nil {
			return err
		}
		if again == "later" {
			return errPaused
		}
	}
}
