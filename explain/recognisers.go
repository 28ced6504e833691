package explain

import (
	"slices"

	"github.com/onramp-cli/onramp/cause"
)

// Recogniser maps a client's or server's wording to a cause. The table below
// is data: to teach explain a new client's wording, add a row (and a case to
// recognisers_test.go), then run go generate ./explain, which compiles the
// rows into table.bin. Matching is on the lower-cased line.
type Recogniser struct {
	// Pattern is a fixed substring, lower case. Every line is scanned for all
	// patterns at once, so a pattern must be specific enough not to hit
	// ordinary log lines (at least 6 characters; tests check).
	Pattern string
	// Regexp, when set, must also match the lower-cased line. It is only
	// consulted on lines that contain Pattern, so it costs nothing elsewhere.
	Regexp string
	Cause  cause.ID
	// Client is whose wording this is: go, curl, openssl, python, node, java,
	// nginx, http, nhs-apim, hmpps, dcs, securosys, keyring, any.
	Client string
	// Weight is how specific the wording is. On one line only the rows of the
	// highest weight count, so `curl: (56) ... alert certificate required`
	// names client-cert-not-sent and not the bare (56) meaning.
	Weight int

	// Rows made from the clients' tables (sources.go): parts are the
	// message's literal pieces, which must all occur in order.
	fromSource bool
	serverSide bool // printed by a server, about the client
	parts      []string
	anchorPart int // the part Pattern is the start of
}

// Weights of recognisers.
const (
	weak     = 1 // an exit code or a generic word: the text after it decides
	generic  = 2 // a family of causes, e.g. any certificate verification failure
	specific = 3 // one cause, in one client's wording
	exact    = 4 // a provider's own documented message, or a detail that overrides a specific row
)

// recognisers is the table of wordings: the rows below, the TLS alerts of
// classify's table in each client's wording, and HTTP status lines. Rows
// with the same Pattern and different causes mark real ambiguity (see
// Disambiguate). Built by buildTable (go generate, tests), not at package
// init: onramp itself reads the compiled table.bin.
func recognisers() []Recogniser {
	return slices.Concat(messageRecognisers, alertRecognisers(), statusLineRecognisers(), interceptionRecognisers())
}

