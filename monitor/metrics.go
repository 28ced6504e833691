package monitor

import (
	"math"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/diagnose"
)

// The metrics. Labels come from closed sets only: the profile's name, a
// step name of diagnose, a cause id of the catalog. No message, URL or
// secret is ever a label or a value.
var (
	descSuccess = prometheus.NewDesc("onramp_check_success",
		"Whether the profile's last check passed (1) or failed (0).", []string{"profile"}, nil)
	descFailure = prometheus.NewDesc("onramp_check_failure",
		"Set to 1 while the profile's last check failed: the step that failed and the cause (onramp explain --id CAUSE).",
		[]string{"profile", "step", "cause"}, nil)
	descWarning = prometheus.NewDesc("onramp_check_warning",
		"Set to 1 for each warning of the profile's last check (an expiring certificate, a suspicious API key).",
		[]string{"profile", "step", "cause"}, nil)
	descDuration = prometheus.NewDesc("onramp_check_duration_seconds",
		"How long the profile's last check took.", []string{"profile"}, nil)
	descStepDuration = prometheus.NewDesc("onramp_check_step_duration_seconds",
		"How long each step of the profile's last check took (steps that ran).", []string{"profile", "step"}, nil)
	descLastRun = prometheus.NewDesc("onramp_check_last_run_timestamp_seconds",
		"When the profile's last check started, in seconds since the epoch.", []string{"profile"}, nil)
	descRuns = prometheus.NewDesc("onramp_checks_total",
		"Checks of the profile run since onramp watch started.", []string{"profile"}, nil)
	descClientNotAfter = prometheus.NewDesc("onramp_client_cert_not_after_seconds",
		"When the profile's client certificate expires, in seconds since the epoch.", []string{"profile"}, nil)
	descServerNotAfter = prometheus.NewDesc("onramp_server_cert_not_after_seconds",
		"When the first certificate of the chain the server presented expires, in seconds since the epoch.", []string{"profile"}, nil)
	descTokenNotAfter = prometheus.NewDesc("onramp_token_not_after_seconds",
		"When the profile's current bearer token or temporary credentials expire, in seconds since the epoch.", []string{"profile"}, nil)
)

// resultCollector turns results into metrics at each scrape, so a profile
// that is gone, or a cause that no longer applies, leaves no stale series.
type resultCollector struct {
	results func() []*Result
	runs    func(profile string) float64 // nil: no onramp_checks_total
}

// Collector serves the latest result of every profile as metrics.
func (m *Monitor) Collector() prometheus.Collector {
	return &resultCollector{results: m.Results, runs: m.runCount}
}

func (m *Monitor) runCount(profile string) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.runs[profile]
}

func (c *resultCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descSuccess, descFailure, descWarning, descDuration, descStepDuration,
		descLastRun, descRuns, descClientNotAfter, descServerNotAfter, descTokenNotAfter} {
		ch <- d
	}
}

func (c *resultCollector) Collect(ch chan<- prometheus.Metric) {
	for _, r := range c.results() {
		collectResult(ch, r)
		if c.runs != nil {
			ch <- prometheus.MustNewConstMetric(descRuns, prometheus.CounterValue, c.runs(r.Profile), r.Profile)
		}
	}
}

func collectResult(ch chan<- prometheus.Metric, r *Result) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	stamp := func(d *prometheus.Desc, t time.Time) {
		if !t.IsZero() {
			gauge(d, float64(t.UnixMilli())/1000, r.Profile)
		}
	}
	rep := r.Report
	success := 0.0
	if rep.OK {
		success = 1
	}
	gauge(descSuccess, success, r.Profile)
	gauge(descDuration, r.Duration.Seconds(), r.Profile)
	stamp(descLastRun, rep.Started)
	stamp(descClientNotAfter, r.ClientCertNotAfter)
	stamp(descServerNotAfter, r.ServerCertNotAfter)
	stamp(descTokenNotAfter, r.TokenNotAfter)

	warned := map[[2]string]bool{}
	warn := func(step string, c *cause.Cause) {
		k := [2]string{step, string(c.ID)}
		if !warned[k] {
			warned[k] = true
			gauge(descWarning, 1, r.Profile, step, string(c.ID))
		}
	}
	for _, st := range rep.Steps {
		if st.Status == diagnose.Skip {
			continue
		}
		gauge(descStepDuration, math.Round(st.MS*1000)/1e6, r.Profile, st.Name) // µs precision, no float noise
		switch {
		case st.Status == diagnose.Fail && st.Cause != nil:
			gauge(descFailure, 1, r.Profile, st.Name, string(st.Cause.ID))
		case st.Status == diagnose.Warn && st.Cause != nil:
			warn(st.Name, st.Cause)
		}
		for _, n := range st.Notes {
			if n.Warning && n.Cause != nil {
				warn(st.Name, n.Cause)
			}
		}
	}
	if !rep.OK && !hasFailedStep(rep) && rep.Cause != nil {
		// A report without a failed step (a profile that could not become
		// check options) still names its cause.
		gauge(descFailure, 1, r.Profile, diagnose.StepLocal, string(rep.Cause.ID))
	}
}

func hasFailedStep(rep *diagnose.Report) bool {
	for _, st := range rep.Steps {
		if st.Status == diagnose.Fail {
			return true
		}
	}
	return false
}
