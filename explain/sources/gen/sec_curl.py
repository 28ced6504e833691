"""curl: every CURLE code with its curl_easy_strerror text (lib/strerror.c,
numbers from include/curl/curl.h) and the failf()/infof() lines of the TLS,
proxy, connect and HTTP code (what `curl -v` and curl's error line print)."""
import re

from common import git_show, src, c_call_strings
from mapping import classify

REPO = "curl/curl"

CURLE_CAUSE = {
    "COULDNT_RESOLVE_PROXY": "proxy-unreachable",
    "COULDNT_RESOLVE_HOST": "dns-no-such-host",
    "COULDNT_CONNECT": "tcp-refused",
    "OPERATION_TIMEDOUT": "tcp-timeout",
    "SSL_CONNECT_ERROR": "tls-handshake-failed",
    "PEER_FAILED_VERIFICATION": "server-cert-untrusted",
    "SSL_CACERT_BADFILE": "ca-bundle-invalid",
    "SSL_CERTPROBLEM": "input-file-unreadable",
    "SSL_CIPHER": "tls-no-common-cipher",
    "SSL_ENGINE_NOTFOUND": "-",
    "SSL_ENGINE_SETFAILED": "-",
    "SSL_CRL_BADFILE": "input-file-unreadable",
    "SSL_ISSUER_ERROR": "server-cert-untrusted",
    "SSL_PINNEDPUBKEYNOTMATCH": "tls-intercepted",
    "SSL_INVALIDCERTSTATUS": "tls-handshake-failed",
    "SSL_CLIENTCERT": "client-cert-not-sent",
    "SSL_SHUTDOWN_FAILED": "-",
    "RECV_ERROR": "tcp-reset",
    "SEND_ERROR": "tcp-reset",
    "GOT_NOTHING": "tcp-reset",
    "HTTP_RETURNED_ERROR": "-",
    "PROXY": "proxy-tunnel-refused",
    "TOO_MANY_REDIRECTS": "unexpected-redirect",
    "LOGIN_DENIED": "token-rejected",
    "AUTH_ERROR": "token-rejected",
    "UNSUPPORTED_PROTOCOL": "-",
    "URL_MALFORMAT": "-",
    "HTTP2": "unexpected-response",
    "HTTP2_STREAM": "unexpected-response",
    "PARTIAL_FILE": "tcp-reset",
    "WEIRD_SERVER_REPLY": "tls-not-tls",
    "READ_ERROR": "input-file-unreadable",
    "FILE_COULDNT_READ_FILE": "input-file-unreadable",
    "ECH_REQUIRED": "tls-handshake-failed",
    "QUIC_CONNECT_ERROR": "tls-handshake-failed",
    "UNRECOVERABLE_POLL": "-",
}
CURLE_NOTE = {
    "HTTP2": "curl 16: the HTTP/2 exchange broke (often a proxy or load balancer that mangles HTTP/2); --http1.1 tells",
    "HTTP2_STREAM": "curl 92: the server or a proxy reset the HTTP/2 stream; --http1.1 tells",
    "PEER_FAILED_VERIFICATION": "curl 60; the detail line says which check failed (issuer, expiry, name: see the failf rows)",
    "SSL_CONNECT_ERROR": "curl 35; the detail names the OpenSSL reason/alert (see openssl.tsv)",
    "SSL_CERTPROBLEM": "curl 58: problem with the local client certificate or key (missing file, wrong type, wrong passphrase)",
    "SSL_CLIENTCERT": "curl 98: TLS 1.3 certificate_required alert",
    "COULDNT_CONNECT": "curl 7: refused, unreachable, or the proxy (proxy-unreachable) when one is set",
    "HTTP_RETURNED_ERROR": "curl 22 with --fail: the cause is the HTTP status in the message",
    "PROXY": "curl 97: the proxy handshake failed (SOCKS or CONNECT); read the detail",
    "RECV_ERROR": "curl 56: also 'CONNECT tunnel failed, response N' (proxy-tunnel-refused) and reset connections",
    "SSL_PINNEDPUBKEYNOTMATCH": "pinned key differs: the server key changed or something intercepted TLS",
    "WEIRD_SERVER_REPLY": "curl 8: e.g. a non-HTTP answer",
}

