package diagnose

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/classify"
	"github.com/onramp-cli/onramp/egress"
	"github.com/onramp-cli/onramp/internal/idn"
)

// resolve fills r.addrs for the dns step: --resolve, an IP address host,
// or the system resolver, keeping only -4/-6's family.
func (r *run) resolve(ctx context.Context, st *Step) {
	only := r.opts.IPVersion
	keep := func(addrs []string) []string {
		var out []string
		for _, a := range addrs {
			if only == 0 || egress.Family(a) == only {
				out = append(out, a)
			}
		}
		return out
	}
	none := func(what string, all []string) {
		fail(st, cause.DNSNoSuchHost, "%s has no IPv%d address (-%d given); %s gives %s", r.host, only, only, what, strings.Join(all, ", "))
	}
	if v, ok := r.opts.Resolve[net.JoinHostPort(strings.ToLower(r.host), r.port)]; ok {
		all := strings.Split(v, ",")
		if r.addrs = keep(all); len(r.addrs) == 0 {
			none("--resolve", all)
			return
		}
		st.Detail = fmt.Sprintf("%s → %s (from --resolve)", idn.Display(r.host), strings.Join(r.addrs, ", "))
		return
	}
	if ip := net.ParseIP(r.host); ip != nil {
		if r.addrs = keep([]string{r.host}); len(r.addrs) == 0 {
			fail(st, cause.DNSNoSuchHost, "%s is an IPv%d address, and -%d was given", r.host, egress.Family(r.host), only)
			return
		}
		st.Detail = r.host + " is an IP address"
		return
	}
	ips, err := net.DefaultResolver.LookupIPAddr(ctx, r.host)
	if err != nil {
		var de *net.DNSError
		if errors.As(err, &de) && de.IsNotFound {
			fail(st, cause.DNSNoSuchHost, "%s does not resolve: %v", r.host, err)
			return
		}
		fail(st, cause.DNSFailure, "looking up %s: %v", r.host, err)
		return
	}
	if len(ips) == 0 {
		fail(st, cause.DNSNoSuchHost, "%s has no address records", r.host)
		return
	}
	var all []string
	for _, ip := range ips {
		all = append(all, ip.String())
	}
	if r.addrs = keep(all); len(r.addrs) == 0 {
		none("DNS", all)
		return
	}
	st.Detail = idn.Display(r.host) + " → " + strings.Join(r.addrs, ", ")
}

func (r *run) stepTCP(ctx context.Context, st *Step) {
	if r.route.Proxy != nil {
		st.Status, st.Detail = Skip, "the proxy's tunnel is the connection"
		return
	}
	if len(r.addrs) == 0 {
		fail(st, cause.DNSFailure, "no address to connect to for %s", r.host)
		return
	}
	won, tried, abandoned := r.dialer.Race(ctx, egress.Interleave(r.addrs), r.port)
	var failed []string
	for _, a := range tried {
		failed = append(failed, fmt.Sprintf("%s: %s", net.JoinHostPort(a.Addr, r.port), shortNetErr(a.Err, a.Took)))
	}
	for _, a := range abandoned {
		failed = append(failed, fmt.Sprintf("%s: no answer in %s, abandoned", net.JoinHostPort(a.Addr, r.port), a.Took.Round(time.Millisecond)))
	}
	if won != nil {
		r.raw = won.Conn
		r.dialed = won.Conn.RemoteAddr().String()
		st.Detail = "connected to " + r.dialed
		if len(failed) > 0 {
			st.Detail += " (" + strings.Join(failed, "; ") + ")"
		}
		return
	}
	err := tried[len(tried)-1].Err
	for _, a := range tried { // a refusal or a reset says more than a timeout
		if id := classify.Net(a.Err); id != "" && id != cause.TCPTimeout {
			err = a.Err
		}
	}
	id := classify.Net(err)
	if id == "" {
		id = cause.TCPTimeout
	}
	if len(tried) == 1 {
		fail(st, id, "connecting to %s port %s: %v", r.host, r.port, err)
		return
	}
	fail(st, id, "connecting to %s port %s: every address failed: %s", r.host, r.port, strings.Join(failed, "; "))
}

func shortNetErr(err error, took time.Duration) string {
	switch classify.Net(err) {
	case cause.TCPTimeout:
		return fmt.Sprintf("no answer in %s", took.Round(time.Millisecond))
	case cause.TCPRefused:
		return "refused"
	}
	return err.Error()
}
