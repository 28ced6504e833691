package diagnose

import (
	"context"
	"crypto/x509"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/egress"
	"github.com/onramp-cli/onramp/revocation"
)

// checkRevocation asks whether the client certificate is revoked (issuers:
// the rest of its file, the CA bundle, else its CA Issuers URL) within the
// run's deadline. Revoked fails the step as client-cert-revoked; no answer
// is only said, as servers differ in what they do then. It returns the
// phrase for the step's detail.
func (r *run) checkRevocation(ctx context.Context, st *Step, bundle []*x509.Certificate) string {
	chain := r.local.chain
	issuers := append(append([]*x509.Certificate(nil), chain[1:]...), bundle...)
	timeout := revocation.DefaultTimeout
	if d, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(d))
	}
	res, err := revocation.Check(ctx, chain[0], revocation.Options{Issuers: issuers, Timeout: timeout, Now: r.now,
		Client: r.revocationDialer().HTTPClient(timeout)})
	if err != nil {
		return "revocation not checked: " + strings.ReplaceAll(err.Error(), "\n", "; ")
	}
	if res.Status == revocation.Revoked {
		addFinding(st, Finding{Cause: cause.Get(cause.ClientCertRevoked), Detail: "the client certificate was " + res.String()}, true)
	}
	return "client certificate " + res.String()
}

// revocationDialer routes the OCSP and CRL fetches as the run's own
// connection: --proxy, --noproxy and the proxy's credentials apply.
func (r *run) revocationDialer() *egress.Dialer {
	if r.dialer != nil {
		return r.dialer
	}
	return &egress.Dialer{}
}
