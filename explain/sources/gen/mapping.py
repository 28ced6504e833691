"""Cause mapping shared by the generators (cause ids: /work/shared/CAUSES.md).

side: "client" = printed by the client (about the SERVER's certificate, or
about local files); "server" = printed by a server (about the CLIENT's
certificate).
"""
import re

# ---- TLS alerts -----------------------------------------------------------
# (cause when the CLIENT receives the alert from the server,
#  cause when the SERVER receives it from the client, note)
ALERTS = {
    0: ("-", "-", "close_notify is a normal close"),
    10: ("tls-handshake-failed", "tls-handshake-failed", ""),
    20: ("tls-handshake-failed", "tls-handshake-failed", ""),
    21: ("tls-handshake-failed", "tls-handshake-failed", ""),
    22: ("tls-handshake-failed", "tls-handshake-failed", ""),
    30: ("tls-handshake-failed", "tls-handshake-failed", ""),
    40: ("tls-no-common-cipher", "tls-no-common-cipher",
         "handshake_failure: no common cipher/version, OR (after a CertificateRequest) no client certificate sent: client-cert-not-sent"),
    41: ("client-cert-not-sent", "server-cert-untrusted", "SSLv3 no_certificate"),
    42: ("client-cert-rejected", "server-cert-untrusted",
         "bad_certificate received by the client: the server refused the client certificate; received by a server: the client refused the server certificate"),
    43: ("client-cert-no-client-auth", "server-cert-untrusted", "unsupported_certificate: often an EKU without clientAuth"),
    44: ("client-cert-revoked", "tls-handshake-failed", "received by a server: the client says the server certificate is revoked (no server-cert-revoked cause)"),
    45: ("client-cert-expired", "server-cert-expired", ""),
    46: ("client-cert-rejected", "server-cert-untrusted", "certificate_unknown"),
    47: ("tls-handshake-failed", "tls-handshake-failed", ""),
    48: ("client-cert-wrong-issuer", "server-cert-untrusted",
         "unknown_ca received by a client: the server does not trust the client certificate's issuer (client-cert-rejected if the issuer is in the server's CA list); received by a server: the client does not trust the server's CA"),
    49: ("client-cert-rejected", "tls-handshake-failed", "access_denied"),
    50: ("tls-handshake-failed", "tls-handshake-failed", ""),
    51: ("client-cert-rejected", "tls-handshake-failed", "decrypt_error received by a client: often the client key does not sign correctly for the certificate sent"),
    60: ("tls-handshake-failed", "tls-handshake-failed", ""),
    70: ("tls-version-mismatch", "tls-version-mismatch", ""),
    71: ("tls-no-common-cipher", "tls-no-common-cipher", "insufficient_security"),
    80: ("tls-handshake-failed", "tls-handshake-failed", ""),
    86: ("tls-version-mismatch", "tls-version-mismatch", "inappropriate_fallback: a version downgrade retry"),
    90: ("tls-handshake-failed", "tls-handshake-failed", "user_canceled"),
    100: ("tls-handshake-failed", "tls-handshake-failed", "no_renegotiation"),
    109: ("tls-handshake-failed", "tls-handshake-failed", ""),
    110: ("tls-handshake-failed", "tls-handshake-failed", ""),
    111: ("tls-handshake-failed", "tls-handshake-failed", ""),
    112: ("server-cert-hostname-mismatch", "tls-handshake-failed",
          "unrecognized_name: the server has no certificate/virtual host for the SNI name sent: usually the wrong host name"),
    113: ("tls-handshake-failed", "tls-handshake-failed", ""),
    114: ("tls-handshake-failed", "tls-handshake-failed", ""),
    115: ("tls-handshake-failed", "tls-handshake-failed", ""),
    116: ("client-cert-not-sent", "tls-handshake-failed", "TLS 1.3 certificate_required"),
    120: ("tls-handshake-failed", "tls-handshake-failed", "no_application_protocol (ALPN)"),
}


def alert_cause(num, received_by="client"):
    c = ALERTS.get(num)
    if not c:
        return "tls-handshake-failed", ""
    return (c[0] if received_by == "client" else c[1]), c[2]


def alert_sent_cause(num):
    """The CLIENT itself sent this alert (Go 'local error', client-side reason
    strings for alerts it generated): it is about the server."""
    return alert_cause(num, "server")


