package monitor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/testenv"
	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/monitor"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/sandbox"
	"github.com/onramp-cli/onramp/tokens"
	"github.com/onramp-cli/onramp/usecase"
)

// world is what the Prometheus tests watch: the sandbox (passing), a
// mutual-TLS server of another CA (refusing the sandbox's client
// certificate) and a port where nothing listens.
type world struct {
	sb      *sandbox.Server
	kr      *testkeyring.Keyring
	cert    string // the sandbox's client certificate file
	otherCA string // CA bundle of the wrong-CA server
}

func newWorld(t *testing.T) *world {
	t.Helper()
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	kr := testkeyring.New()
	sb, err := sandbox.StartWithProfile(ctx, sandbox.Config{Dir: t.TempDir(), Addr: "127.0.0.1:0", APIMAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	// The signed-JWT profile against the APIM-like token endpoint, for the
	// token expiry series.
	if err := sb.PrepareAPIMProfile(); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Load(sandbox.ProfileName)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{sb: sb, kr: kr, cert: p.Cert}

	other := testpki.NewCA(t, "Other Test CA")
	srv := other.ServeMutual(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "{}") }))
	w.otherCA = testpki.WriteFile(t, t.TempDir(), "other-ca.pem", other.CertPEM())
	save(t, &profile.Profile{Name: "wrong-ca", URL: srv.URL + "/", Auth: []string{"mtls"},
		Cert: p.Cert, Key: p.Key, CACert: w.otherCA})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := ln.Addr().String()
	ln.Close()
	save(t, &profile.Profile{Name: "down", URL: "https://" + down + "/", Auth: []string{"mtls"},
		Cert: p.Cert, Key: p.Key, CACert: w.otherCA})
	return w
}

func save(t *testing.T, p *profile.Profile) {
	t.Helper()
	if err := profile.Save(p); err != nil {
		t.Fatal(err)
	}
}

func (w *world) clientNotAfter(t *testing.T) time.Time {
	t.Helper()
	chain, err := keystore.ReadCertificates(w.cert)
	if err != nil {
		t.Fatal(err)
	}
	return chain[0].NotAfter
}

// serveWatch runs the monitor's schedule and HTTP endpoints on a loopback
// port until the test ends; it returns the host:port.
func serveWatch(t *testing.T, m *monitor.Monitor) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = m.Run(ctx, nil) }()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() {
		cancel()
		srv.Close()
		<-done
	})
	return ln.Addr().String()
}

