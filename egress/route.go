// Package egress decides how onramp reaches a host, directly or through a
// proxy, the way curl does, and opens that connection. Every outgoing
// connection of onramp (diagnose's steps, the token clients) goes through
// it, so one run never takes two routes.
//
// Proxy selection follows curl 7.88+: --proxy, else https_proxy,
// HTTPS_PROXY, all_proxy, ALL_PROXY (the lowercase name first, empty values
// ignored); --noproxy, else no_proxy, NO_PROXY, applies to both. Loopback
// names are not special: curl proxies them too.
package egress

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/internal/idn"
)

// Settings say how to route outgoing connections. The zero value routes as
// curl would with the process environment and no flags.
type Settings struct {
	// Proxy is --proxy: a proxy URL (http://, https://, or host:port for
	// http). ProxySet says the flag was given: an empty Proxy then means no
	// proxy at all, whatever the environment says (curl -x "").
	Proxy    string
	ProxySet bool
	// NoProxy is --noproxy: a comma-separated list of hosts, domains, IP
	// addresses or CIDR ranges that bypass the proxy, or "*". NoProxySet
	// says it was given, overriding no_proxy/NO_PROXY (even when empty).
	NoProxy    string
	NoProxySet bool
	// ProxyUser and ProxyPassword are credentials for the proxy (from
	// --proxy-user-env or the secret store); they replace the proxy URL's
	// user info. ProxyUser "" keeps the URL's user name.
	ProxyUser     string
	ProxyPassword string
	// ProxyUserSource names where the credentials came from, for the
	// report ("--proxy-user-env PROXY_CREDS"); never the value.
	ProxyUserSource string
	// ProxyCACertFile verifies an https:// proxy's certificate instead of
	// the system roots, as curl's --proxy-cacert.
	ProxyCACertFile string
	// Resolve maps "host:port" (lower-case host) to the address to dial,
	// as curl's --resolve: with a proxy it applies to the proxy's host only;
	// the target's name is resolved by the proxy.
	Resolve map[string]string
	// IPVersion, 4 or 6, connects over that family only (curl -4/-6).
	IPVersion int
	// ConnectTimeout bounds each TCP connect (default 10s); the caller's
	// context bounds the whole exchange.
	ConnectTimeout time.Duration
	// Getenv reads the environment; nil means os.Getenv. Tests inject it.
	Getenv func(string) string
}

// Proxy is the proxy a connection goes through.
type Proxy struct {
	// URL is the proxy's URL with scheme and port filled in and without
	// user info: safe to print.
	URL *url.URL
	// Source is where it came from: "--proxy" or the variable's name.
	Source string
	// user and password for Basic authentication, "" when none.
	user, password string
	// credSource says where the credentials came from ("the proxy URL").
	credSource string
}

// String is the proxy's URL without credentials.
func (p *Proxy) String() string { return p.URL.String() }

// HasCredentials says whether onramp will authenticate to the proxy.
func (p *Proxy) HasCredentials() bool { return p.user != "" || p.password != "" }

// HasPassword says whether a password for the proxy is known.
func (p *Proxy) HasPassword() bool { return p.password != "" }

// CredentialSource says where the credentials come from, "" when none.
func (p *Proxy) CredentialSource() string { return p.credSource }

// Address is the proxy's host:port.
func (p *Proxy) Address() string { return p.URL.Host }

// Route is the way to one target: direct, or through Proxy.
type Route struct {
	// Proxy is nil for a direct connection.
	Proxy *Proxy
	// Configured names the proxy setting that exists even when the route
	// is direct ("HTTPS_PROXY"), "" when none is set.
	Configured string
	// Bypass says why a configured proxy is not used, e.g. "NO_PROXY entry
	// .example.com matches"; "" otherwise.
	Bypass string
}

// UsageError is a bad proxy setting: a malformed URL or an unsupported
// scheme. The CLI reports it as a usage error.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func (s Settings) getenv(name string) string {
	if s.Getenv != nil {
		return s.Getenv(name)
	}
	return os.Getenv(name)
}

// configured returns the proxy setting for https:// and where it came
// from.
func (s Settings) configured() (raw, source string) { return s.configuredFor("https") }

