"""Server logs and pages: nginx, Apache httpd mod_ssl, HAProxy (fetched
mirrors), Envoy (not fetchable here: a few documented formats).  Server-side
rows describe the CLIENT's certificate; nginx/httpd acting as a proxy to an
upstream ('upstream SSL certificate verify error') are client-side rows."""
import re

from common import git_show, src, c_call_strings
from mapping import classify, verify_cause, alert_cause, SERVER_ALSO
import sec_openssl as O

SERVER_RULES = [
    (r"client sent no required SSL certificate|No required SSL certificate was sent|client certificate.*required|"
     r"no certificate|certificate not (sent|provided)|Client did not present|No client certificate", "client-cert-not-sent"),
    (r"The SSL certificate error|client SSL certificate verify error|Certificate Verification: Error|SSL client certificate not trusted|"
     r"certificate verify failed|Certificate Verification|verify error", "client-cert-rejected"),
    (r"plain HTTP request was sent to HTTPS port|http request|wrong version number|SSL handshake failure.*http|"
     r"Reason: You're speaking plain HTTP", "tls-not-tls"),
]


def server_cause(s):
    for rx, c in SERVER_RULES:
        if re.search(rx, s, re.I):
            return c
    return classify(s, "server", "-", generic=bool(re.search(r"SSL (library|Library) (error|Error)|handshake", s)))


