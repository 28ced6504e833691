package tokenapi

import (
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// HMPPSTokenPath is the HMPPS-like credentials endpoint; it is not
// versioned.
const HMPPSTokenPath = "/token"

// HMPPSOptions say how the HMPPS-like endpoint answers. Change them while it
// serves with Set.
type HMPPSOptions struct {
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

// HMPPS is the HMPPS Integration API-like /token endpoint; it is an
// http.Handler.
type HMPPS struct {
	endpoint[HMPPSOptions]
	// Kept when HMPPSOptions.Record is set.
	secrets []string
	cns     []string
}

// NewHMPPS makes the HMPPS-like endpoint.
func NewHMPPS(o HMPPSOptions) *HMPPS { return &HMPPS{endpoint: endpoint[HMPPSOptions]{opts: o}} }

// Secrets are the SecretAccessKeys handed out, oldest first
// (HMPPSOptions.Record).
func (s *HMPPS) Secrets() []string { return snapshot(&s.mu, s.secrets) }

// ClientCNs are the common names of the client certificates seen
// (HMPPSOptions.Record).
func (s *HMPPS) ClientCNs() []string { return snapshot(&s.mu, s.cns) }

// ServeHTTP answers POST /token; other paths get 404, other methods 405.
func (s *HMPPS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opts.Record && r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		s.cns = append(s.cns, r.TLS.PeerCertificates[0].Subject.CommonName)
	}
	switch {
	case r.URL.Path != HMPPSTokenPath:
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
	case r.Method != http.MethodPost:
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": "Method Not Allowed"})
	case !equalSecret(r.Header.Get("x-api-key"), s.opts.APIKey):
		// HMPPS (AWS API Gateway) answers a missing or wrong key alike.
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "Forbidden"})
	default:
		s.issue(w)
	}
}

// issue hands out new temporary credentials.
func (s *HMPPS) issue(w http.ResponseWriter) {
	now := clock(s.opts.Now)
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
