package monitor_test

import (
	"context"
	"strings"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/monitor"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/secretstore"
)

// testChecker turns a profile into check options the way the CLI does
// (settings, status path, API key from the store) and runs the checks.
func testChecker(kr secretstore.Keyring) monitor.Checker {
	return monitor.CheckerFunc(func(ctx context.Context, p *profile.Profile) *diagnose.Report {
		o := diagnose.Options{URL: p.URL, CertFile: p.Cert, KeyFile: p.Key, CACertFile: p.CACert,
			APIKeyHeader: p.APIKeyHeader, ExpectJSON: p.ExpectJSON}
		if p.StatusPath != "" {
			o.URL = strings.TrimSuffix(p.URL, "/") + "/" + strings.TrimPrefix(p.StatusPath, "/")
		}
		if p.APIKeySecret != "" {
			o.APIKey, _ = kr.Get(p.Name, p.APIKeySecret)
		}
		return diagnose.Run(ctx, o, nil)
	})
}
