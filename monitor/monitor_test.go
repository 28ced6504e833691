package monitor_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/internal/testenv"
	"github.com/onramp-cli/onramp/monitor"
	"github.com/onramp-cli/onramp/profile"
)

var started = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// failedTLS is the report of a check whose handshake was refused, with a
// warning about the client certificate's coming expiry.
func failedTLS() *diagnose.Report {
	return &diagnose.Report{Started: started, Cause: cause.Get(cause.ClientCertRejected), Steps: []diagnose.Step{
		{Name: diagnose.StepLocal, Status: diagnose.Warn, MS: 2, Cause: cause.Get(cause.ClientCertExpired), Detail: "expires in 5 days"},
		{Name: diagnose.StepDNS, Status: diagnose.Pass, MS: 1},
		{Name: diagnose.StepTCP, Status: diagnose.Pass, MS: 3},
		{Name: diagnose.StepTLS, Status: diagnose.Fail, MS: 12.5, Cause: cause.Get(cause.ClientCertRejected), Detail: "alert 42"},
		{Name: diagnose.StepHTTP, Status: diagnose.Skip},
	}, TLS: &diagnose.TLSInfo{ServerChain: []diagnose.CertSummary{
		{NotAfter: started.Add(90 * 24 * time.Hour)}, {NotAfter: started.Add(40 * 24 * time.Hour)}}}}
}

func passed() *diagnose.Report {
	return &diagnose.Report{OK: true, Started: started, Steps: []diagnose.Step{
		{Name: diagnose.StepLocal, Status: diagnose.Pass}, {Name: diagnose.StepHTTP, Status: diagnose.Pass, MS: 20}}}
}

// scripted answers each profile with the report its script gives next.
type scripted struct {
	mu      sync.Mutex
	reports map[string][]*diagnose.Report
}

func (s *scripted) Check(_ context.Context, p *profile.Profile) *diagnose.Report {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.reports[p.Name][0]
	if len(s.reports[p.Name]) > 1 {
		s.reports[p.Name] = s.reports[p.Name][1:]
	}
	return r
}

func profiles(names ...string) func() ([]*profile.Profile, error) {
	return func() ([]*profile.Profile, error) {
		var out []*profile.Profile
		for _, n := range names {
			out = append(out, &profile.Profile{Name: n})
		}
		return out, nil
	}
}

func scrape(t *testing.T, h http.Handler, path, accept string) (string, string) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	return rec.Body.String(), rec.Header().Get("Content-Type")
}

const openMetrics = "application/openmetrics-text;version=1.0.0"

func TestMetricsNameTheCauseAndForgetItWhenFixed(t *testing.T) {
	var tokenAsked atomic.Int32
	ch := &scripted{reports: map[string][]*diagnose.Report{"hmpps": {failedTLS(), passed()}, "nhs": {passed()}}}
	names := []string{"hmpps", "nhs"}
	m, err := monitor.New(monitor.Options{Checker: ch, Jitter: -1,
		Profiles: func() ([]*profile.Profile, error) { return profiles(names...)() },
		TokenExpiry: func(p *profile.Profile) (time.Time, bool) {
			tokenAsked.Add(1)
			return started.Add(10 * time.Minute), p.Name == "nhs"
		}})
	if err != nil {
		t.Fatal(err)
	}
	m.Round(context.Background())
	body, ctype := scrape(t, m.Handler(), "/metrics", openMetrics)
	if !strings.HasPrefix(ctype, "application/openmetrics-text") {
		t.Errorf("Content-Type %q, want OpenMetrics", ctype)
	}
	for _, want := range []string{
		`onramp_check_success{profile="hmpps"} 0.0`,
		`onramp_check_success{profile="nhs"} 1.0`,
		`onramp_check_failure{cause="client-cert-rejected",profile="hmpps",step="tls"} 1.0`,
		`onramp_check_warning{cause="client-cert-expired",profile="hmpps",step="local"} 1.0`,
		`onramp_check_step_duration_seconds{profile="hmpps",step="tls"} 0.0125`,
		`onramp_check_last_run_timestamp_seconds{profile="hmpps"} ` + promFloat(started),
		`onramp_server_cert_not_after_seconds{profile="hmpps"} ` + promFloat(started.Add(40*24*time.Hour)),
		`onramp_token_not_after_seconds{profile="nhs"} ` + promFloat(started.Add(10*time.Minute)),
		`onramp_checks_total{profile="nhs"} 1.0`,
		"# EOF",
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("/metrics lacks %s\n%s", want, grepOnramp(body))
		}
	}
	for _, unwanted := range []string{`profile="hmpps",step="http"`, `onramp_token_not_after_seconds{profile="hmpps"}`, `onramp_check_failure{profile="nhs"`} {
		if strings.Contains(body, unwanted) {
			t.Errorf("/metrics has %s\n%s", unwanted, grepOnramp(body))
		}
	}
	if tokenAsked.Load() != 2 {
		t.Errorf("token expiry asked %d times, want once per profile", tokenAsked.Load())
	}

	// Fixed and one profile removed: no stale cause, no series of the gone profile.
	names = []string{"hmpps"}
	m.Round(context.Background())
	body, _ = scrape(t, m.Handler(), "/metrics", "")
	if strings.Contains(body, "onramp_check_failure{") || strings.Contains(body, `profile="nhs"`) {
		t.Errorf("stale series after the fix:\n%s", grepOnramp(body))
	}
	if !strings.Contains(body, `onramp_check_success{profile="hmpps"} 1`) || !strings.Contains(body, `onramp_checks_total{profile="hmpps"} 2`) {
		t.Errorf("second round not shown:\n%s", grepOnramp(body))
	}
}

