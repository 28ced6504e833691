package diagnose

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/classify"
	"github.com/onramp-cli/onramp/internal/limits"
	"github.com/onramp-cli/onramp/internal/redact"
)

// Bounds on a response: a hostile or broken server (an endless header
// line, thousands of headers) costs at most this much memory and time.
const (
	// MaxBody bounds how much of a response body is read.
	MaxBody = 1 << 20
	// MaxHeaderBytes bounds the status line and headers together.
	MaxHeaderBytes = 256 << 10
	// MaxHeaderLines bounds the number of header fields.
	MaxHeaderLines = 300
)

// Bounds on what a server names in its CertificateRequest.
const (
	// MaxAcceptableCAs bounds the acceptable-CA names a report keeps.
	MaxAcceptableCAs = 100
	// maxNameLen bounds one name, in bytes.
	maxNameLen = 300
)

// boundNames keeps the first max names, each cut to maxNameLen, and
// counts the rest.
func boundNames(names []string, max int) (kept []string, omitted int) {
	if len(names) > max {
		names, omitted = names[:max], len(names)-max
	}
	for _, n := range names {
		if len(n) > maxNameLen {
			n = strings.ToValidUTF8(n[:maxNameLen], "") + "…"
		}
		kept = append(kept, n)
	}
	return kept, omitted
}

