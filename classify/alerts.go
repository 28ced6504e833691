// Package classify names the cause of a failed connection: DNS, TCP, the
// TLS handshake and the server's certificate. It holds the one table of TLS
// alerts (number, names in each client's wording, cause) and the rules that
// refine an alert with what the handshake showed. diagnose, tokens and the
// explain recognisers all derive their answers from here, so the same
// handshake gets the same cause whichever command ran it.
package classify

import (
	"crypto/tls"
	"errors"
	"net"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/onramp-cli/onramp/cause"
)

// Alert is one TLS alert and what it means.
type Alert struct {
	Code int
	// Name is the RFC 8446 name, as Java prints it: "unknown_ca".
	Name string
	// Go is crypto/tls's text, after "remote error: tls: ".
	Go string
	// OpenSSL is OpenSSL's reason text, lower case: "tlsv1 alert unknown ca".
	// Python prints it upper case with underscores.
	OpenSSL string
	// Curl is what curl -v prints after "TLS alert, " (OpenSSL's long
	// description), lower case; "" when it is the part of OpenSSL after "alert ".
	Curl string
	// Received is what the alert means when the server sends it. The first
	// cause is the answer when nothing else is known; the others are causes
	// the alert alone cannot tell from it (the handshake's evidence can).
	// Empty: the alert names no cause of its own.
	Received []cause.ID
	// ReceivedVague marks an alert that says little about its cause.
	ReceivedVague bool
	// Sent is what the alert means when our client sends it: the client
	// refused the server's side of the handshake. "" when not known.
	Sent cause.ID
	// SentVague marks a sent alert that clients send for many reasons.
	SentVague bool
}

// CurlText is the alert as curl -v shows it after "TLS alert, ".
func (a Alert) CurlText() string {
	if a.Curl != "" {
		return a.Curl
	}
	if _, after, ok := strings.Cut(a.OpenSSL, "alert "); ok {
		return after
	}
	return a.OpenSSL
}

// PythonText is OpenSSL's reason as Python's ssl module prints it (lower case).
func (a Alert) PythonText() string {
	return strings.ReplaceAll(a.OpenSSL, " ", "_")
}

// Means says whether the alert, received, can mean cause id.
func (a Alert) Means(id cause.ID) bool {
	return slices.Contains(a.Received, id)
}

