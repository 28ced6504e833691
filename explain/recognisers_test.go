package explain

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/classify"
	"github.com/onramp-cli/onramp/explain/corpus"
)

// recogniserSamples are single lines as clients print them, each with the
// cause it must explain to first (several when the wording is ambiguous).
// Every row of the recogniser table must be exercised by one of these or by
// the live corpus (TestEveryRecogniserIsExercised).
var recogniserSamples = []struct {
	line string
	want []string
}{
	// JSSE's last flight broke: the server closed on the client's certificate.
	{`	at java.base/sun.security.ssl.Finished$T12FinishedProducer.onProduceFinished(Finished.java:393)`, []string{"client-cert-rejected"}},
	{`{"error":"unauthorized","message":"No authorization token was found"}`, []string{"token-missing"}},
	{`Found. Redirecting to /login`, []string{"unexpected-redirect"}},
	// Texts that fit several causes equally: explain names them all and says what tells them apart.
	{`client SSL certificate verify error: (21:unable to verify the first certificate) while reading client request headers`, []string{"client-cert-wrong-issuer", "client-chain-incomplete"}},
	{`urllib.error.HTTPError: HTTP Error 400: Bad Request`, []string{"client-cert-not-sent", "client-cert-rejected", "tls-not-tls"}},
	// Go.
	{`Get "https://api.example:443/": tls: failed to verify certificate: x509: certificate signed by unknown authority`, []string{"server-cert-untrusted"}},
	{`http: TLS handshake error from 127.0.0.1:5555: tls: failed to verify client certificate: x509: certificate signed by unknown authority`, []string{"client-cert-wrong-issuer"}},
	{`http: TLS handshake error from 10.0.0.1:5555: tls: failed to verify client certificate: x509: certificate has expired or is not yet valid: current time 2026-01-01T00:00:00Z is after 2025-12-01T00:00:00Z`, []string{"client-cert-expired"}},
	{`http: TLS handshake error from 10.0.0.1:5555: tls: failed to verify client certificate: x509: certificate specifies an incompatible key usage`, []string{"client-cert-no-client-auth"}},
	{`http: TLS handshake error from 10.0.0.1:5555: tls: client didn't provide a certificate`, []string{"client-cert-not-sent"}},
	{`tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time 2026-11-22T10:00:00Z is after 2026-01-01T00:00:00Z`, []string{"server-cert-expired"}},
	{`tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time 2026-11-22T10:00:00Z is before 2027-01-01T00:00:00Z`, []string{"server-cert-not-yet-valid"}},
	{`tls: failed to verify certificate: x509: certificate is valid for localhost, not api.example.com`, []string{"server-cert-hostname-mismatch"}},
	{`x509: certificate is not valid for any names, but wanted to match api.example.com`, []string{"server-cert-hostname-mismatch"}},
	{`x509: cannot validate certificate for 10.1.2.3 because it doesn't contain any IP SANs`, []string{"server-cert-hostname-mismatch"}},
	{`x509: certificate relies on legacy Common Name field, use SANs instead`, []string{"server-cert-hostname-mismatch"}},
	{`Get "https://x/": remote error: tls: certificate required`, []string{"client-cert-not-sent"}},
	{`Get "https://x/": remote error: tls: bad certificate`, []string{"client-cert-rejected"}},
	{`Post "https://x/token": remote error: tls: unknown certificate authority`, []string{"client-cert-rejected"}},
	{`remote error: tls: access denied`, []string{"client-cert-rejected"}},
	{`remote error: tls: error decrypting message`, []string{"client-cert-rejected"}},
	{`remote error: tls: expired certificate`, []string{"client-cert-expired"}},
	{`remote error: tls: revoked certificate`, []string{"client-cert-revoked"}},
	{`remote error: tls: unsupported certificate`, []string{"client-cert-no-client-auth"}},
	{`remote error: tls: handshake failure`, []string{"client-cert-not-sent", "tls-no-common-cipher"}},
	{`remote error: tls: protocol version not supported`, []string{"tls-version-mismatch"}},
	{`tls: server selected unsupported protocol version 301`, []string{"tls-version-mismatch"}},
	{`http: TLS handshake error from 1.2.3.4:1: tls: client offered only unsupported versions: [301]`, []string{"tls-version-mismatch"}},
	{`tls: no supported versions satisfy MinVersion and MaxVersion`, []string{"tls-version-mismatch"}},
	{`http: TLS handshake error from 1.2.3.4:1: tls: no cipher suite supported by both client and server`, []string{"tls-no-common-cipher"}},
	{`http: TLS handshake error from 1.2.3.4:1: tls: first record does not look like a TLS handshake`, []string{"tls-not-tls"}},
	{`Get "https://127.0.0.1:8080/": http: server gave HTTP response to HTTPS client`, []string{"tls-not-tls"}},
	{`tls: private key does not match public key`, []string{"key-cert-mismatch"}},
	{`tls: failed to find any PEM data in certificate input`, []string{"input-wrong-file-type"}},
	{`tls: found a certificate rather than a key in the PEM for the private key`, []string{"input-wrong-file-type"}},
	{`x509: decryption password incorrect`, []string{"key-passphrase-wrong"}},
	{`-----BEGIN ENCRYPTED PRIVATE KEY-----`, []string{"key-encrypted-no-passphrase"}},
	{`Proc-Type: 4,ENCRYPTED`, []string{"key-encrypted-no-passphrase"}},
	{`x509: unsupported elliptic curve`, []string{"key-unsupported"}},
	{`Get "https://api.example/": net/http: invalid header field value for "X-Api-Key"`, []string{"api-key-whitespace"}},
	{`x509: unknown public key algorithm`, []string{"key-unsupported"}},
	{`token rejected: clock skew too large`, []string{"clock-skew"}},
	{`Get "https://x/": net/http: TLS handshake timeout`, []string{"tls-handshake-timeout"}},
	{`2026/11/22 10:00:00 http: TLS handshake error from 1.2.3.4:5: EOF`, []string{"tls-handshake-failed"}},
	{`dial tcp 127.0.0.1:8443: connect: connection refused`, []string{"tcp-refused"}},
	{`read tcp 10.0.0.2:5555->10.0.0.1:443: read: connection reset by peer`, []string{"tcp-reset"}},
	{`write tcp 10.0.0.2:5555->10.0.0.1:443: write: broken pipe`, []string{"tcp-reset"}},
	{`curl: (55) getpeername() failed with errno 107: Transport endpoint is not connected`, []string{"tcp-reset"}},
	{`dial tcp 10.0.0.1:443: i/o timeout`, []string{"tcp-timeout"}},
	{`dial tcp: lookup api.example.com on 127.0.0.53:53: read udp 127.0.0.1:4444->127.0.0.53:53: i/o timeout`, []string{"dns-failure"}},
	{`dial tcp: lookup api.example.invalid: no such host`, []string{"dns-no-such-host"}},
	{`dial tcp: lookup api.example.com on 10.0.0.2:53: server misbehaving`, []string{"dns-failure"}},
	{`dial tcp 10.0.0.1:443: connect: no route to host`, []string{"tcp-timeout"}},
	{`dial tcp 10.0.0.1:443: connect: network is unreachable`, []string{"tcp-timeout"}},
	{`Get "https://x/": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`, []string{"tcp-timeout"}},

	// curl.
	{`curl: (6) Could not resolve host: api.example.invalid`, []string{"dns-no-such-host"}},
	{`curl: (6) something else`, []string{"dns-no-such-host"}},
	{`curl: (7) Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn't connect to server`, []string{"tcp-refused"}},
	{`curl: (7) Failed to connect to api.example port 443 after 0 ms: Connection refused`, []string{"tcp-refused"}},
	{`curl: (28) Failed to connect to api.example port 443 after 5001 ms: Timed out`, []string{"tcp-timeout"}},
	{`curl: (28) Connection timed out after 5001 milliseconds`, []string{"tcp-timeout"}},
	{`curl: (28) Connection timeout after 5001 ms`, []string{"tcp-timeout"}},
	{`curl: (28) SSL connection timeout`, []string{"tls-handshake-timeout"}},
	{`curl: (28) Operation timed out after 10000 milliseconds with 0 out of 0 bytes received`, []string{"tcp-timeout"}},
	{`curl: (35) OpenSSL/3.0.19: error:0A000126:SSL routines::unexpected eof while reading`, []string{"tcp-reset"}},
	{`curl: (35) something new`, []string{"tls-handshake-failed"}},
	{`curl: (56) Recv failure: Connection reset by peer`, []string{"tcp-reset"}},
	{`curl: (56) OpenSSL SSL_read: OpenSSL/3.0.19: error:0A00045C:SSL routines::tlsv13 alert certificate required, errno 0`, []string{"client-cert-not-sent"}},
	{`curl: (56) something new`, []string{"tcp-reset"}},
	{`curl: (58) could not load PEM client certificate from client.crt, OpenSSL error error:0480006C:PEM routines::no start line, (no key found, wrong pass phrase, or wrong file format?)`, []string{"input-wrong-file-type"}},
	{`curl: (58) could not load PEM client certificate from missing.crt, OpenSSL error error:80000002:system library::No such file or directory, (no key found, wrong pass phrase, or wrong file format?)`, []string{"input-file-unreadable"}},
	{`curl: (58) unable to set private key file: 'client.key' type PEM`, []string{"key-cert-mismatch", "key-passphrase-wrong"}},
	{`curl: (58) something new`, []string{"input-wrong-file-type"}},
	{`curl: (60) SSL certificate problem: unable to get local issuer certificate`, []string{"server-cert-untrusted"}},
	{`curl: (60) something new`, []string{"server-cert-untrusted"}},
	{`curl: (60) SSL: no alternative certificate subject name matches target host name 'api.example'`, []string{"server-cert-hostname-mismatch"}},
	{`curl: (51) SSL: certificate subject name 'localhost' does not match target host name 'api.example'`, []string{"server-cert-hostname-mismatch"}},
	{`curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to api.example:443`, []string{"tcp-reset"}},
	{`* TLSv1.3 (IN), TLS alert, unknown (628):`, []string{"client-cert-not-sent"}},
	{`* TLSv1.3 (IN), TLS alert, bad certificate (554):`, []string{"client-cert-rejected"}},
	{`* TLSv1.2 (IN), TLS alert, unknown CA (560):`, []string{"client-cert-rejected"}},
	{`* TLSv1.3 (IN), TLS alert, certificate expired (557):`, []string{"client-cert-expired"}},
	{`* TLSv1.3 (IN), TLS alert, certificate revoked (556):`, []string{"client-cert-revoked"}},
	{`* TLSv1.2 (IN), TLS alert, handshake failure (552):`, []string{"client-cert-not-sent", "tls-no-common-cipher"}},
	{`* TLSv1.2 (IN), TLS alert, protocol version (582):`, []string{"tls-version-mismatch"}},
	{`* TLSv1.3 (OUT), TLS alert, unknown CA (560):`, []string{"server-cert-untrusted"}},
	{`* TLSv1.3 (OUT), TLS alert, certificate expired (557):`, []string{"server-cert-expired"}},
	{`* TLSv1.3 (OUT), TLS alert, bad certificate (554):`, []string{"server-cert-untrusted"}},
	// The rest of classify's alert table in curl's wording.
	{`* TLSv1.2 (IN), TLS alert, unsupported certificate (555):`, []string{"client-cert-no-client-auth"}},
	{`* TLSv1.2 (IN), TLS alert, certificate unknown (558):`, []string{"client-cert-rejected"}},
	{`* TLSv1.2 (IN), TLS alert, access denied (561):`, []string{"client-cert-rejected"}},
	{`* TLSv1.2 (IN), TLS alert, decrypt error (563):`, []string{"client-cert-rejected"}},
	{`* TLSv1.2 (IN), TLS alert, internal error (592):`, []string{"tls-handshake-failed"}},
	{`* TLSv1.3 (OUT), TLS alert, protocol version (582):`, []string{"tls-version-mismatch"}},
	{`Post "https://x/token": remote error: tls: internal error`, []string{"tls-handshake-failed"}},
	{`40E7F1A1B67F0000:error:0A000438:SSL routines:ssl3_read_bytes:tlsv1 alert internal error:../ssl/record/rec_layer_s3.c:1584:SSL alert number 80`, []string{"tls-handshake-failed"}},
	{`ssl.SSLError: [SSL: TLSV1_ALERT_INTERNAL_ERROR] tlsv1 alert internal error (_ssl.c:1006)`, []string{"tls-handshake-failed"}},
	{`javax.net.ssl.SSLHandshakeException: Received fatal alert: internal_error`, []string{"tls-handshake-failed"}},

	// OpenSSL.
	{`80CB:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../ssl/record/rec_layer_s3.c:1601:SSL alert number 116`, []string{"client-cert-not-sent"}},
	{`SSL alert number 116`, []string{"client-cert-not-sent"}},
	{`error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:../ssl/record/rec_layer_s3.c:1601:SSL alert number 42`, []string{"client-cert-rejected"}},
	{`SSL alert number 42`, []string{"client-cert-rejected"}},
	{`error:0A000418:SSL routines::tlsv1 alert unknown ca`, []string{"client-cert-rejected"}},
	{`SSL alert number 48`, []string{"client-cert-rejected"}},
	{`error:0A000419:SSL routines::tlsv1 alert access denied`, []string{"client-cert-rejected"}},
	{`SSL alert number 49`, []string{"client-cert-rejected"}},
	{`error:0A00041B:SSL routines::tlsv1 alert decrypt error`, []string{"client-cert-rejected"}},
	{`SSL alert number 51`, []string{"client-cert-rejected"}},
	{`error:0A000416:SSL routines::sslv3 alert certificate unknown`, []string{"client-cert-rejected"}},
	{`SSL alert number 46`, []string{"client-cert-rejected"}},
	{`error:0A000415:SSL routines::sslv3 alert certificate expired`, []string{"client-cert-expired"}},
	{`SSL alert number 45`, []string{"client-cert-expired"}},
	{`error:0A000414:SSL routines::sslv3 alert certificate revoked`, []string{"client-cert-revoked"}},
	{`SSL alert number 44`, []string{"client-cert-revoked"}},
	{`error:0A000413:SSL routines::sslv3 alert unsupported certificate`, []string{"client-cert-no-client-auth"}},
	{`SSL alert number 43`, []string{"client-cert-no-client-auth"}},
	{`error:0A00042E:SSL routines::tlsv1 alert protocol version`, []string{"tls-version-mismatch"}},
	{`SSL alert number 70`, []string{"tls-version-mismatch"}},
	{`error:0A000410:SSL routines::sslv3 alert handshake failure`, []string{"client-cert-not-sent", "tls-no-common-cipher"}},
	{`SSL alert number 40`, []string{"client-cert-not-sent", "tls-no-common-cipher"}},
	{`error:0A000438:SSL routines::tlsv1 alert internal error`, []string{"tls-handshake-failed"}},
	{`verify error:num=20:unable to get local issuer certificate`, []string{"server-cert-untrusted"}},
	{`Verify return code: 20 (unable to get local issuer certificate)`, []string{"server-cert-untrusted"}},
	{`verify error:num=2:unable to get issuer certificate`, []string{"server-cert-untrusted"}},
	{`verify error:num=19:self-signed certificate in certificate chain`, []string{"server-cert-untrusted"}},
	{`curl: (60) SSL certificate problem: self signed certificate in certificate chain`, []string{"server-cert-untrusted"}},
	{`Verify return code: 19 (self-signed certificate in certificate chain)`, []string{"server-cert-untrusted"}},
	{`curl: (60) SSL certificate problem: self-signed certificate`, []string{"server-cert-self-signed"}},
	{`curl: (60) SSL certificate problem: self signed certificate`, []string{"server-cert-self-signed"}},
	{`verify error:num=18:self-signed certificate`, []string{"server-cert-self-signed"}},
	{`Verify return code: 18`, []string{"server-cert-self-signed"}},
	{`verify error:num=21:unable to verify the first certificate`, []string{"server-chain-incomplete", "server-cert-untrusted"}},
	{`Verify return code: 21 (unable to verify the first certificate)`, []string{"server-chain-incomplete", "server-cert-untrusted"}},
	{`curl: (60) SSL certificate problem: certificate has expired`, []string{"server-cert-expired"}},
	{`verify error:num=10:certificate has expired`, []string{"server-cert-expired"}},
	{`Verify return code: 10 (certificate has expired)`, []string{"server-cert-expired"}},
	{`curl: (60) SSL certificate problem: certificate is not yet valid`, []string{"server-cert-not-yet-valid"}},
	{`verify error:num=9:certificate is not yet valid`, []string{"server-cert-not-yet-valid"}},
	{`Verify return code: 9 (certificate is not yet valid)`, []string{"server-cert-not-yet-valid"}},
	{`verify error:num=62:hostname mismatch`, []string{"server-cert-hostname-mismatch"}},
	{`verify error:num=64:IP address mismatch`, []string{"server-cert-hostname-mismatch"}},
	{`verify error:num=62:hostname mismatch`, []string{"server-cert-hostname-mismatch"}},
	{`verify error:num=64:IP address mismatch`, []string{"server-cert-hostname-mismatch"}},
	{`error:05800074:x509 certificate routines:X509_check_private_key:key values mismatch`, []string{"key-cert-mismatch"}},
	{`error:0A0000C1:SSL routines:tls_post_process_client_hello:no shared cipher`, []string{"tls-no-common-cipher"}},
	{`error:0A0000B9:SSL routines::no cipher match`, []string{"tls-no-common-cipher"}},
	{`error:0A00010B:SSL routines:ssl3_get_record:wrong version number`, []string{"tls-not-tls"}},
	{`error:0A00014D:SSL routines::legacy sigalg disallowed or unsupported`, []string{"tls-version-mismatch"}},
	{`error:0A0000C6:SSL routines::packet length too long`, []string{"tls-not-tls"}},
	{`error:0A00009C:SSL routines::http request`, []string{"tls-not-tls"}},
	{`error:0A000102:SSL routines::unsupported protocol`, []string{"tls-version-mismatch"}},
	{`error:0A0000BF:SSL routines::no protocols available`, []string{"tls-version-mismatch"}},
	{`error:0A000126:SSL routines::unexpected eof while reading`, []string{"tcp-reset"}},
	{`connect:errno=111`, []string{"tcp-refused"}},
	{`connect:errno=110`, []string{"tcp-timeout"}},
	{`error:1C800064:Provider routines::bad decrypt`, []string{"key-passphrase-wrong"}},
	{`BIO_lookup_ex:system lib: Name or service not known`, []string{"dns-no-such-host"}},
	{`getaddrinfo: nodename nor servname provided, or not known`, []string{"dns-no-such-host"}},
	{`Could not resolve: Temporary failure in name resolution`, []string{"dns-failure"}},
	{`SSL handshake failure`, []string{"tls-handshake-failed"}},

	// Python.
	{`ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)`, []string{"server-cert-untrusted"}},
	{`[SSL: CERTIFICATE_VERIFY_FAILED] something new`, []string{"server-cert-untrusted"}},
	{`certificate verify failed (something new)`, []string{"server-cert-untrusted"}},
	{`ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'api.example'. (_ssl.c:1006)`, []string{"server-cert-hostname-mismatch"}},
	{`[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: IP address mismatch, certificate is not valid for '10.0.0.1'. (_ssl.c:1006)`, []string{"server-cert-hostname-mismatch"}},
	{`ssl.SSLError: [SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate required (_ssl.c:2580)`, []string{"client-cert-not-sent"}},
	{`[SSL: SSLV3_ALERT_BAD_CERTIFICATE] sslv3 alert bad certificate (_ssl.c:2580)`, []string{"client-cert-rejected"}},
	{`[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca (_ssl.c:1006)`, []string{"client-cert-rejected"}},
	{`[SSL: TLSV1_ALERT_ACCESS_DENIED]`, []string{"client-cert-rejected"}},
	{`[SSL: TLSV1_ALERT_DECRYPT_ERROR]`, []string{"client-cert-rejected"}},
	{`[SSL: SSLV3_ALERT_CERTIFICATE_UNKNOWN]`, []string{"client-cert-rejected"}},
	{`[SSL: SSLV3_ALERT_CERTIFICATE_EXPIRED]`, []string{"client-cert-expired"}},
	{`[SSL: SSLV3_ALERT_CERTIFICATE_REVOKED]`, []string{"client-cert-revoked"}},
	{`[SSL: SSLV3_ALERT_UNSUPPORTED_CERTIFICATE]`, []string{"client-cert-no-client-auth"}},
	{`ssl.SSLError: [SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert handshake failure (_ssl.c:1006)`, []string{"client-cert-not-sent", "tls-no-common-cipher"}},
	{`[SSL: TLSV1_ALERT_PROTOCOL_VERSION]`, []string{"tls-version-mismatch"}},
	{`[SSL: WRONG_VERSION_NUMBER]`, []string{"tls-not-tls"}},
	{`[SSL: RECORD_LAYER_FAILURE]`, []string{"tls-not-tls"}},
	{`[SSL: UNSUPPORTED_PROTOCOL]`, []string{"tls-version-mismatch"}},
	{`[SSL: NO_PROTOCOLS_AVAILABLE]`, []string{"tls-version-mismatch"}},
	{`[X509: KEY_VALUES_MISMATCH]`, []string{"key-cert-mismatch"}},
	{`ssl.SSLEOFError: EOF occurred in violation of protocol (_ssl.c:992)`, []string{"tcp-reset"}},
	{`[SSL: UNEXPECTED_EOF_WHILE_READING]`, []string{"tcp-reset"}},
	{`ConnectionRefusedError: [Errno 111]`, []string{"tcp-refused"}},
	{`ConnectionResetError: [Errno 104]`, []string{"tcp-reset"}},
	{`requests.exceptions.ConnectTimeout: HTTPSConnectionPool(host='x', port=443)`, []string{"tcp-timeout"}},
	{`socket.timeout: timed out`, []string{"tcp-timeout"}},
	{`TimeoutError: timed out`, []string{"tcp-timeout"}},
	{`TimeoutError: _ssl.c:989: The handshake operation timed out`, []string{"tls-handshake-timeout"}},
	{`socket.gaierror: [Errno -2] Name or service not known`, []string{"dns-no-such-host"}},
	{`socket.gaierror: [Errno -5] No address associated with hostname`, []string{"dns-no-such-host"}},
	{`ssl.SSLError: [SSL] PEM lib (_ssl.c:3900)`, []string{"input-wrong-file-type", "key-passphrase-wrong"}},
	{`Could not read client certificate from client.key`, []string{"input-wrong-file-type"}},
	{`> x-api-key: YWJjZGVmMTIzNDU2Nzg5MA==`, []string{"api-key-base64-encoded"}},
	{`> apikey: YWJjZGVmMTIzNDU2Nzg5MA=`, []string{"api-key-base64-encoded"}},
	{`curl: (58) could not parse PKCS12 file, check password, OpenSSL error error:11800071:PKCS12 routines::mac verify failure`, []string{"key-passphrase-wrong"}},
	{`Could not read private key from client.crt`, []string{"input-wrong-file-type"}},
	{`Could not open file or uri for loading certificate from missing.crt`, []string{"input-file-unreadable"}},
	{`FileNotFoundError: [Errno 2]`, []string{"input-file-unreadable"}},
	{`open client.key: no such file or directory`, []string{"input-file-unreadable"}},

	// Node.
	{`Error: unable to get local issuer certificate code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'`, []string{"server-cert-untrusted"}},
	{`code: 'UNABLE_TO_GET_ISSUER_CERT'`, []string{"server-cert-untrusted"}},
	{`code: 'DEPTH_ZERO_SELF_SIGNED_CERT'`, []string{"server-cert-self-signed"}},
	{`code: 'SELF_SIGNED_CERT_IN_CHAIN'`, []string{"server-cert-untrusted"}},
	{`code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'`, []string{"server-chain-incomplete", "server-cert-untrusted"}},
	{`code: 'CERT_HAS_EXPIRED'`, []string{"server-cert-expired"}},
	{`code: 'CERT_NOT_YET_VALID'`, []string{"server-cert-not-yet-valid"}},
	{`code: 'ERR_TLS_CERT_ALTNAME_INVALID'`, []string{"server-cert-hostname-mismatch"}},
	{`Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames: Host: api.example. is not in the cert's altnames`, []string{"server-cert-hostname-mismatch"}},
	{`Error: read ECONNRESET`, []string{"tcp-reset"}},
	{`Error: socket hang up`, []string{"tcp-reset"}},
	{`Error: connect ECONNREFUSED 127.0.0.1:8443`, []string{"tcp-refused"}},
	{`Error: getaddrinfo ENOTFOUND api.example.invalid`, []string{"dns-no-such-host"}},
	{`Error: getaddrinfo EAI_AGAIN api.example`, []string{"dns-failure"}},
	{`Error: connect ETIMEDOUT 10.0.0.1:443`, []string{"tcp-timeout"}},
	{`Error: write EPROTO something new`, []string{"tls-handshake-failed"}},
	{`code: 'ERR_SSL_WRONG_VERSION_NUMBER'`, []string{"tls-not-tls"}},

	// Java.
	{`javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target`, []string{"server-cert-untrusted"}},
	{`unable to find valid certification path to requested target`, []string{"server-cert-untrusted"}},
	{`Caused by: sun.security.provider.certpath.SunCertPathBuilderException: x`, []string{"server-cert-untrusted"}},
	{`Caused by: java.security.cert.CertificateExpiredException: NotAfter: Mon Nov 20 10:00:00 UTC 2026`, []string{"server-cert-expired"}},
	{`Caused by: java.security.cert.CertificateNotYetValidException: NotBefore: Mon Nov 23 17:04:19 UTC 2026`, []string{"server-cert-not-yet-valid"}},
	{`javax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed`, []string{"server-cert-expired"}},
	{`javax.net.ssl.SSLHandshakeException: Received fatal alert: bad_certificate`, []string{"client-cert-rejected"}},
	{`Received fatal alert: certificate_unknown`, []string{"client-cert-rejected"}},
	{`Received fatal alert: unknown_ca`, []string{"client-cert-rejected"}},
	{`Received fatal alert: access_denied`, []string{"client-cert-rejected"}},
	{`Received fatal alert: decrypt_error`, []string{"client-cert-rejected"}},
	{`javax.net.ssl.SSLHandshakeException: Received fatal alert: certificate_required`, []string{"client-cert-not-sent"}},
	{`Received fatal alert: certificate_expired`, []string{"client-cert-expired"}},
	{`Received fatal alert: certificate_revoked`, []string{"client-cert-revoked"}},
	{`Received fatal alert: unsupported_certificate`, []string{"client-cert-no-client-auth"}},
	{`Received fatal alert: protocol_version`, []string{"tls-version-mismatch"}},
	{`Received fatal alert: handshake_failure`, []string{"client-cert-not-sent", "tls-no-common-cipher"}},
	{`java.security.cert.CertificateException: No subject alternative DNS name matching api.example found.`, []string{"server-cert-hostname-mismatch"}},
	{`javax.net.ssl.SSLHandshakeException: No subject alternative names matching IP address 127.0.0.1 found`, []string{"server-cert-hostname-mismatch"}},
	{`java.security.cert.CertificateException: No subject alternative names present`, []string{"server-cert-hostname-mismatch"}},
	{`java.security.cert.CertificateException: No name matching api.example found`, []string{"server-cert-hostname-mismatch"}},
	{`java.net.UnknownHostException: api.example.invalid`, []string{"dns-no-such-host"}},
	{`java.net.ConnectException: Connection refused`, []string{"tcp-refused"}},
	{`java.net.SocketTimeoutException: connect timed out`, []string{"tcp-timeout"}},
	{`java.net.SocketTimeoutException: Read timed out`, []string{"tcp-timeout"}},
	{`java.net.SocketException: Connection reset`, []string{"tcp-reset"}},
	{`java.io.IOException: Error writing to server`, []string{"tcp-reset"}},
	{`javax.net.ssl.SSLHandshakeException: Remote host terminated the handshake`, []string{"tcp-reset"}},
	{`javax.net.ssl.SSLHandshakeException: No appropriate protocol (protocol is disabled or cipher suites are inappropriate)`, []string{"tls-version-mismatch"}},
	{`javax.net.ssl.SSLException: Unsupported or unrecognized SSL message`, []string{"tls-not-tls"}},
	{`javax.net.ssl.SSLHandshakeException: no cipher suites in common`, []string{"tls-no-common-cipher"}},
	{`javax.net.ssl.SSLHandshakeException: Empty client certificate chain`, []string{"client-cert-not-sent"}},
	{`javax.net.ssl.SSLHandshakeException: something new`, []string{"tls-handshake-failed"}},

	// nginx and the DCS guide's table.
	{`<head><title>400 No required SSL certificate was sent</title></head>`, []string{"client-cert-not-sent"}},
	{`<head><title>400 The SSL certificate error</title></head>`, []string{"client-cert-rejected"}},
	{`<center>The plain HTTP request was sent to HTTPS port</center>`, []string{"tls-not-tls"}},
	{`<head><title>400 Request Header Or Cookie Too Large</title></head>`, []string{"unexpected-response"}},

	// HTTP.
	{`< HTTP/1.1 401 Unauthorized`, []string{"token-rejected"}},
	{`www-authenticate: Bearer realm="api"`, []string{"token-missing"}},
	{`WWW-Authenticate: Bearer error="invalid_token", error_description="The access token expired"`, []string{"token-rejected"}},
	{`{"error":"invalid_token"}`, []string{"token-rejected"}},
	{`HTTP/1.1 403 Forbidden`, []string{"api-key-rejected"}},
	{`{"message":"Forbidden"}`, []string{"api-key-rejected"}},
	{`HTTP/1.1 404 Not Found`, []string{"endpoint-not-found"}},
	{`HTTP/1.1 405 Method Not Allowed`, []string{"method-not-allowed"}},
	{`HTTP/1.1 429 Too Many Requests`, []string{"rate-limited"}},
	{`{"message": "Rate limit exceeded"}`, []string{"rate-limited"}},
	{`HTTP/1.1 503 Service Unavailable`, []string{"service-unavailable"}},
	{`{"available":false,"scheduledOutages":[]}`, []string{"service-unavailable"}},
	{`{"available": false, "scheduledOutages": []}`, []string{"service-unavailable"}},
	{`HTTP/1.1 500 Internal Server Error`, []string{"server-error"}},
	{`HTTP/1.1 502 Bad Gateway`, []string{"server-error"}},
	{`HTTP/1.1 504 Gateway Time-out`, []string{"server-error"}},

	// HMPPS.
	{`{"status":403,"userMessage":"No consumer authorisation config found for acme-client"}`, []string{"consumer-not-configured"}},
	{`{"status":403,"userMessage":"Unable to authorise /v1/persons for acme-client"}`, []string{"consumer-not-configured"}},
	{`{"status":403,"userMessage":"Certificate with serial number 4F21AB has been revoked"}`, []string{"client-cert-revoked"}},
	{`{"status":403,"userMessage":"Access suspended"}`, []string{"access-suspended"}},

	// Proxies: curl 7.x/8.x, Go's net/http, Java's HttpURLConnection.
	{"curl: (56) Received HTTP code 407 from proxy after CONNECT", []string{"proxy-auth-required"}},
	{"curl: (56) CONNECT tunnel failed, response 407", []string{"proxy-auth-required"}},
	{"< HTTP/1.1 407 Proxy Authentication Required", []string{"proxy-auth-required"}},
	{"curl: (56) CONNECT tunnel failed, response 403", []string{"proxy-tunnel-refused"}},
	{"curl: (56) Received HTTP code 403 from proxy after CONNECT", []string{"proxy-tunnel-refused"}},
	{"curl: (5) Could not resolve proxy: proxy.corp.example", []string{"proxy-unreachable"}},
	{`Get "https://api.example.test/": proxyconnect tcp: dial tcp 10.0.0.8:3128: connect: connection refused`, []string{"proxy-unreachable"}},
	{"java.io.IOException: Unable to tunnel through proxy. Proxy returns \"HTTP/1.1 403 Forbidden\"", []string{"proxy-tunnel-refused"}},
	{"java.io.IOException: Unable to tunnel through proxy. Proxy returns \"HTTP/1.1 407 Proxy Authentication Required\"", []string{"proxy-auth-required"}},
	// Node (tunnel-agent, undici) and .NET proxy tunnels.
	{"Error: tunneling socket could not be established, statusCode=407", []string{"proxy-auth-required"}},
	{"Error: tunneling socket could not be established, statusCode=403", []string{"proxy-tunnel-refused"}},
	{"npm ERR! network tunneling socket could not be established, cause=connect ECONNREFUSED 10.0.0.8:3128", []string{"proxy-unreachable"}},
	{"TypeError: fetch failed [cause]: Proxy response (407) !== 200 when HTTP Tunneling", []string{"proxy-auth-required"}},
	{"TypeError: fetch failed [cause]: Proxy response (403) !== 200 when HTTP Tunneling", []string{"proxy-tunnel-refused"}},
	{"System.Net.Http.HttpRequestException: The proxy tunnel request to proxy 'http://proxy:3128/' failed with status code '407'.\"", []string{"proxy-auth-required"}},
	{"System.Net.Http.HttpRequestException: The proxy tunnel request to proxy 'http://proxy:3128/' failed with status code '403'.", []string{"proxy-tunnel-refused"}},

	// Redirect limits.
	{"curl: (47) Maximum (50) redirects followed", []string{"unexpected-redirect"}},
	{`Get "https://api.example/x": stopped after 10 redirects`, []string{"unexpected-redirect"}},
	{"requests.exceptions.TooManyRedirects: Exceeded 30 redirects.", []string{"unexpected-redirect"}},
	{"AxiosError: Maximum number of redirects exceeded", []string{"unexpected-redirect"}},
	{"code: 'ERR_FR_TOO_MANY_REDIRECTS'", []string{"unexpected-redirect"}},
	{"TypeError: fetch failed [cause]: redirect count exceeded", []string{"unexpected-redirect"}},
	{"java.net.ProtocolException: Server redirected too many  times (20)", []string{"unexpected-redirect"}},
	{"System.Net.WebException: Too many automatic redirections were attempted.", []string{"unexpected-redirect"}},
	{"Invoke-WebRequest: The maximum redirection count has been exceeded. To increase the number of redirections allowed, supply a higher value to the -MaximumRedirection parameter.", []string{"unexpected-redirect"}},

	// HTTP/2.
	{"curl: (92) HTTP/2 stream 1 was not closed cleanly: PROTOCOL_ERROR (err 1)", []string{"unexpected-response"}},
	{"curl: (92) HTTP/2 stream 1 reset by server (error 0x2 INTERNAL_ERROR)", []string{"unexpected-response"}},
	{"curl: (16) Error in the HTTP2 framing layer", []string{"unexpected-response"}},
	{`Get "https://api.example/": net/http: HTTP/1.x transport connection broken: malformed HTTP response "\x00\x00\x12\x04\x00\x00\x00\x00\x00"`, []string{"unexpected-response"}},
	{"< HTTP/1.1 302 Found", []string{"unexpected-redirect"}},

	// Securosys.
	{`{"errorCode":631,"reason":"res.error.unauthorized","message":"Unauthorized"}`, []string{"api-key-rejected"}},

	// Gateways.
	{`{"message":"No API key found in request"}`, []string{"api-key-missing"}},
	{`missing API key`, []string{"api-key-missing"}},
	{`{"message":"Invalid API Key"}`, []string{"api-key-rejected"}},
	{`Invalid ApiKey for given resource`, []string{"api-key-rejected"}},
	{`{"fault":{"detail":{"errorcode":"oauth.v2.InvalidApiKey"}}}`, []string{"api-key-rejected"}},

	// NHS API Management token endpoint.
	{`{"error": "invalid_request", "error_description": "Missing 'kid' header in client_assertion JWT", "message_id": "rrt-1"}`, []string{"jwt-key-not-configured"}},
	{`{"error": "invalid_request", "error_description": "Invalid 'kid' header in client_assertion JWT - no matching public key", "message_id": "rrt-2"}`, []string{"jwt-kid-unknown"}},
	{`no matching public key`, []string{"jwt-kid-unknown"}},
	{`{"error": "public_key error", "error_description": "The JWKS endpoint, for your client_assertion can't be reached"}`, []string{"jwt-kid-unknown"}},
	{`{"error": "public_key error", "error_description": "You need to register a public key to use this authentication method - please contact support to configure"}`, []string{"jwt-kid-unknown"}},
	{`{"error": "public_key error", "error_description": "JWT signature verification failed"}`, []string{"jwt-signature-invalid"}},
	{`{"error": "invalid_request", "error_description": "Invalid 'iss'/'sub' claims in client_assertion JWT"}`, []string{"oauth-invalid-client"}},
	{`{"error": "invalid_request", "error_description": "Missing or non-matching 'iss'/'sub' claims in client_assertion JWT"}`, []string{"oauth-invalid-client"}},
	{`Missing 'sub' claim in client_assertion JWT`, []string{"oauth-invalid-client"}},
	{`Invalid 'iss' claim in client_assertion JWT`, []string{"oauth-invalid-client"}},
	{`{"error": "invalid_client", "error_description": "client_id is unknown"}`, []string{"oauth-invalid-client"}},
	{`{"error": "invalid_request", "error_description": "Missing or invalid 'aud' claim in client_assertion JWT"}`, []string{"jwt-claims-invalid"}},
	{`{"error": "invalid_request", "error_description": "Invalid 'exp' claim in client_assertion JWT - more than 5 minutes in future"}`, []string{"jwt-claims-invalid"}},
	{`{"error": "invalid_request", "error_description": "Non-unique 'jti' claim in client_assertion JWT"}`, []string{"jwt-claims-invalid"}},
	{`{"error": "invalid_request", "error_description": "Invalid 'typ' header in client_assertion JWT - must be 'JWT'"}`, []string{"jwt-claims-invalid"}},
	{`{"error": "invalid_request", "error_description": "Invalid 'alg' header in client_assertion JWT - unsupported JWT algorithm - must be 'RS512'"}`, []string{"jwt-claims-invalid"}},
	{`{"error": "invalid_request", "error_description": "Malformed JWT in client_assertion"}`, []string{"jwt-claims-invalid"}},
	{`{"error": "invalid_request", "error_description": "Missing or invalid client_assertion_type - must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'"}`, []string{"jwt-claims-invalid"}},
	{`{"error": "invalid_request", "error_description": "Missing client_assertion"}`, []string{"jwt-claims-invalid"}},
	{`{"error": "unsupported_grant_type", "error_description": "grant_type is invalid"}`, []string{"jwt-claims-invalid"}},
	{`{"issue":[{"severity":"error","code":"forbidden","diagnostics":"Access Token expired"}]}`, []string{"token-rejected"}},
	{`{"issue":[{"severity":"error","code":"forbidden","diagnostics":"Invalid Access Token"}]}`, []string{"token-rejected"}},

	// Keyrings.
	{`The name org.freedesktop.secrets was not provided by any .service files`, []string{"keyring-unavailable"}},
	{`Cannot autolaunch D-Bus without X11 $DISPLAY`, []string{"keyring-unavailable"}},
	{`dbus: DBUS_SESSION_BUS_ADDRESS not set`, []string{"keyring-unavailable"}},
	{`secret service: collection is locked`, []string{"keyring-unavailable"}},
	{`onramp: secret not found in keyring`, []string{"keyring-secret-missing"}},
	{`data passed to Set was too big`, []string{"keyring-item-too-large"}},
	{`The stub received bad data.`, []string{"keyring-item-too-large"}},
}

