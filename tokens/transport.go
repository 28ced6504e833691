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
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/onramp-cli/onramp/cause"
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
}

// NewHTTPClient builds the client for a token endpoint. It never follows
// redirects: a POST carrying a client assertion or an API key must not be
// replayed to another host, and a redirect means a wrong URL anyway.
func NewHTTPClient(o TransportOptions) (*http.Client, error) {
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.CACertFile != "" {
		certs, err := keystore.ReadCertificates(o.CACertFile)
		if err != nil {
			return nil, caError(o.CACertFile, err)
		}
		pool := x509.NewCertPool()
		for _, c := range certs {
			pool.AddCert(c)
		}
		tlsConf.RootCAs = pool
	}
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
		cert := tls.Certificate{PrivateKey: key, Leaf: chain[0]}
		for _, c := range chain {
			cert.Certificate = append(cert.Certificate, c.Raw)
		}
		tlsConf.Certificates = []tls.Certificate{cert}
	}
	connect := o.ConnectTimeout
	if connect <= 0 {
		connect = 10 * time.Second
	}
	dialer := &net.Dialer{Timeout: connect}
	resolve := o.Resolve
	tr := &http.Transport{
		Proxy:           http.ProxyFromEnvironment,
		TLSClientConfig: tlsConf,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if to, ok := resolve[addr]; ok {
				addr = to
			}
			return dialer.DialContext(ctx, network, addr)
		},
		TLSHandshakeTimeout:   connect,
		ResponseHeaderTimeout: 30 * time.Second,
		ForceAttemptHTTP2:     true,
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

// transportError names the cause of a request that got no HTTP answer. It
// keeps to what Go's errors say for certain; diagnose does the full probe.
func transportError(op string, err error) *Error {
	e := &Error{Op: op, Err: err, ID: cause.TLSHandshakeFailed, Detail: err.Error()}
	var ue *url.Error
	if errors.As(err, &ue) {
		e.Detail = ue.URL + ": " + ue.Err.Error()
	}
	var dnsErr *net.DNSError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var recordErr tls.RecordHeaderError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
		e.ID, e.Detail = cause.TCPTimeout, "no answer before the deadline: a firewall, an IP allow-list that does not include this machine, or the wrong host or port"
	case errors.As(err, &dnsErr):
		e.ID = cause.DNSNoSuchHost
		if !dnsErr.IsNotFound {
			e.ID = cause.DNSFailure
		}
	case errors.Is(err, syscall.ECONNREFUSED):
		e.ID = cause.TCPRefused
	case errors.Is(err, syscall.ECONNRESET):
		e.ID = cause.TCPReset
	case errors.As(err, &unknownAuth):
		e.ID = cause.ServerCertUntrusted
	case errors.As(err, &hostErr):
		e.ID = cause.ServerCertHostnameMismatch
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		e.ID = cause.ServerCertExpired
	case errors.As(err, &recordErr):
		e.ID = cause.TLSNotTLS
	default:
		// Remote TLS alerts arrive as "remote error: tls: <alert name>".
		msg := err.Error()
		for _, a := range remoteAlerts {
			if strings.Contains(msg, "remote error: tls: "+a.text) {
				e.ID = a.id
				break
			}
		}
	}
	return e
}

var remoteAlerts = []struct {
	text string
	id   cause.ID
}{
	{"certificate required", cause.ClientCertNotSent},
	{"bad certificate", cause.ClientCertRejected},
	{"unknown certificate authority", cause.ClientCertRejected},
	{"access denied", cause.ClientCertRejected},
	{"decrypt error", cause.ClientCertRejected},
	{"revoked certificate", cause.ClientCertRevoked},
	{"expired certificate", cause.ClientCertExpired},
	{"protocol version not supported", cause.TLSVersionMismatch},
}
