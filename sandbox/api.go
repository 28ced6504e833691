package sandbox

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/sandbox/tokenapi"
)

// StatusPath is the DCS-like status endpoint the `sandbox` profile checks,
// and StatusJSON its documented answer.
const (
	StatusPath = "/checks/passport"
	StatusJSON = `{"available":true,"scheduledOutages":[]}`
	// TokenPath is the APIM-like signed-JWT token endpoint.
	TokenPath = tokenapi.APIMTokenPath
)

// Securosys-like endpoints and the key role each needs.
var securosysRoles = map[string]string{
	"/v1/versionInfo": "serviceToken",
	"/v1/sign":        "keyOperationToken",
}

func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	// Methods are checked by onlyMethod rather than in the patterns: with a
	// catch-all "/" the mux would answer a wrong method with 404, not 405.
	mux.HandleFunc("/v1/persons/{id}/risks/scores", onlyMethod("GET", s.personRiskScores))
	mux.Handle(tokenapi.HMPPSTokenPath, s.hmpps)
	mux.HandleFunc(StatusPath, onlyMethod("GET", s.status))
	mux.Handle(TokenPath, s.apim)
	mux.HandleFunc("/v1/versionInfo", onlyMethod("GET", s.securosysVersionInfo))
	mux.HandleFunc("/v1/sign", onlyMethod("POST", s.securosysSign))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
	})
	return s.logged("", s.practiceHTTP(s.authorised(mux)))
}

// onlyMethod answers other methods with 405 and an Allow header.
func onlyMethod(method string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != method && !(method == "GET" && r.Method == "HEAD") {
			w.Header().Set("Allow", method)
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": "Method Not Allowed"})
			return
		}
		h(w, r)
	}
}

// statusRecorder remembers the status a handler wrote, for the log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// logged writes one line per request: method, path (never the query, which
// may carry secrets), status, client certificate CN, duration. Headers and
// bodies, where keys and assertions travel, are never logged.
func (s *Server) logged(label string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		cn := "-"
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			cn = strconv.Quote(r.TLS.PeerCertificates[0].Subject.CommonName)
		}
		s.logf("%s%s %s %d cn=%s %.1fms", label, r.Method, r.URL.Path, rec.status, cn, float64(time.Since(start).Microseconds())/1000)
	})
}

// logWriter timestamps lines, including net/http's own (failed handshakes).
type logWriter struct{ s *Server }

