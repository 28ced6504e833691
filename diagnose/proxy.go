package diagnose

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/classify"
	"github.com/onramp-cli/onramp/egress"
)

// ProxyInfo says how the run reached the server, for --json and reports.
// It never holds a credential: only where one came from.
type ProxyInfo struct {
	// URL is the proxy without user info; "" when a configured proxy was
	// bypassed (Bypass says why).
	URL    string `json:"url,omitempty"`
	Source string `json:"source"`
	// Credentials names where the proxy credentials came from ("the proxy
	// URL", "--proxy-user-env VAR"), "" when none were sent.
	Credentials string `json:"credentials,omitempty"`
	Bypass      string `json:"bypass,omitempty"`
	// Dialed is the proxy address connected to; Connect the proxy's answer
	// to CONNECT.
	Dialed  string `json:"dialed,omitempty"`
	Connect string `json:"connect,omitempty"`
}

// chooseRoute decides, before the steps run, whether the run goes through
// a proxy; the proxy step runs only when one is configured.
func (r *run) chooseRoute() {
	u, err := ParseTarget(r.opts.URL)
	if err != nil {
		return // the dns step reports it
	}
	s := r.opts.Route
	if s.Resolve == nil {
		s.Resolve = r.opts.Resolve
	}
	r.dialer = &egress.Dialer{}
	if d, err := egress.NewDialer(s); err == nil {
		r.dialer = d
	} else {
		r.routeErr = err
	}
	rt, err := s.RouteTo(u.Hostname())
	if err != nil {
		r.routeErr = err
	}
	r.route = rt
	if rt.Configured == "" && rt.Proxy == nil && r.routeErr == nil {
		return
	}
	info := &ProxyInfo{Source: rt.Configured, Bypass: rt.Bypass}
	if p := rt.Proxy; p != nil {
		info.URL, info.Source, info.Credentials = p.String(), p.Source, p.CredentialSource()
	}
	r.report.Proxy = info
}

func (r *run) stepProxy(ctx context.Context, st *Step) {
	if r.routeErr != nil {
		fail(st, cause.ProxyUnreachable, "%v", r.routeErr)
		return
	}
	p := r.route.Proxy
	if p == nil {
		st.Detail = fmt.Sprintf("not used: %s (%s is set)", r.route.Bypass, r.route.Configured)
		return
	}
	u, _ := ParseTarget(r.opts.URL)
	port := u.Port()
	if port == "" {
		port = "443"
	}
	target := net.JoinHostPort(u.Hostname(), port)
	conn, tr, err := r.dialer.Tunnel(ctx, p, target)
	info := r.report.Proxy
	info.Dialed, info.Connect = tr.Dialed, tr.Status
	if err != nil {
		id := classify.Net(err)
		if id == "" {
			id = cause.ProxyUnreachable
		}
		fail(st, id, "%s", err.Error())
		return
	}
	r.raw = conn
	var b strings.Builder
	fmt.Fprintf(&b, "%s (from %s", p, p.Source)
	if p.HasCredentials() {
		fmt.Fprintf(&b, ", credentials from %s", p.CredentialSource())
	}
	fmt.Fprintf(&b, "): connected to %s", tr.Dialed)
	if tr.Resolved != "" {
		fmt.Fprintf(&b, " (%s)", tr.Resolved)
	}
	fmt.Fprintf(&b, " in %s", ms(tr.Connect))
	if tr.TLS > 0 {
		fmt.Fprintf(&b, ", TLS with the proxy in %s", ms(tr.TLS))
	}
	fmt.Fprintf(&b, "; CONNECT %s → %s in %s", target, tr.Status, ms(tr.Tunnel))
	if _, ok := r.opts.Resolve[strings.ToLower(target)]; ok {
		fmt.Fprintf(&b, "; --resolve for %s is not used: the proxy resolves the name, as with curl", target)
	}
	st.Detail = b.String()
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000)
}
