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
)

// AttemptDelay is how long the tcp step waits for one address before it
// also tries the next (Happy Eyeballs, RFC 8305's Connection Attempt
// Delay), so a black-holed IPv6 address does not use up the run.
const AttemptDelay = 250 * time.Millisecond

// family of an IP address: 4 or 6.
func family(ip string) int {
	if p := net.ParseIP(ip); p != nil && p.To4() == nil {
		return 6
	}
	return 4
}

// resolve fills r.addrs for the dns step: --resolve, an IP address host,
// or the system resolver, keeping only -4/-6's family.
func (r *run) resolve(ctx context.Context, st *Step) {
	only := r.opts.IPVersion
	keep := func(addrs []string) []string {
		var out []string
		for _, a := range addrs {
			if only == 0 || family(a) == only {
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
		st.Detail = fmt.Sprintf("%s → %s (from --resolve)", r.host, strings.Join(r.addrs, ", "))
		return
	}
	if ip := net.ParseIP(r.host); ip != nil {
		if r.addrs = keep([]string{r.host}); len(r.addrs) == 0 {
			fail(st, cause.DNSNoSuchHost, "%s is an IPv%d address, and -%d was given", r.host, family(r.host), only)
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
	st.Detail = r.host + " → " + strings.Join(r.addrs, ", ")
}

// attempt is one address tried by the tcp step.
type attempt struct {
	addr string
	conn net.Conn
	err  error
	took time.Duration
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
	won, tried, abandoned := r.race(ctx, interleave(r.addrs))
	var failed []string
	for _, a := range tried {
		failed = append(failed, fmt.Sprintf("%s: %s", net.JoinHostPort(a.addr, r.port), shortNetErr(a.err, a.took)))
	}
	for _, a := range abandoned {
		failed = append(failed, fmt.Sprintf("%s: no answer in %s, abandoned", net.JoinHostPort(a.addr, r.port), a.took.Round(time.Millisecond)))
	}
	if won != nil {
		r.raw = won.conn
		r.dialed = won.conn.RemoteAddr().String()
		st.Detail = "connected to " + r.dialed
		if len(failed) > 0 {
			st.Detail += " (" + strings.Join(failed, "; ") + ")"
		}
		return
	}
	err := tried[len(tried)-1].err
	for _, a := range tried { // a refusal or a reset says more than a timeout
		if id := classify.Net(a.err); id != "" && id != cause.TCPTimeout {
			err = a.err
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

// interleave orders addresses IPv6 first, alternating families, as RFC
// 8305 does (and keeps each family's own order).
func interleave(addrs []string) []string {
	var v6, v4 []string
	for _, a := range addrs {
		if family(a) == 6 {
			v6 = append(v6, a)
		} else {
			v4 = append(v4, a)
		}
	}
	out := make([]string, 0, len(addrs))
	for i := 0; i < len(v6) || i < len(v4); i++ {
		if i < len(v6) {
			out = append(out, v6[i])
		}
		if i < len(v4) {
			out = append(out, v4[i])
		}
	}
	return out
}

// race connects to the addresses Happy-Eyeballs style: the next address
// starts when the one before fails or after AttemptDelay, each bounded by
// its share of the time left, and the first to connect wins. It returns
// the winner (nil if none), the attempts that failed, and those abandoned
// when another won.
func (r *run) race(ctx context.Context, addrs []string) (*attempt, []attempt, []attempt) {
	share := 10 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		share = time.Until(dl) / time.Duration(len(addrs))
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make(chan attempt, len(addrs))
	started := map[string]time.Time{}
	next := 0
	start := func() {
		a := addrs[next]
		next++
		started[a] = time.Now()
		go func() {
			actx, done := context.WithTimeout(ctx, share)
			defer done()
			t0 := time.Now()
			var d net.Dialer
			c, err := d.DialContext(actx, "tcp", net.JoinHostPort(a, r.port))
			results <- attempt{addr: a, conn: c, err: err, took: time.Since(t0)}
		}()
	}
	start()
	timer := time.NewTimer(AttemptDelay)
	defer timer.Stop()
	var tried []attempt
	for running := 1; running > 0; {
		select {
		case res := <-results:
			running--
			delete(started, res.addr)
			if res.err == nil {
				var abandoned []attempt
				for _, a := range addrs { // in order, for a stable report
					if t, ok := started[a]; ok {
						abandoned = append(abandoned, attempt{addr: a, took: time.Since(t)})
					}
				}
				cancel()
				go func(n int) { // close late winners
					for ; n > 0; n-- {
						if late := <-results; late.conn != nil {
							late.conn.Close()
						}
					}
				}(running)
				return &res, tried, abandoned
			}
			tried = append(tried, res)
			if next < len(addrs) && ctx.Err() == nil {
				start()
				running++
				timer.Reset(AttemptDelay)
			}
		case <-timer.C:
			if next < len(addrs) {
				start()
				running++
				timer.Reset(AttemptDelay)
			}
		}
	}
	return nil, tried, nil
}
