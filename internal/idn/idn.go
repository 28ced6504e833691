// Package idn converts internationalised host names to the ASCII (punycode)
// form that DNS, SNI, certificates and the Host header use, once, where
// onramp takes a URL or host from the user; and shows both forms to people.
package idn

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"golang.org/x/net/idna"
)

// lookup is IDNA2008's lookup profile with the UTS #46 mapping, as browsers
// and curl (libidn2) convert a name someone typed.
var lookup = idna.Lookup

// Host returns host in ASCII form. A name that is already ASCII (or an IP
// address) comes back lowercased and otherwise unchanged, so names that are
// not strict LDH (an underscore, say) keep working; a name with non-ASCII
// letters is mapped and converted to punycode, and one that is not valid
// IDNA is an error naming the host and why.
func Host(host string) (string, error) {
	if isASCII(host) {
		return strings.ToLower(host), nil
	}
	a, err := lookup.ToASCII(host)
	if err != nil {
		return "", &Error{Host: host, Err: err}
	}
	return a, nil
}

// Error is a host name that is not valid IDNA: a mistake in what the user
// typed (callers exit with the usage status).
type Error struct {
	Host string
	Err  error
}

func (e *Error) Error() string {
	return fmt.Sprintf("host %q is not a valid internationalised domain name: %v; check its spelling, or give its ASCII (xn--) form", e.Host, why(e.Err))
}

func (e *Error) Unwrap() error { return e.Err }

// URL returns raw with its host in ASCII form. A URL whose host is already
// ASCII comes back unchanged; one that does not parse is returned as is for
// the caller's own check to report.
func URL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || isASCII(u.Host) {
		return raw, nil
	}
	h, err := Host(u.Hostname())
	if err != nil {
		return "", err
	}
	if p := u.Port(); p != "" {
		h = net.JoinHostPort(h, p)
	}
	u.Host = h
	return u.String(), nil
}

// Display shows an ASCII host to a person: a punycode name as its Unicode
// form with the ASCII form beside it ("bücher.example (xn--bcher-kva.example)"),
// anything else as it is.
func Display(host string) string {
	if !strings.Contains(strings.ToLower(host), "xn--") {
		return host
	}
	u, err := idna.Display.ToUnicode(host)
	if err != nil || u == host {
		return host
	}
	return u + " (" + host + ")"
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// why trims the idna package's prefix from its error.
func why(err error) string {
	return strings.TrimPrefix(err.Error(), "idna: ")
}
