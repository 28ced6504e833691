package explain

import (
	"regexp"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/classify"
)

// issuerContext is how pasted chains name a CA: curl -v's "issuer:",
// openssl's "issuer=", "i:" and "depth=N" lines, keytool's and Java's
// "Issuer:", .NET's and browsers' "issued by".
const issuerContext = `(issuer|\bi:|issued by|depth=\d).*`

// interceptionRecognisers name tls-intercepted when a pasted chain's
// issuer is a TLS-inspection product's CA. The products are classify's
// data (classify.InspectionProducts), the one list diagnose uses too.
func interceptionRecognisers() []Recogniser {
	var rows []Recogniser
	for _, p := range classify.InspectionProducts {
		for _, name := range p.Names {
			r := Recogniser{Pattern: name, Regexp: issuerContext + regexp.QuoteMeta(name),
				Cause: cause.TLSIntercepted, Client: "any", Weight: exact}
			// A short name ("iboss") is looked for on issuer lines only.
			if len(name) < 6 {
				r.Pattern, r.Regexp = "issuer", `issuer.*\b`+regexp.QuoteMeta(name)+`\b`
			}
			rows = append(rows, r)
		}
	}
	return rows
}