// rowsHit returns the indices of the recogniser rows that hold for line.
func rowsHit(line string) []int {
	var hit []int
	lower := strings.ToLower(line)
	for _, m := range explainRules().patterns.matches([]byte(line), nil) {
		if int(m.pattern) >= len(explainRules().rows) {
			continue
		}
		r := explainRules().rows[m.pattern]
		if r.re == nil || r.re().MatchString(lower) {
			hit = append(hit, int(m.pattern))
		}
	}
	return hit
}

func TestRecogniserSamples(t *testing.T) {
	for _, s := range recogniserSamples {
		m := Text(s.line)
		if len(m) == 0 {
			t.Errorf("%q: not recognised, want %v", s.line, s.want)
			continue
		}
		var got []string
		for _, x := range m {
			got = append(got, string(x.Cause.ID))
		}
		// An ambiguous line names all its candidates, in any order.
		if len(s.want) > 1 {
			for _, w := range s.want {
				if !slices.Contains(got, w) {
					t.Errorf("%q: got %v, want all of %v", s.line, got, s.want)
				}
			}
			if Disambiguate(m) == "" {
				t.Errorf("%q: ambiguous between %v but Disambiguate says nothing", s.line, s.want)
			}
			continue
		}
		if got[0] != s.want[0] || len(got) != 1 {
			t.Errorf("%q: got %v, want only %s", s.line, got, s.want[0])
		}
	}
}

