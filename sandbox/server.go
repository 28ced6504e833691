// Package sandbox is onramp's local practice API: a mutual-TLS server on
// the loopback interface with its own CAs, API keys and endpoints shaped
// like the documented providers' (HMPPS, GOV.UK DCS, NHS API Management,
// Securosys). Practice modes make it fail in one chosen way, so a user sees
// what each cause looks like and what onramp says about it.
package sandbox

import (
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
)

// DefaultAddr is where the sandbox listens unless told otherwise.
const DefaultAddr = "127.0.0.1:8443"

// Config says how to run the sandbox.
type Config struct {
	// Dir is the data directory: PKI, registered JWKS, and the key files
	// used when no keyring answers. Default: DataDir().
	Dir string
	// Addr is the listen address, default 127.0.0.1:8443. Port 0 picks a
	// free port (see Server.Addr).
	Addr string
	// AllowRemote permits a listen address that is not loopback.
	AllowRemote bool
	// Break is a practice mode's cause id, "" for a working sandbox.
	Break string
	// Keyring stores the API keys under profile `sandbox`. Nil keeps them
	// in 0600 files in Dir.
	Keyring keystore.Keyring
	// Log receives one line per request and per failed handshake.
	Log io.Writer
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// DataDir is the sandbox's data directory: sandbox/ in onramp's config
// directory (ONRAMP_CONFIG_DIR honoured).
func DataDir() (string, error) {
	dir, err := profile.Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "sandbox"), nil
}

// Server is a running (or ready to run) sandbox.
type Server struct {
	cfg   Config
	pki   *PKI
	keys  *Keys
	brk   *Break
	hosts []string // names the server certificate must cover

	tlsConfig *tls.Config

	mu       sync.Mutex
	ln       net.Listener
	srv      *http.Server
	done     chan struct{}
	serveErr error
	closed   bool

	jtiMu sync.Mutex
	jtis  map[string]time.Time // signed-JWT ids seen, until they expire
}

// AddrInUseError is a listen address another process (often a second
// sandbox) already holds.
type AddrInUseError struct {
	Addr string
	Err  error
}

func (e *AddrInUseError) Error() string {
	_, port, _ := net.SplitHostPort(e.Addr)
	return fmt.Sprintf("port %s is in use — is another sandbox running? Stop it, or choose another port with --addr 127.0.0.1:PORT", port)
}

func (e *AddrInUseError) Unwrap() error { return e.Err }

// AddrError is a listen address the sandbox will not use: malformed, or
// reachable from other machines without AllowRemote.
type AddrError struct{ Addr, Reason string }

func (e *AddrError) Error() string { return fmt.Sprintf("--addr %s: %s", e.Addr, e.Reason) }

// New prepares a sandbox: the PKI (made on first use), the keys, and the
// TLS configuration of the chosen practice mode. Nothing listens yet.
func New(cfg Config) (*Server, error) {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.Dir == "" {
		d, err := DataDir()
		if err != nil {
			return nil, err
		}
		cfg.Dir = d
	}
	host, err := checkAddr(cfg.Addr, cfg.AllowRemote)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, jtis: map[string]time.Time{}}
	if cfg.Break != "" {
		b, ok := LookupBreak(cfg.Break)
		if !ok {
			return nil, &UnknownBreakError{ID: cfg.Break}
		}
		s.brk = &b
	}
	s.hosts = append([]string(nil), serverHosts...)
	if host != "" && !contains(s.hosts, host) {
		s.hosts = append(s.hosts, host)
	}
	if s.pki, err = LoadPKI(cfg.Dir, cfg.Now()); err != nil {
		return nil, err
	}
	if s.keys, err = loadKeys(cfg.Keyring, cfg.Dir); err != nil {
		return nil, err
	}
	if s.tlsConfig, err = s.buildTLSConfig(); err != nil {
		return nil, err
	}
	return s, nil
}

