package tui

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/profile"
)

// mtlsServer is a real crypto/tls server on 127.0.0.1 that requires a
// client certificate from clientCA.
func mtlsServer(t *testing.T, serverCA, clientCA *testpki.CA) string {
	t.Helper()
	leaf := serverCA.Server(t, testpki.Options{})
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	}))
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	s.TLS = &tls.Config{Certificates: []tls.Certificate{leaf.TLSCertificate(true)}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: clientCA.Pool()}
	s.StartTLS()
	t.Cleanup(s.Close)
	return s.URL + "/status"
}

// diagnoseDeps runs the real diagnose.Run; a profile's files are used as
// they are (no secrets in these profiles).
func diagnoseDeps(reportDir string) *Deps {
	return &Deps{
		Diagnose:       diagnose.Run,
		RenderMarkdown: diagnose.RenderMarkdown,
		ReportDir:      reportDir,
		ProfileOptions: func(ctx context.Context, p *profile.Profile) (diagnose.Options, error) {
			return diagnose.Options{URL: p.URL, CertFile: p.Cert, KeyFile: p.Key, CACertFile: p.CACert, Timeout: 5 * time.Second}, nil
		},
	}
}

var (
	dateRE = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)
	daysRE = regexp.MustCompile(`\(\d+ days left\)`)
	portRE = regexp.MustCompile(`(127\.0\.0\.1|localhost):\d+`)
)

func stable(s string) string {
	s = dateRE.ReplaceAllString(s, "YYYY-MM-DD")
	s = daysRE.ReplaceAllString(s, "(N days left)")
	return portRE.ReplaceAllString(s, "$1:PORT")
}

func TestDiagnosePassing(t *testing.T) {
	dir := configDir(t)
	ca := testpki.NewCA(t, "Practice CA")
	url := mtlsServer(t, ca, ca)
	cert, key := ca.Client(t, testpki.Options{CommonName: "practice-client"}).Files(t, dir, "client")
	caFile := testpki.WriteFile(t, dir, "ca.pem", ca.CertPEM())
	saveProfile(t, &profile.Profile{Name: "practice", URL: url, Cert: cert, Key: key, CACert: caFile})

	reports := t.TempDir()
	s := start(t, diagnoseDeps(reports), Options{})
	s.waitFor("never checked") // the profile row, once loaded
	for range len(menu) {
		s.down()
	}
	s.enter()
	scr := s.waitFor("Connected")
	s.snapshot("passed", stable(scr))

	s.key('s')
	s.waitFor("Saved the redacted report")
	files, _ := filepath.Glob(filepath.Join(reports, "onramp-report-practice-*.md"))
	if len(files) != 1 {
		t.Fatalf("report files %v", files)
	}
	data, _ := os.ReadFile(files[0])
	if !strings.Contains(string(data), "practice-client") && !strings.Contains(string(data), "tls") {
		t.Errorf("report:\n%s", data)
	}

	// The last check shows on Home.
	s.esc()
	s.waitFor("✓ ok just now")
	p, _ := profile.Load("practice")
	if p.LastCheck == nil || !p.LastCheck.OK {
		t.Errorf("last check not saved: %+v", p.LastCheck)
	}
}

func TestDiagnoseFailing(t *testing.T) {
	dir := configDir(t)
	serverCA := testpki.NewCA(t, "Provider Root CA")
	clientCA := testpki.NewCA(t, "Provider Client CA")
	other := testpki.NewCA(t, "Some Other CA")
	url := mtlsServer(t, serverCA, clientCA)
	cert, key := other.Client(t, testpki.Options{CommonName: "practice-client"}).Files(t, dir, "client")
	caFile := testpki.WriteFile(t, dir, "ca.pem", serverCA.CertPEM())
	saveProfile(t, &profile.Profile{Name: "wrong-ca", URL: url, Cert: cert, Key: key, CACert: caFile})

	s := start(t, diagnoseDeps(t.TempDir()), Options{})
	s.waitFor("wrong-ca")
	for range len(menu) {
		s.down() // to the profile's row
	}
	s.enter()
	scr := s.waitFor("[client-cert-wrong-issuer]") // the run's verdict, once it ends
	s.snapshot("failed", stable(scr))
	if !strings.Contains(scr, "[client-cert-wrong-issuer]") {
		t.Errorf("cause not named:\n%s", scr)
	}

	s.key('t')
	scr = s.waitFor("Acceptable client CAs")
	if !strings.Contains(scr, "Provider Client CA") {
		t.Errorf("acceptable CAs not shown:\n%s", scr)
	}
	s.snapshot("tls-details", stable(scr))

	// r runs the checks again: the list restarts and ends the same way.
	s.key('r')
	s.waitFor("[client-cert-wrong-issuer]")
}

func TestDiagnoseOneOffForm(t *testing.T) {
	for _, size := range screenSizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			configDir(t)
			ca := testpki.NewCA(t, "Practice CA")
			url := mtlsServer(t, ca, ca)
			s := startSized(t, diagnoseDeps(t.TempDir()), Options{}, size.w, size.h)
			s.waitFor("None yet")
			s.down()
			s.enter()
			scr := s.waitFor("status endpoint")
			s.snapshot("form", scr)
			checkFits(t, scr, size.w, size.h)
			s.text(url)
			s.enter()
			scr = stable(s.waitFor("Client certificate (optional)"))
			s.snapshot("files", scr)
			checkFits(t, scr, size.w, size.h)
			for _, want := range []string{"Client certificate", "Private key", "CA bundle", "API key (optional", "API key header", "enter next"} {
				if !strings.Contains(scr, want) {
					t.Errorf("the form hides %q:\n%s", want, scr)
				}
			}
			for range 5 {
				s.enter()
			}
			// No client certificate and the server's CA unknown: diagnosed, not hung.
			scr = s.waitFor("r run again") // shown once the run ends
			if !strings.Contains(scr, "server-cert-untrusted") && !strings.Contains(scr, "client-cert") {
				t.Errorf("unexpected diagnosis:\n%s", scr)
			}
		})
	}
}