# ---- X509 verify errors (by OpenSSL X509_V_ERR_* name) ---------------------
# (when a CLIENT verifies the server's chain, when a SERVER verifies the client's)
_V = {
    "OK": ("-", "-", "verification succeeded"),
    "UNSPECIFIED": ("tls-handshake-failed", "client-cert-rejected", ""),
    "UNABLE_TO_GET_ISSUER_CERT": ("server-chain-incomplete", "client-chain-incomplete",
                                  "issuer of a chain certificate not found: a missing intermediate or CA"),
    "CERT_NOT_YET_VALID": ("server-cert-not-yet-valid", "client-cert-not-yet-valid", ""),
    "CERT_HAS_EXPIRED": ("server-cert-expired", "client-cert-expired", ""),
    "OUT_OF_MEM": ("-", "-", "resource error"),
    "DEPTH_ZERO_SELF_SIGNED_CERT": ("server-cert-self-signed", "client-cert-wrong-issuer",
                                    "server side: a self-signed client certificate"),
    "SELF_SIGNED_CERT_IN_CHAIN": ("server-cert-untrusted", "client-cert-wrong-issuer",
                                  "a root not in the trust store; from a client this is also the typical sign of TLS interception (tls-intercepted)"),
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY": ("server-cert-untrusted", "client-cert-wrong-issuer",
                                          "server side: the client certificate's issuer is not in the server's CA list, or the client did not send its intermediate (client-chain-incomplete)"),
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE": ("server-chain-incomplete", "client-cert-wrong-issuer",
                                        "a lone certificate whose issuer is not known: from a server, the intermediate is not sent; in a server's log "
                                        "about the client, a CA the server does not accept or an intermediate the client did not send (a second row: client-chain-incomplete)"),
    "CERT_REVOKED": ("tls-handshake-failed", "client-cert-revoked", "client side: the server certificate is revoked (no server-cert-revoked cause)"),
    "INVALID_PURPOSE": ("tls-handshake-failed", "client-cert-no-client-auth",
                        "client side: the server certificate lacks serverAuth"),
    "CERT_UNTRUSTED": ("server-cert-untrusted", "client-cert-rejected", ""),
    "CERT_REJECTED": ("server-cert-untrusted", "client-cert-rejected", ""),
    "HOSTNAME_MISMATCH": ("server-cert-hostname-mismatch", "tls-handshake-failed", ""),
    "IP_ADDRESS_MISMATCH": ("server-cert-hostname-mismatch", "tls-handshake-failed", ""),
    "EMAIL_MISMATCH": ("-", "-", "S/MIME check, not a TLS connection cause"),
    "EE_KEY_TOO_SMALL": ("tls-handshake-failed", "key-unsupported", "server side: the client key is too small for the security level"),
    "INVALID_CALL": ("-", "-", "API misuse"),
    "APPLICATION_VERIFICATION": ("tls-handshake-failed", "client-cert-rejected", ""),
    "STORE_LOOKUP": ("server-cert-untrusted", "client-cert-rejected", ""),
    "DANE_NO_MATCH": ("tls-handshake-failed", "-", ""),
    "NO_VALID_SCTS": ("tls-handshake-failed", "-", ""),
}


# Verify errors a server logs about the client that fit a second cause equally (a second row each).
SERVER_ALSO = {"UNABLE_TO_VERIFY_LEAF_SIGNATURE": ["client-chain-incomplete"]}


def verify_cause(name, side):
    """name: X509_V_ERR_ suffix; side: 'client' (verifying the server) or 'server'."""
    name = name.replace("X509_V_ERR_", "")
    if name in _V:
        c = _V[name]
        return (c[0] if side == "client" else c[1]), c[2]
    if name.startswith("OCSP") or "CRL" in name:
        return ("tls-handshake-failed" if side == "client" else "client-cert-rejected",
                "revocation checking (CRL/OCSP) failed")
    return ("tls-handshake-failed" if side == "client" else "client-cert-rejected",
            "certificate structure/policy check; no more specific cause")


