package classify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/testpki"
)

// localAlert stands in for crypto/tls's unexported alert type (a uint8).
type localAlert uint8

func (a localAlert) Error() string { return fmt.Sprintf("tls: alert(%d)", uint8(a)) }

func TestRules(t *testing.T) {
	accepted := testpki.NewCA(t, "Accepted CA")
	other := testpki.NewCA(t, "Other CA")
	mine := []*x509.Certificate{other.Client(t, testpki.Options{}).Cert}
	good := []*x509.Certificate{accepted.Client(t, testpki.Options{}).Cert}
	inter := accepted.Intermediate(t, "Accepted Issuing CA")
	short := []*x509.Certificate{inter.Client(t, testpki.Options{}).Cert}
	list := [][]byte{accepted.Cert.RawSubject}
	server := accepted.Server(t, testpki.Options{}).Cert
	selfSigned := other.Cert

	tests := []struct {
		name string
		e    Evidence
		want cause.ID
	}{
		{"unknown_ca, our issuer not listed", Evidence{Err: tls.AlertError(48), Requested: true, Sent: true, Acceptable: list, Chain: mine}, cause.ClientCertWrongIssuer},
		{"unknown_ca, our issuer listed", Evidence{Err: tls.AlertError(48), Requested: true, Sent: true, Acceptable: list, Chain: good}, cause.ClientCertRejected},
		{"bad_certificate, no list", Evidence{Err: tls.AlertError(42), Requested: true, Sent: true, Chain: mine}, cause.ClientCertRejected},
		{"bad_certificate, intermediate missing", Evidence{Err: tls.AlertError(42), Requested: true, Sent: true, Acceptable: list, Chain: short}, cause.ClientChainIncomplete},
		{"bad_certificate, none sent", Evidence{Err: tls.AlertError(42), Requested: true}, cause.ClientCertNotSent},
		{"certificate_unknown", Evidence{Err: tls.AlertError(46), Requested: true, Sent: true, Chain: good}, cause.ClientCertRejected},
		{"certificate_required", Evidence{Err: tls.AlertError(116)}, cause.ClientCertNotSent},
		{"handshake_failure, no request", Evidence{Err: tls.AlertError(40)}, cause.TLSNoCommonCipher},
		{"handshake_failure, none sent", Evidence{Err: tls.AlertError(40), Requested: true}, cause.ClientCertNotSent},
		{"handshake_failure, sent", Evidence{Err: tls.AlertError(40), Requested: true, Sent: true, Acceptable: list, Chain: mine}, cause.TLSNoCommonCipher},
		{"certificate_revoked", Evidence{Err: tls.AlertError(44)}, cause.ClientCertRevoked},
		{"certificate_expired", Evidence{Err: tls.AlertError(45)}, cause.ClientCertExpired},
		{"unsupported_certificate", Evidence{Err: tls.AlertError(43)}, cause.ClientCertNoClientAuth},
		{"protocol_version", Evidence{Err: &net.OpError{Op: "remote error", Err: localAlert(70)}}, cause.TLSVersionMismatch},
		{"internal_error", Evidence{Err: tls.AlertError(80)}, cause.TLSHandshakeFailed},
		{"an alert with no cause", Evidence{Err: tls.AlertError(50)}, cause.TLSHandshakeFailed},
		{"we sent protocol_version", Evidence{Err: &net.OpError{Op: "local error", Err: localAlert(70)}}, cause.TLSVersionMismatch},
		{"refused", Evidence{Err: &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}, cause.TCPRefused},
		{"no such host", Evidence{Err: &net.DNSError{Name: "x.invalid", IsNotFound: true}}, cause.DNSNoSuchHost},
		{"DNS server failure", Evidence{Err: &net.DNSError{Name: "x.example", Err: "server misbehaving"}}, cause.DNSFailure},
		{"timeout in the handshake", Evidence{Err: context.DeadlineExceeded, Stage: StageHandshake}, cause.TLSHandshakeTimeout},
		{"timeout elsewhere", Evidence{Err: os.ErrDeadlineExceeded}, cause.TCPTimeout},
		{"plain HTTP", Evidence{Err: tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}}, cause.TLSNotTLS},
		{"reset", Evidence{Err: fmt.Errorf("read: %w", syscall.ECONNRESET)}, cause.TCPReset},
		{"closed", Evidence{Err: io.EOF, Stage: StageHandshake}, cause.TCPReset},
		{"old server", Evidence{Err: errors.New("tls: server selected unsupported protocol version 301")}, cause.TLSVersionMismatch},
		{"no shared cipher", Evidence{Err: errors.New("tls: no cipher suite supported by both client and server")}, cause.TLSNoCommonCipher},
		{"host name", Evidence{Err: &tls.CertificateVerificationError{UnverifiedCertificates: []*x509.Certificate{server}, Err: x509.HostnameError{Certificate: server, Host: "example.org"}}}, cause.ServerCertHostnameMismatch},
		{"self-signed", Evidence{Err: &tls.CertificateVerificationError{UnverifiedCertificates: []*x509.Certificate{selfSigned}, Err: x509.UnknownAuthorityError{Cert: selfSigned}}}, cause.ServerCertSelfSigned},
		{"verified by the caller", Evidence{Err: errors.New("handshake"), VerifyErr: x509.UnknownAuthorityError{Cert: server}, Peer: []*x509.Certificate{server}}, cause.ServerCertUntrusted},
		{"something else", Evidence{Err: errors.New("boom")}, cause.TLSHandshakeFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, detail := Classify(tc.e)
			if id != tc.want {
				t.Errorf("cause %s, want %s (%s)", id, tc.want, detail)
			}
			if detail == "" {
				t.Error("no detail")
			}
		})
	}
}