# failf/infof lines: (regex on the format string, cause) overrides before the keyword classifier
FAILF_OVERRIDE = [
    (r"SSL certificate problem: %s", "server-cert-untrusted", "the %s is an X509 verify text: see openssl.tsv for the per-error cause"),
    (r"CONNECT tunnel failed, response %d", "proxy-tunnel-refused", "response 407 means proxy-auth-required"),
    (r"Received HTTP code %d from proxy after CONNECT", "proxy-tunnel-refused", "407 means proxy-auth-required"),
    (r"Proxy CONNECT aborted", "proxy-tunnel-refused", ""),
    (r"HTTP/2 stream %d (reset by|was closed cleanly, but before)", "unexpected-response", "the HTTP/2 stream broke (server or proxy): --http1.1 tells"),
    (r"The requested URL returned error: %d", "-", "the cause is the HTTP status (see http-status.tsv)"),
    (r"Could not resolve proxy", "proxy-unreachable", ""),
    (r"Could not resolve host", "dns-no-such-host", ""),
    # lib/vtls/openssl.c cert_stuff(): PKCS12_parse failed (curl's own hint is the password); d2i_PKCS12 failed (not a
    # PKCS#12 file); SSL_CTX_use_certificate/PrivateKey refused what the bundle holds (its key or signature is too weak).
    (r"could not parse PKCS12 file, check password", "key-passphrase-wrong", "PKCS12_parse failed: a wrong --cert password (or --pass); rarely a damaged bundle"),
    (r"error reading PKCS12 file", "input-wrong-file-type", "d2i_PKCS12 failed: the file is not a PKCS#12 bundle (a PEM file given with --cert-type P12?)"),
    (r"could not load PKCS12 client certificate|unable to use private key from PKCS12 file", "key-unsupported",
     "OpenSSL refused the bundle's certificate or key (e.g. 'ee key too small', 'ca md too weak' at the security level)"),
    (r"unable to set client certificate|could not load PEM client certificate|could not load ASN1 client certificate|"
     r"unable to use client certificate|not supported file type '%s' for certificate|"
     r"could not open PKCS12 file", "input-file-unreadable", ""),
    (r"unable to set private key file|unable to use private key|not supported file type for private key|"
     r"unable to load private key", "input-file-unreadable", "also an encrypted key without --pass (key-encrypted-no-passphrase)"),
    (r"Private key does not match the certificate public key", "key-cert-mismatch", ""),
    (r"error setting certificate file|error setting certificate verify locations|error reading ca cert file|"
     r"error adding trust anchors|failed to load CA|CAfile: %s|unable to load CA", "ca-bundle-invalid", "the --cacert file is missing, unreadable or empty"),
    (r"No alternative certificate subject name matches|SSL: no alternative certificate subject name|"
     r"certificate subject name '%s' does not match target host", "server-cert-hostname-mismatch", ""),
    (r"SSL: certificate subject name .*does not match|subject name .*does not match", "server-cert-hostname-mismatch", ""),
    (r"TLS connect error|OpenSSL SSL_connect: %s|SSL_connect:|SSL_ERROR_SYSCALL", "tls-handshake-failed", "the %s detail decides: SSL_ERROR_SYSCALL/connection reset is tcp-reset"),
    (r"Connection timed out|Connection timeout|timed out", "tcp-timeout", ""),
    (r"Failed to connect to %s port %u|Failed to connect to", "tcp-refused", "if this is the proxy: proxy-unreachable"),
]


def curle_numbers():
    txt = git_show(REPO, "include/curl/curl.h")
    out = {}
    for m in re.finditer(r"^\s+CURLE_(\w+),?\s*/\*\s*(\d+)", txt, re.M):
        out[m.group(1)] = int(m.group(2))
    out.setdefault("OK", 0)
    return out


def strerrors():
    txt = git_show(REPO, "lib/strerror.c")
    body = txt[txt.index("curl_easy_strerror"):]
    body = body[:body.index("\n}\n")]
    out = []
    for m in re.finditer(r"((?:\s*case CURLE_\w+:\s*)+)\s*return\s+((?:\"(?:[^\"\\]|\\.)*\"\s*)+);", body):
        names = re.findall(r"CURLE_(\w+)", m.group(1))
        text = "".join(re.findall(r"\"((?:[^\"\\]|\\.)*)\"", m.group(2))).replace('\\"', '"')
        for n in names:
            out.append((n, text))
    return out


FILES = ["lib/vtls/openssl.c", "lib/vtls/vtls.c", "lib/http_proxy.c", "lib/cf-h1-proxy.c", "lib/cf-h2-proxy.c",
         "lib/connect.c", "lib/cf-socket.c", "lib/http.c", "lib/url.c", "lib/vdns/hostip.c", "lib/socks.c",
         "lib/transfer.c", "lib/multi.c", "lib/vtls/gtls.c", "lib/vtls/schannel.c", "lib/vtls/schannel_verify.c",
         "lib/vtls/apple.c", "lib/vtls/vtls_config.c", "lib/vtls/keylog.c", "lib/vtls/x509asn1.c", "lib/cf-https-connect.c",
         "lib/proxy.c", "lib/http_aws_sigv4.c", "lib/http_digest.c", "lib/http_ntlm.c", "lib/vauth/vauth.c",
         "src/tool_operate.c", "src/tool_getparam.c", "src/tool_main.c"]
TLSISH = re.compile(r"ssl|tls|cert|key|proxy|connect|resolve|CONNECT|timed out|timeout|refused|handshake|verify|"
                    r"alert|cipher|issuer|subject|expire|pass|PKCS|PEM|DER|HTTP|response|error|fail|unable|could not|Could not|redirect", re.I)


