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

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/sandbox/tokenapi"
)

// DefaultAddr is where the sandbox listens unless told otherwise.
const DefaultAddr = "127.0.0.1:8443"

// Config says how to run the sandbox.
type Config struct {
	// Dir is the data directory: PKI, registered JWKS and the practice
	// keys' files. Default: DataDir().
	Dir string
	// Addr is the listen address, default 127.0.0.1:8443. Port 0 picks a
	// free port (see Server.Addr).
	Addr string
	// APIMAddr is the listen address of the APIM-like token API, which
	// (like NHS API Management) needs no client certificate. Default: the
	// port after Addr's.
	APIMAddr string
	// AllowRemote permits a listen address that is not loopback.
	AllowRemote bool
	// Break is a practice mode's cause id, "" for a working sandbox.
	Break string
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

	// normalCert is the working server certificate, for the APIM-like
	// API even in a practice mode.
	normalCert tls.Certificate

	mu       sync.Mutex
	ln       net.Listener
	srv      *http.Server
	apimLn   net.Listener
	apimSrv  *http.Server
	done     chan struct{}
	closing  chan struct{} // closed by Close, for connections held open
	serveErr error
	closed   bool

	apim  *tokenapi.APIM  // the APIM-like API, on both listeners
	hmpps *tokenapi.HMPPS // the HMPPS-like /token, on the mutual-TLS API
}

// AddrInUseError is a listen address another process (often a second
// sandbox) already holds.
type AddrInUseError struct {
	Addr string
	Flag string // --addr or --apim-addr
	Err  error
}

func (e *AddrInUseError) Error() string {
	_, port, _ := net.SplitHostPort(e.Addr)
	return fmt.Sprintf("port %s is in use — is another sandbox running? Stop it, or choose another port with %s 127.0.0.1:PORT", port, e.Flag)
}

func (e *AddrInUseError) Unwrap() error { return e.Err }

// AddrError is a listen address the sandbox will not use: malformed, or
// reachable from other machines without AllowRemote.
type AddrError struct{ Flag, Addr, Reason string }

func (e *AddrError) Error() string { return fmt.Sprintf("%s %s: %s", e.Flag, e.Addr, e.Reason) }

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
	host, err := checkAddr("--addr", cfg.Addr, cfg.AllowRemote)
	if err != nil {
		return nil, err
	}
	if cfg.APIMAddr != "" {
		if _, err := checkAddr("--apim-addr", cfg.APIMAddr, cfg.AllowRemote); err != nil {
			return nil, err
		}
	}
	s := &Server{cfg: cfg}
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
	if s.keys, err = loadKeys(cfg.Dir); err != nil {
		return nil, err
	}
	if s.tlsConfig, err = s.buildTLSConfig(); err != nil {
		return nil, err
	}
	s.apim = s.newAPIM()
	s.hmpps = tokenapi.NewHMPPS(tokenapi.HMPPSOptions{APIKey: s.keys.API, Now: cfg.Now})
	return s, nil
}

