package egress

import (
	"crypto/tls"
	"net/http"
	"net/url"
	"time"
)

// HTTPClient returns a client for onramp's side fetches (OCSP responders,
// CRLs, CA Issuers certificates) that takes the routes curl would with the
// same settings: https:// URLs through the dialer (CONNECT through the
// proxy, --resolve, the connect timeout); plain http:// URLs straight to
// the server or, when http_proxy, all_proxy or --proxy names one and no
// NO_PROXY entry matches, as requests to the proxy (with its credentials).
// timeout bounds each request.
func (d *Dialer) HTTPClient(timeout time.Duration) *http.Client {
	secure := &http.Transport{
		DialContext:            d.DialContext,
		TLSHandshakeTimeout:    d.connectTimeout(),
		ResponseHeaderTimeout:  timeout,
		MaxResponseHeaderBytes: 64 << 10,
	}
	plain := &http.Transport{
		Proxy: func(r *http.Request) (*url.URL, error) {
			rt, err := d.s.RouteFor("http", r.URL.Hostname())
			if err != nil || rt.Proxy == nil {
				return nil, err
			}
			u := *rt.Proxy.URL
			if rt.Proxy.HasCredentials() {
				u.User = url.UserPassword(rt.Proxy.user, rt.Proxy.password)
			}
			return &u, nil
		},
		// The proxy's address or the server's, --resolve applied to either.
		DialContext:            d.dialDirect,
		TLSClientConfig:        &tls.Config{RootCAs: d.proxyRoots, MinVersion: tls.VersionTLS12}, // an https:// proxy
		TLSHandshakeTimeout:    d.connectTimeout(),
		ResponseHeaderTimeout:  timeout,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &http.Client{Timeout: timeout, Transport: byScheme{plain: plain, secure: secure}}
}

// byScheme sends plain http:// requests and https:// ones through their
// own transports.
type byScheme struct{ plain, secure http.RoundTripper }

func (b byScheme) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme == "http" {
		return b.plain.RoundTrip(r)
	}
	return b.secure.RoundTrip(r)
}
