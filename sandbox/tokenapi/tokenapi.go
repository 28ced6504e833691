// Package tokenapi is the sandbox's token endpoints, shaped like the
// documented providers' (../shared/PROVIDERS.md): NHS API Management's
// signed-JWT client credentials, with its checks in a similar order and its
// documented error wording, and an application-restricted API that takes
// the bearer tokens it issues (APIM); HMPPS Integration API's unversioned
// POST /token handing out temporary AWS STS credentials (HMPPS). The
// sandbox serves them on its listeners; tests serve the same endpoints on
// loopback with their own certificates and options, so there is one fake
// per API. It is a leaf package (standard library and go-jose only), so
// any package's tests can use it.
package tokenapi

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// endpoint is what both endpoints share: options changed under a lock
// while serving, and a count of what was issued.
type endpoint[O any] struct {
	mu     sync.Mutex
	opts   O
	issued int
}

// Set changes the options under the endpoint's lock.
func (e *endpoint[O]) Set(f func(o *O)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	f(&e.opts)
}

// Count is the number of tokens or credentials issued so far.
func (e *endpoint[O]) Count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.issued
}

// snapshot copies a recorded list under mu.
func snapshot[T any](mu *sync.Mutex, list []T) []T {
	mu.Lock()
	defer mu.Unlock()
	return append([]T(nil), list...)
}

// clock is now, or time.Now when now is nil.
func clock(now func() time.Time) time.Time {
	if now != nil {
		return now()
	}
	return time.Now()
}

// equalSecret compares in constant time, so response timing does not leak
// how much of a guessed key was right; an empty want matches nothing.
func equalSecret(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, _ := json.Marshal(v)
	writeBody(w, status, data)
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}

func randomHex(n int) string    { return hex.EncodeToString(randomBytes(n)) }
func randomBase64(n int) string { return base64.StdEncoding.EncodeToString(randomBytes(n)) }