// cappedReader fails reads past max bytes with a limits.TooLargeError.
type cappedReader struct {
	r      io.Reader
	n, max int64
	what   string
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.n >= c.max {
		return 0, &limits.TooLargeError{What: c.what, Limit: c.max, Unit: "bytes"}
	}
	if int64(len(p)) > c.max-c.n {
		p = p[:c.max-c.n]
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// readHead reads one response head from br (which reads through capped)
// within MaxHeaderBytes and MaxHeaderLines.
func readHead(br *bufio.Reader, capped *cappedReader, req *http.Request) (*http.Response, error) {
	capped.max, capped.what = capped.n+MaxHeaderBytes, "the response header"
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		if capped.n >= capped.max {
			return nil, &limits.TooLargeError{What: "the response header", Limit: MaxHeaderBytes, Unit: "bytes"}
		}
		return nil, err
	}
	lines := 0
	for _, v := range resp.Header {
		lines += len(v)
	}
	if lines > MaxHeaderLines {
		resp.Body.Close()
		return nil, &limits.TooLargeError{What: "the response header", Limit: MaxHeaderLines, Unit: "header lines"}
	}
	// br may hold a buffer's worth read ahead; the body gets MaxBody beyond.
	capped.max, capped.what = capped.n+int64(br.Size())+MaxBody+1, "the response body"
	return resp, nil
}

// ClockSkewLimit is how far the server's Date may be from the local clock
// before onramp warns: JWT endpoints (NHS APIM) allow little slack, and a
// Date header has one-second resolution plus the request's own latency.
const ClockSkewLimit = 2 * time.Minute

func (r *run) stepToken(ctx context.Context, st *Step) {
	tok, err := r.opts.TokenSource(ctx)
	if err != nil {
		c, ok := cause.Of(err)
		if !ok {
			id := classify.Net(err)
			if id == "" {
				id = cause.OAuthInvalidClient
			}
			c = cause.Get(id)
		}
		st.Status, st.Cause, st.Detail = Fail, c, err.Error()
		return
	}
	r.token = tok
	r.secrets.Add(tok)
	st.Detail = "got a bearer token"
}

func (r *run) stepHTTP(ctx context.Context, st *Step) {
	req, err := http.NewRequestWithContext(ctx, r.opts.Method, r.target.String(), nil)
	if err != nil {
		fail(st, cause.UnexpectedResponse, "building the request: %v", err)
		return
	}
	for name, vals := range r.opts.Headers {
		for _, v := range vals {
			if strings.EqualFold(name, "Host") {
				req.Host = v // curl -H 'Host: ...' semantics; req.Write ignores Header["Host"]
				continue
			}
			req.Header.Add(name, v)
		}
	}
	if r.opts.APIKey != "" {
		req.Header.Set(r.opts.APIKeyHeader, r.opts.APIKey)
	}
	token := r.opts.BearerToken
	if r.token != "" {
		token = r.token
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "onramp")
	}
	req.Close = true // one request on the connection the tls step made
	resp, body, err := r.roundTrip(ctx, req, r.conn, r.early)
	var hops []string
	if err == nil && r.opts.FollowRedirects {
		resp, body, hops, err = r.follow(ctx, req, resp, body)
	}
	var tooLarge *limits.TooLargeError
	if errors.As(err, &tooLarge) {
		fail(st, cause.UnexpectedResponse, "reading the response: %v: the server's answer is not a usable HTTP response (a proxy or a broken server?)", tooLarge)
		return
	}
	if err != nil {
		var ee *exchangeError
		errors.As(err, &ee)
		if len(ee.interim) > 0 && classify.IsTimeout(err) {
			fail(st, cause.UnexpectedResponse, "%s", interimDetail(ee.interim))
			return
		}
		r.httpConnError(ctx, st, ee.doing, ee.err)
		return
	}
	r.body = body
	r.report.HTTPStatus = resp.StatusCode
	r.report.HTTPProtocol = resp.Proto
	e := httpEvidence{resp: resp, body: body, keySent: r.opts.APIKey != "", tokenSent: token != "" || sentBearer(req.Header),
		keyHeader: r.opts.APIKeyHeader, issuerUnknown: r.facts.IssuerUnlisted(), secrets: &r.secrets}
	var id cause.ID
	var detail string
	if r.opts.Answers != nil {
		if aid, adetail, ok := r.opts.Answers(resp.StatusCode, body, r.target.Path); ok {
			id, detail = aid, fmt.Sprintf("HTTP %s: %s", resp.Status, adetail)
		}
	}
	if id == "" {
		id, detail = classifyHTTP(e)
	}
	if id == cause.APIKeyRejected && looksBase64Key(r.opts.APIKey) {
		// The HMPPS guide names this mistake: the key refused is the
		// Base64 encoding of a key, not the key as issued.
		id, detail = cause.APIKeyBase64Encoded, detail+"; the key sent decodes from Base64 to another key-like string: send the key exactly as issued, not encoded"
	}
	for _, w := range r.opts.Warnings {
		if id != "" && w.Cause.ID == id {
			// The local step foresaw this answer: its cause carries the
			// exact fix (the role key to store).
			fail(st, id, "%s", detail)
			st.Cause = w.Cause
			return
		}
	}
	if missing := missingSecrets(r.opts); len(missing) > 0 && !answerOfItsOwn(id) {
		// The server's answer without the secret says nothing more than
		// that it is missing: name what supplies it.
		st.Status, st.Cause = Fail, missing[0].Cause
		st.Detail = fmt.Sprintf("%s (sent without it, the server answered %s)", missing[0].Detail, resp.Status)
		st.Notes = append(st.Notes, missing[1:]...)
		return
	}
	if id == cause.ClientCertWrongIssuer {
		detail += fmt.Sprintf("; your certificate is issued by %q, but the server accepts certificates from: %s",
			r.local.chain[0].Issuer.String(), classify.NameList(r.report.TLS.AcceptableCAs, r.report.TLS.AcceptableCAsOmitted, 10))
	}
	if id == cause.UnexpectedRedirect && r.opts.FollowRedirects {
		detail = strings.TrimSuffix(detail, " (same host: --location follows it)")
		if len(hops) >= MaxRedirects {
			detail = fmt.Sprintf("still redirected after %d redirects (--location stops there): %s", len(hops), detail)
		}
	}
	if why := r.expectsMutualTLS(); why != "" && !r.facts.Requested {
		// Checked after the response: a server may ask by renegotiating
		// once it has seen the request (IIS). A server that itself says
		// what is wrong with the certificate keeps its cause.
		nid, ndetail := classify.NotRequested(r.facts.Peer, r.host, why)
		switch id {
		case cause.ClientCertNotSent, cause.ClientCertWrongIssuer, cause.ClientCertRejected:
			detail += "; the server never asked for a client certificate in the handshake: a proxy or load balancer in front of it ends TLS and does not pass certificates on"
		case "":
			id, detail = nid, ndetail+"; it answered HTTP "+resp.Status
		default:
			id, detail = nid, fmt.Sprintf("%s; it answered HTTP %s (%s)", ndetail, resp.Status, id)
		}
	}
	skew := r.clockSkew(resp)
	switch {
	case id != "":
		fail(st, id, "%s", detail)
		if skew != nil {
			st.Notes = append(st.Notes, *skew)
		}
	case skew != nil:
		st.Detail = resp.Status
		addFinding(st, *skew, false)
	default:
		st.Detail = fmt.Sprintf("%s %s → %s%s", r.opts.Method, r.target.Path, strings.Join(append(hops, ""), " → "), resp.Status)
		if resp.ProtoMajor == 2 {
			st.Detail += " over HTTP/2"
		}
	}
}