func TestWrongIssuerDetailNamesBothSides(t *testing.T) {
	accepted := testpki.NewCA(t, "Accepted CA")
	other := testpki.NewCA(t, "Other CA")
	e := Evidence{Err: tls.AlertError(48), Requested: true, Sent: true, Acceptable: [][]byte{accepted.Cert.RawSubject},
		Chain: []*x509.Certificate{other.Client(t, testpki.Options{}).Cert}}
	_, detail := Classify(e)
	for _, want := range []string{"alert 48 (unknown_ca)", "Other CA", "Accepted CA"} {
		if !strings.Contains(detail, want) {
			t.Errorf("detail %q lacks %q", detail, want)
		}
	}
}

func TestAlertTable(t *testing.T) {
	seen := map[int]bool{}
	for i, a := range alerts {
		if seen[a.Code] || i > 0 && alerts[i-1].Code > a.Code {
			t.Errorf("alert %d: repeated or out of order", a.Code)
		}
		seen[a.Code] = true
		if a.Name == "" || a.Go == "" || !strings.Contains(a.OpenSSL, strings.ReplaceAll(strings.TrimPrefix(a.Name, "certificate_"), "_", " ")) && a.Code != 46 && a.Code != 51 && a.Code != 90 {
			t.Errorf("alert %d: names %q %q %q do not agree", a.Code, a.Name, a.Go, a.OpenSSL)
		}
		for _, id := range append(slices.Clone(a.Received), a.Sent) {
			if _, ok := cause.Lookup(id); id != "" && !ok {
				t.Errorf("alert %d: unknown cause %q", a.Code, id)
			}
		}
		if a.ReceivedVague && len(a.Received) == 0 || a.SentVague && a.Sent == "" {
			t.Errorf("alert %d: vague about nothing", a.Code)
		}
	}
	if got := AlertByCode(48); got.Name != "unknown_ca" || got.CurlText() != "unknown ca" || got.PythonText() != "tlsv1_alert_unknown_ca" {
		t.Errorf("48: %+v %q %q", got, got.CurlText(), got.PythonText())
	}
	if got := AlertByCode(200); got.Name != "unknown alert" {
		t.Errorf("200: %+v", got)
	}
}

// A TLS 1.3 refusal overtaken by the server's reset is still the refusal,
// refined as the alert would have been; the same reset after TLS 1.2, or
// with no CertificateRequest, stays a reset.
func TestResetAfterTLS13HandshakeIsTheRefusal(t *testing.T) {
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	cases := []struct {
		name string
		ev   Evidence
		want cause.ID
	}{
		{"TLS 1.3, requested, none sent", Evidence{Err: reset, Version: tls.VersionTLS13, Requested: true}, cause.ClientCertNotSent},
		{"TLS 1.2, requested and sent", Evidence{Err: reset, Version: tls.VersionTLS12, Requested: true, Sent: true}, cause.TCPReset},
		{"TLS 1.3, not requested", Evidence{Err: reset, Version: tls.VersionTLS13}, cause.TCPReset},
		{"TLS 1.3, connect stage", Evidence{Err: reset, Version: tls.VersionTLS13, Requested: true, Stage: StageConnect}, cause.TCPReset},
	}
	for _, c := range cases {
		if got, _ := Classify(c.ev); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}
