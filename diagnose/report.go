package diagnose

import (
	"context"
	"net/http"
	"time"

	"github.com/onramp-cli/onramp/cause"
)

// Status of one step, as in the --json contract.
type Status string

const (
	Pass Status = "pass"
	Fail Status = "fail"
	Warn Status = "warn"
	Skip Status = "skip"
)

// Step names, in the order they run.
const (
	StepLocal  = "local"
	StepDNS    = "dns"
	StepTCP    = "tcp"
	StepTLS    = "tls"
	StepToken  = "token"
	StepHTTP   = "http"
	StepExpect = "expect"
)

// Step is the result of one check.
type Step struct {
	Name   string       `json:"name"`
	Status Status       `json:"status"`
	MS     float64      `json:"ms"`
	Cause  *cause.Cause `json:"cause,omitempty"`
	Detail string       `json:"detail,omitempty"`
	// Notes are extra findings of a passing or warning step (one per line in
	// the text output), e.g. a second local warning.
	Notes []Finding `json:"notes,omitempty"`
}

// Finding is a cause with the detail that led to it.
type Finding struct {
	Cause  *cause.Cause `json:"cause"`
	Detail string       `json:"detail,omitempty"`
	// Warning marks a finding that does not fail its step on its own (an
	// expiring certificate, a Base64-looking API key).
	Warning bool `json:"warning,omitempty"`
}

// CertSummary describes one certificate of a chain without its key material.
type CertSummary struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	DNSNames  []string  `json:"dns_names,omitempty"`
	SHA256    string    `json:"sha256"`
}

// TLSInfo is what the handshake revealed, recorded even when it failed.
type TLSInfo struct {
	Version       string        `json:"version,omitempty"`
	CipherSuite   string        `json:"cipher_suite,omitempty"`
	ServerChain   []CertSummary `json:"server_chain,omitempty"`
	AcceptableCAs []string      `json:"acceptable_cas,omitempty"`
	// ClientCertRequested is true when the server sent a CertificateRequest.
	ClientCertRequested bool `json:"client_cert_requested"`
	ClientCertSent      bool `json:"client_cert_sent"`
}

// Report is the whole result of a diagnosis. The CLI's text, --json and
// --report outputs and the TUI all render this one value.
type Report struct {
	OK     bool         `json:"ok"`
	Target string       `json:"target"`
	Steps  []Step       `json:"steps"`
	Cause  *cause.Cause `json:"cause"`
	TLS    *TLSInfo     `json:"tls,omitempty"`
	// HTTPStatus is the status code of the API call, 0 when none was made.
	HTTPStatus int       `json:"http_status,omitempty"`
	Started    time.Time `json:"started"`
	// Request says what was sent, without secret values, so a report can
	// show the equivalent curl command.
	Request *RequestInfo `json:"request,omitempty"`
}

// RequestInfo describes the request of a diagnosis without any secret:
// header names only, file paths, whether a key or token was sent.
type RequestInfo struct {
	Method       string   `json:"method"`
	CertFile     string   `json:"cert,omitempty"`
	KeyFile      string   `json:"key,omitempty"`
	CACertFile   string   `json:"cacert,omitempty"`
	KeyEncrypted bool     `json:"key_encrypted,omitempty"`
	APIKeyHeader string   `json:"api_key_header,omitempty"` // set when a key is sent
	Bearer       bool     `json:"bearer,omitempty"`
	HeaderNames  []string `json:"header_names,omitempty"`
	Resolve      []string `json:"resolve,omitempty"` // HOST:PORT:ADDR
}

// EventKind says what an Event reports.
type EventKind int

const (
	// StepStarted is sent when a step begins; Step.Name is set.
	StepStarted EventKind = iota
	// StepFinished is sent with the step's result.
	StepFinished
)

// Event is one progress message of a running diagnosis.
type Event struct {
	Kind EventKind
	Step Step
}

// Options describe what to diagnose. Secrets are values here, never flag
// text: the CLI reads them from the environment, stdin or the keyring.
type Options struct {
	URL string
	// Resolve maps "host:port" to the address to dial, as curl's --resolve.
	Resolve map[string]string

	CertFile   string
	KeyFile    string
	KeyPass    []byte
	CACertFile string

	APIKey       string
	APIKeyHeader string // default x-api-key
	// APIKeyRequired says the provider needs a key, so a missing one fails
	// locally with api-key-missing instead of waiting for a 403.
	APIKeyRequired bool
	// BearerToken, when set, is sent as Authorization: Bearer.
	BearerToken string
	// TokenSource, when set, runs as the token step before the API call and
	// its token is sent as Authorization: Bearer. An error that carries a
	// cause id (see CauseOf) names the step's cause.
	TokenSource func(ctx context.Context) (string, error)
	Headers     http.Header
	Method      string
	// ExpectJSON, when set, is the JSON the response body must contain (the
	// documented answer of a status endpoint).
	ExpectJSON string

	// Findings are problems found before Run, e.g. a keyring that did not
	// answer for the profile's API key; the local step reports them with
	// its own, and each fails it.
	Findings []Finding

	// Secrets are other secret values this run loaded (a proxy password,
	// a secret a header was built from): blanked wherever they appear in
	// the report, as APIKey, BearerToken, KeyPass, the URL's password,
	// credential headers and the token step's token are.
	Secrets []string

	Timeout time.Duration
	// Now is the clock; nil means time.Now. Tests inject it.
	Now func() time.Time
}