var messageRecognisers = []Recogniser{
	// --- Go: crypto/tls, crypto/x509, net, net/http.
	{Pattern: "x509: certificate signed by unknown authority", Cause: cause.ServerCertUntrusted, Client: "go", Weight: specific},
	{Pattern: "failed to verify client certificate", Regexp: `failed to verify client certificate: x509: certificate signed by unknown authority`, Cause: cause.ClientCertWrongIssuer, Client: "go", Weight: exact},
	{Pattern: "failed to verify client certificate", Regexp: `failed to verify client certificate: x509: certificate has expired`, Cause: cause.ClientCertExpired, Client: "go", Weight: exact},
	{Pattern: "failed to verify client certificate", Regexp: `failed to verify client certificate: x509: certificate specifies an incompatible key usage`, Cause: cause.ClientCertNoClientAuth, Client: "go", Weight: exact},
	{Pattern: "failed to verify client certificate", Cause: cause.ClientCertRejected, Client: "go", Weight: specific},
	{Pattern: "client didn't provide a certificate", Cause: cause.ClientCertNotSent, Client: "go", Weight: specific},
	{Pattern: "x509: certificate has expired or is not yet valid", Cause: cause.ServerCertExpired, Client: "go", Weight: specific},
	{Pattern: "x509: certificate has expired or is not yet valid", Regexp: `not yet valid: current time \S+ is before`, Cause: cause.ServerCertNotYetValid, Client: "go", Weight: exact},
	{Pattern: "x509: certificate is valid for", Cause: cause.ServerCertHostnameMismatch, Client: "go", Weight: specific},
	{Pattern: "x509: certificate is not valid for any names", Cause: cause.ServerCertHostnameMismatch, Client: "go", Weight: specific},
	{Pattern: "because it doesn't contain any ip sans", Cause: cause.ServerCertHostnameMismatch, Client: "go", Weight: specific},
	{Pattern: "x509: certificate relies on legacy common name field", Cause: cause.ServerCertHostnameMismatch, Client: "go", Weight: specific},
	{Pattern: "tls: server selected unsupported protocol version", Cause: cause.TLSVersionMismatch, Client: "go", Weight: specific},
	{Pattern: "tls: client offered only unsupported versions", Cause: cause.TLSVersionMismatch, Client: "go", Weight: specific},
	{Pattern: "tls: no supported versions satisfy", Cause: cause.TLSVersionMismatch, Client: "go", Weight: specific},
	{Pattern: "tls: no cipher suite supported by both", Cause: cause.TLSNoCommonCipher, Client: "go", Weight: specific},
	{Pattern: "first record does not look like a tls handshake", Cause: cause.TLSNotTLS, Client: "go", Weight: specific},
	{Pattern: "tls: private key does not match public key", Cause: cause.KeyCertMismatch, Client: "go", Weight: specific},
	{Pattern: "tls: failed to find any pem data", Cause: cause.InputWrongFileType, Client: "go", Weight: specific},
	{Pattern: "tls: found a certificate rather than a key", Cause: cause.InputWrongFileType, Client: "go", Weight: specific},
	{Pattern: "-----begin encrypted private key-----", Cause: cause.KeyEncryptedNoPassphrase, Client: "any", Weight: specific},
	{Pattern: "proc-type: 4,encrypted", Cause: cause.KeyEncryptedNoPassphrase, Client: "any", Weight: specific},
	{Pattern: "x509: unsupported elliptic curve", Cause: cause.KeyUnsupported, Client: "go", Weight: specific},
	{Pattern: "x509: unknown public key algorithm", Cause: cause.KeyUnsupported, Client: "go", Weight: specific},
	{Pattern: "clock skew", Cause: cause.ClockSkew, Client: "any", Weight: generic},
	{Pattern: "x509: decryption password incorrect", Cause: cause.KeyPassphraseWrong, Client: "go", Weight: specific},
	{Pattern: "pkcs12: decryption password incorrect", Cause: cause.KeyPassphraseWrong, Client: "go", Weight: specific}, // software.sslmate.com/src/go-pkcs12
	{Pattern: "server gave http response to https client", Cause: cause.TLSNotTLS, Client: "go", Weight: specific},
	// net/http's transport refuses a header value with a CR, LF or leading
	// space (validHeaderFieldValue): a key read from a file with its newline.
	{Pattern: "net/http: invalid header field value", Cause: cause.APIKeyWhitespace, Client: "go", Weight: specific},
	{Pattern: "tls handshake timeout", Cause: cause.TLSHandshakeTimeout, Client: "go", Weight: specific},
	{Pattern: "tls handshake error", Cause: cause.TLSHandshakeFailed, Client: "go", Weight: weak},
	{Pattern: "connect: connection refused", Cause: cause.TCPRefused, Client: "go", Weight: specific},
	{Pattern: "connection reset by peer", Cause: cause.TCPReset, Client: "any", Weight: generic},
	{Pattern: "broken pipe", Cause: cause.TCPReset, Client: "any", Weight: generic},
	{Pattern: "transport endpoint is not connected", Cause: cause.TCPReset, Client: "any", Weight: generic},
	{Pattern: "i/o timeout", Regexp: `dial tcp|connect|i/o timeout`, Cause: cause.TCPTimeout, Client: "go", Weight: generic},
	{Pattern: "i/o timeout", Regexp: `lookup \S+( on \S+)?: (read udp \S+: )?i/o timeout`, Cause: cause.DNSFailure, Client: "go", Weight: exact},
	{Pattern: "no such host", Cause: cause.DNSNoSuchHost, Client: "go", Weight: specific},
	{Pattern: "server misbehaving", Cause: cause.DNSFailure, Client: "go", Weight: specific},
	{Pattern: "connect: no route to host", Cause: cause.TCPTimeout, Client: "go", Weight: generic},
	{Pattern: "network is unreachable", Cause: cause.TCPTimeout, Client: "any", Weight: generic},
	{Pattern: "context deadline exceeded", Cause: cause.TCPTimeout, Client: "go", Weight: weak},

	// --- curl: the numbered error alone is weak evidence; its text decides.
	{Pattern: "curl: (6)", Cause: cause.DNSNoSuchHost, Client: "curl", Weight: weak},
	{Pattern: "could not resolve host", Cause: cause.DNSNoSuchHost, Client: "curl", Weight: specific},
	{Pattern: "curl: (7)", Cause: cause.TCPRefused, Client: "curl", Weight: weak},
	{Pattern: "couldn't connect to server", Cause: cause.TCPRefused, Client: "curl", Weight: weak},
	{Pattern: "failed to connect to", Regexp: `connection refused`, Cause: cause.TCPRefused, Client: "curl", Weight: specific},
	{Pattern: "failed to connect to", Regexp: `timed out`, Cause: cause.TCPTimeout, Client: "curl", Weight: specific},
	{Pattern: "curl: (28)", Cause: cause.TCPTimeout, Client: "curl", Weight: weak},
	{Pattern: "connection timed out", Cause: cause.TCPTimeout, Client: "any", Weight: specific},
	{Pattern: "connection timeout after", Cause: cause.TCPTimeout, Client: "curl", Weight: specific},
	{Pattern: "ssl connection timeout", Cause: cause.TLSHandshakeTimeout, Client: "curl", Weight: exact},
	{Pattern: "operation timed out after", Cause: cause.TCPTimeout, Client: "curl", Weight: weak},
	{Pattern: "curl: (35)", Cause: cause.TLSHandshakeFailed, Client: "curl", Weight: weak},
	{Pattern: "curl: (56)", Cause: cause.TCPReset, Client: "curl", Weight: weak},
	{Pattern: "curl: (55)", Cause: cause.TCPReset, Client: "curl", Weight: weak},
	{Pattern: "recv failure: connection reset", Cause: cause.TCPReset, Client: "curl", Weight: specific},
	{Pattern: "curl: (58)", Cause: cause.InputWrongFileType, Client: "curl", Weight: weak},
	{Pattern: "could not load pem client certificate", Cause: cause.InputWrongFileType, Client: "curl", Weight: specific},
	{Pattern: "could not load pem client certificate", Regexp: `no such file or directory`, Cause: cause.InputFileUnreadable, Client: "curl", Weight: exact},
	// curl (lib/vtls/openssl.c) says this when OpenSSL refuses the key: a
	// wrong --pass and a key that is not the certificate's read the same.
	{Pattern: "unable to set private key file", Cause: cause.KeyCertMismatch, Client: "curl", Weight: specific},
	{Pattern: "unable to set private key file", Cause: cause.KeyPassphraseWrong, Client: "curl", Weight: specific},
	// lib/vtls/openssl.c: PKCS12_parse failed; curl's own hint is the password.
	{Pattern: "could not parse pkcs12 file, check password", Cause: cause.KeyPassphraseWrong, Client: "curl", Weight: specific},
	// curl (lib/vtls/openssl.c) writes this bare text, without "problem:",
	// when the handshake failed on a certificate alert yet its own check
	// of the server passed: the server's certificate_expired alert, about
	// the client's certificate.
	{Pattern: "ssl certificate verification failed", Regexp: `ssl certificate verification failed\s*$`, Cause: cause.ClientCertExpired, Client: "curl", Weight: specific},
	{Pattern: "curl: (60)", Cause: cause.ServerCertUntrusted, Client: "curl", Weight: weak},
	{Pattern: "ssl certificate problem: unable to get local issuer certificate", Cause: cause.ServerCertUntrusted, Client: "dcs", Weight: exact},
	{Pattern: "no alternative certificate subject name matches", Cause: cause.ServerCertHostnameMismatch, Client: "curl", Weight: specific},
	{Pattern: "does not match target host name", Cause: cause.ServerCertHostnameMismatch, Client: "curl", Weight: specific},
	{Pattern: "ssl_error_syscall", Cause: cause.TCPReset, Client: "curl", Weight: generic},

	// --- OpenSSL (s_client, and the library messages curl, Python and Node
	// pass on): alerts by name and number, verify errors by number and text.
	{Pattern: "unable to get local issuer certificate", Cause: cause.ServerCertUntrusted, Client: "openssl", Weight: specific},
	{Pattern: "verify error:num=20:", Cause: cause.ServerCertUntrusted, Client: "openssl", Weight: specific},
	{Pattern: "verify return code: 20", Cause: cause.ServerCertUntrusted, Client: "openssl", Weight: specific},
	{Pattern: "unable to get issuer certificate", Cause: cause.ServerCertUntrusted, Client: "openssl", Weight: specific},
	{Pattern: "self-signed certificate in certificate chain", Cause: cause.ServerCertUntrusted, Client: "openssl", Weight: exact},
	{Pattern: "self signed certificate in certificate chain", Cause: cause.ServerCertUntrusted, Client: "openssl", Weight: exact},
	{Pattern: "verify error:num=19:", Cause: cause.ServerCertUntrusted, Client: "openssl", Weight: exact},
	{Pattern: "verify return code: 19", Cause: cause.ServerCertUntrusted, Client: "openssl", Weight: exact},
	{Pattern: "self-signed certificate", Cause: cause.ServerCertSelfSigned, Client: "openssl", Weight: specific},
	{Pattern: "self signed certificate", Cause: cause.ServerCertSelfSigned, Client: "openssl", Weight: specific},
	{Pattern: "verify error:num=18:", Cause: cause.ServerCertSelfSigned, Client: "openssl", Weight: specific},
	{Pattern: "verify return code: 18", Cause: cause.ServerCertSelfSigned, Client: "openssl", Weight: specific},
	// No issuer found for the leaf: the server did not send its intermediate,
	// or the leaf's issuer is a CA the client does not have at all.
	{Pattern: "unable to verify the first certificate", Cause: cause.ServerChainIncomplete, Client: "openssl", Weight: specific},
	{Pattern: "unable to verify the first certificate", Cause: cause.ServerCertUntrusted, Client: "openssl", Weight: specific},
	{Pattern: "verify error:num=21:", Cause: cause.ServerChainIncomplete, Client: "openssl", Weight: specific},
	{Pattern: "verify error:num=21:", Cause: cause.ServerCertUntrusted, Client: "openssl", Weight: specific},
	{Pattern: "verify return code: 21", Cause: cause.ServerChainIncomplete, Client: "openssl", Weight: specific},
	{Pattern: "verify return code: 21", Cause: cause.ServerCertUntrusted, Client: "openssl", Weight: specific},
	{Pattern: "certificate has expired", Cause: cause.ServerCertExpired, Client: "openssl", Weight: specific},
	{Pattern: "verify error:num=10:", Cause: cause.ServerCertExpired, Client: "openssl", Weight: specific},
	{Pattern: "verify return code: 10", Cause: cause.ServerCertExpired, Client: "openssl", Weight: specific},
	{Pattern: "certificate is not yet valid", Cause: cause.ServerCertNotYetValid, Client: "openssl", Weight: specific},
	{Pattern: "verify error:num=9:", Cause: cause.ServerCertNotYetValid, Client: "openssl", Weight: specific},
	{Pattern: "verify return code: 9 ", Cause: cause.ServerCertNotYetValid, Client: "openssl", Weight: specific},
	{Pattern: "hostname mismatch", Cause: cause.ServerCertHostnameMismatch, Client: "openssl", Weight: specific},
	{Pattern: "ip address mismatch", Cause: cause.ServerCertHostnameMismatch, Client: "openssl", Weight: specific},
	{Pattern: "verify error:num=62:", Cause: cause.ServerCertHostnameMismatch, Client: "openssl", Weight: specific},
	{Pattern: "verify error:num=64:", Cause: cause.ServerCertHostnameMismatch, Client: "openssl", Weight: specific},
	{Pattern: "key values mismatch", Cause: cause.KeyCertMismatch, Client: "openssl", Weight: specific},
	{Pattern: "no shared cipher", Cause: cause.TLSNoCommonCipher, Client: "openssl", Weight: specific},
	{Pattern: "no cipher match", Cause: cause.TLSNoCommonCipher, Client: "openssl", Weight: specific},
	{Pattern: "wrong version number", Cause: cause.TLSNotTLS, Client: "openssl", Weight: specific},
	{Pattern: "legacy sigalg disallowed", Cause: cause.TLSVersionMismatch, Client: "openssl", Weight: specific},
	{Pattern: "packet length too long", Cause: cause.TLSNotTLS, Client: "openssl", Weight: specific},
	{Pattern: "http request", Regexp: `ssl routines.*http request|http_request`, Cause: cause.TLSNotTLS, Client: "openssl", Weight: specific},
	{Pattern: "unsupported protocol", Cause: cause.TLSVersionMismatch, Client: "openssl", Weight: specific},
	{Pattern: "no protocols available", Cause: cause.TLSVersionMismatch, Client: "openssl", Weight: specific},
	{Pattern: "unexpected eof while reading", Cause: cause.TCPReset, Client: "openssl", Weight: generic},
	{Pattern: "connect:errno=111", Cause: cause.TCPRefused, Client: "openssl", Weight: specific},
	{Pattern: "connect:errno=110", Cause: cause.TCPTimeout, Client: "openssl", Weight: specific},
	{Pattern: "bad decrypt", Cause: cause.KeyPassphraseWrong, Client: "openssl", Weight: specific},
	// The tools (apps/lib/apps.c) say "could not open" when the file cannot
	// be opened and "could not read" when it holds no such object.
	{Pattern: "could not open file or uri for loading", Cause: cause.InputFileUnreadable, Client: "openssl", Weight: specific},
	{Pattern: "could not read certificate from", Cause: cause.InputWrongFileType, Client: "openssl", Weight: specific},
	{Pattern: "could not read client certificate from", Cause: cause.InputWrongFileType, Client: "openssl", Weight: specific},
	{Pattern: "could not read private key from", Cause: cause.InputWrongFileType, Client: "openssl", Weight: specific},
	{Pattern: "could not read client certificate private key from", Cause: cause.InputWrongFileType, Client: "openssl", Weight: specific},
	// s_client's BIO errors carry the errno: 104 is ECONNRESET on Linux.
	{Pattern: "errno=104", Cause: cause.TCPReset, Client: "openssl", Weight: generic},
	{Pattern: "name or service not known", Cause: cause.DNSNoSuchHost, Client: "any", Weight: specific},
	{Pattern: "nodename nor servname provided", Cause: cause.DNSNoSuchHost, Client: "any", Weight: specific},
	{Pattern: "temporary failure in name resolution", Cause: cause.DNSFailure, Client: "any", Weight: specific},
	{Pattern: "handshake failure", Cause: cause.TLSHandshakeFailed, Client: "any", Weight: weak},

	// --- Python ssl / urllib / requests (OpenSSL reason codes in brackets).
	// Python's bracket ([SSL: CERTIFICATE_VERIFY_FAILED]), not the bare reason name that
	// Envoy's TLS_error lines carry with more after it.
	{Pattern: "ssl: certificate_verify_failed", Cause: cause.ServerCertUntrusted, Client: "python", Weight: generic},
	{Pattern: "certificate verify failed", Cause: cause.ServerCertUntrusted, Client: "python", Weight: generic},
	{Pattern: "wrong_version_number", Cause: cause.TLSNotTLS, Client: "python", Weight: specific},
	{Pattern: "record_layer_failure", Cause: cause.TLSNotTLS, Client: "python", Weight: generic},
	{Pattern: "unsupported_protocol", Cause: cause.TLSVersionMismatch, Client: "python", Weight: specific},
	{Pattern: "no_protocols_available", Cause: cause.TLSVersionMismatch, Client: "python", Weight: specific},
	{Pattern: "key_values_mismatch", Cause: cause.KeyCertMismatch, Client: "python", Weight: specific},
	{Pattern: "eof occurred in violation of protocol", Cause: cause.TCPReset, Client: "python", Weight: specific},
	{Pattern: "unexpected_eof_while_reading", Cause: cause.TCPReset, Client: "python", Weight: generic},
	{Pattern: "connectionrefusederror", Cause: cause.TCPRefused, Client: "python", Weight: specific},
	{Pattern: "[errno 111]", Cause: cause.TCPRefused, Client: "python", Weight: specific},
	{Pattern: "connectionreseterror", Cause: cause.TCPReset, Client: "python", Weight: specific},
	{Pattern: "[errno 104]", Cause: cause.TCPReset, Client: "python", Weight: specific},
	{Pattern: "handshake operation timed out", Cause: cause.TLSHandshakeTimeout, Client: "python", Weight: exact},
	{Pattern: "connecttimeout", Cause: cause.TCPTimeout, Client: "python", Weight: specific},
	{Pattern: "socket.timeout", Cause: cause.TCPTimeout, Client: "python", Weight: generic},
	{Pattern: "timeouterror", Cause: cause.TCPTimeout, Client: "python", Weight: generic},
	{Pattern: "socket.gaierror", Regexp: `errno -2\]|errno -5\]|errno 8\]`, Cause: cause.DNSNoSuchHost, Client: "python", Weight: specific},
	// load_cert_chain's error for a file OpenSSL could not use: not PEM, or
	// an encrypted key whose password is wrong.
	{Pattern: "[ssl] pem lib", Cause: cause.InputWrongFileType, Client: "python", Weight: specific},
	{Pattern: "[ssl] pem lib", Cause: cause.KeyPassphraseWrong, Client: "python", Weight: specific},
	{Pattern: "filenotfounderror", Cause: cause.InputFileUnreadable, Client: "python", Weight: specific},
	{Pattern: "no such file or directory", Cause: cause.InputFileUnreadable, Client: "any", Weight: weak},

	// --- Node.js error codes and messages.
	{Pattern: "unable_to_get_issuer_cert_locally", Cause: cause.ServerCertUntrusted, Client: "node", Weight: specific},
	{Pattern: "unable_to_get_issuer_cert", Cause: cause.ServerCertUntrusted, Client: "node", Weight: specific},
	{Pattern: "depth_zero_self_signed_cert", Cause: cause.ServerCertSelfSigned, Client: "node", Weight: specific},
	{Pattern: "self_signed_cert_in_chain", Cause: cause.ServerCertUntrusted, Client: "node", Weight: exact},
	{Pattern: "unable_to_verify_leaf_signature", Cause: cause.ServerChainIncomplete, Client: "node", Weight: specific},
	{Pattern: "unable_to_verify_leaf_signature", Cause: cause.ServerCertUntrusted, Client: "node", Weight: specific},
	{Pattern: "cert_has_expired", Cause: cause.ServerCertExpired, Client: "node", Weight: specific},
	{Pattern: "cert_not_yet_valid", Cause: cause.ServerCertNotYetValid, Client: "node", Weight: specific},
	{Pattern: "err_tls_cert_altname_invalid", Cause: cause.ServerCertHostnameMismatch, Client: "node", Weight: specific},
	{Pattern: "does not match certificate's altnames", Cause: cause.ServerCertHostnameMismatch, Client: "node", Weight: specific},
	{Pattern: "econnreset", Cause: cause.TCPReset, Client: "node", Weight: generic},
	// AbortSignal.timeout() (fetch, http.request's signal option).
	{Pattern: "the operation was aborted due to timeout", Cause: cause.TCPTimeout, Client: "node", Weight: generic},
	{Pattern: "socket hang up", Cause: cause.TCPReset, Client: "node", Weight: generic},
	{Pattern: "econnrefused", Cause: cause.TCPRefused, Client: "node", Weight: specific},
	{Pattern: "enotfound", Regexp: `\benotfound\b`, Cause: cause.DNSNoSuchHost, Client: "node", Weight: specific},
	{Pattern: "eai_again", Cause: cause.DNSFailure, Client: "node", Weight: specific},
	{Pattern: "etimedout", Regexp: `\betimedout\b`, Cause: cause.TCPTimeout, Client: "node", Weight: specific},
	{Pattern: "eproto", Regexp: `\beproto\b`, Cause: cause.TLSHandshakeFailed, Client: "node", Weight: weak},
	{Pattern: "err_ssl_wrong_version_number", Cause: cause.TLSNotTLS, Client: "node", Weight: specific},

	// --- Java / JSSE.
	{Pattern: "pkix path building failed", Cause: cause.ServerCertUntrusted, Client: "java", Weight: specific},
	{Pattern: "unable to find valid certification path", Cause: cause.ServerCertUntrusted, Client: "java", Weight: specific},
	{Pattern: "suncertpathbuilderexception", Cause: cause.ServerCertUntrusted, Client: "java", Weight: specific},
	{Pattern: "certificateexpiredexception", Cause: cause.ServerCertExpired, Client: "java", Weight: exact},
	{Pattern: "certificatenotyetvalidexception", Cause: cause.ServerCertNotYetValid, Client: "java", Weight: exact},
	{Pattern: "pkix path validation failed", Regexp: `validity check failed`, Cause: cause.ServerCertExpired, Client: "java", Weight: generic},
	{Pattern: "no subject alternative dns name matching", Cause: cause.ServerCertHostnameMismatch, Client: "java", Weight: specific},
	{Pattern: "no subject alternative names matching", Cause: cause.ServerCertHostnameMismatch, Client: "java", Weight: specific},
	{Pattern: "no subject alternative names present", Cause: cause.ServerCertHostnameMismatch, Client: "java", Weight: specific},
	{Pattern: "no name matching", Regexp: `no name matching \S+ found`, Cause: cause.ServerCertHostnameMismatch, Client: "java", Weight: specific},
	{Pattern: "unknownhostexception", Cause: cause.DNSNoSuchHost, Client: "java", Weight: specific},
	{Pattern: "connection refused", Cause: cause.TCPRefused, Client: "java", Weight: specific},
	{Pattern: "connect timed out", Cause: cause.TCPTimeout, Client: "java", Weight: specific},
	{Pattern: "sockettimeoutexception", Cause: cause.TCPTimeout, Client: "java", Weight: generic},
	{Pattern: "socketexception: connection reset", Cause: cause.TCPReset, Client: "java", Weight: specific},
	{Pattern: "error writing to server", Cause: cause.TCPReset, Client: "java", Weight: weak},
	{Pattern: "remote host terminated the handshake", Cause: cause.TCPReset, Client: "java", Weight: generic},
	{Pattern: "no appropriate protocol", Cause: cause.TLSVersionMismatch, Client: "java", Weight: specific},
	{Pattern: "unsupported or unrecognized ssl message", Cause: cause.TLSNotTLS, Client: "java", Weight: specific},
	{Pattern: "no cipher suites in common", Cause: cause.TLSNoCommonCipher, Client: "java", Weight: specific},
	{Pattern: "empty client certificate chain", Cause: cause.ClientCertNotSent, Client: "java", Weight: specific},
	// JSSE writes its last flight (Certificate, CertificateVerify, then
	// Finished) from Finished's producer: a broken pipe or reset there is
	// the server closing the connection on the client's certificate. The
	// alert that says why is lost in the race (sun/security/ssl/Finished.java).
	{Pattern: "finishedproducer.onproducefinished", Cause: cause.ClientCertRejected, Client: "java", Weight: specific},
	{Pattern: "sslhandshakeexception", Cause: cause.TLSHandshakeFailed, Client: "java", Weight: weak},

	// --- nginx error pages; the DCS guide quotes the first two.
	{Pattern: "no required ssl certificate was sent", Cause: cause.ClientCertNotSent, Client: "dcs", Weight: exact},
	{Pattern: "ssl certificate error", Regexp: `ssl certificate error([^:a-z]|$)`, Cause: cause.ClientCertRejected, Client: "dcs", Weight: exact},
	{Pattern: "the plain http request was sent to https port", Cause: cause.TLSNotTLS, Client: "nginx", Weight: specific},
	{Pattern: "request header or cookie too large", Cause: cause.UnexpectedResponse, Client: "nginx", Weight: generic},

	// --- HTTP status lines (curl -v "< HTTP/1.1 403", wget, access logs of
	// the client side) and the bodies providers send with them.
	{Pattern: " 401 unauthorized", Cause: cause.TokenRejected, Client: "http", Weight: generic},
	{Pattern: "www-authenticate: bearer", Cause: cause.TokenMissing, Client: "http", Weight: specific},
	// express-jwt's UnauthorizedError (credentials_required).
	{Pattern: "no authorization token was found", Cause: cause.TokenMissing, Client: "http", Weight: exact},
	// The page of a redirect (Express's "Found. Redirecting to /login").
	{Pattern: "redirecting to", Cause: cause.UnexpectedRedirect, Client: "http", Weight: generic},
	{Pattern: "www-authenticate: bearer", Regexp: `error="?invalid_token`, Cause: cause.TokenRejected, Client: "http", Weight: exact},
	{Pattern: "invalid_token", Cause: cause.TokenRejected, Client: "http", Weight: specific},
	{Pattern: " 403 forbidden", Cause: cause.APIKeyRejected, Client: "http", Weight: generic},
	{Pattern: `{"message":"forbidden"}`, Cause: cause.APIKeyRejected, Client: "hmpps", Weight: specific},
	{Pattern: " 404 not found", Cause: cause.EndpointNotFound, Client: "http", Weight: generic},
	{Pattern: " 405 method not allowed", Cause: cause.MethodNotAllowed, Client: "http", Weight: generic},
	{Pattern: " 429 too many requests", Cause: cause.RateLimited, Client: "http", Weight: generic},
	{Pattern: "rate limit exceeded", Cause: cause.RateLimited, Client: "http", Weight: specific},
	{Pattern: " 503 service unavailable", Cause: cause.ServiceUnavailable, Client: "http", Weight: generic},
	{Pattern: `"available":false`, Cause: cause.ServiceUnavailable, Client: "dcs", Weight: specific},
	{Pattern: `"available": false`, Cause: cause.ServiceUnavailable, Client: "dcs", Weight: specific},
	{Pattern: " 500 internal server error", Cause: cause.ServerError, Client: "http", Weight: generic},
	{Pattern: " 502 bad gateway", Cause: cause.ServerError, Client: "http", Weight: generic},
	{Pattern: " 504 gateway time", Cause: cause.ServerError, Client: "http", Weight: generic},

	// --- Proxies (curl, Go, Java), as CAUSES.md lists them.
	{Pattern: "proxy authentication required", Cause: cause.ProxyAuthRequired, Client: "http", Weight: exact},
	{Pattern: "received http code 407 from proxy", Cause: cause.ProxyAuthRequired, Client: "curl", Weight: exact},
	{Pattern: "connect tunnel failed, response 407", Cause: cause.ProxyAuthRequired, Client: "curl", Weight: exact},
	{Pattern: "connect tunnel failed, response", Regexp: `connect tunnel failed, response (403|502|503)\b`, Cause: cause.ProxyTunnelRefused, Client: "curl", Weight: exact},
	{Pattern: "received http code", Regexp: `received http code (403|502|503) from proxy after connect`, Cause: cause.ProxyTunnelRefused, Client: "curl", Weight: exact},
	{Pattern: "could not resolve proxy", Cause: cause.ProxyUnreachable, Client: "curl", Weight: exact},
	{Pattern: "proxyconnect tcp:", Cause: cause.ProxyUnreachable, Client: "go", Weight: exact},
	{Pattern: "unable to tunnel through proxy", Cause: cause.ProxyTunnelRefused, Client: "java", Weight: specific},
	{Pattern: "unable to tunnel through proxy", Regexp: `unable to tunnel through proxy.*\b407\b`, Cause: cause.ProxyAuthRequired, Client: "java", Weight: exact},
	// Node's tunnel-agent (request, older axios and npm): the CONNECT
	// answer's status, or why the proxy could not be reached ("cause=connect
	// ECONNREFUSED ..."); undici's ProxyAgent (fetch) says the status too.
	{Pattern: "tunneling socket could not be established", Regexp: `statuscode=\d{3}\b`, Cause: cause.ProxyTunnelRefused, Client: "node", Weight: specific},
	{Pattern: "tunneling socket could not be established", Regexp: `statuscode=407\b`, Cause: cause.ProxyAuthRequired, Client: "node", Weight: exact},
	{Pattern: "tunneling socket could not be established", Regexp: `cause=`, Cause: cause.ProxyUnreachable, Client: "node", Weight: exact},
	{Pattern: "!== 200 when http tunneling", Cause: cause.ProxyTunnelRefused, Client: "node", Weight: specific},
	{Pattern: "proxy response (407) !== 200", Cause: cause.ProxyAuthRequired, Client: "node", Weight: exact},

	// .NET's HttpRequestException (net_http_proxy_tunnel_returned_failure_status_code,
	// sources/dotnet.tsv): the status is filled in at run time.
	{Pattern: "the proxy tunnel request to proxy", Regexp: `failed with status code '\d{3}'`, Cause: cause.ProxyTunnelRefused, Client: "dotnet", Weight: specific},
	{Pattern: "the proxy tunnel request to proxy", Regexp: `failed with status code '407'`, Cause: cause.ProxyAuthRequired, Client: "dotnet", Weight: exact},

	// --- Redirect limits and HTTP/2 in the words of libraries the clients'
	// tables (sources/) do not hold: Node's follow-redirects (axios,
	// ERR_FR_TOO_MANY_REDIRECTS) and undici's fetch; PowerShell 7's
	// Invoke-WebRequest (WebCmdletStrings MaximumRedirectionCountExceeded).
	{Pattern: "maximum number of redirects exceeded", Cause: cause.UnexpectedRedirect, Client: "node", Weight: specific},
	{Pattern: "err_fr_too_many_redirects", Cause: cause.UnexpectedRedirect, Client: "node", Weight: specific},
	{Pattern: "redirect count exceeded", Cause: cause.UnexpectedRedirect, Client: "node", Weight: specific},
	{Pattern: "maximum redirection count has been exceeded", Cause: cause.UnexpectedRedirect, Client: "dotnet", Weight: specific},
	// Go's HTTP/1.1 transport reading an HTTP/2 frame (an h2-only server, or
	// h2c spoken to a client that did not offer it): the status line it
	// quotes starts with the frame header's zero bytes.
	{Pattern: `malformed http response "\x00\x00`, Cause: cause.UnexpectedResponse, Client: "go", Weight: exact},

	// --- HMPPS Integration API 403 bodies.
	{Pattern: "no consumer authorisation config found", Cause: cause.ConsumerNotConfigured, Client: "hmpps", Weight: exact},
	// The consumer (the certificate's CN) is known but not allowed this
	// path: the certificate and key were accepted, only HMPPS can authorise it.
	{Pattern: "unable to authorise", Cause: cause.ConsumerNotConfigured, Client: "hmpps", Weight: exact},
	{Pattern: "has been revoked", Regexp: `certificate with serial number \S+ has been revoked`, Cause: cause.ClientCertRevoked, Client: "hmpps", Weight: exact},
	{Pattern: "access suspended", Cause: cause.AccessSuspended, Client: "hmpps", Weight: exact},

	// --- Securosys: a refused API key is 401 with errorCode 631.
	{Pattern: "errorcode", Regexp: `errorcode"?\s*[:=]\s*"?631\b`, Cause: cause.APIKeyRejected, Client: "securosys", Weight: exact},

	// --- API keys as curl -v shows them sent: a value in the Base64
	// alphabet with "=" padding is a key that was encoded before sending
	// (the HMPPS guide: send it as issued).
	{Pattern: "api-key:", Regexp: `^> (x-)?api-key: [a-z0-9+/]{12,}={1,2}\s*$`, Cause: cause.APIKeyBase64Encoded, Client: "curl", Weight: generic},
	{Pattern: "apikey:", Regexp: `^> (x-)?apikey: [a-z0-9+/]{12,}={1,2}\s*$`, Cause: cause.APIKeyBase64Encoded, Client: "curl", Weight: generic},

	// --- API gateways (Kong, Apigee) about API keys.
	{Pattern: "no api key found in request", Cause: cause.APIKeyMissing, Client: "http", Weight: specific},
	{Pattern: "missing api key", Cause: cause.APIKeyMissing, Client: "http", Weight: specific},
	{Pattern: "invalid api key", Cause: cause.APIKeyRejected, Client: "http", Weight: specific},
	{Pattern: "invalid apikey", Cause: cause.APIKeyRejected, Client: "http", Weight: specific},
	{Pattern: "invalidapikey", Cause: cause.APIKeyRejected, Client: "http", Weight: specific},

	// --- NHS API Management token endpoint. The wording has changed over
	// time, so rows match the part that carries the meaning.
	{Pattern: "'kid' header", Regexp: `missing 'kid'`, Cause: cause.JWTKeyNotConfigured, Client: "nhs-apim", Weight: exact},
	{Pattern: "'kid' header", Regexp: `invalid 'kid'|no matching public key`, Cause: cause.JWTKidUnknown, Client: "nhs-apim", Weight: exact},
	{Pattern: "no matching public key", Cause: cause.JWTKidUnknown, Client: "nhs-apim", Weight: specific},
	{Pattern: "public_key error", Cause: cause.JWTKidUnknown, Client: "nhs-apim", Weight: specific},
	{Pattern: "register a public key", Cause: cause.JWTKidUnknown, Client: "nhs-apim", Weight: exact},
	{Pattern: "jwks endpoint", Cause: cause.JWTKidUnknown, Client: "nhs-apim", Weight: specific},
	{Pattern: "signature verification failed", Cause: cause.JWTSignatureInvalid, Client: "nhs-apim", Weight: exact},
	{Pattern: "'iss'/'sub'", Cause: cause.OAuthInvalidClient, Client: "nhs-apim", Weight: exact},
	{Pattern: "'iss' claim", Cause: cause.OAuthInvalidClient, Client: "nhs-apim", Weight: exact},
	{Pattern: "'sub' claim", Cause: cause.OAuthInvalidClient, Client: "nhs-apim", Weight: exact},
	{Pattern: "invalid_client", Cause: cause.OAuthInvalidClient, Client: "nhs-apim", Weight: specific},
	{Pattern: "'aud' claim", Cause: cause.JWTClaimsInvalid, Client: "nhs-apim", Weight: exact},
	{Pattern: "'exp' claim", Cause: cause.JWTClaimsInvalid, Client: "nhs-apim", Weight: exact},
	{Pattern: "'jti' claim", Cause: cause.JWTClaimsInvalid, Client: "nhs-apim", Weight: exact},
	{Pattern: "'typ' header", Cause: cause.JWTClaimsInvalid, Client: "nhs-apim", Weight: exact},
	{Pattern: "'alg' header", Cause: cause.JWTClaimsInvalid, Client: "nhs-apim", Weight: exact},
	{Pattern: "malformed jwt", Cause: cause.JWTClaimsInvalid, Client: "nhs-apim", Weight: specific},
	{Pattern: "client_assertion_type", Regexp: `missing|invalid`, Cause: cause.JWTClaimsInvalid, Client: "nhs-apim", Weight: specific},
	{Pattern: "missing client_assertion", Cause: cause.JWTClaimsInvalid, Client: "nhs-apim", Weight: specific},
	{Pattern: "unsupported_grant_type", Cause: cause.JWTClaimsInvalid, Client: "nhs-apim", Weight: specific},
	{Pattern: "access token expired", Cause: cause.TokenRejected, Client: "nhs-apim", Weight: specific},
	{Pattern: "invalid access token", Cause: cause.TokenRejected, Client: "nhs-apim", Weight: specific},

	// --- OS keyrings (go-keyring, secret-tool, D-Bus).
	{Pattern: "org.freedesktop.secrets was not provided", Cause: cause.KeyringUnavailable, Client: "keyring", Weight: specific},
	{Pattern: "cannot autolaunch d-bus", Cause: cause.KeyringUnavailable, Client: "keyring", Weight: specific},
	{Pattern: "dbus_session_bus_address", Cause: cause.KeyringUnavailable, Client: "keyring", Weight: generic},
	{Pattern: "collection is locked", Cause: cause.KeyringUnavailable, Client: "keyring", Weight: specific},
	{Pattern: "secret not found in keyring", Cause: cause.KeyringSecretMissing, Client: "keyring", Weight: specific},
	{Pattern: "data passed to set was too big", Cause: cause.KeyringItemTooLarge, Client: "keyring", Weight: specific},
	{Pattern: "the stub received bad data", Cause: cause.KeyringItemTooLarge, Client: "keyring", Weight: specific},
}

// httpStatusCauses are the statuses whose status line alone names a cause.
// The status line is written out per protocol version ("HTTP/1.1 403") so
// that access-log lines and URLs do not trip the scan.
var httpStatusCauses = []struct {
	code  string
	cause cause.ID
}{
	{"301", cause.UnexpectedRedirect},
	{"302", cause.UnexpectedRedirect},
	{"303", cause.UnexpectedRedirect},
	{"307", cause.UnexpectedRedirect},
	{"308", cause.UnexpectedRedirect},
	{"401", cause.TokenRejected},
	{"403", cause.APIKeyRejected},
	{"404", cause.EndpointNotFound},
	{"405", cause.MethodNotAllowed},
	{"429", cause.RateLimited},
	{"500", cause.ServerError},
	{"502", cause.ServerError},
	{"503", cause.ServiceUnavailable},
	{"504", cause.ServerError},
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