// checkAddr validates a listen address and returns its host ("" for all
// interfaces, refused unless remote access is allowed).
func checkAddr(addr string, allowRemote bool) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", &AddrError{addr, "want HOST:PORT, e.g. 127.0.0.1:8443"}
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "", &AddrError{addr, fmt.Sprintf("%q is not a port number", port)}
	}
	loopback := host == "localhost"
	if ip := net.ParseIP(host); ip != nil {
		loopback = ip.IsLoopback()
	}
	if !loopback && !allowRemote {
		return "", &AddrError{addr, "other machines could reach it; the sandbox is for this machine only (use 127.0.0.1 or [::1], or add --allow-remote if you really mean it)"}
	}
	return host, nil
}

// PKI is the sandbox's certificate authorities.
func (s *Server) PKI() *PKI { return s.pki }

// Keys are the sandbox's secrets (never print them).
func (s *Server) Keys() *Keys { return s.keys }

// Break is the practice mode, nil for a working sandbox.
func (s *Server) Break() *Break { return s.brk }

// Start listens and serves in the background until ctx ends or Close is
// called. A port already in use gives an *AddrInUseError.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return errors.New("sandbox already started")
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return &AddrInUseError{Addr: s.cfg.Addr, Err: err}
		}
		return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
	}
	s.ln = ln
	s.done = make(chan struct{})
	s.srv = &http.Server{
		Handler:           s.handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          log.New(&logWriter{s: s}, "", 0),
	}
	go func() {
		defer close(s.done)
		err := s.serve(ln)
		if errors.Is(err, http.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
			err = nil
		}
		s.mu.Lock()
		s.serveErr = err
		s.mu.Unlock()
	}()
	go func() {
		select {
		case <-ctx.Done():
			s.Close()
		case <-s.done:
		}
	}()
	return nil
}

func (s *Server) serve(ln net.Listener) error {
	if s.brk != nil {
		switch s.brk.ID {
		case "tls-not-tls":
			return s.srv.Serve(ln)
		case "tcp-reset":
			return s.serveResets(ln)
		}
	}
	return s.srv.Serve(tls.NewListener(ln, s.tlsConfig))
}

// serveResets reads the client hello and answers with a TCP reset, as a
// middlebox that drops unknown clients does.
func (s *Server) serveResets(ln net.Listener) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go func() {
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			buf := make([]byte, 1)
			c.Read(buf)
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetLinger(0) // close with RST, not FIN
			}
			c.Close()
			s.logf("reset connection from %s (practice mode tcp-reset)", c.RemoteAddr())
		}()
	}
}

// Serve starts the sandbox and blocks until ctx ends (nil) or serving fails.
func (s *Server) Serve(ctx context.Context) error {
	if err := s.Start(ctx); err != nil {
		return err
	}
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.serveErr
}

// Addr is the address the sandbox listens on (the chosen port when the
// configured one was 0), or the configured address before Start.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return s.ln.Addr().String()
	}
	return s.cfg.Addr
}

// Close stops the sandbox, letting requests in flight finish for up to two
// seconds.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.srv == nil || s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	srv, ln, done := s.srv, s.ln, s.done
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := srv.Shutdown(ctx)
	if err != nil {
		err = srv.Close()
	}
	ln.Close() // serveResets owns the listener directly
	<-done
	return err
}

