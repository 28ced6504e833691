// Package monitor keeps watch over saved profiles: it runs every profile's
// checks on a schedule (with jitter, bounded concurrency and a timeout per
// check), keeps the latest result of each, and serves them as Prometheus
// metrics, the way blackbox_exporter serves its probes but with the cause
// of a failure as a label.
package monitor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/internal/redact"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
)

// Checker runs the checks of one saved profile (usecase.Checks does:
// profile → check options → diagnose.Run).
type Checker interface {
	Check(ctx context.Context, p *profile.Profile) *diagnose.Report
}

// CheckerFunc adapts a function to Checker.
type CheckerFunc func(ctx context.Context, p *profile.Profile) *diagnose.Report

// Check calls f.
func (f CheckerFunc) Check(ctx context.Context, p *profile.Profile) *diagnose.Report {
	return f(ctx, p)
}

// Defaults of Options.
const (
	DefaultInterval    = time.Minute
	DefaultConcurrency = 4
	DefaultListen      = "127.0.0.1:9469"
	// DefaultMaxJitter caps the default jitter, so the first results of a
	// long interval still come soon after the start.
	DefaultMaxJitter = 10 * time.Second
)

// Options say what to watch and how often. Only Checker is required.
type Options struct {
	Checker Checker
	// Profiles lists the profiles to check; it is called again before every
	// round, so profiles added or removed while watching are picked up.
	// Nil means every saved profile.
	Profiles func() ([]*profile.Profile, error)
	// Interval between the starts of two rounds (default one minute).
	Interval time.Duration
	// Jitter is the most each check is delayed, at random, after its
	// round starts, so many profiles do not hit one API at once (default:
	// a tenth of Interval, at most DefaultMaxJitter; negative: none).
	Jitter time.Duration
	// Concurrency is how many checks run at once (default 4).
	Concurrency int
	// Timeout bounds each check (default diagnose.DefaultTimeout).
	Timeout time.Duration
	// TokenExpiry, when set, tells when the profile's current bearer token
	// or temporary credentials stop working (false: none known).
	TokenExpiry func(p *profile.Profile) (time.Time, bool)
	// Record, when set, is called with a result (e.g. to save it as the
	// profile's last check): whenever the outcome changes, else at most once
	// per RecordEvery (default a minute), so a Prometheus probing every few
	// seconds does not rewrite profile files as often. Calls may come from
	// several goroutines.
	Record      func(p *profile.Profile, rep *diagnose.Report)
	RecordEvery time.Duration
	// Log receives one line per failed check and per profile that could
	// not be loaded; nil discards them.
	Log io.Writer
	// Secrets are blanked in what the HTTP endpoints answer besides
	// metrics (error texts); nil for none. Metrics carry no text: their
	// labels are profile, step and cause only.
	Secrets *redact.Set
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (o *Options) setDefaults() {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Jitter == 0 {
		o.Jitter = min(o.Interval/10, DefaultMaxJitter)
	}
	if o.Jitter < 0 {
		o.Jitter = 0
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Timeout <= 0 {
		o.Timeout = diagnose.DefaultTimeout
	}
	if o.Profiles == nil {
		o.Profiles = SavedProfiles
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RecordEvery <= 0 {
		o.RecordEvery = time.Minute
	}
}

// SavedProfiles loads every saved profile. A profile that does not load is
// left out and named in the error, so one broken file does not stop the
// watch over the others.
func SavedProfiles() ([]*profile.Profile, error) {
	names, err := profile.List()
	if err != nil {
		return nil, err
	}
	return LoadProfiles(names)
}

// LoadProfiles loads the named profiles; one that does not load is left
// out and named in the error.
func LoadProfiles(names []string) ([]*profile.Profile, error) {
	var out []*profile.Profile
	var errs []error
	for _, n := range names {
		p, err := profile.Load(n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, p)
	}
	return out, errors.Join(errs...)
}

// Result is the outcome of one profile's checks, with the expiry dates
// read alongside them.
type Result struct {
	Profile string
	Report  *diagnose.Report
	// Duration is how long the whole check took.
	Duration time.Duration
	// ClientCertNotAfter is the end of the profile's client certificate's
	// validity (zero: no certificate, or it could not be read).
	ClientCertNotAfter time.Time
	// ServerCertNotAfter is the earliest end of validity in the chain the
	// server presented (zero: no handshake got that far).
	ServerCertNotAfter time.Time
	// TokenNotAfter is when the profile's bearer token or temporary
	// credentials stop working (zero: none known).
	TokenNotAfter time.Time
}

// Monitor runs the checks and keeps the latest result of each profile.
type Monitor struct {
	opts Options

	mu       sync.Mutex
	results  map[string]*Result
	runs     map[string]float64 // checks run, per profile
	recorded map[string]recorded
}

// recorded is the last result handed to Options.Record for a profile.
type recorded struct {
	at    time.Time
	ok    bool
	cause string
}

// New makes a Monitor; it does nothing until Run or Round.
func New(opts Options) (*Monitor, error) {
	if opts.Checker == nil {
		return nil, errors.New("monitor: no Checker")
	}
	opts.setDefaults()
	return &Monitor{opts: opts, results: map[string]*Result{}, runs: map[string]float64{}, recorded: map[string]recorded{}}, nil
}

// Run checks every profile once per Interval until ctx ends. after, when
// set, is called after each round (to write a textfile, say).
func (m *Monitor) Run(ctx context.Context, after func()) error {
	for {
		start := time.Now()
		m.Round(ctx)
		if after != nil && ctx.Err() == nil {
			after()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(max(0, m.opts.Interval-time.Since(start))):
		}
	}
}

// Round checks every profile once, Concurrency at a time, each after a
// random delay of at most Jitter, and waits for all of them. Results of
// profiles that no longer exist are dropped.
func (m *Monitor) Round(ctx context.Context) {
	profiles, err := m.opts.Profiles()
	if err != nil {
		fmt.Fprintf(m.opts.Log, "onramp watch: %v\n", err)
	}
	m.keepOnly(profiles)
	sem := make(chan struct{}, m.opts.Concurrency)
	var wg sync.WaitGroup
	for _, p := range profiles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if m.opts.Jitter > 0 {
				select {
				case <-ctx.Done():
					return
				case <-time.After(rand.N(m.opts.Jitter)):
				}
			}
			select {
			case <-ctx.Done():
				return
			case sem <- struct{}{}:
			}
			defer func() { <-sem }()
			m.store(m.Check(ctx, p))
		}()
	}
	wg.Wait()
}

// Check runs one profile's checks within Timeout and reads its expiry
// dates; it does not store the result (the /probe endpoint uses it).
func (m *Monitor) Check(ctx context.Context, p *profile.Profile) *Result {
	ctx, cancel := context.WithTimeout(ctx, m.opts.Timeout)
	defer cancel()
	start := time.Now()
	rep := m.opts.Checker.Check(ctx, p)
	res := &Result{Profile: p.Name, Report: rep, Duration: time.Since(start)}
	if rep.Started.IsZero() {
		rep.Started = m.opts.Now()
	}
	if p.Cert != "" {
		if chain, err := keystore.ReadCertificates(p.Cert); err == nil && len(chain) > 0 {
			res.ClientCertNotAfter = chain[0].NotAfter
		}
	}
	res.ServerCertNotAfter = rep.ServerCertNotAfter()
	if m.opts.TokenExpiry != nil {
		if t, ok := m.opts.TokenExpiry(p); ok {
			res.TokenNotAfter = t
		}
	}
	if rep.Cancelled {
		return res // stopped mid-check (onramp watch is ending): nothing to say or record
	}
	if !rep.OK && rep.Cause != nil {
		fmt.Fprintf(m.opts.Log, "onramp watch: profile %s: %s (%s)\n", p.Name, rep.Cause.Title, rep.Cause.ID)
	}
	if m.opts.Record != nil && m.recordDue(p.Name, rep) {
		m.opts.Record(p, rep)
	}
	return res
}

// recordDue says whether rep should be recorded: a changed outcome, or
// RecordEvery since the last record.
func (m *Monitor) recordDue(name string, rep *diagnose.Report) bool {
	now := recorded{at: m.opts.Now(), ok: rep.OK}
	if rep.Cause != nil {
		now.cause = string(rep.Cause.ID)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	last, ok := m.recorded[name]
	if ok && last.ok == now.ok && last.cause == now.cause && now.at.Sub(last.at) < m.opts.RecordEvery {
		return false
	}
	m.recorded[name] = now
	return true
}

func (m *Monitor) store(r *Result) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.results[r.Profile] = r
	m.runs[r.Profile]++
}

func (m *Monitor) keepOnly(profiles []*profile.Profile) {
	keep := map[string]bool{}
	for _, p := range profiles {
		keep[p.Name] = true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for name := range m.results {
		if !keep[name] {
			delete(m.results, name)
			delete(m.runs, name)
		}
	}
}

// Results returns the latest result of every profile checked so far.
func (m *Monitor) Results() []*Result {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*Result, 0, len(m.results))
	for _, r := range m.results {
		out = append(out, r)
	}
	return out
}
