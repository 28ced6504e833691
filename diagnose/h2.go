package diagnose

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
)

// roundTrip makes one request on conn in the protocol the server chose in
// ALPN: HTTP/2 (the standard library's client) or HTTP/1.1 (after any
// bytes the tls step read early).
func (r *run) roundTrip(ctx context.Context, req *http.Request, conn *tls.Conn, early []byte) (*http.Response, []byte, error) {
	if conn.ConnectionState().NegotiatedProtocol != "h2" {
		return exchange(req, conn, early)
	}
	if len(early) > 0 {
		// The tls step read the start of the server's SETTINGS while it
		// waited for the verdict on the client certificate (TLS 1.3): the
		// certificate was accepted, and the HTTP/2 client must see those
		// bytes, so the exchange takes a connection of its own.
		fresh, err := r.reconnect(ctx)
		if err != nil {
			return nil, nil, &exchangeError{doing: "connecting again for HTTP/2", err: err}
		}
		defer fresh.Close()
		conn = fresh
	}
	used := false
	tr := &http.Transport{
		ForceAttemptHTTP2:      true,
		MaxResponseHeaderBytes: MaxHeaderBytes,
		DialTLSContext: func(context.Context, string, string) (net.Conn, error) {
			if used {
				return nil, net.ErrClosed
			}
			used = true
			return conn, nil
		},
	}
	cc, err := tr.NewClientConn(ctx, "https", net.JoinHostPort(r.host, r.port))
	if err != nil {
		return nil, nil, &exchangeError{doing: "starting HTTP/2", err: err}
	}
	defer cc.Close()
	resp, err := cc.RoundTrip(req)
	if err != nil {
		return nil, nil, &exchangeError{doing: "exchanging the request (HTTP/2)", err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody))
	if err != nil && len(body) == 0 && resp.ContentLength != 0 {
		return nil, nil, &exchangeError{doing: "reading the response body (HTTP/2)", err: err}
	}
	return resp, body, nil
}