def build(T):
    t = T["curl"]
    nums = curle_numbers()
    s_src = src(REPO, "lib/strerror.c") + " + include/curl/curl.h"
    for name, text in strerrors():
        n = nums.get(name, "")
        cause = CURLE_CAUSE.get(name) or classify(text, "client", "-")
        note = f"CURLE_{name}. " + CURLE_NOTE.get(name, "")
        t.add("curl", n, text, cause, "client", s_src, note.strip())
        if n != "":
            t.add("curl", n, f"curl: ({n}) ", cause, "client", "curl src/tool_operate.c 'curl: (%d) %s' + " + s_src,
                  f"CURLE_{name}: the message after the number is the error buffer (failf rows) or the strerror text".strip())
    for path in FILES:
        try:
            txt = git_show(REPO, path)
        except Exception:
            continue
        s = src(REPO, path)
        for lineno, fn, fmt in c_call_strings(txt, ["failf", "infof", "CURL_TRC_CF", "warnf", "errorf", "helpf"]):
            if len(fmt) < 8 or not TLSISH.search(fmt):
                continue
            cause, note = None, ""
            for rx, c, nt in FAILF_OVERRIDE:
                if re.search(rx, fmt):
                    cause, note = c, nt
                    break
            if cause is None:
                cause = classify(fmt, "client", "-", generic=(fn == "failf"))
                if fn != "failf" and cause != "-":
                    note = "verbose (-v) line"
            # only keep infof lines that carry a cause; keep all failf lines (error text)
            if fn != "failf" and cause == "-":
                continue
            t.add("curl", "", fmt, cause, "client", f"{s} L{lineno} {fn}()", note)

    # the proxy CONNECT failure with the statuses that decide the cause
    cp = src(REPO, "lib/cf-h1-proxy.c") + " 'CONNECT tunnel failed, response %d' with the status filled"
    for code, c in [(407, "proxy-auth-required"), (403, "proxy-tunnel-refused"), (502, "proxy-tunnel-refused"),
                    (503, "proxy-tunnel-refused"), (400, "proxy-tunnel-refused"), (404, "proxy-tunnel-refused"), (405, "proxy-tunnel-refused")]:
        t.add("curl", 56, f"CONNECT tunnel failed, response {code}", c, "client", cp, "curl 56")
        t.add("curl", 56, f"Received HTTP code {code} from proxy after CONNECT", c, "client",
              "curl < 7.80 lib/http_proxy.c 'Received HTTP code %d from proxy after CONNECT' (older wording, from CAUSES.md signals)", "curl 56")
    # curl 7.88 (Debian 12's libcurl4 7.88.1-10, lib/http2.c, read from the
    # installed library's strings): the HTTP/2 stream wording before 8.x
    for fmt in ["HTTP/2 stream %u was not closed cleanly: %s (err %u)",
                "HTTP/2 stream %u was not closed cleanly before end of the underlying stream"]:
        t.add("curl", 92, fmt, "unexpected-response", "client",
              "Debian libcurl4 7.88.1 /usr/lib/x86_64-linux-gnu/libcurl.so.4 (curl 7.88 lib/http2.c; older wording)",
              "curl 92 (16 before 7.87): the server or a proxy reset the HTTP/2 stream; --http1.1 tells")

    # 'SSL certificate problem: %s' with every X509 verify text (curl 60, lib/vtls/openssl.c)
    import sec_openssl as O
    from mapping import verify_cause
    for n, name, text in O.x509_errors():
        if n == 0:
            continue
        c, note = verify_cause(name, "client")
        t.add("curl", 60, f"SSL certificate problem: {text}", c, "client",
              src(REPO, "lib/vtls/openssl.c") + " 'SSL certificate problem: %s' + " + O.SRC_HDR % "x509_vfy.h", f"X509_V_ERR_{name}. {note}".strip())

    # curl -v TLS message trace (lib/vtls/openssl.c ossl_trace: "%s (%s), %s, %s (%d):"), alerts: level<<8 | description
    from mapping import alert_cause, alert_sent_cause
    tr = src(REPO, "lib/vtls/openssl.c") + " ossl_trace '%s (%s), %s, %s (%d):' + SSL_alert_desc_string_long"
    for n, long, short in O.alerts():
        ic, inote = alert_cause(n, "client")
        oc, onote = alert_sent_cause(n)
        lvl = 1 if n in (0, 90) else 2
        t.add("curl", 256 * lvl + n, f"%s (IN), TLS alert, {long} ({256 * lvl + n}):", ic, "client", tr,
              f"curl -v: alert {n} received from the server. {inote}".strip())
        t.add("curl", 256 * lvl + n, f"%s (OUT), TLS alert, {long} ({256 * lvl + n}):", oc, "client", tr,
              f"curl -v: curl sent alert {n} (it rejects the server). {onote}".strip())
    t.add("curl", 35, "OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to %s:%d ", "tcp-reset", "client",
          src(REPO, "lib/vtls/openssl.c") + " 'OSSL_PACKAGE SSL_connect: %s in connection to %s:%d ' with SSL_ERROR_SYSCALL",
          "the connection was closed/reset during the handshake (middlebox, proxy, server dropping the client)")
    t.add("curl", 35, "TLS connect error: error:0A000126:SSL routines::unexpected eof while reading", "tcp-reset", "client",
          src(REPO, "lib/vtls/openssl.c") + " 'TLS connect error: %s' + OpenSSL 3 reason", "")
