// Package hmpps is the sandbox's HMPPS Integration API-like credentials
// endpoint: the unversioned POST /token that, given the x-api-key (behind
// mutual TLS, which the server around it enforces), hands out temporary
// AWS STS credentials (fake) for the client's SQS queue
// (../shared/PROVIDERS.md). The sandbox serves it on its mutual-TLS port;
// tests serve the same endpoint on loopback with their own certificates
// and settings. It is a leaf package (standard library only).
package hmpps

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// TokenPath is the credentials endpoint; it is not versioned.
const TokenPath = "/token"

// Options say how the endpoint answers. Change them while it serves with
// Server.Set.
type Options struct {
	// APIKey is the client's key, sent in the x-api-key header; a missing
	// or other key gets AWS API Gateway's 403 {"message":"Forbidden"}.
	APIKey string
	// Lifetime of the credentials; 0 means one hour, as STS's default.
	Lifetime time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Wrapped puts the credentials under "Credentials", as STS's own
	// answer does; false puts them at the top level.
	Wrapped bool
	// SecretPrefix and SessionPrefix start each SecretAccessKey and
	// SessionToken handed out (canaries a test can look for in output);
	// the rest is random.
	SecretPrefix, SessionPrefix string
	// Record keeps each SecretAccessKey handed out and each client
	// certificate's CN, for Secrets and ClientCNs.
	Record bool
}

// Server is the endpoint; it is an http.Handler.
type Server struct {
	mu      sync.Mutex
	opts    Options
	issued  int
	secrets []string
	cns     []string
}

// New makes the endpoint.
func New(o Options) *Server { return &Server{opts: o} }

// Set changes the options under the server's lock.
func (s *Server) Set(f func(o *Options)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.opts)
}

// Count is the number of credentials handed out so far.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}

// Secrets are the SecretAccessKeys handed out, oldest first
// (Options.Record).
func (s *Server) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.secrets...)
}

// ClientCNs are the common names of the client certificates seen
// (Options.Record).
func (s *Server) ClientCNs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.cns...)
}

// ServeHTTP answers POST /token; other paths get 404, other methods 405.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opts.Record && r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		s.cns = append(s.cns, r.TLS.PeerCertificates[0].Subject.CommonName)
	}
	switch {
	case r.URL.Path != TokenPath:
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
	case r.Method != http.MethodPost:
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": "Method Not Allowed"})
	case s.opts.APIKey == "" || subtle.ConstantTimeCompare([]byte(r.Header.Get("x-api-key")), []byte(s.opts.APIKey)) != 1:
		// HMPPS (AWS API Gateway) answers a missing or wrong key alike.
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "Forbidden"})
	default:
		s.issue(w)
	}
}

// issue hands out new temporary credentials.
func (s *Server) issue(w http.ResponseWriter) {
	now := time.Now()
	if s.opts.Now != nil {
		now = s.opts.Now()
	}
	lifetime := s.opts.Lifetime
	if lifetime == 0 {
		lifetime = time.Hour
	}
	secret := s.opts.SecretPrefix + randomBase64(30)
	creds := map[string]string{
		"AccessKeyId":     "ASIA" + strings.ToUpper(hex.EncodeToString(randomBytes(8))),
		"SecretAccessKey": secret,
		"SessionToken":    s.opts.SessionPrefix + randomBase64(120),
		"Expiration":      now.UTC().Add(lifetime).Format(time.RFC3339),
	}
	s.issued++
	if s.opts.Record {
		s.secrets = append(s.secrets, secret)
	}
	var body any = creds
	if s.opts.Wrapped {
		body = map[string]any{"Credentials": creds}
	}
	writeJSON(w, http.StatusOK, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}

func randomBase64(n int) string { return base64.StdEncoding.EncodeToString(randomBytes(n)) }
