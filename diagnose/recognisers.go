package diagnose

// Recogniser maps a client's or server's wording to a cause. The table below
// is data: to teach explain a new client's wording, add a row (and a case to
// recognisers_test.go). Matching is on the lower-cased line.
type Recogniser struct {
	// Pattern is a fixed substring, lower case. Every line is scanned for all
	// patterns at once, so a pattern must be specific enough not to hit
	// ordinary log lines (at least 6 characters; tests check).
	Pattern string
	// Regexp, when set, must also match the lower-cased line. It is only
	// consulted on lines that contain Pattern, so it costs nothing elsewhere.
	Regexp string
	Cause  string
	// Client is whose wording this is: go, curl, openssl, python, node, java,
	// nginx, http, nhs-apim, hmpps, dcs, securosys, keyring, any.
	Client string
	// Weight is how specific the wording is. On one line only the rows of the
	// highest weight count, so `curl: (56) ... alert certificate required`
	// names client-cert-not-sent and not the bare (56) meaning.
	Weight int
}

// Weights of recognisers.
const (
	weak     = 1 // an exit code or a generic word: the text after it decides
	generic  = 2 // a family of causes, e.g. any certificate verification failure
	specific = 3 // one cause, in one client's wording
	exact    = 4 // a provider's own documented message, or a detail that overrides a specific row
)

// recognisers is the table of wordings. Rows with the same Pattern and
// different causes mark real ambiguity (see Disambiguate).
var recognisers = append(messageRecognisers, statusLineRecognisers()...)