// startPrometheus runs Debian's prometheus on a loopback port with config
// (a YAML scrape config) and stops it when the test ends. It returns the
// base URL of its HTTP API.
func startPrometheus(t *testing.T, config string) string {
	t.Helper()
	bin := testenv.Tool(t, "prometheus")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	rules, err := os.ReadFile(filepath.Join(monitoringDir, "onramp-rules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "onramp-rules.yml"), rules, 0o644); err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + testpki.FreePort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	cmd := exec.CommandContext(ctx, bin, "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	log := &testenv.Buffer{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("prometheus log:\n%s", log.String())
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready after 30s: %v\n%s", err, log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// sample is one series of an instant query's answer.
type sample struct {
	Labels map[string]string
	Value  float64
}

func query(t *testing.T, base, q string) []sample {
	t.Helper()
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(base + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string
		Error  string
		Data   struct {
			Result []struct {
				Metric map[string]string
				Value  [2]any
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Status != "success" {
		t.Fatalf("query %s: %v %s %s", q, err, body.Status, body.Error)
	}
	var out []sample
	for _, r := range body.Data.Result {
		v, _ := strconv.ParseFloat(fmt.Sprint(r.Value[1]), 64)
		out = append(out, sample{Labels: r.Metric, Value: v})
	}
	return out
}

// waitFor queries until q has want series (or 45 seconds pass).
func waitFor(t *testing.T, base, q string, want int) []sample {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		got := query(t, base, q)
		if len(got) == want {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("query %s: %d series after 45s, want %d: %+v", q, len(got), want, got)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func byProfile(s []sample) map[string]sample {
	m := map[string]sample{}
	for _, x := range s {
		m[x.Labels["profile"]] = x
	}
	return m
}

// TestPrometheusScrapesWatch: a real Prometheus scrapes onramp watch's
// /metrics (the schedule) and /probe (Prometheus's schedule); its HTTP API
// then holds the success, cause and expiry series with the right values.
func TestPrometheusScrapesWatch(t *testing.T) {
	if testing.Short() {
		t.Skip("starts prometheus")
	}
	w := newWorld(t)
	m, err := monitor.New(monitor.Options{Checker: usecase.Checks{Store: w.kr}, Interval: time.Second, Jitter: -1, Timeout: 5 * time.Second,
		TokenExpiry: func(p *profile.Profile) (time.Time, bool) {
			return (&tokens.Cache{Keyring: w.kr, Profile: p.Name}).Expiry()
		}})
	if err != nil {
		t.Fatal(err)
	}
	watch := serveWatch(t, m)
	base := startPrometheus(t, fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 900ms
  evaluation_interval: 1s
rule_files: [onramp-rules.yml]
scrape_configs:
  - job_name: onramp
    static_configs: [{targets: [%q]}]
  - job_name: onramp-probe
    metrics_path: /probe
    params: {profile: [wrong-ca]}
    scrape_timeout: 900ms
    static_configs: [{targets: [%q]}]
`, watch, watch))

	success := byProfile(waitFor(t, base, `onramp_check_success{job="onramp"}`, 4))
	for name, want := range map[string]float64{sandbox.ProfileName: 1, sandbox.APIMProfileName: 1, "wrong-ca": 0, "down": 0} {
		if got := success[name].Value; got != want {
			t.Errorf("onramp_check_success{profile=%q} = %v, want %v", name, got, want)
		}
	}

	failures := byProfile(waitFor(t, base, `onramp_check_failure{job="onramp"} == 1`, 2))
	wantFail := map[string][2]string{
		"wrong-ca": {"tls", string(cause.ClientCertWrongIssuer)},
		"down":     {"tcp", string(cause.TCPRefused)},
	}
	for name, want := range wantFail {
		got := failures[name].Labels
		if got["step"] != want[0] || got["cause"] != want[1] {
			t.Errorf("failure series of %s: step=%q cause=%q, want step=%q cause=%q", name, got["step"], got["cause"], want[0], want[1])
		}
	}

	notAfter := byProfile(waitFor(t, base, `onramp_client_cert_not_after_seconds{job="onramp"}`, 3))
	want := float64(w.clientNotAfter(t).Unix())
	if got := notAfter[sandbox.ProfileName].Value; got != want {
		t.Errorf("client certificate not-after = %v, want %v", got, want)
	}
	server := byProfile(waitFor(t, base, `onramp_server_cert_not_after_seconds{job="onramp"}`, 3))
	if s := server[sandbox.ProfileName].Value; s < float64(time.Now().Unix()) {
		t.Errorf("sandbox server certificate not-after = %v, want a time ahead", s)
	}
	if _, ok := server["down"]; ok {
		t.Error("a server that never answered has a server certificate series")
	}

	// The APIM-like endpoint's tokens last 10 minutes from the check.
	token := waitFor(t, base, `onramp_token_not_after_seconds{job="onramp"}`, 1)
	if left := time.Until(time.Unix(int64(token[0].Value), 0)); token[0].Labels["profile"] != sandbox.APIMProfileName || left <= 0 || left > 11*time.Minute {
		t.Errorf("token expiry series: %+v (%s left)", token, left)
	}

	// Prometheus's own schedule: /probe?profile=wrong-ca checks it at each scrape.
	probe := waitFor(t, base, `onramp_check_failure{job="onramp-probe"}`, 1)
	if l := probe[0].Labels; l["profile"] != "wrong-ca" || l["cause"] != string(cause.ClientCertWrongIssuer) {
		t.Errorf("probe failure series: %v", l)
	}
	if got := query(t, base, `up{job="onramp-probe"}`); len(got) != 1 || got[0].Value != 1 {
		t.Errorf("the probe scrape is not up: %+v", got)
	}

	// The shipped rules, evaluated by this Prometheus, have the failing
	// checks pending (they fire after 10 minutes) and not the passing one.
	pending := byProfile(waitFor(t, base, `ALERTS{alertname="OnrampCheckFailing",job="onramp"}`, 2))
	if _, ok := pending[sandbox.ProfileName]; ok || pending["down"].Labels["alertstate"] != "pending" {
		t.Errorf("OnrampCheckFailing alerts: %+v", pending)
	}

	// No secret in any series: the sandbox's API key appears in no label or name.
	all := query(t, base, `{job=~"onramp.*"}`)
	for _, s := range all {
		for k, v := range s.Labels {
			if strings.Contains(v, w.sb.Keys().API) || strings.Contains(k, w.sb.Keys().API) {
				t.Fatalf("the API key appears in series %v", s.Labels)
			}
		}
	}
}
