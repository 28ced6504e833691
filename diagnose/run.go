package diagnose

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/classify"
	"github.com/onramp-cli/onramp/egress"
	"github.com/onramp-cli/onramp/internal/idn"
	"github.com/onramp-cli/onramp/internal/redact"
)

// DefaultTimeout bounds a whole diagnosis when Options.Timeout is zero.
const DefaultTimeout = 15 * time.Second

// run is one diagnosis in progress: what the steps learnt so far.
type run struct {
	opts     Options
	report   *Report
	progress func(Event)
	now      func() time.Time

	target *url.URL
	host   string // host name for SNI and verification
	port   string
	addrs  []string // addresses to dial, from dns
	dialed string   // the address that answered, for a redirect's connection
	raw    net.Conn // tcp connection, handed to tls
	conn   *tls.Conn
	local  localMaterial
	facts  classify.Evidence
	early  []byte // bytes the server sent before the request (read by tls)
	body   []byte // response body, for expect
	token  string // bearer token from TokenSource
	failed bool
	// secrets are the values blanked in every step before anyone sees it.
	secrets redact.Set

	dialer   *egress.Dialer
	route    egress.Route
	routeErr error
}

// Run diagnoses the connection opts describe: local material, DNS, TCP,
// TLS, an optional token, the HTTP call and an optional expectation of the
// body. progress (may be nil) receives an event when each step starts and
// finishes; a step skipped after a failure gets only its StepFinished.
// Events come from the calling goroutine, in order. The run is bounded by opts.Timeout (default 15s) and by ctx.
func Run(ctx context.Context, opts Options, progress func(Event)) *Report {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.APIKeyHeader == "" {
		opts.APIKeyHeader = "x-api-key"
	}
	if opts.Method == "" {
		opts.Method = "GET"
	}
	if progress == nil {
		progress = func(Event) {}
	}
	if a, err := idn.URL(opts.URL); err == nil {
		opts.URL = a // an IDN host in ASCII form for DNS, SNI, checks and the report
	}
	outer := ctx // cancelled from outside (Ctrl+C): not a finding
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()

	r := &run{opts: opts, now: opts.Now,
		report: &Report{Target: redactURL(opts.URL), Started: opts.Now(), Request: requestInfo(opts)}}
	r.secrets.Add(opts.APIKey, opts.BearerToken, string(opts.KeyPass))
	r.secrets.Add(opts.Secrets...)
	r.secrets.Add(opts.Route.ProxyPassword)
	r.secrets.AddURL(opts.URL)
	r.secrets.AddURL(opts.Route.Proxy)
	for _, env := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"} {
		r.secrets.AddURL(os.Getenv(env)) // the proxy the environment names may carry a password
	}
	for name, vals := range opts.Headers {
		for _, v := range vals {
			r.secrets.AddHeader(name, v)
		}
	}
	// Every step is redacted before it is shown (progress) or kept: a
	// server that echoes the API key or token cannot leak it into the
	// text, --json or --report output.
	r.progress = func(e Event) {
		e.Step = r.redactStep(e.Step)
		progress(e)
	}
	defer func() {
		if r.raw != nil {
			r.raw.Close()
		}
	}()

	r.chooseRoute()
	steps := []struct {
		name string
		fn   func(context.Context, *Step)
		on   bool
	}{
		{StepLocal, r.stepLocal, true},
		{StepProxy, r.stepProxy, r.report.Proxy != nil || r.routeErr != nil},
		{StepDNS, r.stepDNS, true},
		{StepTCP, r.stepTCP, true},
		{StepTLS, r.stepTLS, true},
		{StepToken, r.stepToken, opts.TokenSource != nil},
		{StepHTTP, r.stepHTTP, true},
		{StepExpect, r.stepExpect, opts.ExpectJSON != ""},
	}
	for _, s := range steps {
		if !s.on {
			continue
		}
		st := Step{Name: s.name}
		if r.failed {
			st.Status = Skip
			r.progress(Event{Kind: StepFinished, Step: st})
			r.report.Steps = append(r.report.Steps, st)
			continue
		}
		r.progress(Event{Kind: StepStarted, Step: Step{Name: s.name}})
		start := time.Now()
		st.Status = Pass
		s.fn(ctx, &st)
		st.MS = float64(time.Since(start).Microseconds()) / 1000
		adviseStep(&st, opts.Advice)
		if outer.Err() != nil {
			// Whatever the step saw (a handshake cut short looks like a
			// timeout) is the interruption, not the server's doing.
			st = Step{Name: s.name, Status: Skip, Detail: "cancelled", MS: st.MS}
			r.failed, r.report.Cancelled = true, true
		}
		if st.Status == Fail {
			r.failed = true
			if r.report.Cause == nil {
				r.report.Cause = st.Cause
			}
		}
		st = r.redactStep(st)
		r.progress(Event{Kind: StepFinished, Step: st})
		r.report.Steps = append(r.report.Steps, st)
	}
	r.report.OK = !r.failed
	return r.report
}

// adviseStep gives the causes of st the client's fix and the provider's
// note, on copies: notes share their causes with other steps.
func adviseStep(st *Step, a cause.Advice) {
	st.Cause = a.Apply(st.Cause)
	if len(st.Notes) > 0 {
		notes := make([]Finding, len(st.Notes))
		for i, n := range st.Notes {
			n.Cause = a.Apply(n.Cause)
			notes[i] = n
		}
		st.Notes = notes
	}
}