// configuredFor returns the proxy setting for a URL scheme and where it came
// from. For plain http:// (OCSP responders, CRLs) curl reads http_proxy in
// lower case only: HTTP_PROXY can be set by a CGI request's Proxy header.
func (s Settings) configuredFor(scheme string) (raw, source string) {
	if s.ProxySet {
		return s.Proxy, "--proxy"
	}
	names := []string{"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}
	if scheme == "http" {
		names = []string{"http_proxy", "all_proxy", "ALL_PROXY"}
	}
	for _, name := range names {
		if v := s.getenv(name); v != "" {
			return v, name
		}
	}
	return "", ""
}

func (s Settings) noProxy() (list, source string) {
	if s.NoProxySet {
		return s.NoProxy, "--noproxy"
	}
	for _, name := range []string{"no_proxy", "NO_PROXY"} {
		if v := s.getenv(name); v != "" {
			return v, name
		}
	}
	return "", ""
}

// Check validates the proxy setting without choosing a route, so that the
// CLI can reject a bad --proxy or HTTPS_PROXY before running.
func (s Settings) Check() error {
	raw, source := s.configured()
	if raw == "" {
		return nil
	}
	_, err := parseProxy(raw, source)
	return err
}

// RouteTo chooses the route to host (a name or IP address, no port) as
// curl does.
func (s Settings) RouteTo(host string) (Route, error) { return s.RouteFor("https", host) }

// RouteFor chooses the route to host for a URL of scheme ("https", or
// "http" for plain fetches) as curl does.
func (s Settings) RouteFor(scheme, host string) (Route, error) {
	raw, source := s.configuredFor(scheme)
	if raw == "" {
		return Route{}, nil
	}
	rt := Route{Configured: source}
	list, listSource := s.noProxy()
	if entry, ok := NoProxyMatch(host, list); ok {
		if entry == "*" {
			rt.Bypass = fmt.Sprintf("%s is *: no proxy for any host", listSource)
		} else {
			rt.Bypass = fmt.Sprintf("%s entry %q matches %s", listSource, entry, host)
		}
		return rt, nil
	}
	p, err := parseProxy(raw, source)
	if err != nil {
		return rt, err
	}
	if s.ProxyPassword != "" || s.ProxyUser != "" {
		if s.ProxyUser != "" {
			p.user = s.ProxyUser
		}
		p.password = s.ProxyPassword
		p.credSource = s.ProxyUserSource
	}
	rt.Proxy = p
	return rt, nil
}

// parseProxy reads a proxy URL as curl does: no scheme means http://, the
// default port is 1080 for http:// and 443 for https://.
func parseProxy(raw, source string) (*Proxy, error) {
	bad := func(why string) error {
		return &UsageError{Msg: fmt.Sprintf("%s %q: %s (want http://[USER@]HOST:PORT or https://HOST:PORT)", source, Redact(raw), why)}
	}
	s := strings.TrimSpace(raw)
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, bad("not a URL")
	}
	scheme := strings.ToLower(u.Scheme)
	switch scheme {
	case "http", "https":
	case "socks4", "socks4a", "socks5", "socks5h":
		return nil, bad("onramp speaks to HTTP and HTTPS proxies only, not SOCKS")
	default:
		return nil, bad("unsupported proxy scheme " + u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, bad("no host")
	}
	host, err := idn.Host(u.Hostname())
	if err != nil {
		return nil, bad(err.Error())
	}
	port := u.Port()
	if port == "" {
		port = "1080"
		if scheme == "https" {
			port = "443"
		}
	} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, bad("bad port")
	}
	p := &Proxy{URL: &url.URL{Scheme: scheme, Host: net.JoinHostPort(host, port)}, Source: source}
	if u.User != nil {
		p.user = u.User.Username()
		p.password, _ = u.User.Password()
		p.credSource = "the proxy URL"
	}
	return p, nil
}

// NoProxyMatch says whether host is in a NO_PROXY list as curl's
// Curl_check_noproxy decides, and which entry matched. The list is
// separated by commas (and blanks); "*" alone matches every host; an entry
// matches the host itself or any name under it (a leading and a trailing
// dot are ignored); for an IP address host, entries are addresses or CIDR
// ranges. An entry with a port never matches, as in curl. host is in ASCII
// form; an internationalised entry is converted to punycode to match it.
func NoProxyMatch(host, list string) (string, bool) {
	if host == "" || list == "" {
		return "", false
	}
	if list == "*" {
		return "*", true
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	ip := net.ParseIP(host)
	if ip == nil {
		host = strings.TrimSuffix(host, ".")
	}
	for _, tok := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if ip != nil {
			if matchIP(ip, tok) {
				return tok, true
			}
			continue
		}
		t := strings.TrimSuffix(tok, ".")
		t = strings.TrimPrefix(t, ".")
		if t == "" {
			continue
		}
		// Hosts arrive in ASCII form (idn): an entry typed in Unicode
		// (bücher.example) is compared in the same form. One that is not
		// valid IDNA matches nothing, as no host has that name.
		if a, err := idn.Host(t); err == nil {
			t = a
		} else {
			continue
		}
		if strings.EqualFold(t, host) ||
			(len(t) < len(host) && host[len(host)-len(t)-1] == '.' && strings.EqualFold(t, host[len(host)-len(t):])) {
			return tok, true
		}
	}
	return "", false
}

func matchIP(ip net.IP, tok string) bool {
	if addr, bits, ok := strings.Cut(tok, "/"); ok {
		n, err := strconv.Atoi(bits)
		if err != nil || n < 0 {
			return false
		}
		base := net.ParseIP(addr)
		if base == nil || (base.To4() == nil) != (ip.To4() == nil) {
			return false
		}
		size := 128
		if ip.To4() != nil {
			size, base, ip = 32, base.To4(), ip.To4()
		}
		if n == 0 {
			n = size // curl treats /0 as the whole address
		}
		if n > size {
			return false
		}
		return (&net.IPNet{IP: base.Mask(net.CIDRMask(n, size)), Mask: net.CIDRMask(n, size)}).Contains(ip)
	}
	other := net.ParseIP(tok)
	return other != nil && other.Equal(ip)
}

// Redact removes the password from a URL-like string for display: the
// user name stays, the password becomes "REDACTED".
func Redact(raw string) string {
	s := raw
	added := false
	if !strings.Contains(s, "://") {
		s, added = "http://"+s, true
	}
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		if err != nil && strings.Contains(raw, "@") {
			return "(a proxy URL with credentials)"
		}
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "REDACTED")
	}
	out := u.String()
	if added {
		out = strings.TrimPrefix(out, "http://")
	}
	return out
}