// checkAddr validates a listen address and returns its host ("" for all
// interfaces, refused unless remote access is allowed).
func checkAddr(flag, addr string, allowRemote bool) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", &AddrError{flag, addr, "want HOST:PORT, e.g. 127.0.0.1:8443"}
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "", &AddrError{flag, addr, fmt.Sprintf("%q is not a port number", port)}
	}
	loopback := host == "localhost"
	if ip := net.ParseIP(host); ip != nil {
		loopback = ip.IsLoopback()
	}
	if !loopback && !allowRemote {
		return "", &AddrError{flag, addr, "other machines could reach it; the sandbox is for this machine only (use 127.0.0.1 or [::1], or add --allow-remote if you really mean it)"}
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
// called: the mutual-TLS API on Addr and the APIM-like token API (server
// TLS only, as NHS API Management) on APIMAddr. A port already in use gives
// an *AddrInUseError.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return errors.New("sandbox already started")
	}
	ln, err := listen(ctx, s.cfg.Addr, "--addr")
	if err != nil {
		return err
	}
	apimAddr := s.cfg.APIMAddr
	if apimAddr == "" {
		apimAddr = nextPort(s.cfg.Addr) // port 0 stays 0: any free port
	}
	apimLn, err := listen(ctx, apimAddr, "--apim-addr")
	if err != nil {
		ln.Close()
		return err
	}
	s.ln, s.apimLn = ln, apimLn
	s.done, s.closing = make(chan struct{}), make(chan struct{})
	s.srv = s.httpServer(s.handler())
	s.apimSrv = s.httpServer(s.apimHandler())
	// Practice modes break the mutual-TLS API only.
	apimTLS := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{s.normalCert}}
	var wg sync.WaitGroup
	wg.Add(2)
	var errs [2]error
	go func() { defer wg.Done(); errs[0] = s.serve(ln) }()
	go func() { defer wg.Done(); errs[1] = s.apimSrv.Serve(tls.NewListener(apimLn, apimTLS)) }()
	go func() {
		wg.Wait()
		err := errors.Join(ignoreClosed(errs[0]), ignoreClosed(errs[1]))
		s.mu.Lock()
		s.serveErr = err
		s.mu.Unlock()
		close(s.done)
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

func ignoreClosed(err error) error {
	if errors.Is(err, http.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

func listen(ctx context.Context, addr, flag string) (net.Listener, error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, &AddrInUseError{Addr: addr, Flag: flag, Err: err}
		}
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

// nextPort is the APIM-like API's default address: the next port on the
// same host (8444 next to 8443).
func nextPort(addr string) string {
	host, port, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(port)
	if n == 0 || n == 65535 {
		return net.JoinHostPort(host, "0")
	}
	return net.JoinHostPort(host, strconv.Itoa(n+1))
}

func (s *Server) httpServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          log.New(&logWriter{s: s}, "", 0),
	}
}

func (s *Server) serve(ln net.Listener) error {
	if s.brk != nil {
		switch s.brk.ID {
		case cause.TLSNotTLS:
			return s.srv.Serve(ln)
		case cause.TCPReset:
			return s.serveResets(ln)
		case cause.TLSHandshakeTimeout:
			return s.serveSilence(ln)
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

// serveSilence accepts connections and never answers, until the client
// gives up or the sandbox stops.
func (s *Server) serveSilence(ln net.Listener) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		s.logf("holding connection from %s without answering (practice mode tls-handshake-timeout)", c.RemoteAddr())
		go func() {
			defer c.Close()
			read := make(chan struct{})
			go func() {
				io.Copy(io.Discard, c) // returns when the client closes
				close(read)
			}()
			select {
			case <-read:
			case <-s.closing:
			}
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

// Addr is the address the mutual-TLS API listens on (the chosen port when
// the configured one was 0), or the configured address before Start.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return s.ln.Addr().String()
	}
	return s.cfg.Addr
}

// APIMAddr is the address of the APIM-like token API, "" before Start.
func (s *Server) APIMAddr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.apimLn != nil {
		return s.apimLn.Addr().String()
	}
	return ""
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
	close(s.closing)
	done := s.done
	servers := []*http.Server{s.srv, s.apimSrv}
	listeners := []net.Listener{s.ln, s.apimLn}
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var errs []error
	for _, srv := range servers {
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, srv.Close())
		}
	}
	for _, ln := range listeners {
		ln.Close() // serveResets owns its listener directly
	}
	<-done
	return errors.Join(errs...)
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
	s.normalCert = serverCert
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
	case cause.ClientCertWrongIssuer:
		other, _, err := practiceCA("Practice Provider Client CA", now)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		pool.AddCert(other)
		cfg.ClientCAs = pool
	case cause.ClientCertRejected:
		cfg.VerifyPeerCertificate = func([][]byte, [][]*x509.Certificate) error {
			// crypto/tls answers a refusal here with a bad_certificate alert.
			return errors.New("practice mode client-cert-rejected: the sandbox refuses this client certificate")
		}
	case cause.ClientCertNotSent:
		cfg.ClientAuth = tls.NoClientCert
	case cause.ClientCertExpired:
		// crypto/tls verifies client certificates at Config.Time and answers
		// an expired one with a certificate_expired alert.
		cfg.Time = func() time.Time { return s.cfg.Now().AddDate(2, 0, 0) }
	case cause.ServerCertExpired:
		cert, key, err := issue(s.hosts, now.AddDate(-1, 0, -1), now.AddDate(0, 0, -1))
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{chainCert(key, cert, s.pki.Intermediate)}
	case cause.ServerCertNotYetValid:
		cert, key, err := issue(s.hosts, now.AddDate(0, 1, 0), now.AddDate(1, 1, 0))
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{chainCert(key, cert, s.pki.Intermediate)}
	case cause.ServerCertHostnameMismatch:
		cert, key, err := issue([]string{"sandbox.invalid"}, now.Add(-time.Hour), now.AddDate(1, 0, 0))
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{chainCert(key, cert, s.pki.Intermediate)}
	case cause.ServerCertUntrusted:
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
	case cause.ServerCertSelfSigned:
		cert, key, err := s.pki.issueServer(s.hosts, now.Add(-time.Hour), now.AddDate(1, 0, 0), nil, nil)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{chainCert(key, cert)}
	case cause.ServerChainIncomplete:
		c := cfg.Certificates[0]
		c.Certificate = c.Certificate[:1]
		cfg.Certificates = []tls.Certificate{c}
	case cause.TLSVersionMismatch:
		// Go 1.26 still serves TLS 1.0/1.1 when MinVersion asks for it; a
		// client that requires 1.2 gets a protocol_version alert.
		cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
	case cause.TLSNoCommonCipher:
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
