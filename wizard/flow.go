package wizard

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/profile"
)

// Flow is one run of the onboarding wizard.
type Flow struct {
	Prompter  Prompter
	Providers []Provider
	Keys      KeyMaker
	Certs     CertImporter
	Secrets   SecretStore
	// FileStore is offered where Secrets cannot store; nil offers nothing.
	FileStore FileStore
	Checker   Checker
	// Issuer is nil when no sandbox can sign CSRs.
	Issuer Issuer
	// Renewer, when set, lets the flow offer the renewal of a set-up
	// profile's certificate within RenewWindow of its end.
	Renewer Renewer
	Now     func() time.Time
}

// Result says how the flow ended.
type Result struct {
	Profile *profile.Profile
	// Paused is true when the user stopped to wait (for a certificate); the
	// profile resumes at the first unfinished step.
	Paused bool
	// Connected is true when the final checks passed.
	Connected bool
}

// run holds one flow's working state.
type run struct {
	*Flow
	ctx      context.Context
	p        *profile.Profile
	provider *Provider
	// cur is the step running now; its record names the screens.
	cur step
	// before holds the steps finished in earlier runs of this profile.
	before map[string]bool
	// lastReport is this run's passing diagnosis, shown at the finish.
	lastReport *diagnose.Report
	// backState remembers the answers, for going back.
	backState
	// redo is the finished step the user chose to change on resume: it
	// asks again even for what is already stored.
	redo string
}

// Run walks the steps. With name set and a saved profile of that name, it
// resumes at the first unfinished step; otherwise it starts afresh (and
// uses name as the profile name when given). The profile is saved after
// every step, so a cancelled run loses at most the step in progress.
func (f *Flow) Run(ctx context.Context, name string) (*Result, error) {
	if f.Now == nil {
		f.Now = time.Now
	}
	r := &run{ctx: ctx}
	recorded := *f
	recorded.Prompter = recorder{Prompter: f.Prompter, r: r}
	r.Flow = &recorded
	if name != "" {
		if err := profile.ValidateName(name); err != nil {
			return nil, err
		}
		p, err := profile.Load(name)
		switch {
		case err == nil:
			r.p = p
			r.provider = f.provider(p.Provider)
		case errors.Is(err, profile.ErrNotFound):
			r.p = &profile.Profile{Name: name}
		default:
			return nil, err
		}
	}
	if r.p == nil {
		r.p = &profile.Profile{}
	}
	if r.p.Wizard == nil {
		r.p.Wizard = map[string]bool{}
	}
	if _, ok := r.p.Wizard[StepCheckPath]; !ok && r.p.Wizard[StepTarget] {
		r.p.Wizard[StepCheckPath] = true // an older onramp asked it in the target step
	}
	r.before = maps.Clone(r.p.Wizard)
	if r.p.Wizard[StepTarget] {
		r.settleAuth()
	}
	if renewing, err := r.offerRenewal(); err != nil || renewing {
		return &Result{Profile: r.p, Paused: renewing}, err
	}
	if err := r.resumeSummary(); err != nil && !errors.Is(err, ErrBack) {
		return &Result{Profile: r.p}, err
	}

	for {
		if ctx.Err() != nil {
			return &Result{Profile: r.p}, ErrCancelled
		}
		st, ok := r.next()
		if !ok {
			break
		}
		if st.id != r.backTo {
			r.replay, r.landing, r.backTo = nil, nil, ""
		}
		r.cur, r.answers, r.asked = st, nil, false
		err := st.run(r)
		r.history = append(r.history, stepRun{id: st.id, answers: r.answers})
		// Back, or a replay that ran the whole step without asking (what
		// was landed on is no longer asked): back again, further.
		if errors.Is(err, ErrBack) || (r.backTo == st.id && !r.asked && err == nil) {
			if err := r.back(); err != nil {
				return &Result{Profile: r.p}, err
			}
			continue
		}
		r.backTo = ""
		if errors.Is(err, errPaused) {
			return &Result{Profile: r.p, Paused: true}, nil
		}
		if err != nil {
			return &Result{Profile: r.p}, err
		}
	}
	return &Result{Profile: r.p, Connected: r.p.LastCheck != nil && r.p.LastCheck.OK}, r.finish()
}

// errPaused ends the flow early on the user's wish, to come back later.
var errPaused = errors.New("paused")

func (f *Flow) provider(id string) *Provider {
	for i := range f.Providers {
		if f.Providers[i].ID == id {
			return &f.Providers[i]
		}
	}
	return nil
}

// next is the first step that applies to this profile and is neither
// done nor put off in this run.
func (r *run) next() (step, bool) {
	c := r.choice()
	for _, s := range steps() {
		if s.applies(c) && !r.p.Wizard[s.id] && !r.skipped(s.id) {
			return s, true
		}
	}
	return step{}, false
}

// choice is the provider and auth as far as they are known; until the
// user picks the auth, the provider's first (preferred) one.
func (r *run) choice() choice {
	if r.noAuthEnv() {
		return choice{provider: r.provider, noAuth: true}
	}
	c := choice{provider: r.provider, auth: r.p.Auth}
	if len(c.auth) == 0 && r.provider != nil && len(r.provider.AuthChoices) > 0 {
		c.auth = r.provider.AuthChoices[0]
	}
	return c
}

func (r *run) uses(method string) bool { return r.choice().uses(method) }

// noAuthEnv says whether the profile's environment, once picked, needs no
// credentials: then there is nothing to set up but the checks.
func (r *run) noAuthEnv() bool {
	if r.provider == nil || !r.p.Wizard[StepTarget] {
		return false
	}
	for _, e := range r.provider.Environments {
		if e.Name == r.p.Environment {
			return e.NoAuth
		}
	}
	return false
}

// frame is a screen of the step running now.
func (r *run) frame(title, why string) Frame {
	return Frame{Step: r.progress(r.cur.id), Title: title, Why: why, NoBack: !r.canGoBack()}
}

func (r *run) skipped(step string) bool {
	return r.p.Wizard["skip:"+step]
}

// done marks a step finished and saves the profile.
func (r *run) done(step string) error {
	r.p.Wizard[step] = true
	return r.save()
}

func (r *run) save() error {
	// Skip marks live only for this run; they are not progress.
	saved := r.p.Wizard
	r.p.Wizard = map[string]bool{}
	for k, v := range saved {
		if !strings.HasPrefix(k, "skip:") {
			r.p.Wizard[k] = v
		}
	}
	err := profile.Save(r.p)
	r.p.Wizard = saved
	if err != nil {
		return fmt.Errorf("saving profile %s: %w", r.p.Name, err)
	}
	return nil
}

func (r *run) skip(step string) { r.p.Wizard["skip:"+step] = true }

// filesDir is where this profile's keys and certificates live.
func (r *run) filesDir() (string, error) {
	dir, err := profile.Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "keys", r.p.Name), nil
}

func (r *run) currentProvider() *Provider {
	if r.provider == nil {
		r.provider = r.Flow.provider(r.p.Provider)
	}
	if r.provider == nil {
		return &Provider{ID: r.p.Provider, Name: r.p.Provider, Key: KeySpec{Type: "rsa", Bits: 2048}}
	}
	return r.provider
}