// alerts is the table: the only place in onramp where TLS alerts map to
// causes.
var alerts = []Alert{
	{Code: 0, Name: "close_notify", Go: "close notify", OpenSSL: "sslv3 alert close notify"},
	{Code: 10, Name: "unexpected_message", Go: "unexpected message", OpenSSL: "sslv3 alert unexpected message"},
	{Code: 20, Name: "bad_record_mac", Go: "bad record MAC", OpenSSL: "sslv3 alert bad record mac"},
	{Code: 40, Name: "handshake_failure", Go: "handshake failure", OpenSSL: "sslv3 alert handshake failure",
		// TLS 1.2 servers send it both for a missing client certificate and
		// when no cipher suite is shared.
		Received: []cause.ID{cause.TLSNoCommonCipher, cause.ClientCertNotSent}},
	{Code: 42, Name: "bad_certificate", Go: "bad certificate", OpenSSL: "sslv3 alert bad certificate",
		Received: []cause.ID{cause.ClientCertRejected}, Sent: cause.ServerCertUntrusted, SentVague: true},
	{Code: 43, Name: "unsupported_certificate", Go: "unsupported certificate", OpenSSL: "sslv3 alert unsupported certificate",
		Received: []cause.ID{cause.ClientCertNoClientAuth}},
	{Code: 44, Name: "certificate_revoked", Go: "revoked certificate", OpenSSL: "sslv3 alert certificate revoked",
		Received: []cause.ID{cause.ClientCertRevoked}},
	{Code: 45, Name: "certificate_expired", Go: "expired certificate", OpenSSL: "sslv3 alert certificate expired",
		Received: []cause.ID{cause.ClientCertExpired}, Sent: cause.ServerCertExpired},
	{Code: 46, Name: "certificate_unknown", Go: "unknown certificate", OpenSSL: "sslv3 alert certificate unknown",
		Received: []cause.ID{cause.ClientCertRejected}},
	{Code: 47, Name: "illegal_parameter", Go: "illegal parameter", OpenSSL: "sslv3 alert illegal parameter"},
	{Code: 48, Name: "unknown_ca", Go: "unknown certificate authority", OpenSSL: "tlsv1 alert unknown ca",
		Received: []cause.ID{cause.ClientCertRejected}, Sent: cause.ServerCertUntrusted},
	{Code: 49, Name: "access_denied", Go: "access denied", OpenSSL: "tlsv1 alert access denied",
		Received: []cause.ID{cause.ClientCertRejected}},
	{Code: 50, Name: "decode_error", Go: "error decoding message", OpenSSL: "tlsv1 alert decode error"},
	{Code: 51, Name: "decrypt_error", Go: "error decrypting message", OpenSSL: "tlsv1 alert decrypt error",
		Received: []cause.ID{cause.ClientCertRejected}},
	{Code: 70, Name: "protocol_version", Go: "protocol version not supported", OpenSSL: "tlsv1 alert protocol version",
		Received: []cause.ID{cause.TLSVersionMismatch}, Sent: cause.TLSVersionMismatch},
	{Code: 71, Name: "insufficient_security", Go: "insufficient security level", OpenSSL: "tlsv1 alert insufficient security"},
	{Code: 80, Name: "internal_error", Go: "internal error", OpenSSL: "tlsv1 alert internal error",
		Received: []cause.ID{cause.TLSHandshakeFailed}, ReceivedVague: true},
	{Code: 86, Name: "inappropriate_fallback", Go: "inappropriate fallback", OpenSSL: "tlsv1 alert inappropriate fallback"},
	{Code: 90, Name: "user_canceled", Go: "user canceled", OpenSSL: "tlsv1 alert user cancelled"},
	{Code: 109, Name: "missing_extension", Go: "missing extension", OpenSSL: "tlsv13 alert missing extension"},
	{Code: 112, Name: "unrecognized_name", Go: "unrecognized name", OpenSSL: "tlsv1 unrecognized name"},
	// OpenSSL 1.1's long description has no name for 116, so curl -v prints
	// its number with the fatal level (2<<8 + 116).
	{Code: 116, Name: "certificate_required", Go: "certificate required", OpenSSL: "tlsv13 alert certificate required", Curl: "unknown (628)",
		Received: []cause.ID{cause.ClientCertNotSent}},
	{Code: 120, Name: "no_application_protocol", Go: "no application protocol", OpenSSL: "tlsv1 alert no application protocol"},
}

// Alerts returns the table of TLS alerts, in order of number.
func Alerts() []Alert { return append([]Alert(nil), alerts...) }

// AlertByCode returns the alert with that number; an alert outside the
// table has only its number and the name "unknown alert".
func AlertByCode(code int) Alert {
	for _, a := range alerts {
		if a.Code == code {
			return a
		}
	}
	return Alert{Code: code, Name: "unknown alert", Go: "alert(" + strconv.Itoa(code) + ")"}
}

// ReceivedAlert returns the alert the peer sent, as crypto/tls reports it:
// a net.OpError "remote error" wrapping its unexported alert type (a
// uint8), or tls.AlertError on newer paths (QUIC).
func ReceivedAlert(err error) (Alert, bool) {
	var ae tls.AlertError
	if errors.As(err, &ae) {
		return AlertByCode(int(ae)), true
	}
	return opAlert(err, "remote error")
}

// SentAlert returns the alert our side sent ("local error").
func SentAlert(err error) (Alert, bool) { return opAlert(err, "local error") }

func opAlert(err error, op string) (Alert, bool) {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == op && oe.Err != nil {
		if v := reflect.ValueOf(oe.Err); v.Kind() == reflect.Uint8 {
			return AlertByCode(int(v.Uint())), true
		}
	}
	return Alert{}, false
}