// Every row of the table must fire on some sample or corpus text, so a row
// that can never match (a typo in its pattern) is caught.
func TestEveryRecogniserIsExercised(t *testing.T) {
	used := make([]bool, len(explainRules().rows))
	mark := func(text string) {
		for _, line := range strings.Split(text, "\n") {
			for _, i := range rowsHit(line) {
				used[i] = true
			}
		}
	}
	for _, s := range recogniserSamples {
		mark(s.line)
	}
	for line := range statusLines() {
		mark(line)
	}
	for _, line := range inspectionLines() {
		mark(line)
	}
	samples, err := corpus.Load("testdata/corpus")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range samples {
		mark(c.Text)
	}
	for i, u := range used {
		// Rows of the clients' tables are checked by TestSourceRowsExplainThemselves.
		if !u && !explainRules().rows[i].fromSource {
			r := explainRules().rows[i]
			t.Errorf("recogniser %q (regexp %q) → %s never matches a sample or corpus entry", r.Pattern, r.Regexp, r.Cause)
		}
	}
}

// statusLines are status lines of every HTTP version for every status
// with a cause, as curl -v prints them.
func statusLines() map[string]string {
	lines := map[string]string{}
	for _, s := range httpStatusCauses {
		for _, v := range []string{"HTTP/1.0", "HTTP/1.1", "HTTP/2", "HTTP/2.0", "HTTP/3"} {
			lines["< "+v+" "+s.code+" "] = string(s.cause)
		}
	}
	return lines
}