# ---- keyword classifier for free text ---------------------------------------
# ordered; first match wins.  Each entry: regex, cause (client side), cause (server side or None = same)
KW = [
    (r"\bclose.?notify\b", "-", None),
    (r"\bOCSP\b|\bCRL\b|\bdane\b|\bTLSA\b", "tls-handshake-failed", "client-cert-rejected"),
    (r"timeout during (ssl |tls )?handshake|handshake (timed out|timeout)", "tls-handshake-timeout", None),
    (r"private key does not match|key values mismatch|key.*does not match.*certificate|does not match the (tls )?certificate|keypair.*mismatch|key and certificate .*mismatch|x509_check_private_key", "key-cert-mismatch", None),
    (r"PEM inputs may have been switched|failed to find (any )?(certificate|PEM data).*private key|found a certificate rather than a key", "input-wrong-file-type", None),
    (r"mac verify (error|failure)|invalid password\?|bad decrypt|pkcs12 cipherfinal|password was incorrect|tampered with|wrong password|incorrect password|bad password|given final block not properly padded|decryption failed.*password|pkcs12 pbe crypt error", "key-passphrase-wrong", None),
    (r"no password|problems getting password|password required|bad password read|error getting password|encrypted.*(no|without) (pass|password)|passphrase (is )?required|encrypted private key|key is encrypted|proc-type", "key-encrypted-no-passphrase", None),
    (r"no start line|expecting: |bad end line|bad base64|no certificate.*(in|found)|failed to find (any )?pem|not a (valid )?pem|unexpected pem type|invalid pem|wrong tag|header too long|nested asn1|not enough data|expecting an asn1 sequence|bad object header|unsupported pkcs12 pfx|input.*(is not|isn't)|pkcs12.*not supported|ssh-|malformed certificate|could not parse certificate|certificate parsing|parsingexception|signed overrun|derinputstream|extra data at the end", "input-wrong-file-type", None),
    (r"no such file|cannot open|can't open|could not open|unable to open|failed to open|error opening|filenotfound|file not found|permission denied|access is denied|not readable|could not read|can't read|cannot read|unable to read|error reading|could not load|unable to load|can't load|cannot load|error loading|failed to load", "input-file-unreadable", None),
    (r"unsupported private key algorithm|unsupported key|key too small|key size|too weak|unsupported (elliptic )?curve|unknown curve|unsupported algorithm|explicit (ecc|ec) param|ee key too small|dsa|not (a )?supported key", "key-unsupported", None),
    (r"(proxy|tunnel).{0,40}\b407\b|\b407\b.{0,40}proxy|proxy authentication required|proxy-authenticate|proxy auth", "proxy-auth-required", None),
    (r"connect tunnel failed|unable to tunnel|tunnel connection failed|proxy tunnel request|proxy connect aborted|proxy connect error|proxy.*refused the connection|proxy.*(403|502|503)|from proxy after connect|proxy_tunnel|tunnel.*fail", "proxy-tunnel-refused", None),
    (r"could not resolve proxy|proxyconnect|unable to connect to proxy|proxy.*(could not|cannot|can't|unable to|failed to) (connect|resolve)|proxy name could not be resolved|cannot connect to proxy|proxyerror|proxy.*unreachable|proxy.*timed out|socks", "proxy-unreachable", None),
    (r"http request|https proxy request|wrong version number|packet length too long|first record does not look like a tls handshake|plaintext connection|unrecognized ssl message|server gave http response to https client|plain http request was sent to https port|record layer failure|unknown protocol|not an ssl/tls record|sent an http request to an https server|ssl3_get_record|decode error.*record|invalid record|record length|tls_get_more_records|gave http response|bad record type|invalid ssl/tls record|length too long", "tls-not-tls", None),
    (r"unsupported protocol|no protocols available|protocol version|version too low|version too high|unknown ssl version|unsupported tls version|protocol is disabled or cipher suites are inappropriate|no appropriate protocol|unsupported ssl version|server only supports|sslv3|tls ?1\.0|tlsv1\.0.*disabled|minimum version|maximum version|protocol_version|inappropriate.?fallback", "tls-version-mismatch", None),
    (r"no shared cipher|no ciphers available|no cipher match|no cipher suites in common|no common cipher|cipher suites|no suitable signature|no shared signature|no shared groups|no suitable key share|insufficient security|no suitable digest|no shared (sig|group)|cipher mismatch|no mutually", "tls-no-common-cipher", None),
    (r"certificate required|no required ssl certificate|peer did not return a certificate|did not (send|present|provide|return) a (client )?certificate|no client certificate|client sent no required|certificate_required|no certificate returned|no certificate was sent|empty certificate chain|client certificate not provided|missing client certificate|no_certificate|client certificate missing|wanted client certificate but none", "client-cert-not-sent", None),
    (r"unrecognized name|unrecognized_name", "server-cert-hostname-mismatch", None),
    (r"hostname mismatch|host ?name.*(does not|doesn't|not) match|not valid for|valid for .*, not |no alternative certificate subject name|subject alternative|altname|ip address mismatch|certificate is not valid for|no subject alternative|name mismatch|remotecertificatenamemismatch|subjectaltname|does not match certificate|certificate name|cn=.*does not match", "server-cert-hostname-mismatch", None),
    (r"not yet valid|notbefore|not valid before|before .*notbefore|certificatenotyetvalid", "server-cert-not-yet-valid", "client-cert-not-yet-valid"),
    (r"has expired|certificate expired|certificate_expired|notafter|expired certificate|certificateexpired|cert_has_expired|is expired|validity check failed", "server-cert-expired", "client-cert-expired"),
    (r"revoked", "tls-handshake-failed", "client-cert-revoked"),
    (r"unable to verify the first certificate|unable to verify leaf signature|verify_leaf_signature|incomplete chain|missing intermediate|partialchain|partial chain", "server-chain-incomplete", "client-chain-incomplete"),
    (r"self[- ]signed", "server-cert-self-signed", "client-cert-wrong-issuer"),
    (r"unknown ca|unknown_ca|unknown certificate authority", "client-cert-wrong-issuer", "server-cert-untrusted"),
    (r"bad certificate|bad_certificate|certificate unknown|certificate_unknown|access denied|access_denied|unsupported certificate|certificate rejected", "client-cert-rejected", "server-cert-untrusted"),
    (r"unable to get local issuer|signed by unknown authority|certificate verify failed|certificate_verify_failed|pkix path|valid certification path|unable to find valid certification|untrusted|not trusted|trust relationship|certificate is invalid|remotecertificatechainerrors|untrustedroot|verify error|verification (error|failed|failure)|self.?signed|unable to get issuer|certificate problem|server certificate verification|peer certificate cannot be authenticated|peer's certificate|certificate (is )?not valid|chain validation|issuer certificate|certificate chain", "server-cert-untrusted", "client-cert-rejected"),
    (r"handshake (timed out|timeout)|tls handshake timeout|ssl handshake timed out|handshake deadline|operation timed out.*ssl|ssl connection timeout", "tls-handshake-timeout", None),
    (r"no such host|could not resolve host|name or service not known|nodename nor servname|enotfound|unknownhostexception|getaddrinfo|unresolvedaddress|name resolution|no address associated|host not found|couldn't resolve host|temporary failure in name resolution|remote name could not be resolved|could not resolve", "dns-no-such-host", None),
    (r"connection refused|econnrefused|connectexception: connection refused|actively refused|couldn't connect|failed to connect|unable to connect to the remote server|connect error", "tcp-refused", None),
    (r"timed out|timeout|etimedout|time-out|deadline exceeded", "tcp-timeout", None),
    (r"connection reset|econnreset|reset by peer|unexpected eof|eof occurred in violation|ssl_error_syscall|socket hang up|connection closed|closed the connection|broken pipe|epipe|remote host closed|remote end closed|server closed|premature|unexpectedly closed|connection was closed|connection aborted|eof while reading|received an unexpected eof|remote party has closed", "tcp-reset", None),
    (r"\b429\b|too many requests|rate limit|quota exceeded|retry-after", "rate-limited", None),
    (r"\b503\b|service unavailable|temporarily unavailable", "service-unavailable", None),
    (r"\b405\b|method not allowed", "method-not-allowed", None),
    (r"\b404\b", "endpoint-not-found", None),
    (r"\b401\b|unauthori[sz]ed", "token-rejected", None),
    (r"\b403\b|forbidden", "api-key-rejected", None),
    (r"\b30[12378]\b|redirect", "unexpected-redirect", None),
    (r"\b50[0248]\b|internal server error|bad gateway|gateway time", "server-error", None),
    (r"handshake|alert|ssl|tls|certificate", "tls-handshake-failed", None),
]
_KW = [(re.compile(p, re.I), a, b) for p, a, b in KW]


