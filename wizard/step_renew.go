package wizard

import (
	"context"
	"fmt"
)

// RenewWindow is how many days before its end the flow offers to renew a
// set-up profile's client certificate (HMPPS starts its alerts 30 days
// before; a new certificate takes days).
const RenewWindow = 30

// offerRenewal runs before the steps when a set-up profile is resumed and
// its client certificate ends within RenewWindow days: on yes it makes
// the CSR, says what to do with it, and the flow pauses (true). The
// profile keeps its certificate until the new one passes its checks
// (onramp renew --import).
func (r *run) offerRenewal() (bool, error) {
	if r.Renewer == nil || !r.p.Wizard[StepCheck] || r.p.Renewal != nil {
		return false, nil
	}
	days, ok := r.Renewer.CertificateDaysLeft(r.p)
	if !ok || days >= RenewWindow {
		return false, nil
	}
	title := fmt.Sprintf("The client certificate expires in %d days", days)
	if days < 0 {
		title = "The client certificate has expired"
	}
	yes, err := r.Prompter.Confirm(r.ctx, ConfirmPrompt{
		Frame:       Frame{Title: title, NoBack: true, Why: "A new certificate takes days at most providers. Make the request now: this profile keeps working with the old certificate until the new one passes its checks."},
		Affirmative: "Renew it now", Negative: "Not now", Default: true,
	})
	if err != nil || !yes {
		return false, err
	}
	var files RenewalFiles
	err = r.Prompter.Work(r.ctx, Frame{Title: "Making the certificate request…"}, func(ctx context.Context) error {
		var err error
		files, err = r.Renewer.StartRenewal(ctx, r.p)
		return err
	})
	if err != nil {
		return false, r.showError("The renewal could not start", err)
	}
	if err := r.save(); err != nil {
		return false, err
	}
	return true, r.Prompter.Note(r.ctx, NotePrompt{
		Frame: Frame{Title: "Send the request to the provider",
			Why: "The same subject as the current certificate; the profile switches only when the new certificate passes its checks."},
		Body: fmt.Sprintf("Certificate request: %s\nKey: %s\n\nWhen the new certificate arrives:\n  onramp renew --profile %s --import NEW-CERT\n", files.CSR, files.Key, r.p.Name),
		Copy: files.CSR, CopyLabel: "the CSR's path",
	})
}