func TestHTTPStatusLines(t *testing.T) {
	for line, want := range statusLines() {
		if got := matchIDs(Text(line)); len(got) != 1 || got[0] != want {
			t.Errorf("%q: got %v, want %s", line, got, want)
		}
	}
	// A status code elsewhere in a line is not a status line.
	for _, line := range []string{`10.0.0.1 "GET /x HTTP/1.1" 404 12`, "HTTP/1.1 4030 ok", "took 403 ms"} {
		if got := matchIDs(Text(line)); got != nil {
			t.Errorf("%q: got %v, want nothing", line, got)
		}
	}
}

var knownClients = []string{"any", "go", "curl", "openssl", "python", "node", "java", "dotnet", "nginx", "http",
	"nhs-apim", "hmpps", "dcs", "securosys", "keyring"}

func TestRecogniserTableIsWellFormed(t *testing.T) {
	for _, r := range recognisers() {
		if r.Pattern != strings.ToLower(r.Pattern) {
			t.Errorf("pattern %q is not lower case (lines are matched lower-cased)", r.Pattern)
		}
		// Short patterns hit ordinary log lines and slow the scan down.
		if len(r.Pattern) < 6 {
			t.Errorf("pattern %q is shorter than 6 characters", r.Pattern)
		}
		if strings.ContainsAny(r.Pattern, "\n\r") {
			t.Errorf("pattern %q spans lines", r.Pattern)
		}
		if _, ok := cause.Lookup(r.Cause); !ok {
			t.Errorf("pattern %q names unknown cause %q", r.Pattern, r.Cause)
		}
		if r.Weight < weak || r.Weight > exact {
			t.Errorf("pattern %q has weight %d", r.Pattern, r.Weight)
		}
		if !slices.Contains(knownClients, r.Client) {
			t.Errorf("pattern %q names unknown client %q", r.Pattern, r.Client)
		}
		if r.Regexp != "" {
			re := regexp.MustCompile(r.Regexp)
			if re.String() != strings.ToLower(re.String()) && !strings.Contains(r.Regexp, `\S`) && !strings.Contains(r.Regexp, `\W`) {
				t.Errorf("regexp %q has upper case but runs on lower-cased lines", r.Regexp)
			}
		}
	}
}