// answerOfItsOwn says whether a response's cause stands on its own when a
// secret was missing: a wrong path or a refused certificate is worth
// fixing whatever the key; a 401/403 or a success is not news.
func answerOfItsOwn(id cause.ID) bool {
	switch id {
	case "", cause.APIKeyMissing, cause.APIKeyRejected, cause.TokenMissing, cause.TokenRejected, cause.UnexpectedResponse:
		return false
	}
	return true
}

// sentBearer says whether the request carries a bearer token (given as
// -H 'Authorization: Bearer ...' rather than a token option).
func sentBearer(h http.Header) bool {
	return strings.HasPrefix(strings.ToLower(h.Get("Authorization")), "bearer ")
}

// expectsMutualTLS says why the server should ask for a client
// certificate ("--cert was given"), "" when nothing says it should.
func (r *run) expectsMutualTLS() string {
	switch {
	case r.opts.MutualTLS:
		return "the provider requires mutual TLS"
	case r.local.chain != nil:
		return "a client certificate was given"
	}
	return ""
}

// httpConnError classifies a failure to exchange the request: with TLS 1.3
// the server's verdict on our client certificate arrives here, on the first
// read after the handshake.
func (r *run) httpConnError(ctx context.Context, st *Step, doing string, err error) {
	if why := r.expectsMutualTLS(); why != "" && !r.facts.Requested {
		id, detail := classify.NotRequested(r.facts.Peer, r.host, why)
		fail(st, id, "%s; %s: %v", detail, doing, err)
		return
	}
	if _, ok := classify.ReceivedAlert(err); ok || classify.IsTimeout(err) {
		id, detail := r.classifyTLS(ctx, err)
		if id == cause.TLSHandshakeTimeout {
			fail(st, cause.UnexpectedResponse, "%s: the server took the request but sent no response before the deadline (--timeout): a stalled server, or a proxy or load balancer holding the request", doing)
			return
		}
		if r.report.TLS != nil && r.report.TLS.Version == "TLS 1.3" {
			detail += " (TLS 1.3 reports the server's verdict on the client certificate on the first read after the handshake)"
		}
		fail(st, id, "%s: %s", doing, detail)
		r.chainFix(st)
		return
	}
	if id := classify.Net(err); id == cause.TCPReset {
		if r.facts.Requested && !r.facts.Sent {
			fail(st, cause.ClientCertNotSent, "%s: the server closed the connection (%v) after asking for a client certificate that was not sent", doing, err)
			return
		}
		// TLS 1.3: a refusal of the certificate can arrive as this reset.
		if id, detail := r.classifyTLS(ctx, err); id != cause.TCPReset {
			fail(st, id, "%s: the server reset the connection right after the TLS 1.3 handshake, its answer to the client certificate: %s", doing, detail)
			r.chainFix(st)
			return
		}
		fail(st, cause.TCPReset, "%s: %v", doing, err)
		return
	}
	fail(st, cause.UnexpectedResponse, "%s: %v", doing, err)
}

