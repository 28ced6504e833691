// Package tokentest holds test helpers for credential endpoints: RSA test
// keys made once per test binary, their JWKS and PEM, and a fake HMPPS
// Integration API /token endpoint behind mutual TLS that hands out AWS STS
// credentials. The NHS API Management-like endpoint is the sandbox's
// (package sandbox/apim).
package tokentest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testpki"
)

// HMPPS is a fake HMPPS Integration API /token endpoint: mutual TLS with a
// client certificate from the given CA, an x-api-key header, POST only,
// and AWS STS credentials in the answer.
type HMPPS struct {
	URL string

	mu     sync.Mutex
	APIKey string
	// Lifetime of the credentials handed out; default one hour.
	Lifetime time.Duration
	Now      func() time.Time
	// Wrapped puts the credentials under "Credentials" as STS does; false
	// puts them at the top level.
	Wrapped bool
	// Issued counts the credentials handed out; Secrets lists their
	// SecretAccessKeys.
	Issued  int
	Secrets []string
	// ClientCNs are the client certificates' common names seen.
	ClientCNs []string
}

// NewHMPPS starts the fake with a server certificate from ca, requiring a
// client certificate issued by ca; it is closed when the test ends.
func NewHMPPS(t testing.TB, ca *testpki.CA, apiKey string) *HMPPS {
	t.Helper()
	h := &HMPPS{APIKey: apiKey, Wrapped: true}
	h.URL = ca.ServeMutual(t, http.HandlerFunc(h.serve)).URL
	return h
}

// Set changes the fake's settings under its lock.
func (h *HMPPS) Set(f func(h *HMPPS)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f(h)
}

// Count is the number of credentials handed out so far.
func (h *HMPPS) Count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.Issued
}

func random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (h *HMPPS) serve(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(r.TLS.PeerCertificates) > 0 {
		h.ClientCNs = append(h.ClientCNs, r.TLS.PeerCertificates[0].Subject.CommonName)
	}
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path != "/token" {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"status":404,"userMessage":"No resource found failure: No static resource `+r.URL.Path[1:]+`."}`)
		return
	}
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		_, _ = io.WriteString(w, `{"status":405,"userMessage":"Request method '`+r.Method+`' is not supported"}`)
		return
	}
	if r.Header.Get("x-api-key") != h.APIKey {
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"message":"Forbidden"}`)
		return
	}
	now := time.Now()
	if h.Now != nil {
		now = h.Now()
	}
	lifetime := h.Lifetime
	if lifetime == 0 {
		lifetime = time.Hour
	}
	secret := "CANARY-AWS-SECRET-" + random(16)
	creds := map[string]string{
		"AccessKeyId":     "ASIA" + random(8),
		"SecretAccessKey": secret,
		"SessionToken":    "CANARY-SESSION-" + random(64),
		"Expiration":      now.Add(lifetime).UTC().Format(time.RFC3339),
	}
	h.Issued++
	h.Secrets = append(h.Secrets, secret)
	var body any = creds
	if h.Wrapped {
		body = map[string]any{"Credentials": creds}
	}
	_ = json.NewEncoder(w).Encode(body)
}