// The DCS guide's own error table, mapped to its meanings exactly.
func TestDCSErrorTable(t *testing.T) {
	for msg, want := range map[string]string{
		"No required SSL certificate was sent":                            "client-cert-not-sent",
		"SSL certificate error":                                           "client-cert-rejected",
		"SSL certificate problem: unable to get local issuer certificate": "server-cert-untrusted",
	} {
		m := Text(msg)
		if len(m) != 1 || string(m[0].Cause.ID) != want {
			t.Errorf("DCS message %q: got %v, want only %s", msg, m, want)
			continue
		}
		if c, _ := cause.Lookup(cause.ID(want)); c.Source != "GOV.UK Document Checking Service guide" {
			t.Errorf("%s does not cite the DCS guide", want)
		}
	}
}

// Causes with a textual signature in CAUSES.md must have a recogniser.
func TestCausesWithSignaturesHaveRecognisers(t *testing.T) {
	// Causes found only by checking local files, profiles or the live
	// exchange: no message names them.
	noText := map[string]bool{
		"client-cert-not-yet-valid": true, "client-chain-incomplete": true, "ca-bundle-invalid": true,
		"api-key-whitespace": true,
		// Securosys does not document what a key of the wrong role gets.
		"api-key-wrong-role": true,
		// Named from the live handshake (the issuing CA of the chain, a
		// missing CertificateRequest), not from any client's message.
		"tls-intercepted": true, "client-cert-not-requested": true,
	}
	have := map[string]bool{}
	for _, r := range recognisers() {
		have[string(r.Cause)] = true
	}
	for _, c := range cause.All() {
		if !have[string(c.ID)] && !noText[string(c.ID)] {
			t.Errorf("cause %s has no recogniser", c.ID)
		}
	}
}

