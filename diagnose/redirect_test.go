package diagnose

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/testenv"
)

func TestRedirects(t *testing.T) {
	f := newFixture(t)
	var otherHits atomic.Int32
	other := startTLS(t, f.serverConfig(), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
	}))
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1) // another host name
	srv := startTLS(t, f.serverConfig(), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/old":
			http.Redirect(w, r, "/v2/status", http.StatusMovedPermanently)
		case "/v2/status":
			if r.Header.Get("x-api-key") != apiKeyCanary {
				w.WriteHeader(403)
				return
			}
			io.WriteString(w, `{"available":true}`)
		case "/to-login":
			http.Redirect(w, r, "http://"+r.Host+"/sso/login?next=/status", http.StatusFound)
		case "/elsewhere":
			http.Redirect(w, r, otherURL+"/status", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		}
	}))
	cases := []struct {
		path   string
		follow bool
		ok     bool
		want   []string
	}{
		{"/old", false, false, []string{"HTTP 301 Moved Permanently", "Location: " + srv.URL + "/v2/status", "same host: --location follows it"}},
		{"/old", true, true, []string{"GET /old → 301 → /v2/status → 200 OK"}},
		{"/to-login", true, false, []string{"Location: http://", "a downgrade to plain http", "login page"}},
		{"/elsewhere", true, false, []string{"another host (localhost:", "never sends your API key"}},
		{"/loop", true, false, []string{"still redirected after 10 redirects", "HTTP 302 Found"}},
	}
	for _, c := range cases {
		o := f.opts(srv.URL + c.path)
		o.APIKey, o.FollowRedirects = apiKeyCanary, c.follow
		r := Run(context.Background(), o, nil)
		h := stepOf(r, StepHTTP)
		if r.OK != c.ok || (!c.ok && (r.Cause == nil || r.Cause.ID != cause.UnexpectedRedirect)) {
			t.Errorf("%s (follow %v): ok %v cause %v: %+v", c.path, c.follow, r.OK, r.Cause, h)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(h.Detail, w) {
				t.Errorf("%s (follow %v): detail %q lacks %q", c.path, c.follow, h.Detail, w)
			}
		}
		assertNoCanary(t, r)
	}
	if n := otherHits.Load(); n != 0 {
		t.Errorf("the other host got %d requests: a redirect to another host was followed", n)
	}
}

// tlsRawServer accepts mutual-TLS connections and hands each, after the
// request line and headers, to serve.
func tlsRawServer(t *testing.T, f *fixture, serve func(c net.Conn)) string {
	ln, err := tls.Listen("tcp", "127.0.0.1:0", f.serverConfig())
	if err != nil {
		t.Fatal(err)
	}
	return "https://" + testenv.ServeConns(t, ln, func(c net.Conn) {
		br := bufio.NewReader(c)
		if _, err := http.ReadRequest(br); err != nil {
			return
		}
		serve(c)
	}) + "/status"
}

func TestInterimForeverAndStalledHeaders(t *testing.T) {
	f := newFixture(t)
	forever := tlsRawServer(t, f, func(c net.Conn) {
		for {
			if _, err := io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\n"); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	stalled := tlsRawServer(t, f, func(c net.Conn) { io.Copy(io.Discard, c) })
	for _, c := range []struct{ url, want string }{
		{forever, "only interim responses ("},
		{stalled, "sent no response before the deadline"},
	} {
		o := f.opts(c.url)
		o.Timeout = time.Second
		start := time.Now()
		r := Run(context.Background(), o, nil)
		if took := time.Since(start); took > 6*time.Second { // the server would go on for ever
			t.Errorf("%s: the run took %s with --timeout 1s", c.want, took)
		}
		h := stepOf(r, StepHTTP)
		if r.OK || r.Cause == nil || r.Cause.ID != cause.UnexpectedResponse || !strings.Contains(h.Detail, c.want) {
			t.Errorf("cause %v, detail %q; want unexpected-response with %q", r.Cause, h.Detail, c.want)
		}
		if strings.Contains(h.Detail, "× 100 Continue") == (c.url == stalled) {
			t.Errorf("detail %q", h.Detail)
		}
	}
}
