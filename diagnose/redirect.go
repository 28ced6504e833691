package diagnose

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MaxRedirects bounds how many redirects --location follows.
const MaxRedirects = 10

// exchangeError is a failed request/response exchange: what was being
// done, and how many interim (1xx) responses came before it failed.
type exchangeError struct {
	doing   string
	interim []string
	err     error
}

func (e *exchangeError) Error() string { return e.doing + ": " + e.err.Error() }
func (e *exchangeError) Unwrap() error { return e.err }

// exchange sends req on conn (after any bytes the server sent early) and
// reads the final response and its body. Interim 1xx responses are read
// past (a server may send them forever: the connection's deadline, from
// --timeout, bounds the wait).
func exchange(req *http.Request, conn net.Conn, early []byte) (*http.Response, []byte, error) {
	// The connection's deadline is the run's; an interruption (Ctrl+C)
	// ends a write or read that waits on the server at once.
	stop := context.AfterFunc(req.Context(), func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	if err := req.Write(conn); err != nil {
		return nil, nil, &exchangeError{doing: "sending the request", err: err}
	}
	capped := &cappedReader{r: io.MultiReader(bytes.NewReader(early), conn)}
	br := bufio.NewReader(capped)
	var interim []string
	for {
		resp, err := readHead(br, capped, req)
		if err != nil {
			return nil, nil, &exchangeError{doing: "reading the response", interim: interim, err: err}
		}
		if resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
			resp.Body.Close()
			interim = append(interim, resp.Status)
			continue
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody))
		if err != nil && len(body) == 0 && resp.ContentLength != 0 {
			return nil, nil, &exchangeError{doing: "reading the response body", err: err}
		}
		return resp, body, nil
	}
}

// interimDetail names a response that never came after 1xx answers.
func interimDetail(interim []string) string {
	counts := map[string]int{}
	var order []string
	for _, s := range interim {
		if counts[s] == 0 {
			order = append(order, s)
		}
		counts[s]++
	}
	var parts []string
	for _, s := range order {
		parts = append(parts, fmt.Sprintf("%d × %s", counts[s], s))
	}
	return fmt.Sprintf("the server sent only interim responses (%s) and no final answer before the deadline (--timeout)", strings.Join(parts, ", "))
}

func isRedirect(code int) bool {
	return code >= 300 && code < 400 && code != http.StatusNotModified
}

// redirectTarget reads a redirect's Location against the request's URL.
// followable is true for the same origin over https, the only redirect
// --location follows: an API key or a token never goes to another host or
// over plain HTTP. why says what the redirect is, for the detail.
func redirectTarget(resp *http.Response) (next *url.URL, why string, followable bool) {
	loc := resp.Header.Get("Location")
	if loc == "" {
		return nil, "no Location header", false
	}
	from := resp.Request.URL
	l, err := url.Parse(loc)
	if err != nil {
		return nil, fmt.Sprintf("Location: %s (malformed)", redactURL(loc)), false
	}
	next = from.ResolveReference(l)
	why = "Location: " + redactURL(next.String())
	var notes []string
	switch {
	case !strings.EqualFold(next.Scheme, "https"):
		notes = append(notes, fmt.Sprintf("a downgrade to plain %s: the API key or token would travel unencrypted", next.Scheme))
	case !strings.EqualFold(hostPort(next), hostPort(from)):
		notes = append(notes, fmt.Sprintf("another host (%s): onramp never sends your API key or token there", next.Host))
	default:
		followable = true
	}
	p := strings.ToLower(next.Path)
	for _, w := range []string{"login", "signin", "sign-in", "logon", "sso", "auth/realms", "captive"} {
		if strings.Contains(p, w) {
			notes = append(notes, "it looks like a login page in front of the API, not the API")
			break
		}
	}
	if len(notes) > 0 {
		why += " — " + strings.Join(notes, "; ")
	}
	return next, why, followable
}

func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "443"
		if strings.EqualFold(u.Scheme, "http") {
			port = "80"
		}
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// follow follows same-origin https redirects, as curl -L does, on a new
// connection each (the first asked the server to close). It returns the
// last response and body and the hops taken ("301 → /v2/status").
func (r *run) follow(ctx context.Context, req *http.Request, resp *http.Response, body []byte) (*http.Response, []byte, []string, error) {
	var hops []string
	for len(hops) < MaxRedirects && isRedirect(resp.StatusCode) {
		next, _, ok := redirectTarget(resp)
		if !ok {
			break
		}
		conn, err := r.reconnect(ctx)
		if err != nil {
			return nil, nil, hops, &exchangeError{doing: "connecting for the redirect to " + next.Path, err: err}
		}
		nreq := req.Clone(ctx)
		nreq.URL = next
		if resp.StatusCode == http.StatusSeeOther {
			nreq.Method = http.MethodGet
		}
		hops = append(hops, fmt.Sprintf("%d → %s", resp.StatusCode, next.RequestURI()))
		resp, body, err = r.roundTrip(ctx, nreq, conn, nil)
		conn.Close()
		if err != nil {
			return nil, nil, hops, err
		}
		req = nreq
	}
	return resp, body, hops, nil
}

// reconnect opens a new connection to the server along the run's route
// (the address that answered, or the proxy's tunnel) and does the TLS
// handshake again.
func (r *run) reconnect(ctx context.Context) (*tls.Conn, error) {
	var raw net.Conn
	var err error
	if p := r.route.Proxy; p != nil {
		raw, _, err = r.dialer.Tunnel(ctx, p, net.JoinHostPort(r.host, r.port))
	} else if host, port, e := net.SplitHostPort(r.dialed); e == nil {
		won, tried, _ := r.dialer.Race(ctx, []string{host}, port)
		if won == nil {
			return nil, tried[0].Err
		}
		raw = won.Conn
	} else {
		err = errors.New("no address that answered")
	}
	if err != nil {
		return nil, err
	}
	conn := tls.Client(raw, r.tlsConfig(nil))
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if err := conn.HandshakeContext(ctx); err != nil {
		raw.Close()
		return nil, err
	}
	return conn, nil
}
