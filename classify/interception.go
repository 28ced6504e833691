package classify

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"strings"

	"github.com/onramp-cli/onramp/cause"
)

// InspectionProduct is a TLS-inspecting proxy or security product, known
// by words of the names on the certificates it mints.
type InspectionProduct struct {
	Vendor string
	// Names are matched, case-insensitively, as substrings of the common
	// name, organisation and organisational units of the issuer (and the
	// subject of any CA certificate) in the chain the server sent.
	Names []string
}

// InspectionProducts is the data classify uses to name tls-intercepted:
// the issuer names these products put on the certificates they mint, as
// their documentation and support articles show them. Add one here, with
// the words of its CA's name; a generic word would misname a real CA.
var InspectionProducts = []InspectionProduct{
	{"Zscaler", []string{"zscaler"}},
	{"Netskope", []string{"netskope", "goskope.com"}},
	{"Palo Alto Networks", []string{"palo alto networks", "paloaltonetworks", "pan-os", "prisma access"}},
	{"Fortinet", []string{"fortinet", "fortigate", "fortiproxy"}},
	{"Blue Coat / Symantec", []string{"blue coat", "bluecoat", "proxysg", "symantec web security", "symantec wss"}},
	{"Cisco Umbrella", []string{"cisco umbrella", "opendns"}},
	{"Forcepoint", []string{"forcepoint", "websense"}},
	{"Sophos", []string{"sophos"}},
	{"Check Point", []string{"check point", "checkpoint"}},
	{"Microsoft Defender", []string{"microsoft defender", "defender for cloud apps"}},
	{"Cloudflare Gateway", []string{"cloudflare for teams", "cloudflare gateway", "cloudflare zero trust"}},
	{"Menlo Security", []string{"menlo security"}},
	{"iboss", []string{"iboss"}},
	{"Barracuda", []string{"barracuda"}},
	{"McAfee / Skyhigh", []string{"mcafee web gateway", "skyhigh"}},
	{"Kaspersky", []string{"kaspersky"}},
	{"ESET", []string{"eset ssl filter"}},
	{"Avast / AVG", []string{"avast", "avg web/mail shield"}},
	{"Bitdefender", []string{"bitdefender"}},
	{"mitmproxy", []string{"mitmproxy"}},
	{"Fiddler", []string{"fiddler"}},
	{"Charles Proxy", []string{"charles proxy"}},
	{"Burp Suite", []string{"portswigger"}},
}

// Interception names the inspection product whose CA issued the server's
// chain, and that CA's name, or ok false when none of the chain's names
// is a known product's.
func Interception(peer []*x509.Certificate) (vendor, issuer string, ok bool) {
	for _, c := range peer {
		names := []pkix.Name{c.Issuer}
		if c.IsCA {
			names = append(names, c.Subject)
		}
		for _, n := range names {
			words := strings.ToLower(strings.Join(append(append([]string{n.CommonName}, n.Organization...), n.OrganizationalUnit...), " | "))
			for _, p := range InspectionProducts {
				for _, name := range p.Names {
					if strings.Contains(words, name) {
						return p.Vendor, SubjectName(n), true
					}
				}
			}
		}
	}
	return "", "", false
}

// intercepted is the tls-intercepted finding for a chain a product issued.
func intercepted(peer []*x509.Certificate, host, trust string) (cause.ID, string, bool) {
	vendor, issuer, ok := Interception(peer)
	if !ok {
		return "", "", false
	}
	if host == "" {
		host = "the API's host"
	}
	return cause.TLSIntercepted, fmt.Sprintf("the certificate for %s is issued by %q (%s, a TLS-inspecting product), not by a CA in %s: ",
		host, issuer, vendor, trust) + inPlaceOf(host), true
}

// inPlaceOf ends a tls-intercepted detail: what happened and what to ask.
func inPlaceOf(host string) string {
	return "it answered in the server's place. Ask your IT team to exempt " + host + " from TLS inspection; mutual TLS cannot pass through it"
}

// NotRequested names why a server that should have asked for a client
// certificate did not (why says what expected it: "--cert was given"): a
// chain an inspection product issued is tls-intercepted, anything else
// client-cert-not-requested. The detail names the issuing CA.
func NotRequested(peer []*x509.Certificate, host, why string) (cause.ID, string) {
	if vendor, issuer, ok := Interception(peer); ok {
		return cause.TLSIntercepted, fmt.Sprintf("%s, but the server never asked for a client certificate, and its certificate is issued by %q (%s, a TLS-inspecting product): ",
			why, issuer, vendor) + inPlaceOf(host)
	}
	issuer := ""
	if len(peer) > 0 {
		issuer = fmt.Sprintf(" (its certificate is issued by %q)", SubjectName(peer[0].Issuer))
	}
	return cause.ClientCertNotRequested, fmt.Sprintf("%s, but the server never asked for a client certificate%s", why, issuer)
}

// InterceptionWarning describes a chain that verified but that an
// inspection product issued (its root is trusted here, as IT installs it):
// the traffic is decrypted on the way. An API key or token passes; mutual
// TLS would not.
func InterceptionWarning(peer []*x509.Certificate, host string) (string, bool) {
	vendor, issuer, ok := Interception(peer)
	if !ok {
		return "", false
	}
	return fmt.Sprintf("the certificate for %s is issued by %q (%s, a TLS-inspecting product), which this machine trusts: "+
		"the traffic is decrypted and inspected on the way, API key and token included. Mutual TLS cannot pass through it; "+
		"ask your IT team to exempt %s from TLS inspection", host, issuer, vendor, host), true
}