type httpEvidence struct {
	resp          *http.Response
	body          []byte
	keySent       bool
	tokenSent     bool
	keyHeader     string
	issuerUnknown bool
	// secrets are blanked in the body before a part of it is cut out for
	// the detail (the step's redaction cannot blank a secret cut in two).
	secrets *redact.Set
}

// httpRule maps a response to a cause; the first match wins.
type httpRule struct {
	id    cause.ID
	match func(e httpEvidence) bool
}

func status(codes ...int) func(httpEvidence) bool {
	return func(e httpEvidence) bool {
		for _, c := range codes {
			if e.resp.StatusCode == c {
				return true
			}
		}
		return false
	}
}

func bodyHas(s string) func(httpEvidence) bool {
	return func(e httpEvidence) bool { return bytes.Contains(e.body, []byte(s)) }
}

func both(a, b func(httpEvidence) bool) func(httpEvidence) bool {
	return func(e httpEvidence) bool { return a(e) && b(e) }
}

func bearerChallenge(e httpEvidence) bool {
	return strings.HasPrefix(strings.ToLower(e.resp.Header.Get("WWW-Authenticate")), "bearer")
}

var httpRules = []httpRule{
	// nginx turns its 495/496 into these 400 pages, quoted by the DCS guide.
	{cause.ClientCertNotSent, both(status(400, 496), bodyHas("No required SSL certificate was sent"))},
	{cause.ClientCertWrongIssuer, both(status(400, 495), func(e httpEvidence) bool {
		return e.issuerUnknown && bytes.Contains(e.body, []byte("The SSL certificate error"))
	})},
	{cause.ClientCertRejected, both(status(400, 495), bodyHas("The SSL certificate error"))},
	// AWS API Gateway's answer for a path or method it does not route.
	{cause.EndpointNotFound, both(status(403), bodyHas(`"Missing Authentication Token"`))},
	{cause.TokenRejected, both(status(401), func(e httpEvidence) bool { return e.tokenSent })},
	{cause.TokenMissing, both(status(401), bearerChallenge)},
	{cause.APIKeyRejected, both(status(401, 403), func(e httpEvidence) bool { return e.keySent })},
	{cause.APIKeyMissing, status(401, 403)},
	{cause.EndpointNotFound, status(404)},
	{cause.MethodNotAllowed, status(405)},
	{cause.RateLimited, status(429)},
	{cause.UnexpectedRedirect, func(e httpEvidence) bool { return isRedirect(e.resp.StatusCode) }},
	{cause.ServiceUnavailable, status(503)},
	{cause.ServerError, func(e httpEvidence) bool { return e.resp.StatusCode >= 500 }},
	{cause.UnexpectedResponse, func(e httpEvidence) bool { return e.resp.StatusCode >= 400 }},
}

// classifyHTTP names the cause of an unsuccessful response, or "" when the
// response is a success.
func classifyHTTP(e httpEvidence) (id cause.ID, detail string) {
	for _, rule := range httpRules {
		if rule.match(e) {
			id = rule.id
			break
		}
	}
	if id == "" {
		return "", ""
	}
	d := "HTTP " + e.resp.Status
	if t := pageTitle([]byte(e.secrets.String(string(e.body)))); t != "" {
		d += ": " + t
	}
	switch id {
	case cause.APIKeyRejected:
		d += fmt.Sprintf(" with the API key in header %s", e.keyHeader)
	case cause.APIKeyMissing:
		d += " and no API key was sent (--api-key-env VAR)"
	case cause.EndpointNotFound:
		if e.resp.StatusCode == 403 {
			d += ": the API gateway (AWS API Gateway) answers this for a path or method it does not route; check the path and version prefix"
		}
	case cause.RateLimited, cause.ServiceUnavailable:
		if ra := e.resp.Header.Get("Retry-After"); ra != "" {
			d += "; Retry-After: " + ra
		}
	case cause.UnexpectedRedirect:
		_, why, ok := redirectTarget(e.resp)
		d += "; " + why
		if ok {
			d += " (same host: --location follows it)"
		}
	case cause.MethodNotAllowed:
		if a := e.resp.Header.Get("Allow"); a != "" {
			d += "; Allow: " + a
		}
	case cause.TokenMissing:
		d += "; WWW-Authenticate: " + firstLine(e.resp.Header.Get("WWW-Authenticate"))
	}
	return id, d
}