var messageRecognisers = []Recogniser{
	// --- Go: crypto/tls, crypto/x509, net, net/http.
	{Pattern: "x509: certificate signed by unknown authority", Cause: "server-cert-untrusted", Client: "go", Weight: specific},
	{Pattern: "failed to verify client certificate", Regexp: `failed to verify client certificate: x509: certificate signed by unknown authority`, Cause: "client-cert-wrong-issuer", Client: "go", Weight: exact},
	{Pattern: "failed to verify client certificate", Regexp: `failed to verify client certificate: x509: certificate has expired`, Cause: "client-cert-expired", Client: "go", Weight: exact},
	{Pattern: "failed to verify client certificate", Cause: "client-cert-rejected", Client: "go", Weight: specific},
	{Pattern: "client didn't provide a certificate", Cause: "client-cert-not-sent", Client: "go", Weight: specific},
	{Pattern: "x509: certificate has expired or is not yet valid", Cause: "server-cert-expired", Client: "go", Weight: specific},
	{Pattern: "x509: certificate has expired or is not yet valid", Regexp: `not yet valid: current time \S+ is before`, Cause: "server-cert-not-yet-valid", Client: "go", Weight: exact},
	{Pattern: "x509: certificate is valid for", Cause: "server-cert-hostname-mismatch", Client: "go", Weight: specific},
	{Pattern: "x509: certificate is not valid for any names", Cause: "server-cert-hostname-mismatch", Client: "go", Weight: specific},
	{Pattern: "because it doesn't contain any ip sans", Cause: "server-cert-hostname-mismatch", Client: "go", Weight: specific},
	{Pattern: "x509: certificate relies on legacy common name field", Cause: "server-cert-hostname-mismatch", Client: "go", Weight: specific},
	{Pattern: "remote error: tls: certificate required", Cause: "client-cert-not-sent", Client: "go", Weight: specific},
	{Pattern: "tls: bad certificate", Cause: "client-cert-rejected", Client: "go", Weight: specific},
	{Pattern: "tls: unknown certificate authority", Cause: "client-cert-rejected", Client: "go", Weight: specific},
	{Pattern: "tls: access denied", Cause: "client-cert-rejected", Client: "go", Weight: specific},
	{Pattern: "tls: error decrypting message", Cause: "client-cert-rejected", Client: "go", Weight: specific},
	{Pattern: "tls: expired certificate", Cause: "client-cert-expired", Client: "go", Weight: specific},
	{Pattern: "tls: revoked certificate", Cause: "client-cert-revoked", Client: "go", Weight: specific},
	{Pattern: "tls: unsupported certificate", Cause: "client-cert-no-client-auth", Client: "go", Weight: specific},
	{Pattern: "remote error: tls: handshake failure", Cause: "client-cert-not-sent", Client: "go", Weight: generic},
	{Pattern: "remote error: tls: handshake failure", Cause: "tls-no-common-cipher", Client: "go", Weight: generic},
	{Pattern: "tls: protocol version not supported", Cause: "tls-version-mismatch", Client: "go", Weight: specific},
	{Pattern: "tls: server selected unsupported protocol version", Cause: "tls-version-mismatch", Client: "go", Weight: specific},
	{Pattern: "tls: client offered only unsupported versions", Cause: "tls-version-mismatch", Client: "go", Weight: specific},
	{Pattern: "tls: no supported versions satisfy", Cause: "tls-version-mismatch", Client: "go", Weight: specific},
	{Pattern: "tls: no cipher suite supported by both", Cause: "tls-no-common-cipher", Client: "go", Weight: specific},
	{Pattern: "first record does not look like a tls handshake", Cause: "tls-not-tls", Client: "go", Weight: specific},
	{Pattern: "tls: private key does not match public key", Cause: "key-cert-mismatch", Client: "go", Weight: specific},
	{Pattern: "tls: failed to find any pem data", Cause: "input-wrong-file-type", Client: "go", Weight: specific},
	{Pattern: "tls: found a certificate rather than a key", Cause: "input-wrong-file-type", Client: "go", Weight: specific},
	{Pattern: "-----begin encrypted private key-----", Cause: "key-encrypted-no-passphrase", Client: "any", Weight: specific},
	{Pattern: "proc-type: 4,encrypted", Cause: "key-encrypted-no-passphrase", Client: "any", Weight: specific},
	{Pattern: "x509: unsupported elliptic curve", Cause: "key-unsupported", Client: "go", Weight: specific},
	{Pattern: "x509: unknown public key algorithm", Cause: "key-unsupported", Client: "go", Weight: specific},
	{Pattern: "clock skew", Cause: "clock-skew", Client: "any", Weight: generic},
	{Pattern: "x509: decryption password incorrect", Cause: "key-passphrase-wrong", Client: "go", Weight: specific},
	{Pattern: "server gave http response to https client", Cause: "tls-not-tls", Client: "go", Weight: specific},
	{Pattern: "tls handshake timeout", Cause: "tls-handshake-timeout", Client: "go", Weight: specific},
	{Pattern: "tls handshake error", Cause: "tls-handshake-failed", Client: "go", Weight: weak},
	{Pattern: "connect: connection refused", Cause: "tcp-refused", Client: "go", Weight: specific},
	{Pattern: "connection reset by peer", Cause: "tcp-reset", Client: "any", Weight: generic},
	{Pattern: "broken pipe", Cause: "tcp-reset", Client: "any", Weight: generic},
	{Pattern: "transport endpoint is not connected", Cause: "tcp-reset", Client: "any", Weight: generic},
	{Pattern: "i/o timeout", Regexp: `dial tcp|connect|i/o timeout`, Cause: "tcp-timeout", Client: "go", Weight: generic},
	{Pattern: "i/o timeout", Regexp: `lookup \S+( on \S+)?: (read udp \S+: )?i/o timeout`, Cause: "dns-failure", Client: "go", Weight: exact},
	{Pattern: "no such host", Cause: "dns-no-such-host", Client: "go", Weight: specific},
	{Pattern: "server misbehaving", Cause: "dns-failure", Client: "go", Weight: specific},
	{Pattern: "connect: no route to host", Cause: "tcp-timeout", Client: "go", Weight: generic},
	{Pattern: "network is unreachable", Cause: "tcp-timeout", Client: "any", Weight: generic},
	{Pattern: "context deadline exceeded", Cause: "tcp-timeout", Client: "go", Weight: weak},

	// --- curl: the numbered error alone is weak evidence; its text decides.
	{Pattern: "curl: (6)", Cause: "dns-no-such-host", Client: "curl", Weight: weak},
	{Pattern: "could not resolve host", Cause: "dns-no-such-host", Client: "curl", Weight: specific},
	{Pattern: "curl: (7)", Cause: "tcp-refused", Client: "curl", Weight: weak},
	{Pattern: "couldn't connect to server", Cause: "tcp-refused", Client: "curl", Weight: weak},
	{Pattern: "failed to connect to", Regexp: `connection refused`, Cause: "tcp-refused", Client: "curl", Weight: specific},
	{Pattern: "failed to connect to", Regexp: `timed out`, Cause: "tcp-timeout", Client: "curl", Weight: specific},
	{Pattern: "curl: (28)", Cause: "tcp-timeout", Client: "curl", Weight: weak},
	{Pattern: "connection timed out", Cause: "tcp-timeout", Client: "any", Weight: specific},
	{Pattern: "connection timeout after", Cause: "tcp-timeout", Client: "curl", Weight: specific},
	{Pattern: "ssl connection timeout", Cause: "tls-handshake-timeout", Client: "curl", Weight: exact},
	{Pattern: "operation timed out after", Cause: "tcp-timeout", Client: "curl", Weight: weak},
	{Pattern: "curl: (35)", Cause: "tls-handshake-failed", Client: "curl", Weight: weak},
	{Pattern: "curl: (56)", Cause: "tcp-reset", Client: "curl", Weight: weak},
	{Pattern: "curl: (55)", Cause: "tcp-reset", Client: "curl", Weight: weak},
	{Pattern: "recv failure: connection reset", Cause: "tcp-reset", Client: "curl", Weight: specific},
	{Pattern: "curl: (58)", Cause: "input-wrong-file-type", Client: "curl", Weight: weak},
	{Pattern: "could not load pem client certificate", Cause: "input-wrong-file-type", Client: "curl", Weight: specific},
	{Pattern: "could not load pem client certificate", Regexp: `no such file or directory`, Cause: "input-file-unreadable", Client: "curl", Weight: exact},
	{Pattern: "unable to set private key file", Cause: "key-cert-mismatch", Client: "curl", Weight: specific},
	{Pattern: "curl: (60)", Cause: "server-cert-untrusted", Client: "curl", Weight: weak},
	{Pattern: "ssl certificate problem: unable to get local issuer certificate", Cause: "server-cert-untrusted", Client: "dcs", Weight: exact},
	{Pattern: "no alternative certificate subject name matches", Cause: "server-cert-hostname-mismatch", Client: "curl", Weight: specific},
	{Pattern: "does not match target host name", Cause: "server-cert-hostname-mismatch", Client: "curl", Weight: specific},
	{Pattern: "ssl_error_syscall", Cause: "tcp-reset", Client: "curl", Weight: generic},
	{Pattern: "(in), tls alert, unknown (628)", Cause: "client-cert-not-sent", Client: "curl", Weight: specific},
	{Pattern: "(in), tls alert, bad certificate", Cause: "client-cert-rejected", Client: "curl", Weight: specific},
	{Pattern: "(in), tls alert, unknown ca", Cause: "client-cert-rejected", Client: "curl", Weight: specific},
	{Pattern: "(in), tls alert, certificate expired", Cause: "client-cert-expired", Client: "curl", Weight: specific},
	{Pattern: "(in), tls alert, certificate revoked", Cause: "client-cert-revoked", Client: "curl", Weight: specific},
	{Pattern: "(in), tls alert, handshake failure", Cause: "client-cert-not-sent", Client: "curl", Weight: generic},
	{Pattern: "(in), tls alert, handshake failure", Cause: "tls-no-common-cipher", Client: "curl", Weight: generic},
	{Pattern: "(in), tls alert, protocol version", Cause: "tls-version-mismatch", Client: "curl", Weight: specific},
	{Pattern: "(out), tls alert, unknown ca", Cause: "server-cert-untrusted", Client: "curl", Weight: generic},
	{Pattern: "(out), tls alert, certificate expired", Cause: "server-cert-expired", Client: "curl", Weight: generic},
	{Pattern: "(out), tls alert, bad certificate", Cause: "server-cert-untrusted", Client: "curl", Weight: weak},

	// --- OpenSSL (s_client, and the library messages curl, Python and Node
	// pass on): alerts by name and number, verify errors by number and text.
	{Pattern: "alert certificate required", Cause: "client-cert-not-sent", Client: "openssl", Weight: specific},
	{Pattern: "alert number 116", Cause: "client-cert-not-sent", Client: "openssl", Weight: specific},
	{Pattern: "alert bad certificate", Cause: "client-cert-rejected", Client: "openssl", Weight: specific},
	{Pattern: "alert number 42", Cause: "client-cert-rejected", Client: "openssl", Weight: specific},
	{Pattern: "alert unknown ca", Cause: "client-cert-rejected", Client: "openssl", Weight: specific},
	{Pattern: "alert number 48", Cause: "client-cert-rejected", Client: "openssl", Weight: specific},
	{Pattern: "alert access denied", Cause: "client-cert-rejected", Client: "openssl", Weight: specific},
	{Pattern: "alert number 49", Cause: "client-cert-rejected", Client: "openssl", Weight: specific},
	{Pattern: "alert decrypt error", Cause: "client-cert-rejected", Client: "openssl", Weight: specific},
	{Pattern: "alert number 51", Cause: "client-cert-rejected", Client: "openssl", Weight: specific},
	{Pattern: "alert certificate unknown", Cause: "client-cert-rejected", Client: "openssl", Weight: specific},
	{Pattern: "alert number 46", Cause: "client-cert-rejected", Client: "openssl", Weight: specific},
	{Pattern: "alert certificate expired", Cause: "client-cert-expired", Client: "openssl", Weight: specific},
	{Pattern: "alert number 45", Cause: "client-cert-expired", Client: "openssl", Weight: specific},
	{Pattern: "alert certificate revoked", Cause: "client-cert-revoked", Client: "openssl", Weight: specific},
	{Pattern: "alert number 44", Cause: "client-cert-revoked", Client: "openssl", Weight: specific},
	{Pattern: "alert unsupported certificate", Cause: "client-cert-no-client-auth", Client: "openssl", Weight: specific},
	{Pattern: "alert number 43", Cause: "client-cert-no-client-auth", Client: "openssl", Weight: specific},
	{Pattern: "alert protocol version", Cause: "tls-version-mismatch", Client: "openssl", Weight: specific},
	{Pattern: "alert number 70", Cause: "tls-version-mismatch", Client: "openssl", Weight: specific},
	{Pattern: "alert handshake failure", Cause: "client-cert-not-sent", Client: "openssl", Weight: generic},
	{Pattern: "alert handshake failure", Cause: "tls-no-common-cipher", Client: "openssl", Weight: generic},
	{Pattern: "alert number 40", Cause: "client-cert-not-sent", Client: "openssl", Weight: generic},
	{Pattern: "alert number 40", Cause: "tls-no-common-cipher", Client: "openssl", Weight: generic},
	{Pattern: "alert internal error", Cause: "tls-handshake-failed", Client: "openssl", Weight: generic},
	{Pattern: "unable to get local issuer certificate", Cause: "server-cert-untrusted", Client: "openssl", Weight: specific},
	{Pattern: "verify error:num=20", Cause: "server-cert-untrusted", Client: "openssl", Weight: specific},
	{Pattern: "verify return code: 20", Cause: "server-cert-untrusted", Client: "openssl", Weight: specific},
	{Pattern: "unable to get issuer certificate", Cause: "server-cert-untrusted", Client: "openssl", Weight: specific},
	{Pattern: "self-signed certificate in certificate chain", Cause: "server-cert-untrusted", Client: "openssl", Weight: exact},
	{Pattern: "self signed certificate in certificate chain", Cause: "server-cert-untrusted", Client: "openssl", Weight: exact},
	{Pattern: "verify error:num=19", Cause: "server-cert-untrusted", Client: "openssl", Weight: exact},
	{Pattern: "verify return code: 19", Cause: "server-cert-untrusted", Client: "openssl", Weight: exact},
	{Pattern: "self-signed certificate", Cause: "server-cert-self-signed", Client: "openssl", Weight: specific},
	{Pattern: "self signed certificate", Cause: "server-cert-self-signed", Client: "openssl", Weight: specific},
	{Pattern: "verify error:num=18", Cause: "server-cert-self-signed", Client: "openssl", Weight: specific},
	{Pattern: "verify return code: 18", Cause: "server-cert-self-signed", Client: "openssl", Weight: specific},
	// No issuer found for the leaf: the server did not send its intermediate,
	// or the leaf's issuer is a CA the client does not have at all.
	{Pattern: "unable to verify the first certificate", Cause: "server-chain-incomplete", Client: "openssl", Weight: specific},
	{Pattern: "unable to verify the first certificate", Cause: "server-cert-untrusted", Client: "openssl", Weight: specific},
	{Pattern: "verify error:num=21", Cause: "server-chain-incomplete", Client: "openssl", Weight: specific},
	{Pattern: "verify error:num=21", Cause: "server-cert-untrusted", Client: "openssl", Weight: specific},
	{Pattern: "verify return code: 21", Cause: "server-chain-incomplete", Client: "openssl", Weight: specific},
	{Pattern: "verify return code: 21", Cause: "server-cert-untrusted", Client: "openssl", Weight: specific},
	{Pattern: "certificate has expired", Cause: "server-cert-expired", Client: "openssl", Weight: specific},
	{Pattern: "verify error:num=10", Cause: "server-cert-expired", Client: "openssl", Weight: specific},
	{Pattern: "verify return code: 10", Cause: "server-cert-expired", Client: "openssl", Weight: specific},
	{Pattern: "certificate is not yet valid", Cause: "server-cert-not-yet-valid", Client: "openssl", Weight: specific},
	{Pattern: "verify error:num=9", Cause: "server-cert-not-yet-valid", Client: "openssl", Weight: specific},
	{Pattern: "verify return code: 9 ", Cause: "server-cert-not-yet-valid", Client: "openssl", Weight: specific},
	{Pattern: "hostname mismatch", Cause: "server-cert-hostname-mismatch", Client: "openssl", Weight: specific},
	{Pattern: "ip address mismatch", Cause: "server-cert-hostname-mismatch", Client: "openssl", Weight: specific},
	{Pattern: "verify error:num=62", Cause: "server-cert-hostname-mismatch", Client: "openssl", Weight: specific},
	{Pattern: "verify error:num=64", Cause: "server-cert-hostname-mismatch", Client: "openssl", Weight: specific},
	{Pattern: "key values mismatch", Cause: "key-cert-mismatch", Client: "openssl", Weight: specific},
	{Pattern: "no shared cipher", Cause: "tls-no-common-cipher", Client: "openssl", Weight: specific},
	{Pattern: "no cipher match", Cause: "tls-no-common-cipher", Client: "openssl", Weight: specific},
	{Pattern: "wrong version number", Cause: "tls-not-tls", Client: "openssl", Weight: specific},
	{Pattern: "legacy sigalg disallowed", Cause: "tls-version-mismatch", Client: "openssl", Weight: specific},
	{Pattern: "packet length too long", Cause: "tls-not-tls", Client: "openssl", Weight: specific},
	{Pattern: "http request", Regexp: `ssl routines.*http request|http_request`, Cause: "tls-not-tls", Client: "openssl", Weight: specific},
	{Pattern: "unsupported protocol", Cause: "tls-version-mismatch", Client: "openssl", Weight: specific},
	{Pattern: "no protocols available", Cause: "tls-version-mismatch", Client: "openssl", Weight: specific},
	{Pattern: "unexpected eof while reading", Cause: "tcp-reset", Client: "openssl", Weight: generic},
	{Pattern: "connect:errno=111", Cause: "tcp-refused", Client: "openssl", Weight: specific},
	{Pattern: "connect:errno=110", Cause: "tcp-timeout", Client: "openssl", Weight: specific},
	{Pattern: "bad decrypt", Cause: "key-passphrase-wrong", Client: "openssl", Weight: specific},
	{Pattern: "name or service not known", Cause: "dns-no-such-host", Client: "any", Weight: specific},
	{Pattern: "nodename nor servname provided", Cause: "dns-no-such-host", Client: "any", Weight: specific},
	{Pattern: "temporary failure in name resolution", Cause: "dns-failure", Client: "any", Weight: specific},
	{Pattern: "handshake failure", Cause: "tls-handshake-failed", Client: "any", Weight: weak},

	// --- Python ssl / urllib / requests (OpenSSL reason codes in brackets).
	{Pattern: "certificate_verify_failed", Cause: "server-cert-untrusted", Client: "python", Weight: generic},
	{Pattern: "certificate verify failed", Cause: "server-cert-untrusted", Client: "python", Weight: generic},
	{Pattern: "tlsv13_alert_certificate_required", Cause: "client-cert-not-sent", Client: "python", Weight: specific},
	{Pattern: "sslv3_alert_bad_certificate", Cause: "client-cert-rejected", Client: "python", Weight: specific},
	{Pattern: "tlsv1_alert_unknown_ca", Cause: "client-cert-rejected", Client: "python", Weight: specific},
	{Pattern: "tlsv1_alert_access_denied", Cause: "client-cert-rejected", Client: "python", Weight: specific},
	{Pattern: "tlsv1_alert_decrypt_error", Cause: "client-cert-rejected", Client: "python", Weight: specific},
	{Pattern: "sslv3_alert_certificate_unknown", Cause: "client-cert-rejected", Client: "python", Weight: specific},
	{Pattern: "sslv3_alert_certificate_expired", Cause: "client-cert-expired", Client: "python", Weight: specific},
	{Pattern: "sslv3_alert_certificate_revoked", Cause: "client-cert-revoked", Client: "python", Weight: specific},
	{Pattern: "sslv3_alert_unsupported_certificate", Cause: "client-cert-no-client-auth", Client: "python", Weight: specific},
	{Pattern: "sslv3_alert_handshake_failure", Cause: "client-cert-not-sent", Client: "python", Weight: generic},
	{Pattern: "sslv3_alert_handshake_failure", Cause: "tls-no-common-cipher", Client: "python", Weight: generic},
	{Pattern: "tlsv1_alert_protocol_version", Cause: "tls-version-mismatch", Client: "python", Weight: specific},
	{Pattern: "wrong_version_number", Cause: "tls-not-tls", Client: "python", Weight: specific},
	{Pattern: "record_layer_failure", Cause: "tls-not-tls", Client: "python", Weight: generic},
	{Pattern: "unsupported_protocol", Cause: "tls-version-mismatch", Client: "python", Weight: specific},
	{Pattern: "no_protocols_available", Cause: "tls-version-mismatch", Client: "python", Weight: specific},
	{Pattern: "key_values_mismatch", Cause: "key-cert-mismatch", Client: "python", Weight: specific},
	{Pattern: "eof occurred in violation of protocol", Cause: "tcp-reset", Client: "python", Weight: specific},
	{Pattern: "unexpected_eof_while_reading", Cause: "tcp-reset", Client: "python", Weight: generic},
	{Pattern: "connectionrefusederror", Cause: "tcp-refused", Client: "python", Weight: specific},
	{Pattern: "[errno 111]", Cause: "tcp-refused", Client: "python", Weight: specific},
	{Pattern: "connectionreseterror", Cause: "tcp-reset", Client: "python", Weight: specific},
	{Pattern: "[errno 104]", Cause: "tcp-reset", Client: "python", Weight: specific},
	{Pattern: "handshake operation timed out", Cause: "tls-handshake-timeout", Client: "python", Weight: exact},
	{Pattern: "connecttimeout", Cause: "tcp-timeout", Client: "python", Weight: specific},
	{Pattern: "socket.timeout", Cause: "tcp-timeout", Client: "python", Weight: generic},
	{Pattern: "timeouterror", Cause: "tcp-timeout", Client: "python", Weight: generic},
	{Pattern: "socket.gaierror", Regexp: `errno -2\]|errno -5\]|errno 8\]`, Cause: "dns-no-such-host", Client: "python", Weight: specific},
	{Pattern: "[ssl] pem lib", Cause: "input-wrong-file-type", Client: "python", Weight: specific},
	{Pattern: "filenotfounderror", Cause: "input-file-unreadable", Client: "python", Weight: specific},
	{Pattern: "no such file or directory", Cause: "input-file-unreadable", Client: "any", Weight: weak},

	// --- Node.js error codes and messages.
	{Pattern: "unable_to_get_issuer_cert_locally", Cause: "server-cert-untrusted", Client: "node", Weight: specific},
	{Pattern: "unable_to_get_issuer_cert", Cause: "server-cert-untrusted", Client: "node", Weight: specific},
	{Pattern: "depth_zero_self_signed_cert", Cause: "server-cert-self-signed", Client: "node", Weight: specific},
	{Pattern: "self_signed_cert_in_chain", Cause: "server-cert-untrusted", Client: "node", Weight: exact},
	{Pattern: "unable_to_verify_leaf_signature", Cause: "server-chain-incomplete", Client: "node", Weight: specific},
	{Pattern: "unable_to_verify_leaf_signature", Cause: "server-cert-untrusted", Client: "node", Weight: specific},
	{Pattern: "cert_has_expired", Cause: "server-cert-expired", Client: "node", Weight: specific},
	{Pattern: "cert_not_yet_valid", Cause: "server-cert-not-yet-valid", Client: "node", Weight: specific},
	{Pattern: "err_tls_cert_altname_invalid", Cause: "server-cert-hostname-mismatch", Client: "node", Weight: specific},
	{Pattern: "does not match certificate's altnames", Cause: "server-cert-hostname-mismatch", Client: "node", Weight: specific},
	{Pattern: "econnreset", Cause: "tcp-reset", Client: "node", Weight: generic},
	{Pattern: "socket hang up", Cause: "tcp-reset", Client: "node", Weight: generic},
	{Pattern: "econnrefused", Cause: "tcp-refused", Client: "node", Weight: specific},
	{Pattern: "enotfound", Regexp: `\benotfound\b`, Cause: "dns-no-such-host", Client: "node", Weight: specific},
	{Pattern: "eai_again", Cause: "dns-failure", Client: "node", Weight: specific},
	{Pattern: "etimedout", Regexp: `\betimedout\b`, Cause: "tcp-timeout", Client: "node", Weight: specific},
	{Pattern: "eproto", Regexp: `\beproto\b`, Cause: "tls-handshake-failed", Client: "node", Weight: weak},
	{Pattern: "err_ssl_wrong_version_number", Cause: "tls-not-tls", Client: "node", Weight: specific},

	// --- Java / JSSE.
	{Pattern: "pkix path building failed", Cause: "server-cert-untrusted", Client: "java", Weight: specific},
	{Pattern: "unable to find valid certification path", Cause: "server-cert-untrusted", Client: "java", Weight: specific},
	{Pattern: "suncertpathbuilderexception", Cause: "server-cert-untrusted", Client: "java", Weight: specific},
	{Pattern: "certificateexpiredexception", Cause: "server-cert-expired", Client: "java", Weight: exact},
	{Pattern: "certificatenotyetvalidexception", Cause: "server-cert-not-yet-valid", Client: "java", Weight: exact},
	{Pattern: "pkix path validation failed", Regexp: `validity check failed`, Cause: "server-cert-expired", Client: "java", Weight: generic},
	{Pattern: "received fatal alert: bad_certificate", Cause: "client-cert-rejected", Client: "java", Weight: specific},
	{Pattern: "received fatal alert: certificate_unknown", Cause: "client-cert-rejected", Client: "java", Weight: specific},
	{Pattern: "received fatal alert: unknown_ca", Cause: "client-cert-rejected", Client: "java", Weight: specific},
	{Pattern: "received fatal alert: access_denied", Cause: "client-cert-rejected", Client: "java", Weight: specific},
	{Pattern: "received fatal alert: decrypt_error", Cause: "client-cert-rejected", Client: "java", Weight: specific},
	{Pattern: "received fatal alert: certificate_required", Cause: "client-cert-not-sent", Client: "java", Weight: specific},
	{Pattern: "received fatal alert: certificate_expired", Cause: "client-cert-expired", Client: "java", Weight: specific},
	{Pattern: "received fatal alert: certificate_revoked", Cause: "client-cert-revoked", Client: "java", Weight: specific},
	{Pattern: "received fatal alert: unsupported_certificate", Cause: "client-cert-no-client-auth", Client: "java", Weight: specific},
	{Pattern: "received fatal alert: protocol_version", Cause: "tls-version-mismatch", Client: "java", Weight: specific},
	{Pattern: "received fatal alert: handshake_failure", Cause: "client-cert-not-sent", Client: "java", Weight: generic},
	{Pattern: "received fatal alert: handshake_failure", Cause: "tls-no-common-cipher", Client: "java", Weight: generic},
	{Pattern: "no subject alternative dns name matching", Cause: "server-cert-hostname-mismatch", Client: "java", Weight: specific},
	{Pattern: "no subject alternative names matching", Cause: "server-cert-hostname-mismatch", Client: "java", Weight: specific},
	{Pattern: "no subject alternative names present", Cause: "server-cert-hostname-mismatch", Client: "java", Weight: specific},
	{Pattern: "no name matching", Regexp: `no name matching \S+ found`, Cause: "server-cert-hostname-mismatch", Client: "java", Weight: specific},
	{Pattern: "unknownhostexception", Cause: "dns-no-such-host", Client: "java", Weight: specific},
	{Pattern: "connection refused", Cause: "tcp-refused", Client: "java", Weight: specific},
	{Pattern: "connect timed out", Cause: "tcp-timeout", Client: "java", Weight: specific},
	{Pattern: "sockettimeoutexception", Cause: "tcp-timeout", Client: "java", Weight: generic},
	{Pattern: "socketexception: connection reset", Cause: "tcp-reset", Client: "java", Weight: specific},
	{Pattern: "error writing to server", Cause: "tcp-reset", Client: "java", Weight: weak},
	{Pattern: "remote host terminated the handshake", Cause: "tcp-reset", Client: "java", Weight: generic},
	{Pattern: "no appropriate protocol", Cause: "tls-version-mismatch", Client: "java", Weight: specific},
	{Pattern: "unsupported or unrecognized ssl message", Cause: "tls-not-tls", Client: "java", Weight: specific},
	{Pattern: "no cipher suites in common", Cause: "tls-no-common-cipher", Client: "java", Weight: specific},
	{Pattern: "empty client certificate chain", Cause: "client-cert-not-sent", Client: "java", Weight: specific},
	{Pattern: "sslhandshakeexception", Cause: "tls-handshake-failed", Client: "java", Weight: weak},

	// --- nginx error pages; the DCS guide quotes the first two.
	{Pattern: "no required ssl certificate was sent", Cause: "client-cert-not-sent", Client: "dcs", Weight: exact},
	{Pattern: "ssl certificate error", Regexp: `ssl certificate error([^:a-z]|$)`, Cause: "client-cert-rejected", Client: "dcs", Weight: exact},
	{Pattern: "the plain http request was sent to https port", Cause: "tls-not-tls", Client: "nginx", Weight: specific},
	{Pattern: "request header or cookie too large", Cause: "unexpected-response", Client: "nginx", Weight: generic},

	// --- HTTP status lines (curl -v "< HTTP/1.1 403", wget, access logs of
	// the client side) and the bodies providers send with them.
	{Pattern: " 401 unauthorized", Cause: "token-rejected", Client: "http", Weight: generic},
	{Pattern: "www-authenticate: bearer", Cause: "token-missing", Client: "http", Weight: specific},
	{Pattern: "www-authenticate: bearer", Regexp: `error="?invalid_token`, Cause: "token-rejected", Client: "http", Weight: exact},
	{Pattern: "invalid_token", Cause: "token-rejected", Client: "http", Weight: specific},
	{Pattern: " 403 forbidden", Cause: "api-key-rejected", Client: "http", Weight: generic},
	{Pattern: `{"message":"forbidden"}`, Cause: "api-key-rejected", Client: "hmpps", Weight: specific},
	{Pattern: " 404 not found", Cause: "endpoint-not-found", Client: "http", Weight: generic},
	{Pattern: " 405 method not allowed", Cause: "method-not-allowed", Client: "http", Weight: generic},
	{Pattern: " 429 too many requests", Cause: "rate-limited", Client: "http", Weight: generic},
	{Pattern: "rate limit exceeded", Cause: "rate-limited", Client: "http", Weight: specific},
	{Pattern: " 503 service unavailable", Cause: "service-unavailable", Client: "http", Weight: generic},
	{Pattern: `"available":false`, Cause: "service-unavailable", Client: "dcs", Weight: specific},
	{Pattern: `"available": false`, Cause: "service-unavailable", Client: "dcs", Weight: specific},
	{Pattern: " 500 internal server error", Cause: "server-error", Client: "http", Weight: generic},
	{Pattern: " 502 bad gateway", Cause: "server-error", Client: "http", Weight: generic},
	{Pattern: " 504 gateway time", Cause: "server-error", Client: "http", Weight: generic},

	// --- HMPPS Integration API 403 bodies.
	{Pattern: "no consumer authorisation config found", Cause: "client-cert-rejected", Client: "hmpps", Weight: exact},
	// The consumer (the certificate's CN) is known but not allowed this path.
	{Pattern: "unable to authorise", Cause: "client-cert-rejected", Client: "hmpps", Weight: exact},
	{Pattern: "has been revoked", Regexp: `certificate with serial number \S+ has been revoked`, Cause: "client-cert-revoked", Client: "hmpps", Weight: exact},
	{Pattern: "access suspended", Cause: "api-key-rejected", Client: "hmpps", Weight: exact},

	// --- Securosys: a refused API key is 401 with errorCode 631.
	{Pattern: "errorcode", Regexp: `errorcode"?\s*[:=]\s*"?631\b`, Cause: "api-key-rejected", Client: "securosys", Weight: exact},

	// --- API gateways (Kong, Apigee) about API keys.
	{Pattern: "no api key found in request", Cause: "api-key-missing", Client: "http", Weight: specific},
	{Pattern: "missing api key", Cause: "api-key-missing", Client: "http", Weight: specific},
	{Pattern: "invalid api key", Cause: "api-key-rejected", Client: "http", Weight: specific},
	{Pattern: "invalid apikey", Cause: "api-key-rejected", Client: "http", Weight: specific},
	{Pattern: "invalidapikey", Cause: "api-key-rejected", Client: "http", Weight: specific},

	// --- NHS API Management token endpoint. The wording has changed over
	// time, so rows match the part that carries the meaning.
	{Pattern: "'kid' header", Regexp: `missing 'kid'`, Cause: "jwt-key-not-configured", Client: "nhs-apim", Weight: exact},
	{Pattern: "'kid' header", Regexp: `invalid 'kid'|no matching public key`, Cause: "jwt-kid-unknown", Client: "nhs-apim", Weight: exact},
	{Pattern: "no matching public key", Cause: "jwt-kid-unknown", Client: "nhs-apim", Weight: specific},
	{Pattern: "public_key error", Cause: "jwt-kid-unknown", Client: "nhs-apim", Weight: specific},
	{Pattern: "register a public key", Cause: "jwt-kid-unknown", Client: "nhs-apim", Weight: exact},
	{Pattern: "jwks endpoint", Cause: "jwt-kid-unknown", Client: "nhs-apim", Weight: specific},
	{Pattern: "signature verification failed", Cause: "jwt-signature-invalid", Client: "nhs-apim", Weight: exact},
	{Pattern: "'iss'/'sub'", Cause: "oauth-invalid-client", Client: "nhs-apim", Weight: exact},
	{Pattern: "'iss' claim", Cause: "oauth-invalid-client", Client: "nhs-apim", Weight: exact},
	{Pattern: "'sub' claim", Cause: "oauth-invalid-client", Client: "nhs-apim", Weight: exact},
	{Pattern: "invalid_client", Cause: "oauth-invalid-client", Client: "nhs-apim", Weight: specific},
	{Pattern: "'aud' claim", Cause: "jwt-claims-invalid", Client: "nhs-apim", Weight: exact},
	{Pattern: "'exp' claim", Cause: "jwt-claims-invalid", Client: "nhs-apim", Weight: exact},
	{Pattern: "'jti' claim", Cause: "jwt-claims-invalid", Client: "nhs-apim", Weight: exact},
	{Pattern: "'typ' header", Cause: "jwt-claims-invalid", Client: "nhs-apim", Weight: exact},
	{Pattern: "'alg' header", Cause: "jwt-claims-invalid", Client: "nhs-apim", Weight: exact},
	{Pattern: "malformed jwt", Cause: "jwt-claims-invalid", Client: "nhs-apim", Weight: specific},
	{Pattern: "client_assertion_type", Regexp: `missing|invalid`, Cause: "jwt-claims-invalid", Client: "nhs-apim", Weight: specific},
	{Pattern: "missing client_assertion", Cause: "jwt-claims-invalid", Client: "nhs-apim", Weight: specific},
	{Pattern: "unsupported_grant_type", Cause: "jwt-claims-invalid", Client: "nhs-apim", Weight: specific},
	{Pattern: "access token expired", Cause: "token-rejected", Client: "nhs-apim", Weight: specific},
	{Pattern: "invalid access token", Cause: "token-rejected", Client: "nhs-apim", Weight: specific},

	// --- OS keyrings (go-keyring, secret-tool, D-Bus).
	{Pattern: "org.freedesktop.secrets was not provided", Cause: "keyring-unavailable", Client: "keyring", Weight: specific},
	{Pattern: "cannot autolaunch d-bus", Cause: "keyring-unavailable", Client: "keyring", Weight: specific},
	{Pattern: "dbus_session_bus_address", Cause: "keyring-unavailable", Client: "keyring", Weight: generic},
	{Pattern: "collection is locked", Cause: "keyring-unavailable", Client: "keyring", Weight: specific},
	{Pattern: "secret not found in keyring", Cause: "keyring-secret-missing", Client: "keyring", Weight: specific},
	{Pattern: "data passed to set was too big", Cause: "keyring-item-too-large", Client: "keyring", Weight: specific},
	{Pattern: "the stub received bad data", Cause: "keyring-item-too-large", Client: "keyring", Weight: specific},
}

// httpStatusCauses are the statuses whose status line alone names a cause.
// The status line is written out per protocol version ("HTTP/1.1 403") so
// that access-log lines and URLs do not trip the scan.
var httpStatusCauses = []struct {
	code  string
	cause string
}{
	{"401", "token-rejected"},
	{"403", "api-key-rejected"},
	{"404", "endpoint-not-found"},
	{"405", "method-not-allowed"},
	{"429", "rate-limited"},
	{"500", "server-error"},
	{"502", "server-error"},
	{"503", "service-unavailable"},
	{"504", "server-error"},
}

var httpVersions = []string{"http/1.0 ", "http/1.1 ", "http/2 ", "http/2.0 ", "http/3 "}

func statusLineRecognisers() []Recogniser {
	var rows []Recogniser
	for _, s := range httpStatusCauses {
		for _, v := range httpVersions {
			rows = append(rows, Recogniser{
				Pattern: v + s.code, Regexp: `http/[0-9.]+ ` + s.code + `\b`,
				Cause: s.cause, Client: "http", Weight: generic,
			})
		}
	}
	return rows
}
