package diagnose

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/cause"
)

// TestExpiringClientCertSaysWhen: a certificate that is still valid is
// never headlined as expired, and the time left reads as a person writes it.
func TestExpiringClientCertSaysWhen(t *testing.T) {
	now := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	name := pkix.Name{CommonName: "client-1"}
	for left, want := range map[time.Duration]string{
		10*24*time.Hour + time.Hour:   "The client certificate expires in 10 days",
		36 * time.Hour:                "The client certificate expires in 1 day",
		23*time.Hour + 59*time.Minute: "The client certificate expires in 23 hours",
		90 * time.Minute:              "The client certificate expires in 1 hour",
		59 * time.Minute:              "The client certificate expires in less than an hour",
	} {
		leaf := &x509.Certificate{Subject: name, Issuer: name, NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.Add(left),
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
		chain := []*x509.Certificate{leaf}
		got := ClientCertFindings(chain, now)
		if len(got) != 1 || got[0].Cause.ID != cause.ClientCertExpired || !IsExpiryWarning(got[0], chain, now) {
			t.Fatalf("%s left: findings %+v", left, got)
		}
		if got[0].Cause.Title != want {
			t.Errorf("%s left: title %q, want %q", left, got[0].Cause.Title, want)
		}
		if strings.Contains(got[0].Detail, "0 hours") || strings.Contains(got[0].Detail, "1 hours") {
			t.Errorf("%s left: detail %q", left, got[0].Detail)
		}
	}
	if c := cause.Get(cause.ClientCertExpired); c.Title != "The client certificate has expired" {
		t.Errorf("the catalog's title changed: %q", c.Title)
	}
}