func promFloat(t time.Time) string {
	return strconv.FormatFloat(float64(t.Unix()), 'g', -1, 64)
}

func grepOnramp(body string) string {
	var b strings.Builder
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "onramp_") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// TestRoundBoundsConcurrencyAndTime: at most Concurrency checks run at
// once, every profile is checked, and a check that hangs is cut off at
// Timeout.
func TestRoundBoundsConcurrencyAndTime(t *testing.T) {
	var running, peak atomic.Int32
	ch := monitor.CheckerFunc(func(ctx context.Context, p *profile.Profile) *diagnose.Report {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			old := peak.Load()
			if n <= old || peak.CompareAndSwap(old, n) {
				break
			}
		}
		if p.Name == "hangs" {
			<-ctx.Done()
			return &diagnose.Report{Started: started, Cause: cause.Get(cause.TCPTimeout),
				Steps: []diagnose.Step{{Name: diagnose.StepTCP, Status: diagnose.Fail, Cause: cause.Get(cause.TCPTimeout)}}}
		}
		time.Sleep(50 * time.Millisecond)
		return passed()
	})
	m, _ := monitor.New(monitor.Options{Checker: ch, Concurrency: 2, Jitter: 30 * time.Millisecond,
		Timeout: 300 * time.Millisecond, Profiles: profiles("a", "b", "c", "d", "e", "hangs")})
	start := time.Now()
	m.Round(context.Background())
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("round took %s: the hanging check was not cut off", d)
	}
	if p := peak.Load(); p != 2 {
		t.Errorf("at most %d checks ran at once, want 2", p)
	}
	if n := len(m.Results()); n != 6 {
		t.Errorf("%d results, want 6", n)
	}
}

func TestProbe(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	if err := profile.Save(&profile.Profile{Name: "hmpps", URL: "https://api.example.test/"}); err != nil {
		t.Fatal(err)
	}
	ch := &scripted{reports: map[string][]*diagnose.Report{"hmpps": {failedTLS()}}}
	m, _ := monitor.New(monitor.Options{Checker: ch, Profiles: profiles()})
	h := m.Handler()
	for path, want := range map[string]int{"/probe": 400, "/probe?profile=nope": 404, "/probe?profile=../x": 400} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != want {
			t.Errorf("GET %s: %d, want %d (%s)", path, rec.Code, want, rec.Body)
		}
	}
	body, _ := scrape(t, h, "/probe?profile=hmpps", openMetrics)
	if !strings.Contains(body, `onramp_check_failure{cause="client-cert-rejected",profile="hmpps",step="tls"} 1.0`) ||
		strings.Contains(body, "go_goroutines") || strings.Contains(body, "onramp_checks_total") {
		t.Errorf("probe answer:\n%s", body)
	}
	if len(m.Results()) != 0 {
		t.Error("a probe changed the scheduled results")
	}
}

// TestTextfile: the file node_exporter reads is complete, readable by
// others, and valid by promtool's own check.
func TestTextfile(t *testing.T) {
	ch := &scripted{reports: map[string][]*diagnose.Report{"hmpps": {failedTLS()}}}
	m, _ := monitor.New(monitor.Options{Checker: ch, Profiles: profiles("hmpps")})
	m.Round(context.Background())
	dir := t.TempDir()
	if err := m.WriteTextfile(dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, monitor.TextfileName)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("textfile mode %v, want 0644 (node_exporter runs as another user)", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left %d files in the directory, want only %s", len(entries), monitor.TextfileName)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), `onramp_check_failure{cause="client-cert-rejected",profile="hmpps",step="tls"} 1`) {
		t.Errorf("textfile:\n%s", data)
	}
	promtool := testenv.Tool(t, "promtool")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(string(data))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
	if err := monitor.CheckTextfileDir(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing textfile directory was accepted")
	}
}

// TestRecordOnChangeOrEveryMinute: results are recorded when the outcome
// changes, else at most once per RecordEvery.
func TestRecordOnChangeOrEveryMinute(t *testing.T) {
	fail := failedTLS
	ch := &scripted{reports: map[string][]*diagnose.Report{"p": {fail(), fail(), passed(), passed(), passed()}}}
	clock := started
	var recorded []bool
	m, _ := monitor.New(monitor.Options{Checker: ch, Jitter: -1, Profiles: profiles("p"), Now: func() time.Time { return clock },
		Record: func(_ *profile.Profile, rep *diagnose.Report) { recorded = append(recorded, rep.OK) }})
	for i := 0; i < 4; i++ {
		m.Round(context.Background())
		clock = clock.Add(10 * time.Second)
	}
	clock = clock.Add(time.Minute)
	m.Round(context.Background())
	if want := []bool{false, true, true}; len(recorded) != 3 || recorded[0] || !recorded[1] || !recorded[2] {
		t.Errorf("recorded %v, want %v (first failure, the change to passing, a minute later)", recorded, want)
	}
}