def build(T):
    errs = O.x509_errors()
    # ---------- nginx
    t = T["nginx"]
    for path in ["src/event/ngx_event_openssl.c", "src/http/ngx_http_request.c", "src/http/ngx_http_special_response.c",
                 "src/http/ngx_http_upstream.c", "src/http/modules/ngx_http_proxy_module.c", "src/event/ngx_event_connect.c",
                 "src/http/modules/ngx_http_ssl_module.c", "src/stream/ngx_stream_ssl_module.c", "src/event/ngx_event_openssl_stapling.c"]:
        try:
            txt = git_show("nginx/nginx", path)
        except Exception:
            continue
        s_ = src("nginx/nginx", path)
        upstream = "upstream" in path or "proxy" in path or "connect" in path
        for ln, fn, fmt in c_call_strings(txt, ["ngx_log_error", "ngx_ssl_error", "ngx_log_debug0", "ngx_ssl_connection_error", "ngx_string"]):
            if len(fmt) < 8 or fn.startswith("ngx_log_debug"):
                continue
            if fn == "ngx_string" and not re.search(r"<title>|SSL|certificate|HTTPS", fmt):
                continue
            if not re.search(r"SSL|certificate|handshake|upstream|connect|HTTP|timed out|refused|reset|peer|<title>", fmt, re.I):
                continue
            side = "client" if (upstream and re.search(r"upstream", fmt)) else "server"
            c = server_cause(fmt) if side == "server" else classify(fmt, "client", "-")
            if "SSL_do_handshake() failed" in fmt or "SSL_read() failed" in fmt:
                c = "tls-handshake-failed"
            t.add("nginx", "", fmt.replace("\r\n", "\\r\\n") if fn == "ngx_string" else fmt, c, side, f"{s_} L{ln} {fn}()",
                  "error page body" if fn == "ngx_string" else ("about the upstream's certificate" if side == "client" else ""))
        for n, name, text in errs:
            if n == 0:
                continue
            sc, note = verify_cause(name, "server")
            for c in [sc] + SERVER_ALSO.get(name, []):
                t.add("nginx", n, f"client SSL certificate verify error: ({n}:{text}) while reading client request headers", c, "server",
                      src("nginx/nginx", "src/http/ngx_http_request.c") + " 'client SSL certificate verify error: (%l:%s)' + " + O.SRC_HDR % "x509_vfy.h",
                      f"X509_V_ERR_{name}: about the CLIENT's certificate. {note}".strip(), multi=c != sc)
            cc, cnote = verify_cause(name, "client")
            t.add("nginx", n, f"upstream SSL certificate verify error: ({n}:{text}) while SSL handshaking to upstream", cc, "client",
                  src("nginx/nginx", "src/http/ngx_http_upstream.c") + " 'upstream SSL certificate verify error: (%l:%s)' + " + O.SRC_HDR % "x509_vfy.h",
                  f"X509_V_ERR_{name}: nginx as a client, about the UPSTREAM's certificate. {cnote}".strip())
    # alerts in nginx's SSL_do_handshake() lines
    for lib, libname, rnum, name, text in O.reasons():
        an = O.alert_num_of_reason(lib, rnum, name)
        line = f"error:{O.pack(lib, rnum):08X}:{O.lib_text(lib)}::{text}"
        if an is not None:
            sc, note = alert_cause(an, "server")
            t.add("nginx", f"SSL_R_{name}", f"SSL_do_handshake() failed (SSL: {line}:SSL alert number {an}) while SSL handshaking", sc, "server",
                  src("nginx/nginx", "src/event/ngx_event_openssl.c") + " ngx_ssl_handshake + " + O.SRC_HDR % "sslerr.h",
                  f"the CLIENT sent alert {an}: it rejects the server (or its own state). {note}".strip())
            cc, cnote = alert_cause(an, "client")
            t.add("nginx", f"SSL_R_{name}", f"SSL_do_handshake() failed (SSL: {line}:SSL alert number {an}) while SSL handshaking to upstream", cc, "client",
                  src("nginx/nginx", "src/event/ngx_event_openssl.c") + " + " + O.SRC_HDR % "sslerr.h", f"the upstream sent alert {an}. {cnote}".strip())
        elif lib == 20 and name in ("WRONG_VERSION_NUMBER", "HTTP_REQUEST", "NO_SHARED_CIPHER", "UNSUPPORTED_PROTOCOL", "PEER_DID_NOT_RETURN_A_CERTIFICATE",
                                    "CERTIFICATE_VERIFY_FAILED", "UNEXPECTED_EOF_WHILE_READING", "VERSION_TOO_LOW", "NO_SHARED_GROUPS",
                                    "BAD_KEY_SHARE", "NO_SUITABLE_SIGNATURE_ALGORITHM", "UNKNOWN_PROTOCOL", "PACKET_LENGTH_TOO_LONG"):
            sc = O.reason_cause(lib, name, text, "server", libname)
            t.add("nginx", f"SSL_R_{name}", f"SSL_do_handshake() failed (SSL: {line}) while SSL handshaking", sc, "server",
                  src("nginx/nginx", "src/event/ngx_event_openssl.c") + " + " + O.SRC_HDR % "sslerr.h", "")
    for st, page, c in [(400, "400 No required SSL certificate was sent", "client-cert-not-sent"), (400, "400 The SSL certificate error", "client-cert-rejected"),
                        (400, "400 The plain HTTP request was sent to HTTPS port", "tls-not-tls"), (495, "495", "client-cert-rejected"),
                        (496, "496", "client-cert-not-sent"), (497, "497", "tls-not-tls")]:
        t.add("nginx", st, page, c, "server", src("nginx/nginx", "src/http/ngx_http_special_response.c") + " error pages / NGX_HTTPS_CERT_ERROR 495, NGX_HTTPS_NO_CERT 496, NGX_HTTP_TO_HTTPS 497",
              "the page a client receives; about the client's certificate")
    # ---------- Apache httpd
    t = T["apache"]
    for path in ["modules/ssl/ssl_engine_kernel.c", "modules/ssl/ssl_engine_io.c", "modules/ssl/ssl_engine_init.c", "modules/ssl/ssl_engine_log.c",
                 "modules/ssl/ssl_engine_pphrase.c", "modules/proxy/proxy_util.c", "modules/proxy/mod_proxy_http.c", "modules/ssl/ssl_util_ssl.c"]:
        try:
            txt = git_show("apache/httpd", path)
        except Exception:
            continue
        s_ = src("apache/httpd", path)
        for ln, fn, fmt in c_call_strings(txt, ["ap_log_error", "ap_log_cerror", "ap_log_rerror", "ap_log_serror", "ssl_log_ssl_error",
                                                "ssl_log_xerror", "ssl_log_cxerror", "ssl_log_rxerror", "apr_psprintf", "ap_proxyerror"]):
            fmt = re.sub(r"^\s*", "", fmt)
            if len(fmt) < 10 or not re.search(r"SSL|certificate|handshake|verif|proxy|connect|pass ?phrase|private key|CA", fmt, re.I):
                continue
            side = "client" if ("proxy" in path or re.search(r"proxy|remote server|backend|downstream server", fmt, re.I)) else "server"
            c = server_cause(fmt) if side == "server" else classify(fmt, "client", "-")
            if "pphrase" in path or "init" in path:
                c = classify(fmt, "client", "-", generic=False)  # server start-up about the server's own files
            note = "server start-up, about the server's own key/cert" if ("pphrase" in path or "init" in path) else ""
            if re.match(r"SSL library error %d (in handshake|reading data|writing data)|SSL Library Error: %s", fmt):
                # ssl_log_ssl_error's wrappers: the "SSL Library Error: error:...:reason" line (or the
                # "Certificate Verification" line before it) names the cause; the wrapper alone does not.
                c, note = "-", "a wrapper: the OpenSSL reason it logs (SSL Library Error: ...) or the Certificate Verification line names the cause"
            t.add("apache", "", fmt, c, side, f"{s_} L{ln} {fn}()", note)
    for n, name, text in errs:
        if n == 0:
            continue
        sc, note = verify_cause(name, "server")
        for c in [sc] + SERVER_ALSO.get(name, []):
            t.add("apache", n, f"Certificate Verification: Error ({n}): {text}", c, "server",
                  src("apache/httpd", "modules/ssl/ssl_engine_kernel.c") + " ssl_callback_SSLVerify 'Certificate Verification: Error (%d): %s' + " + O.SRC_HDR % "x509_vfy.h",
                  f"X509_V_ERR_{name}: about the CLIENT's certificate (with SSLProxy*: about the backend's). {note}".strip(), multi=c != sc)
    # ---------- HAProxy
    t = T["haproxy"]
    for path in ["src/connection.c", "src/ssl_sock.c", "include/haproxy/connection-t.h"]:
        try:
            txt = git_show("haproxy/haproxy", path)
        except Exception:
            continue
        s_ = src("haproxy/haproxy", path)
        for m in re.finditer(r"case (CO_ER_\w+)\s*:\s*return\s*\"([^\"]+)\"", txt):
            code, text = m.group(1), m.group(2)
            c = server_cause(text)
            if "CO_ER_SSL_CA_FAIL" == code: c = "client-cert-wrong-issuer"
            if code in ("CO_ER_SSL_CRT_FAIL",): c = "client-cert-rejected"
            if code in ("CO_ER_SSL_EMPTY", "CO_ER_SSL_ABORT"): c = "tcp-reset"
            if code == "CO_ER_SSL_NO_TARGET": c = "-"
            if code in ("CO_ER_SSL_HANDSHAKE", "CO_ER_SSL_FATAL", "CO_ER_SSL_HANDSHAKE_HB"): c = "tls-handshake-failed"
            if code == "CO_ER_SSL_TIMEOUT": c = "tls-handshake-timeout"
            side = "server"
            if code in ("CO_ER_SSL_MISMATCH", "CO_ER_SSL_MISMATCH_SNI"):
                side, c = "client", ("server-cert-hostname-mismatch" if code.endswith("SNI") else "server-cert-untrusted")
            t.add("haproxy", code, text, c, side, s_, "connection error string (%[fc_err_str] / logs)" + ("; HAProxy as client to a backend server" if side == "client" else "; about the CLIENT's connection/certificate"))
    # ---------- Envoy (snapshot too large to fetch; the format read from the search index)
    t = T["envoy"]
    E = ("github:envoyproxy/envoy source/common/tls/ssl_socket.cc @17234603c30c (read via the search index: "
         "'TLS_error:' + '|' + packed error + ':' + lib + ':' + func + ':' + reason + ':TLS_error_end'); reason names are BoringSSL's")
    # A verify failure's detail names a narrower cause than the reason before it: its rows come first, so
    # explain lists it first of the equally weighted causes (rows' order; README "Equally likely causes").
    t.add("envoy", "", "verify cert failed: verify SAN list", "server-cert-hostname-mismatch", "client", E + " (cert_validator detail)", "the upstream certificate lacks the SAN Envoy expects")
    t.add("envoy", "CERTIFICATE_VERIFY_FAILED", "OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:verify cert failed: verify SAN list", "server-cert-hostname-mismatch",
          "client", E + " (cert_validator detail)", "the verify failure's detail: the upstream certificate lacks the SAN Envoy expects")
    for reason, num, c_c, c_s in [("CERTIFICATE_VERIFY_FAILED", 268435581, "server-cert-untrusted", "client-cert-rejected"),
                                  ("WRONG_VERSION_NUMBER", 268435703, "tls-not-tls", "tls-not-tls"),
                                  ("TLSV1_ALERT_UNKNOWN_CA", None, "client-cert-wrong-issuer", "server-cert-untrusted"),
                                  ("SSLV3_ALERT_BAD_CERTIFICATE", None, "client-cert-rejected", "server-cert-untrusted"),
                                  ("SSLV3_ALERT_CERTIFICATE_EXPIRED", None, "client-cert-expired", "server-cert-expired"),
                                  ("SSLV3_ALERT_CERTIFICATE_UNKNOWN", None, "client-cert-rejected", "server-cert-untrusted"),
                                  ("SSLV3_ALERT_HANDSHAKE_FAILURE", None, "tls-no-common-cipher", "tls-no-common-cipher"),
                                  ("TLSV1_ALERT_ACCESS_DENIED", None, "client-cert-rejected", "tls-handshake-failed"),
                                  ("TLSV1_ALERT_PROTOCOL_VERSION", None, "tls-version-mismatch", "tls-version-mismatch"),
                                  ("TLSV1_CERTIFICATE_REQUIRED", None, "client-cert-not-sent", "client-cert-not-sent"),
                                  ("PEER_DID_NOT_RETURN_A_CERTIFICATE", None, "client-cert-not-sent", "client-cert-not-sent"),
                                  ("NO_SHARED_CIPHER", None, "tls-no-common-cipher", "tls-no-common-cipher"),
                                  ("UNSUPPORTED_PROTOCOL", None, "tls-version-mismatch", "tls-version-mismatch"),
                                  ("HTTP_REQUEST", None, "tls-not-tls", "tls-not-tls"),
                                  ("BAD_ECC_CERT", 268435563, "tls-handshake-failed", "tls-handshake-failed")]:
        num_s = str(num) if num else "%d"
        # "SSL%sroutines": access logs print SSL_routines; the reason may be followed by a detail
        # (":verify cert failed: verify SAN list") before ":TLS_error_end", so the row ends at the reason.
        inner = f"TLS_error:|{num_s}:SSL%sroutines:OPENSSL_internal:{reason}"
        t.add("envoy", reason, f"upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: {inner}",
              c_c, "client", E + " + source/common/router (local reply)", "Envoy as client to an upstream: about the UPSTREAM's certificate")
        t.add("envoy", reason, f"reset reason: remote connection failure, transport failure reason: {inner}", c_c, "client", E,
              "newer wording: 'remote connection failure' (also after 'retried and the latest')")
        t.add("envoy", reason, f"upstream_reset_before_response_started{{remote_connection_failure|{inner}}}", c_c, "client", E, "access log response code details (UF,URX)")
        t.add("envoy", reason, inner, c_s, "server", E, "downstream connection (debug log 'remote address:...'): about the CLIENT")
        t.add("envoy", reason, f"TLS_error: {num_s}:SSL routines:OPENSSL_internal:{reason}", c_c, "client", E, "old failure format (space instead of '|', no end marker)")