def classify(text, side="client", default="-", generic=True):
    """generic=False skips the last, catch-all TLS rule."""
    for rx, a, b in (_KW if generic else _KW[:-1]):
        if rx.search(text):
            return b if (side == "server" and b) else a
    return default


# ---- HTTP status --------------------------------------------------------------
def status_cause(code, proxy=False):
    code = int(code)
    if code == 407:
        return "proxy-auth-required"
    if proxy and code in (403, 502, 503, 400, 404, 405, 500, 504):
        return "proxy-tunnel-refused"
    return {
        301: "unexpected-redirect", 302: "unexpected-redirect", 303: "unexpected-redirect",
        307: "unexpected-redirect", 308: "unexpected-redirect",
        401: "token-rejected", 403: "api-key-rejected", 404: "endpoint-not-found",
        405: "method-not-allowed", 429: "rate-limited", 503: "service-unavailable",
        495: "client-cert-rejected", 496: "client-cert-not-sent", 497: "tls-not-tls",
    }.get(code, "server-error" if code >= 500 else "-")


STATUS_NOTE = {
    401: "401 alone: token-rejected when a token/key was sent; token-missing with WWW-Authenticate: Bearer and no token; api-key-missing/api-key-rejected for API-key APIs",
    403: "403 alone: HMPPS api-key-rejected; the body may say consumer-not-configured or access-suspended",
    407: "the proxy wants credentials",
    400: "400 alone: no cause; nginx 400 pages with SSL text are separate rows",
}