// pageTitle picks a short description from an error body: an HTML title or
// h1, or the first line of text, so nginx's pages show their words.
func pageTitle(body []byte) string {
	s := string(body)
	for _, tag := range []string{"<title>", "<h1>"} {
		if i := strings.Index(s, tag); i >= 0 {
			rest := s[i+len(tag):]
			if j := strings.Index(rest, "<"); j >= 0 {
				return strings.TrimSpace(rest[:j])
			}
		}
	}
	line := firstLine(s)
	if len(line) > 200 {
		line = line[:200] + "…"
	}
	return line
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return s
}

// clockSkew compares the server's Date with the local clock. It is a
// warning, never the cause of a failure by itself: the API call already
// showed whether the skew breaks anything, and a Date header can be cached
// by a proxy.
func (r *run) clockSkew(resp *http.Response) *Finding {
	d := resp.Header.Get("Date")
	if d == "" {
		return nil
	}
	t, err := http.ParseTime(d)
	if err != nil {
		return nil
	}
	skew := r.now().Sub(t)
	if skew.Abs() <= ClockSkewLimit {
		return nil
	}
	dir := "ahead of"
	if skew < 0 {
		dir = "behind"
	}
	return &Finding{Cause: cause.Get(cause.ClockSkew),
		Detail: fmt.Sprintf("this machine's clock is %s %s the server's (server Date: %s)", skew.Abs().Round(time.Second), dir, d)}
}

func (r *run) stepExpect(_ context.Context, st *Step) {
	var want any
	if err := json.Unmarshal([]byte(r.opts.ExpectJSON), &want); err != nil {
		fail(st, cause.UnexpectedResponse, "--expect-json is not JSON: %v", err)
		return
	}
	var got any
	if err := json.Unmarshal(r.body, &got); err != nil {
		fail(st, cause.UnexpectedResponse, "the body is not JSON (%v): %s", err, pageTitle([]byte(r.secrets.String(string(r.body)))))
		return
	}
	// The DCS status endpoint documents {"available":true,"scheduledOutages":[]}:
	// its own words for "down" are a service outage, not a wrong answer.
	if obj, ok := got.(map[string]any); ok {
		if a, ok := obj["available"].(bool); ok && !a {
			fail(st, cause.ServiceUnavailable, "the status endpoint says \"available\": false")
			return
		}
		if o, ok := obj["scheduledOutages"].([]any); ok && len(o) > 0 {
			out, _ := json.Marshal(o)
			fail(st, cause.ServiceUnavailable, "the status endpoint lists scheduled outages: %s", truncate(r.secrets.String(string(out)), 300))
			return
		}
	}
	if path, ok := contains(got, want, "$"); !ok {
		fail(st, cause.UnexpectedResponse, "the body does not match --expect-json at %s: got %s", path, truncate(r.secrets.String(string(r.body)), 300))
		return
	}
	st.Detail = "the body matches " + r.opts.ExpectJSON
}

// contains says whether got holds everything in want: objects may have
// more keys, arrays and scalars must be equal. It returns where they differ.
func contains(got, want any, path string) (string, bool) {
	if wm, ok := want.(map[string]any); ok {
		gm, ok := got.(map[string]any)
		if !ok {
			return path, false
		}
		for k, wv := range wm {
			gv, ok := gm[k]
			if !ok {
				return path + "." + k + " (missing)", false
			}
			if p, ok := contains(gv, wv, path+"."+k); !ok {
				return p, false
			}
		}
		return "", true
	}
	if reflect.DeepEqual(got, want) {
		return "", true
	}
	return path, false
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
