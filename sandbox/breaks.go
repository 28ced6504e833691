package sandbox

import (
	"fmt"
	"sort"
	"strings"

	"github.com/onramp-cli/onramp/cause"
)

// Break is a practice mode: the sandbox misbehaves so that a diagnosis of
// the `sandbox` profile names exactly the cause ID.
type Break struct {
	ID cause.ID // a cause id of the catalog
	// Does says, in a line, what the sandbox does to produce the cause.
	Does string
}

var breaks = []Break{
	{cause.ClientCertWrongIssuer, "asks for client certificates from another CA (the CertificateRequest lists only that CA)"},
	{cause.ClientCertRejected, "refuses every client certificate with a bad_certificate alert"},
	{cause.ClientCertNotSent, "does not ask for a client certificate and answers 400 \"No required SSL certificate was sent\", as nginx does"},
	{cause.ServerCertExpired, "serves a server certificate from its own CA that expired yesterday"},
	{cause.ServerCertNotYetValid, "serves a server certificate from its own CA that is valid only from next month"},
	{cause.ServerCertHostnameMismatch, "serves a certificate for sandbox.invalid instead of localhost"},
	{cause.ServerCertUntrusted, "serves a server certificate from a CA that is not in the sandbox's CA bundle"},
	{cause.ServerCertSelfSigned, "serves a self-signed server certificate"},
	{cause.ServerChainIncomplete, "sends its server certificate without the intermediate CA"},
	{cause.TLSVersionMismatch, "speaks only TLS 1.0 and 1.1 (the DCS requires 1.2)"},
	{cause.TLSNoCommonCipher, "offers only an RC4 cipher suite that no current client accepts"},
	{cause.ClientCertExpired, "judges client certificates by a clock two years ahead, so yours is refused as expired (certificate_expired alert)"},
	{cause.TLSHandshakeTimeout, "accepts connections but never answers the client hello, like a proxy holding them"},
	{cause.TLSNotTLS, "speaks plain HTTP on the TLS port"},
	{cause.TCPReset, "resets every connection as soon as the client hello arrives"},
	{cause.APIKeyRejected, "answers 403 Forbidden to the API key"},
	{cause.EndpointNotFound, "answers 404 Not Found on every path"},
	{cause.MethodNotAllowed, "answers 405 Method Not Allowed to every request"},
	{cause.RateLimited, "answers 429 Too Many Requests with Retry-After: 30"},
	{cause.ServiceUnavailable, "answers 503 Service Unavailable with Retry-After: 120 and {\"available\":false}"},
	{cause.ServerError, "answers 500 Internal Server Error"},
	{cause.UnexpectedResponse, "answers 200 with a web server's welcome page instead of the documented JSON"},
}

// Breaks returns the practice modes, sorted by cause id.
func Breaks() []Break {
	out := append([]Break(nil), breaks...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// LookupBreak returns the practice mode for a cause id.
func LookupBreak(id string) (Break, bool) {
	for _, b := range breaks {
		if string(b.ID) == id {
			return b, true
		}
	}
	return Break{}, false
}

// UnknownBreakError is a --break value that names no practice mode.
type UnknownBreakError struct{ ID string }

func (e *UnknownBreakError) Error() string {
	if _, ok := cause.Parse(e.ID); ok {
		return fmt.Sprintf("the sandbox cannot practise %q (it is a cause, but not one the server can make happen); see `onramp sandbox --break list`", e.ID)
	}
	return fmt.Sprintf("unknown cause %q for --break; see `onramp sandbox --break list`", e.ID)
}

// BreakList is the text of `--break list`: one line per mode, saying what
// the sandbox does (`onramp explain --id ID` tells what the cause means).
func BreakList() string {
	var b strings.Builder
	width := 0
	for _, m := range breaks {
		width = max(width, len(m.ID))
	}
	for _, m := range Breaks() {
		fmt.Fprintf(&b, "%-*s  %s\n", width, m.ID, m.Does)
	}
	return b.String()
}
