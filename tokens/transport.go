package tokens

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/classify"
	"github.com/onramp-cli/onramp/egress"
	"github.com/onramp-cli/onramp/keystore"
)

// TransportOptions say how to reach an endpoint: a CA bundle, a client
// certificate for mutual TLS, and curl-style --resolve overrides.
type TransportOptions struct {
	// CACertFile replaces the system roots, as curl's --cacert does.
	CACertFile string
	CertFile   string
	KeyFile    string
	KeyPass    []byte
	// Resolve maps "host:port" to the address to dial; the host name is
	// still used for SNI and certificate checks.
	Resolve map[string]string
	// ConnectTimeout bounds the TCP connect; the request's context bounds
	// the whole exchange.
	ConnectTimeout time.Duration
	// Route chooses a proxy as curl does (the zero value reads
	// HTTPS_PROXY, NO_PROXY, ... from the environment); its Resolve
	// defaults to Resolve above. It is the route diagnose takes.
	Route egress.Settings
}

// NewHTTPClient builds the client for a token endpoint. It never follows
// redirects: a POST carrying a client assertion or an API key must not be
// replayed to another host, and a redirect means a wrong URL anyway.
//
// It records what each handshake shows (the CertificateRequest and its CA
// names, whether a certificate was sent, the server's chain) so that a
// failure is named by classify from the same evidence diagnose has.
func NewHTTPClient(o TransportOptions) (*http.Client, error) {
	tr := &evidenceTransport{}
	var roots *x509.CertPool // nil: the system roots
	if o.CACertFile != "" {
		certs, err := keystore.ReadCertificates(o.CACertFile)
		if err != nil {
			return nil, caError(o.CACertFile, err)
		}
		roots = x509.NewCertPool()
		for _, c := range certs {
			roots.AddCert(c)
		}
		tr.trust = "--cacert " + o.CACertFile
	}
	var cert *tls.Certificate
	if o.CertFile != "" || o.KeyFile != "" {
		if o.CertFile == "" || o.KeyFile == "" {
			return nil, &Error{ID: cause.InputFileUnreadable, Op: "client certificate",
				Detail: "mutual TLS needs both a certificate and its private key"}
		}
		chain, err := keystore.ReadCertificates(o.CertFile)
		if err != nil {
			return nil, err
		}
		key, err := keystore.ReadPrivateKey(o.KeyFile, o.KeyPass)
		if err != nil {
			return nil, err
		}
		if !keystore.PublicKeysEqual(chain[0].PublicKey, key.Public()) {
			return nil, &Error{ID: cause.KeyCertMismatch, Op: "client certificate",
				Detail: fmt.Sprintf("%s is not the private key of %s", o.KeyFile, o.CertFile)}
		}
		cert = &tls.Certificate{PrivateKey: key, Leaf: chain[0]}
		for _, c := range chain {
			cert.Certificate = append(cert.Certificate, c.Raw)
		}
		tr.chain = chain
	}
	// Every handshake is dialTLS's, over a direct connection or a tunnel
	// through the proxy; tlsConf is the base of its configuration.
	tlsConf := &tls.Config{
		MinVersion: tls.VersionTLS12,
		RootCAs:    roots,
		GetClientCertificate: func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
			rec := recorderOf(cri.Context())
			rec.mu.Lock()
			defer rec.mu.Unlock()
			return rec.ev.AnswerRequest(cri, cert), nil
		},
	}
	connect := o.ConnectTimeout
	if connect <= 0 {
		connect = egress.DefaultConnectTimeout
	}
	route := o.Route
	if route.Resolve == nil {
		route.Resolve = o.Resolve
	}
	if route.ConnectTimeout == 0 {
		route.ConnectTimeout = connect
	}
	dialer, err := egress.NewDialer(route)
	if err != nil {
		return nil, err
	}
	tr.base = &http.Transport{
		// The route (proxy or not) is the dialer's, as curl chooses it.
		Proxy:       nil,
		DialContext: dialer.DialContext,
		DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return dialTLS(ctx, dialer.DialContext, network, addr, tlsConf, roots, connect)
		},
		TLSHandshakeTimeout:   connect,
		ResponseHeaderTimeout: 30 * time.Second,
		// HTTP/1.1 only: with HTTP/2 a TLS 1.3 server's refusal of the client
		// certificate (an alert on the first read) is lost in "http2: client
		// conn could not be established", and one POST gains nothing from it.
		ForceAttemptHTTP2: false,
	}
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}, nil
}

func caError(path string, err error) error {
	var ke *keystore.Error
	if errors.As(err, &ke) && ke.ID == cause.InputWrongFileType {
		return &keystore.Error{ID: cause.CABundleInvalid, Path: path, Msg: "no usable CA certificates: " + ke.Msg, Err: err}
	}
	return err
}

// transportError names the cause of a request that got no HTTP answer,
// from the evidence the client recorded when it was built by NewHTTPClient
// (else from the error alone).
func transportError(op string, err error) *Error {
	var ev classify.Evidence
	var fe *failureEvidence
	if errors.As(err, &fe) {
		ev = fe.ev
	}
	ev.Err = err
	var ue *url.Error
	if errors.As(err, &ue) {
		ev.Err = ue.Err
	}
	id, detail := classify.Classify(ev)
	if ue != nil {
		detail = ue.URL + ": " + detail
	}
	return &Error{Op: op, Err: err, ID: id, Detail: detail}
}

// dialTLS connects (directly or through the proxy's tunnel) and does the
// TLS handshake of a request. It verifies the server's chain as diagnose does (chain first,
// then the name) so that both name the same cause for the same server.
func dialTLS(ctx context.Context, dial func(context.Context, string, string) (net.Conn, error),
	network, addr string, base *tls.Config, roots *x509.CertPool, timeout time.Duration) (net.Conn, error) {
	rec := recorderOf(ctx)
	rec.stage(classify.StageConnect)
	raw, err := dial(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	cfg := base.Clone()
	cfg.ServerName = host
	// Verification is not skipped: VerifyConnection does all of it.
	cfg.InsecureSkipVerify = true
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if err := classify.VerifyServer(cs.PeerCertificates, roots, host, time.Now()); err != nil {
			return &tls.CertificateVerificationError{UnverifiedCertificates: cs.PeerCertificates, Err: err}
		}
		return nil
	}
	rec.stage(classify.StageHandshake)
	hctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn := tls.Client(raw, cfg)
	if err := conn.HandshakeContext(hctx); err != nil {
		raw.Close()
		return nil, err
	}
	rec.mu.Lock()
	rec.ev.Version = conn.ConnectionState().Version
	rec.mu.Unlock()
	rec.stage(classify.StageUnknown)
	return conn, nil
}
