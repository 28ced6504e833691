// Package revocation asks whether a certificate has been revoked, the way a
// server that checks client certificates does: its OCSP responder (from the
// certificate's Authority Information Access) or, failing that, its CRL
// distribution point. Every request has a deadline; nothing is cached.
package revocation

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/onramp-cli/onramp/egress"
)

// DefaultTimeout bounds one whole check when Options.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// maxResponse bounds what is read from a responder or CRL server.
const maxResponse = 10 << 20

// Status is what the CA says about a certificate.
type Status string

const (
	Good    Status = "good"
	Revoked Status = "revoked"
	// Unknown: the OCSP responder does not know the certificate (often the
	// wrong responder, or a certificate from another CA).
	Unknown Status = "unknown"
)

// Result is the CA's answer.
type Result struct {
	Status Status `json:"status"`
	// Method is "ocsp" or "crl"; URL is where the answer came from.
	Method     string    `json:"method"`
	URL        string    `json:"url"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
	Reason     string    `json:"reason,omitempty"`
	ThisUpdate time.Time `json:"this_update,omitzero"`
	NextUpdate time.Time `json:"next_update,omitzero"`
}

// String is one line for a person: "revoked on ... (keyCompromise), says
// the OCSP responder http://...".
func (r *Result) String() string {
	var b strings.Builder
	switch r.Status {
	case Revoked:
		fmt.Fprintf(&b, "revoked on %s", r.RevokedAt.UTC().Format(time.RFC3339))
		if r.Reason != "" {
			fmt.Fprintf(&b, " (%s)", r.Reason)
		}
	case Unknown:
		b.WriteString("unknown to the responder")
	default:
		b.WriteString("not revoked")
	}
	source := "the OCSP responder"
	if r.Method == "crl" {
		source = "the CRL"
	}
	fmt.Fprintf(&b, ", says %s %s", source, r.URL)
	return b.String()
}

// Options of Check.
type Options struct {
	// Issuers are candidate issuing certificates (the rest of the chain,
	// the CA bundle). When none issued the certificate, the issuer is
	// fetched from the certificate's CA Issuers URL.
	Issuers []*x509.Certificate
	// Client makes the requests: egress's client for the command's proxy
	// settings (default: the environment's, as curl reads them).
	Client *http.Client
	// Timeout bounds the whole check (default 10s).
	Timeout time.Duration
	// Now is the clock for CRL freshness; nil means time.Now.
	Now func() time.Time
}

// ErrNoRevocationInfo says the certificate names neither an OCSP responder
// nor a CRL: nobody can check it, servers included.
var ErrNoRevocationInfo = errors.New("the certificate names no OCSP responder and no CRL distribution point")

// Check asks cert's OCSP responder and, when that cannot answer, its CRL.
// An error means no answer was had (no URL, unreachable, a bad or
// unsigned answer); it says which and what was tried.
func Check(ctx context.Context, cert *x509.Certificate, o Options) (*Result, error) {
	if len(cert.OCSPServer) == 0 && len(cert.CRLDistributionPoints) == 0 {
		return nil, ErrNoRevocationInfo
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Client == nil {
		// The environment's proxy settings, read as curl reads them.
		o.Client = (&egress.Dialer{}).HTTPClient(o.Timeout)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	issuer, err := findIssuer(ctx, cert, o)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, u := range cert.OCSPServer {
		res, err := askOCSP(ctx, o.Client, u, cert, issuer)
		if err == nil {
			return res, nil
		}
		errs = append(errs, err)
	}
	for _, u := range cert.CRLDistributionPoints {
		res, err := checkCRL(ctx, o, u, cert, issuer)
		if err == nil {
			return res, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

func findIssuer(ctx context.Context, cert *x509.Certificate, o Options) (*x509.Certificate, error) {
	for _, c := range o.Issuers {
		if bytes.Equal(cert.RawIssuer, c.RawSubject) && cert.CheckSignatureFrom(c) == nil {
			return c, nil
		}
	}
	var errs []error
	for _, u := range cert.IssuingCertificateURL {
		body, err := get(ctx, o.Client, u)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c, err := parseCert(body)
		if err == nil && cert.CheckSignatureFrom(c) == nil {
			return c, nil
		}
		errs = append(errs, fmt.Errorf("CA Issuers %s: not the issuer's certificate", u))
	}
	return nil, fmt.Errorf("the issuer %q is needed to ask about revocation: put it after the certificate in its file, or give the CA bundle (--cacert); %w",
		cert.Issuer.String(), errors.Join(errs...))
}

func parseCert(b []byte) (*x509.Certificate, error) {
	if block, _ := pem.Decode(b); block != nil {
		b = block.Bytes
	}
	return x509.ParseCertificate(b)
}

func askOCSP(ctx context.Context, client *http.Client, u string, cert, issuer *x509.Certificate) (*Result, error) {
	reqDER, err := ocsp.CreateRequest(cert, issuer, nil)
	if err != nil {
		return nil, fmt.Errorf("OCSP request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(reqDER))
	if err != nil {
		return nil, fmt.Errorf("OCSP responder %s: %w", u, err)
	}
	req.Header.Set("Content-Type", "application/ocsp-request")
	req.Header.Set("Accept", "application/ocsp-response")
	// One request per connection: simple responders (openssl ocsp) serve
	// one connection at a time and never see a kept-alive one again.
	req.Close = true
	body, err := do(client, req)
	if err != nil {
		return nil, err
	}
	resp, err := ocsp.ParseResponseForCert(body, cert, issuer)
	if err != nil {
		return nil, fmt.Errorf("OCSP responder %s: %w", u, err)
	}
	res := &Result{Method: "ocsp", URL: u, ThisUpdate: resp.ThisUpdate, NextUpdate: resp.NextUpdate}
	switch resp.Status {
	case ocsp.Good:
		res.Status = Good
	case ocsp.Revoked:
		res.Status, res.RevokedAt, res.Reason = Revoked, resp.RevokedAt, reasonText(resp.RevocationReason)
	default:
		res.Status = Unknown
	}
	return res, nil
}

func checkCRL(ctx context.Context, o Options, u string, cert, issuer *x509.Certificate) (*Result, error) {
	body, err := get(ctx, o.Client, u)
	if err != nil {
		return nil, err
	}
	if block, _ := pem.Decode(body); block != nil {
		body = block.Bytes
	}
	crl, err := x509.ParseRevocationList(body)
	if err != nil {
		return nil, fmt.Errorf("CRL %s: %w", u, err)
	}
	if err := crl.CheckSignatureFrom(issuer); err != nil {
		return nil, fmt.Errorf("CRL %s is not signed by the certificate's issuer: %w", u, err)
	}
	if !crl.NextUpdate.IsZero() && o.Now().After(crl.NextUpdate) {
		return nil, fmt.Errorf("CRL %s is stale: its next update was due %s", u, crl.NextUpdate.UTC().Format(time.RFC3339))
	}
	res := &Result{Status: Good, Method: "crl", URL: u, ThisUpdate: crl.ThisUpdate, NextUpdate: crl.NextUpdate}
	for _, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber.Cmp(cert.SerialNumber) == 0 {
			res.Status, res.RevokedAt, res.Reason = Revoked, e.RevocationTime, reasonText(e.ReasonCode)
			break
		}
	}
	return res, nil
}

func get(ctx context.Context, client *http.Client, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", u, err)
	}
	return do(client, req)
}

func do(client *http.Client, req *http.Request) ([]byte, error) {
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return nil, fmt.Errorf("%s: only http and https URLs can be fetched", req.URL)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: HTTP %s", req.Method, req.URL, resp.Status)
	}
	return body, nil
}

// reasonText names an RFC 5280 CRLReason.
func reasonText(code int) string {
	names := []string{"unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded",
		"cessationOfOperation", "certificateHold", "", "removeFromCRL", "privilegeWithdrawn", "aACompromise"}
	if code > 0 && code < len(names) && names[code] != "" {
		return names[code]
	}
	return ""
}
