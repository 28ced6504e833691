package monitor_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/onramp-cli/onramp/internal/testenv"
	"github.com/onramp-cli/onramp/monitor"
	"github.com/onramp-cli/onramp/usecase"
)

// monitoringDir holds the ready-made Prometheus files shipped in the repo.
const monitoringDir = "../monitoring"

func promtool(t *testing.T, args ...string) {
	t.Helper()
	bin := testenv.Tool(t, "promtool")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = monitoringDir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool %v: %v\n%s", args, err, out)
	}
}

// TestShippedRulesAndConfigs: promtool accepts the rules and both scrape
// configs, and the rules' unit tests pass.
func TestShippedRulesAndConfigs(t *testing.T) {
	promtool(t, "check", "rules", "onramp-rules.yml")
	promtool(t, "test", "rules", "onramp-rules.test.yml")
	promtool(t, "check", "config", "prometheus.yml")
	promtool(t, "check", "config", "prometheus-probe.yml")
}

// TestShippedRulesUseExportedMetrics: every onramp_ metric the rules and
// their tests name is one onramp watch exports, so a rename cannot leave a
// rule that never fires.
func TestShippedRulesUseExportedMetrics(t *testing.T) {
	m, err := monitor.New(monitor.Options{Checker: usecase.Checks{}})
	if err != nil {
		t.Fatal(err)
	}
	exported := map[string]bool{}
	ch := make(chan *prometheus.Desc, 32)
	go func() { m.Collector().Describe(ch); close(ch) }()
	fqName := regexp.MustCompile(`fqName: "([^"]+)"`)
	for d := range ch {
		exported[fqName.FindStringSubmatch(d.String())[1]] = true
	}
	name := regexp.MustCompile(`\bonramp_[a-z_]+`)
	for _, f := range []string{"onramp-rules.yml", "onramp-rules.test.yml"} {
		data, err := os.ReadFile(filepath.Join(monitoringDir, f))
		if err != nil {
			t.Fatal(err)
		}
		used := name.FindAllString(string(data), -1)
		if len(used) == 0 {
			t.Fatalf("%s names no onramp metric", f)
		}
		for _, n := range used {
			if !exported[n] {
				t.Errorf("%s uses %s, which onramp watch does not export", f, n)
			}
		}
	}
}
