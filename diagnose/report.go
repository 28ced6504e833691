package diagnose

import (
	"context"
	"net/http"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/egress"
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
	StepProxy  = "proxy"
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
	Version     string `json:"version,omitempty"`
	CipherSuite string `json:"cipher_suite,omitempty"`
	// ALPN is the protocol the server chose: "h2", "http/1.1" or "".
	ALPN          string        `json:"alpn,omitempty"`
	ServerChain   []CertSummary `json:"server_chain,omitempty"`
	AcceptableCAs []string      `json:"acceptable_cas,omitempty"`
	// AcceptableCAsOmitted counts the names beyond MaxAcceptableCAs that
	// the server also sent (a hostile or misconfigured server can send
	// thousands).
	AcceptableCAsOmitted int `json:"acceptable_cas_omitted,omitempty"`
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
	// Proxy is set when a proxy is configured (used or bypassed).
	Proxy *ProxyInfo `json:"proxy,omitempty"`
	// HTTPStatus is the status code of the API call, 0 when none was made.
	HTTPStatus int `json:"http_status,omitempty"`
	// HTTPProtocol is the response's protocol, "HTTP/1.1" or "HTTP/2.0".
	HTTPProtocol string    `json:"http_protocol,omitempty"`
	Started      time.Time `json:"started"`
	// Cancelled is set when the run was interrupted (Ctrl+C, SIGTERM):
	// the step it stopped in and the rest are skipped, nothing is diagnosed.
	Cancelled bool `json:"cancelled,omitempty"`
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
	APIKeyName   string   `json:"api_key_name,omitempty"`   // the profile secret it came from
	Bearer       bool     `json:"bearer,omitempty"`
	HeaderNames  []string `json:"header_names,omitempty"`
	Resolve      []string `json:"resolve,omitempty"`  // HOST:PORT:ADDR
	Location     bool     `json:"location,omitempty"` // redirects followed (-L)
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
	// With a proxy it applies to the proxy's name only, as in curl: the
	// proxy resolves the server's name.
	Resolve map[string]string
	// Route chooses a proxy as curl does (--proxy, --noproxy, HTTPS_PROXY,
	// NO_PROXY, ...); the zero value reads the environment. Its Resolve
	// defaults to Resolve above.
	Route egress.Settings

	CertFile   string
	KeyFile    string
	KeyPass    []byte
	CACertFile string
	// MutualTLS says the provider requires mutual TLS (a profile's mtls
	// auth). With it, or with CertFile, a server that never sends a
	// CertificateRequest fails the run (client-cert-not-requested, or
	// tls-intercepted when an inspection product issued its chain).
	MutualTLS bool

	APIKey       string
	APIKeyHeader string // default x-api-key
	// APIKeyRequired says the provider needs a key: a missing one is
	// reported as api-key-missing at the HTTP step (the network steps
	// still run, so mutual TLS is checked without the key).
	APIKeyRequired bool
	// BearerToken, when set, is sent as Authorization: Bearer.
	BearerToken string
	// BearerRequired says the API needs a bearer token the client already
	// has; a missing one is reported at the HTTP step like a missing key.
	BearerRequired bool
	// MissingSecrets are secrets the auth needs that could not be had (not
	// stored, keyring unavailable), each with the command that supplies
	// it. The network steps run without them; the HTTP step fails with the
	// first unless the server's answer names a cause of its own.
	MissingSecrets []Finding
	// Answers, when set, is the provider's table of documented answers
	// (provider.Template.MatchAnswer): consulted before the built-in rules.
	Answers func(status int, body []byte, path string) (id cause.ID, detail string, ok bool)
	// Advice adds to every cause the fix in the user's client's words and
	// the provider's own note (cause.Advice.Apply); the zero value adds
	// nothing.
	Advice cause.Advice
	// TokenSource, when set, runs as the token step before the API call and
	// its token is sent as Authorization: Bearer. An error that carries a
	// cause id (see CauseOf) names the step's cause.
	TokenSource func(ctx context.Context) (string, error)
	Headers     http.Header
	Method      string
	// IPVersion, 4 or 6, keeps only that family's addresses (curl -4/-6);
	// 0 uses both, IPv6 and IPv4 raced (Happy Eyeballs).
	IPVersion int
	// FollowRedirects follows redirects to the same host over https, as
	// curl -L does (at most MaxRedirects); others stay unexpected-redirect.
	FollowRedirects bool
	// ExpectJSON, when set, is the JSON the response body must contain (the
	// documented answer of a status endpoint).
	ExpectJSON string

	// Findings are problems found before Run, e.g. a keyring that did not
	// answer for the key's passphrase; the local step reports them with
	// its own, and each fails it.
	Findings []Finding
	// Warnings are concerns found before Run (the path needs an API key
	// role the profile has no key for): the local step shows them before
	// anything is sent, without failing.
	Warnings []Finding
	// MessageKeys are key pairs for the messages, not for TLS (GOV.UK
	// DCS's JSON signing and encryption pairs): the local step checks each
	// (readable, in date, the key the certificate's) and warns, without
	// failing the connection check, as nothing here uses them.
	MessageKeys []MessageKey
	// APIKeyName names where the API key came from (the profile's secret),
	// for the report; never the value.
	APIKeyName string

	// Secrets are other secret values this run loaded (a proxy password,
	// a secret a header was built from): blanked wherever they appear in
	// the report, as APIKey, BearerToken, KeyPass, the URL's password,
	// credential headers and the token step's token are.
	Secrets []string

	// CheckRevocation asks the client certificate's OCSP responder (or its
	// CRL) in the local step, so a revoked certificate is named before the
	// server refuses it.
	CheckRevocation bool

	Timeout time.Duration
	// Now is the clock; nil means time.Now. Tests inject it.
	Now func() time.Time
}

// ServerCertNotAfter is the earliest end of validity in the chain the
// server presented: the day its TLS stops working unless renewed. Zero
// when no handshake got that far.
func (r *Report) ServerCertNotAfter() time.Time {
	var t time.Time
	if r.TLS == nil {
		return t
	}
	for _, c := range r.TLS.ServerChain {
		if t.IsZero() || c.NotAfter.Before(t) {
			t = c.NotAfter
		}
	}
	return t
}
