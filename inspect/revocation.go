package inspect

import (
	"context"
	"crypto/x509"
	"strings"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/revocation"
)

// CheckRevocation asks the CA whether the leaf certificate of each result
// (its first non-CA certificate) is revoked, by OCSP or CRL, each check
// bounded by o.Timeout. The other certificates of all the inspected files
// (a chain, a CA bundle given alongside) are candidate issuers. A revoked
// certificate is a client-cert-revoked failure; when no answer can be had,
// the certificate says why, and that is not a failure.
func CheckRevocation(ctx context.Context, results []*Result, o revocation.Options) {
	for _, r := range results {
		o.Issuers = append(o.Issuers, r.certs...)
	}
	for _, r := range results {
		if r.Role == "ca-bundle" {
			continue
		}
		i := leafIndex(r.certs)
		if i < 0 || i >= len(r.Certificates) {
			continue
		}
		c := &r.Certificates[i]
		res, err := revocation.Check(ctx, r.certs[i], o)
		if err != nil {
			c.RevocationError = strings.ReplaceAll(err.Error(), "\n", "; ")
			continue
		}
		c.Revocation = res
		if res.Status == revocation.Revoked {
			r.add(SeverityFail, cause.ClientCertRevoked, "%s", res.String())
		}
	}
}

func leafIndex(certs []*x509.Certificate) int {
	for i, c := range certs {
		if !c.IsCA {
			return i
		}
	}
	return -1
}
