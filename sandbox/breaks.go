package sandbox

import (
	"fmt"
	"sort"
	"strings"

	"github.com/onramp-cli/onramp/diagnose"
)

// Break is a practice mode: the sandbox misbehaves so that a diagnosis of
// the `sandbox` profile names exactly the cause ID.
type Break struct {
	ID string // a cause id of the catalog
	// Does says, in a line, what the sandbox does to produce the cause.
	Does string
	// layer is where the fault is made: the listener, the TLS handshake or
	// the HTTP answer.
	layer breakLayer
}

type breakLayer int

const (
	layerTLS breakLayer = iota
	layerHTTP
	layerConn
)

var breaks = []Break{
	{"client-cert-wrong-issuer", "asks for client certificates from another CA (the CertificateRequest lists only that CA)", layerTLS},
	{"client-cert-rejected", "refuses every client certificate with a bad_certificate alert", layerTLS},
	{"client-cert-not-sent", "does not ask for a client certificate and answers 400 \"No required SSL certificate was sent\", as nginx does", layerTLS},
	{"server-cert-expired", "serves a server certificate from its own CA that expired yesterday", layerTLS},
	{"server-cert-not-yet-valid", "serves a server certificate from its own CA that is valid only from next month", layerTLS},
	{"server-cert-hostname-mismatch", "serves a certificate for sandbox.invalid instead of localhost", layerTLS},
	{"server-cert-untrusted", "serves a server certificate from a CA that is not in the sandbox's CA bundle", layerTLS},
	{"server-cert-self-signed", "serves a self-signed server certificate", layerTLS},
	{"server-chain-incomplete", "sends its server certificate without the intermediate CA", layerTLS},
	{"tls-version-mismatch", "speaks only TLS 1.0 and 1.1 (the DCS requires 1.2)", layerTLS},
	{"tls-no-common-cipher", "offers only an RC4 cipher suite that no current client accepts", layerTLS},
	{"tls-not-tls", "speaks plain HTTP on the TLS port", layerConn},
	{"tcp-reset", "resets every connection as soon as the client hello arrives", layerConn},
	{"api-key-rejected", "answers 403 Forbidden to the API key", layerHTTP},
	{"endpoint-not-found", "answers 404 Not Found on every path", layerHTTP},
	{"method-not-allowed", "answers 405 Method Not Allowed to every request", layerHTTP},
	{"rate-limited", "answers 429 Too Many Requests with Retry-After: 30", layerHTTP},
	{"service-unavailable", "answers 503 Service Unavailable with Retry-After: 120 and {\"available\":false}", layerHTTP},
	{"server-error", "answers 500 Internal Server Error", layerHTTP},
	{"unexpected-response", "answers 200 with a web server's welcome page instead of the documented JSON", layerHTTP},
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
		if b.ID == id {
			return b, true
		}
	}
	return Break{}, false
}

// UnknownBreakError is a --break value that names no practice mode.
type UnknownBreakError struct{ ID string }

func (e *UnknownBreakError) Error() string {
	if _, ok := diagnose.Lookup(e.ID); ok {
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
