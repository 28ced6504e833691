package monitor_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/monitor"
	"github.com/onramp-cli/onramp/profile"
)

func TestStatus(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	dir := t.TempDir()
	ca := testpki.NewCA(t, "Status CA")
	soonCert, soonKey := ca.Client(t, testpki.Options{CommonName: "soon", NotAfter: now.Add(10*24*time.Hour + time.Hour)}).Files(t, dir, "soon")
	fineCert, fineKey := ca.Client(t, testpki.Options{CommonName: "fine", NotAfter: now.Add(200 * 24 * time.Hour)}).Files(t, dir, "fine")
	if err := os.Chtimes(fineKey, now, now.Add(-120*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	token := func(p *profile.Profile) (time.Time, bool) { return now.Add(8 * time.Minute), p.Name == "nhs" }

	fine := &profile.Profile{Name: "nhs", Cert: fineCert, Key: fineKey,
		Secrets:   map[string]time.Time{"api-key": now.Add(-400 * 24 * time.Hour)},
		LastCheck: &profile.Check{At: now.Add(-3 * time.Minute), OK: true, ServerNotAfter: now.Add(80 * 24 * time.Hour)}}
	soon := &profile.Profile{Name: "hmpps", Cert: soonCert, Key: soonKey,
		LastCheck: &profile.Check{At: now.Add(-2 * time.Hour), OK: false, CauseID: cause.ClientCertRejected}}
	gone := &profile.Profile{Name: "gone", Cert: filepath.Join(dir, "missing.crt")}
	never := &profile.Profile{Name: "new"}

	var all []monitor.ProfileStatus
	for _, p := range []*profile.Profile{fine, soon, gone, never} {
		all = append(all, monitor.Status(p, now, monitor.DefaultWindow, token))
	}
	if !all[0].OK() || all[0].ClientCert.DaysLeft != 200 || all[0].ServerCert.DaysLeft != 80 || *all[0].KeyAgeDays != 120 || all[0].Token == nil {
		t.Errorf("fine profile: %+v", all[0])
	}
	if all[1].OK() || len(all[1].Attention) != 2 || all[1].ClientCert.DaysLeft != 10 {
		t.Errorf("failing and expiring profile: %+v", all[1])
	}
	if all[2].OK() || !strings.Contains(all[2].Attention[0], "missing.crt") {
		t.Errorf("profile with a missing certificate: %+v", all[2])
	}
	if !all[3].OK() || all[3].LastCheck != nil {
		t.Errorf("never-checked profile: %+v", all[3])
	}
	// A 5-day window lets the 10-day certificate through.
	if s := monitor.Status(soon, now, 5*24*time.Hour, nil); len(s.Attention) != 1 {
		t.Errorf("5-day window: %v", s.Attention)
	}

	var b bytes.Buffer
	if err := monitor.WriteStatusText(&b, all, now); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"PROFILE  LAST CHECK",
		"nhs      ✓ 3m ago",
		"200 days left  80 days left  token 8m left, key 120 days old, api-key 400 days old",
		"hmpps    ✗ 2h ago client-cert-rejected  10 days left",
		"new      never checked",
		"! hmpps: last check failed: client-cert-rejected\n",
		"! hmpps: client certificate expires in 10 days: onramp renew --profile hmpps\n",
		"! gone: client certificate " + filepath.Join(dir, "missing.crt") + ": no such file or directory\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status output lacks %q:\n%s", want, out)
		}
	}
}

func TestParseWindow(t *testing.T) {
	for in, want := range map[string]time.Duration{"30d": 30 * 24 * time.Hour, "0d": 0, "72h": 72 * time.Hour} {
		if got, err := monitor.ParseWindow(in); err != nil || got != want {
			t.Errorf("ParseWindow(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "30", "-1d", "d", "thirty days", "-5h"} {
		if _, err := monitor.ParseWindow(bad); err == nil || !strings.Contains(err.Error(), "--expires-in") {
			t.Errorf("ParseWindow(%q) accepted or unclear: %v", bad, err)
		}
	}
}