// redactStep blanks every known secret in what st says.
func (r *run) redactStep(st Step) Step {
	st.Detail = r.secrets.String(st.Detail)
	if len(st.Notes) > 0 {
		notes := make([]Finding, len(st.Notes))
		for i, n := range st.Notes {
			n.Detail = r.secrets.String(n.Detail)
			notes[i] = n
		}
		st.Notes = notes
	}
	return st
}

// fail marks st failed with the cause id and a detail.
func fail(st *Step, id cause.ID, format string, a ...any) {
	st.Status = Fail
	st.Cause = cause.Get(id)
	st.Detail = fmt.Sprintf(format, a...)
}

// addFinding records f on st: the first failure becomes the step's cause,
// a first warning is the cause of a step that has not failed, and every
// other finding is a note, so every problem is reported at once.
func addFinding(st *Step, f Finding, isFail bool) {
	f.Warning = !isFail
	switch {
	case isFail && st.Status != Fail:
		if st.Cause != nil { // demote the earlier warning to a note
			st.Notes = append([]Finding{{Cause: st.Cause, Detail: st.Detail, Warning: true}}, st.Notes...)
		}
		st.Status, st.Cause, st.Detail = Fail, f.Cause, f.Detail
	case !isFail && st.Status == Pass:
		st.Status, st.Cause, st.Detail = Warn, f.Cause, f.Detail
	default:
		st.Notes = append(st.Notes, f)
	}
}

func (r *run) stepDNS(ctx context.Context, st *Step) {
	u, err := ParseTarget(r.opts.URL)
	if err != nil {
		// The CLI rejects bad URLs before running; a library caller gets
		// the nearest cause rather than a panic.
		fail(st, cause.DNSFailure, "%v", err)
		return
	}
	r.target = u
	r.host, r.port = u.Hostname(), u.Port()
	if r.port == "" {
		r.port = "443"
	}
	if r.route.Proxy != nil {
		st.Status, st.Detail = Skip, "resolved by the proxy"
		return
	}
	r.resolve(ctx, st)
}

// ParseTarget checks a URL for diagnosis: absolute, https, with a host.
func ParseTarget(raw string) (*url.URL, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, errors.New("no URL given")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("malformed URL %q: %v", raw, errors.Unwrap(err))
	}
	if u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("malformed URL %q: want https://host[:port]/path", raw)
	}
	if !strings.EqualFold(u.Scheme, "https") {
		return nil, fmt.Errorf("URL %q uses %s://: onramp checks HTTPS APIs, use https://", raw, u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("malformed URL %q: no host", raw)
	}
	host, err := idn.Host(u.Hostname())
	if err != nil {
		return nil, fmt.Errorf("in the URL, %v", err)
	}
	if p := u.Port(); p != "" {
		if _, err := parsePort(p); err != nil {
			return nil, fmt.Errorf("malformed URL %q: %v", raw, err)
		}
	}
	if u.User != nil {
		return nil, fmt.Errorf("URL %q holds a user name or password: pass secrets with --api-key-env, not in the URL", redactURL(raw))
	}
	if !strings.EqualFold(host, u.Hostname()) {
		u.Host = host
		if p := u.Port(); p != "" {
			u.Host = net.JoinHostPort(host, p)
		}
	}
	return u, nil
}

func parsePort(p string) (int, error) {
	n := 0
	for _, c := range p {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("port %q is not a number", p)
		}
		n = n*10 + int(c-'0')
		if n > 65535 {
			return 0, fmt.Errorf("port %q is out of range", p)
		}
	}
	if n == 0 {
		return 0, fmt.Errorf("port %q is out of range", p)
	}
	return n, nil
}

// ParseResolve parses curl's --resolve HOST:PORT:ADDR[,ADDR...]. An ADDR
// may be an IPv6 address in brackets or bare; HOST may not be empty. Several
// addresses come back joined by commas, in order.
func ParseResolve(s string) (hostport, addr string, err error) {
	bad := func(why string) (string, string, error) {
		return "", "", fmt.Errorf("--resolve %q: %s (want HOST:PORT:ADDR, e.g. api.example.com:443:127.0.0.1)", s, why)
	}
	host, rest, ok := strings.Cut(s, ":")
	if !ok || host == "" {
		return bad("no host")
	}
	port, addr, ok := strings.Cut(rest, ":")
	if !ok {
		return bad("no port")
	}
	if _, err := parsePort(port); err != nil || port == "" {
		return bad("bad port")
	}
	var addrs []string
	for _, a := range strings.Split(addr, ",") {
		a = strings.TrimSpace(a)
		if strings.HasPrefix(a, "[") != strings.HasSuffix(a, "]") {
			return bad("unbalanced [ ] around ADDR")
		}
		a = strings.TrimSuffix(strings.TrimPrefix(a, "["), "]")
		if net.ParseIP(a) == nil {
			return bad("ADDR is not an IP address")
		}
		addrs = append(addrs, a)
	}
	addr = strings.Join(addrs, ",")
	if strings.ContainsAny(host, "/ []") {
		return bad("bad host")
	}
	if host, err = idn.Host(host); err != nil {
		return bad(err.Error())
	}
	return net.JoinHostPort(host, port), addr, nil
}

// redactURL drops any user info and the query's values from a URL for
// display: query strings sometimes carry keys.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.User = nil
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			q[k] = []string{"REDACTED"}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}