// buildTLSConfig is the working configuration with the practice mode's
// fault applied.
func (s *Server) buildTLSConfig() (*tls.Config, error) {
	now := s.cfg.Now()
	serverCert := s.pki.ServerCertificate()
	if !coversAll(s.pki.Server, s.hosts) {
		cert, key, err := s.pki.issueServer(s.hosts, now.Add(-time.Hour), now.AddDate(1, 0, 0), s.pki.Intermediate, s.pki.interKey)
		if err != nil {
			return nil, err
		}
		serverCert = chainCert(key, cert, s.pki.Intermediate)
	}
	cfg := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{serverCert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    s.pki.ClientCAPool(),
	}
	if s.brk == nil {
		return cfg, nil
	}
	// issue makes a practice server certificate from the intermediate.
	issue := func(hosts []string, notBefore, notAfter time.Time) (*x509.Certificate, crypto.Signer, error) {
		return s.pki.issueServer(hosts, notBefore, notAfter, s.pki.Intermediate, s.pki.interKey)
	}
	switch s.brk.ID {
	case "client-cert-wrong-issuer":
		other, _, err := practiceCA("Practice Provider Client CA", now)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		pool.AddCert(other)
		cfg.ClientCAs = pool
	case "client-cert-rejected":
		cfg.VerifyPeerCertificate = func([][]byte, [][]*x509.Certificate) error {
			// crypto/tls answers a refusal here with a bad_certificate alert.
			return errors.New("practice mode client-cert-rejected: the sandbox refuses this client certificate")
		}
	case "client-cert-not-sent":
		cfg.ClientAuth = tls.NoClientCert
	case "server-cert-expired":
		cert, key, err := issue(s.hosts, now.AddDate(-1, 0, -1), now.AddDate(0, 0, -1))
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{chainCert(key, cert, s.pki.Intermediate)}
	case "server-cert-not-yet-valid":
		cert, key, err := issue(s.hosts, now.AddDate(0, 1, 0), now.AddDate(1, 1, 0))
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{chainCert(key, cert, s.pki.Intermediate)}
	case "server-cert-hostname-mismatch":
		cert, key, err := issue([]string{"sandbox.invalid"}, now.Add(-time.Hour), now.AddDate(1, 0, 0))
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{chainCert(key, cert, s.pki.Intermediate)}
	case "server-cert-untrusted":
		// A root the client's CA bundle does not hold; it is sent along, so
		// the chain is complete but ends in the wrong place.
		root, rootKey, err := practiceCA("Practice Untrusted Root CA", now)
		if err != nil {
			return nil, err
		}
		cert, key, err := s.pki.issueServer(s.hosts, now.Add(-time.Hour), now.AddDate(1, 0, 0), root, rootKey)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{chainCert(key, cert, root)}
	case "server-cert-self-signed":
		cert, key, err := s.pki.issueServer(s.hosts, now.Add(-time.Hour), now.AddDate(1, 0, 0), nil, nil)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{chainCert(key, cert)}
	case "server-chain-incomplete":
		c := cfg.Certificates[0]
		c.Certificate = c.Certificate[:1]
		cfg.Certificates = []tls.Certificate{c}
	case "tls-version-mismatch":
		// Go 1.26 still serves TLS 1.0/1.1 when MinVersion asks for it; a
		// client that requires 1.2 gets a protocol_version alert.
		cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
	case "tls-no-common-cipher":
		// RC4 is offered by no current client (Go, OpenSSL 3, browsers),
		// so the handshake ends in handshake_failure before any
		// CertificateRequest.
		cfg.MaxVersion = tls.VersionTLS12
		cfg.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_RC4_128_SHA}
	}
	return cfg, nil
}

func chainCert(key crypto.Signer, certs ...*x509.Certificate) tls.Certificate {
	c := tls.Certificate{PrivateKey: key, Leaf: certs[0]}
	for _, x := range certs {
		c.Certificate = append(c.Certificate, x.Raw)
	}
	return c
}

// practiceCA makes an in-memory CA for a practice mode.
func practiceCA(cn string, now time.Time) (*x509.Certificate, crypto.Signer, error) {
	key, err := newKey()
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          newSerial(),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"onramp sandbox practice"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	cert, err := createCert(tmpl, tmpl, key.Public(), key)
	return cert, key, err
}

func coversAll(cert *x509.Certificate, hosts []string) bool {
	for _, h := range hosts {
		if cert.VerifyHostname(h) != nil {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
