package tokens

import (
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/egress"
	"github.com/onramp-cli/onramp/internal/testproxy"
	"github.com/onramp-cli/onramp/sandbox/tokenapi"
)

// The token client takes the route diagnose takes: through a real
// tinyproxy to a name only the proxy resolves, proxy failures named by
// the same causes.
func TestTokenRequestThroughAProxy(t *testing.T) {
	const host, proxyPass = "apim.onramp-test.invalid", "CANARY-PROXY-PW-91b2"
	f := newAPIMFixture(t)
	srv := f.ca.Serve(t, f.apim, host)
	u, _ := url.Parse(srv.URL)
	tokenURL := "https://" + net.JoinHostPort(host, u.Port()) + tokenapi.APIMTokenPath
	p := testproxy.Start(t, testproxy.Config{Hosts: map[string]string{host: "127.0.0.1"}, User: "bob", Password: proxyPass})

	cases := []struct {
		name, proxy, want string
	}{
		{"right credentials", "http://bob:" + proxyPass + "@" + p.Addr, ""},
		{"no credentials", p.URL(), "proxy-auth-required"},
		{"wrong credentials", "http://bob:x" + proxyPass + "@" + p.Addr, "proxy-auth-required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			client, err := NewHTTPClient(TransportOptions{CACertFile: f.caFile,
				Route: egress.Settings{Getenv: func(k string) string { return map[string]string{"HTTPS_PROXY": c.proxy}[k] }}})
			if err != nil {
				t.Fatal(err)
			}
			cfg := f.config(t)
			cfg.TokenURL, cfg.HTTPClient = tokenURL, client
			tok, err := FetchNHS(ctxT(t), cfg)
			if c.want == "" {
				if err != nil {
					t.Fatalf("FetchNHS through the proxy: %v\n%s", err, p.Log())
				}
				if !strings.HasPrefix(tok.AccessToken, "CANARY-TOKEN-") {
					t.Errorf("token %q", tok.AccessToken)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			if got := causeOf(t, err); got != c.want {
				t.Errorf("cause %s, want %s: %v", got, c.want, err)
			}
			noSecrets(t, err.Error(), proxyPass)
		})
	}
}