// The textbook messages issue 16 found unrecognised, each from a client's
// own table (explain/sources) or a rule, never from the corpus.
func TestClientTableMessages(t *testing.T) {
	for line, want := range map[string]string{
		"tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched": "input-wrong-file-type",
		"remote error: tls: unrecognized name":                                           "server-cert-hostname-mismatch",
		`Get "https://127.0.0.1:8080/": http: server gave HTTP response to HTTPS client`: "tls-not-tls",
		"urllib.error.HTTPError: HTTP Error 405: Not Allowed":                            "method-not-allowed",
		`ValueError: Invalid header value b'abc123\r'`:                                   "api-key-whitespace",
		"javax.net.ssl.SSLException: Unrecognized SSL message, plaintext connection?":    "tls-not-tls",
		"Exception in thread \"main\" java.nio.channels.UnresolvedAddressException":      "dns-no-such-host",
		"java.security.cert.CertificateParsingException: signed overrun, bytes = 1024":   "input-wrong-file-type",
		"HTTP 429":                        "rate-limited",
		"429 Too Many Requests":           "rate-limited",
		`{"message":"Too Many Requests"}`: "rate-limited",
		"HTTP Error 503":                  "service-unavailable",
		"AxiosError: Request failed with status code 401":                                                                                      "token-rejected",
		"Could not read client certificate from client.key":                                                                                    "input-wrong-file-type",
		"pkcs12: Mac verify error: invalid password?":                                                                                          "key-passphrase-wrong",
		"error 20 at 0 depth lookup: unable to get local issuer certificate":                                                                   "server-cert-untrusted",
		"error 26 at 0 depth lookup: unsupported certificate purpose":                                                                          "client-cert-no-client-auth",
		"requests.exceptions.InvalidHeader: Invalid leading whitespace, reserved character(s), or return character(s) in header value: 'abc '": "api-key-whitespace",
		// Issue 16, second pass: rows read again from the sources (explain/sources/README.md, Corrections).
		`Exception in thread "main" java.io.FileNotFoundException: https://api.example/v1/people/A1`:                                      "endpoint-not-found",
		`java.io.FileNotFoundException: /etc/onramp/client.p12 (No such file or directory)`:                                               "input-file-unreadable",
		"java.lang.IllegalArgumentException: Illegal character(s) in message header value: abc123\r":                                      "api-key-whitespace",
		"http: TLS handshake error from 10.0.0.7:51234: tls: failed to verify certificate: x509: certificate signed by unknown authority": "client-cert-wrong-issuer",
		"curl: (58) could not parse PKCS12 file, check password, OpenSSL error error:11800071:PKCS12 routines::mac verify failure":        "key-passphrase-wrong",
		"curl: (58) error reading PKCS12 file 'client.pem'":                                                                               "input-wrong-file-type",
		"OSError: Could not find the TLS certificate file, invalid path: /home/me/client.crt":                                             "input-file-unreadable",
		"upstream connect error or disconnect/reset before headers. retried and the latest reset reason: remote connection failure, transport failure reason: TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:verify cert failed: verify SAN list:TLS_error_end": "server-cert-hostname-mismatch",
		`"GET /get HTTP/1.1" 503 URX,UF upstream_reset_before_response_started{remote_connection_failure|TLS_error:|268435703:SSL_routines:OPENSSL_internal:WRONG_VERSION_NUMBER:TLS_error_end}`:                                                                                              "tls-not-tls",
		"System.Net.Http.HttpRequestException: The proxy tunnel request to proxy 'http://proxy:3128/' failed with status code '403'.":                                                                                                                                                         "proxy-tunnel-refused",
		"AxiosError: timeout of 5000ms exceeded":          "tcp-timeout",
		"error 23 at 0 depth lookup: certificate revoked": "client-cert-revoked",
		"[Tue Dec 01 12:05:21 2026] [ssl:info] [pid 16383] [client 10.0.0.7:5555] AH02008: SSL library error 1 in handshake (server api.example:443)\n" +
			"[Tue Dec 01 12:05:21 2026] [ssl:info] [pid 16383] SSL Library Error: error:0A0000C7:SSL routines::peer did not return a certificate -- No CAs known to server for verification?": "client-cert-not-sent",
		// A server's log is about the client's certificate.
		"2026/11/22 10:00:00 [info] 12#12: *3 client SSL certificate verify error: (10:certificate has expired) while reading client request headers": "client-cert-expired",
	} {
		m := Text(line)
		if len(m) == 0 || string(m[0].Cause.ID) != want {
			t.Errorf("%q: got %v, want %s first", line, matchIDs(m), want)
		}
	}
}