func (l *logWriter) Write(p []byte) (int, error) {
	l.s.logf("%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

var logMu sync.Mutex

func (s *Server) logf(format string, a ...any) {
	logMu.Lock()
	defer logMu.Unlock()
	fmt.Fprintf(s.cfg.Log, "%s %s\n", s.cfg.Now().UTC().Format("15:04:05"), fmt.Sprintf(format, a...))
}

const nginxNoCertPage = `<html>
<head><title>400 No required SSL certificate was sent</title></head>
<body>
<center><h1>400 Bad Request</h1></center>
<center>No required SSL certificate was sent</center>
<hr><center>nginx</center>
</body>
</html>
`

const nginxWelcomePage = `<!DOCTYPE html>
<html>
<head><title>Welcome to nginx!</title></head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and working.</p>
</body>
</html>
`

// practiceHTTP answers as the practice mode says, for modes made at the
// HTTP layer.
func (s *Server) practiceHTTP(next http.Handler) http.Handler {
	if s.brk == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch s.brk.ID {
		case cause.ClientCertNotSent:
			writeText(w, http.StatusBadRequest, "text/html", nginxNoCertPage)
		case cause.APIKeyRejected:
			writeJSON(w, http.StatusForbidden, map[string]string{"message": "Forbidden"})
		case cause.EndpointNotFound:
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		case cause.MethodNotAllowed:
			w.Header().Set("Allow", "POST")
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": "Method Not Allowed"})
		case cause.RateLimited:
			w.Header().Set("Retry-After", "30")
			writeJSON(w, http.StatusTooManyRequests, map[string]string{"message": "Too Many Requests"})
		case cause.ServiceUnavailable:
			w.Header().Set("Retry-After", "120")
			now := s.cfg.Now().UTC()
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{
				"available": false,
				"scheduledOutages": []map[string]string{{
					"start": now.Add(-time.Hour).Format(time.RFC3339),
					"end":   now.Add(time.Hour).Format(time.RFC3339),
				}},
			})
		case cause.ServerError:
			writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "Internal server error"})
		case cause.UnexpectedResponse:
			writeText(w, http.StatusOK, "text/html", nginxWelcomePage)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// authorised checks the API key: x-api-key for the HMPPS- and DCS-like
// endpoints, a role key for the Securosys-like ones; the token endpoint
// authenticates by its signed JWT instead.
func (s *Server) authorised(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == TokenPath {
			next.ServeHTTP(w, r)
			return
		}
		got := r.Header.Get("x-api-key") // header names are case-insensitive: X-API-KEY too
		if role, ok := securosysRoles[r.URL.Path]; ok {
			switch keyRole := s.securosysRole(got); {
			case keyRole == "":
				writeJSON(w, http.StatusUnauthorized, map[string]any{"errorCode": 631, "reason": "res.error.api.key.invalid", "message": "The API key is missing or not valid"})
				return
			case keyRole != role:
				// Securosys does not document this answer; 403 with its own
				// code lets a client tell "wrong role" from "unknown key".
				writeJSON(w, http.StatusForbidden, map[string]any{"errorCode": 632, "reason": "res.error.api.key.role", "message": fmt.Sprintf("This endpoint needs an API key with role %s; the key sent has role %s", role, keyRole)})
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		// HMPPS (AWS API Gateway) answers a missing or wrong key alike.
		if !equalSecret(got, s.keys.API) {
			writeJSON(w, http.StatusForbidden, map[string]string{"message": "Forbidden"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) securosysRole(key string) string {
	switch {
	case key == "":
		return ""
	case equalSecret(key, s.keys.Service):
		return "serviceToken"
	case equalSecret(key, s.keys.Operation):
		return "keyOperationToken"
	}
	return ""
}

// equalSecret compares in constant time, so response timing does not leak
// how much of a guessed key was right.
func equalSecret(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

var personID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9]{1,20}$`) })

// personRiskScores is shaped like HMPPS's GET /v1/persons/{hmppsId}/risks/scores.
func (s *Server) personRiskScores(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !personID().MatchString(id) {
		writeJSON(w, http.StatusNotFound, map[string]any{"status": 404, "userMessage": "Person not found", "developerMessage": "no person with that HMPPS id"})
		return
	}
	completed := s.cfg.Now().UTC().AddDate(0, -2, 0).Truncate(24 * time.Hour)
	writeJSON(w, http.StatusOK, map[string]any{
		"data": []map[string]any{{
			"completedDate":           completed.Format("2006-01-02T15:04:05"),
			"assessmentStatus":        "COMPLETE",
			"groupReconviction":       map[string]any{"oneYear": 12, "twoYears": 23, "scoreLevel": "LOW"},
			"generalPredictor":        map[string]any{"oneYear": 8, "twoYears": 15, "scoreLevel": "LOW"},
			"violencePredictor":       map[string]any{"personal": 2, "total": 4, "ovpRisk": "LOW"},
			"riskOfSeriousRecidivism": map[string]any{"percentageScore": 0.9, "scoreLevel": "LOW"},
			"sexualPredictor":         map[string]any{"indecentImage": 0.1, "contactChild": 0.2, "scoreLevel": "LOW"},
			"practiceData":            true,
			"hmppsId":                 id,
		}},
		"pagination": map[string]any{"isLastPage": true, "count": 1, "page": 1, "perPage": 10, "totalCount": 1, "totalPages": 1},
	})
}

// status is the DCS-like status endpoint.
func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	writeText(w, http.StatusOK, "application/json", StatusJSON)
}

func (s *Server) securosysVersionInfo(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"version": "2.6.0", "apiVersion": "v1", "product": "onramp sandbox (Securosys-like practice API)"})
}

func (s *Server) securosysSign(w http.ResponseWriter, r *http.Request) {
	sig := make([]byte, 64)
	rand.Read(sig) // never fails since Go 1.24
	writeJSON(w, http.StatusOK, map[string]string{"signature": base64.StdEncoding.EncodeToString(sig), "keyVersion": "1"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, _ := json.Marshal(v)
	writeText(w, status, "application/json", string(data))
}

func writeText(w http.ResponseWriter, status int, contentType, body string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write([]byte(body))
}