// inspectionLines are issuer lines, as curl -v, openssl s_client and
// keytool print them, naming each of classify's inspection products.
func inspectionLines() []string {
	var lines []string
	for _, p := range classify.InspectionProducts {
		for _, name := range p.Names {
			lines = append(lines, "*  issuer: C=US; O="+name+"; CN="+name+" Root CA")
			if len(name) >= 6 { // short names are looked for on "issuer" lines only
				lines = append(lines, "   i:C = US, O = "+name+", CN = "+name+" Intermediate CA",
					"depth=1 C = US, O = "+name+", CN = "+name+" Root CA")
			}
		}
	}
	return lines
}

// A chain a TLS-inspection product issued, pasted from curl -v, openssl
// s_client or keytool, names tls-intercepted, before the verification
// failure it causes; the products' names on a subject line do not.
func TestInspectionIssuers(t *testing.T) {
	for _, line := range inspectionLines() {
		if got := matchIDs(Text(line)); len(got) != 1 || got[0] != "tls-intercepted" {
			t.Errorf("%q: got %v, want tls-intercepted", line, got)
		}
	}
	paste := "*  subject: CN=api.example.com\n" +
		"*  issuer: C=US; ST=California; O=Zscaler Inc.; CN=Zscaler Intermediate Root CA (zscalertwo.net)\n" +
		"*  SSL certificate verify result: self-signed certificate in certificate chain (19), continuing anyway.\n" +
		"curl: (60) SSL certificate problem: self-signed certificate in certificate chain\n"
	if got := matchIDs(Text(paste)); len(got) < 2 || got[0] != "tls-intercepted" || got[1] != "server-cert-untrusted" {
		t.Errorf("curl -v through Zscaler: got %v, want tls-intercepted, then server-cert-untrusted", got)
	}
	for _, line := range []string{"*  subject: CN=gateway.zscaler.net", "iboss-agent started", "depth=0 CN = api.example.com"} {
		if got := matchIDs(Text(line)); got != nil {
			t.Errorf("%q: got %v, want nothing", line, got)
		}
	}
}
