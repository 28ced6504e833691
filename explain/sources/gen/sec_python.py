"""Python: stdlib ssl/http.client/urllib messages (the local CPython Lib/),
errno/gai texts as printed ([Errno 111] Connection refused), and the
exceptions/messages of requests, urllib3 and httpx (fetched mirrors).  The
[SSL: NAME] reason rows come from sec_openssl.py."""
import errno
import os
import re
import socket
import ssl
import sys
import sysconfig

from common import git_show, git_ls, src
from mapping import classify

LIB = sysconfig.get_paths()["stdlib"]
PYV = sys.version.split()[0]


def S(p):
    return f"cpython {PYV} Lib/{p} (local {LIB}; github:python/cpython tag v{PYV})"


PYSTR = re.compile(r"(?:[rbf]?)(\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*')")

OVERRIDE = [
    (r"Invalid leading whitespace", "api-key-whitespace",
     "a header value (often the API key) has leading whitespace or a newline"),
    (r"Invalid header value|Invalid header name", "api-key-whitespace", "http.client: a header value with \\r or \\n: a pasted key with a newline"),
    (r"Tunnel connection failed", "proxy-tunnel-refused", "'Tunnel connection failed: 407 Proxy Authentication Required' is proxy-auth-required"),
    (r"HTTP Error %s: %s|HTTP Error", "-", "the cause is the status (see http-status.tsv)"),
    (r"Cannot connect to proxy|Unable to connect to proxy", "proxy-unreachable", ""),
    (r"hostname '%s' doesn't match|doesn't match either of|doesn't match '%s'|Hostname mismatch", "server-cert-hostname-mismatch", ""),
    (r"EOF occurred in violation of protocol", "tcp-reset", ""),
    (r"Max retries exceeded", "-", "urllib3 wrapper: the 'Caused by' part decides"),
    (r"Could not find the TLS (certificate|key) file", "input-file-unreadable", "requests: the cert= or key= path does not exist"),
]


def cause_for(s):
    for rx, c, note in OVERRIDE:
        if re.search(rx, s):
            return c, note
    return classify(s, "client", "-", generic=False), ""


def literals(txt):
    """String literals; implicitly concatenated neighbours ("a" "b") are joined."""
    ms = list(PYSTR.finditer(txt))
    i = 0
    while i < len(ms):
        m = ms[i]
        parts = [m.group(1)]
        j = i
        while j + 1 < len(ms) and re.fullmatch(r"\s*[rbf]?", txt[ms[j].end():ms[j + 1].start()]) and "\n\n" not in txt[ms[j].end():ms[j + 1].start()]:
            j += 1
            parts.append(ms[j].group(1))
        out = ""
        for s in parts:
            q = 3 if s[:3] in ('"""', "\'\'\'") else 1
            out += s[q:-q]
        # f-string and str.format fields are filled in at run time: a hole like printf's %s
        out = re.sub(r"\{[A-Za-z_][^{}]*\}", "%s", out)
        yield txt.count("\n", 0, m.start()) + 1, out
        i = j + 1


def build(T):
    t = T["python"]
    for rel in ["ssl.py", "http/client.py", "urllib/request.py", "urllib/error.py", "socket.py"]:
        txt = open(os.path.join(LIB, rel)).read()
        for ln, s in literals(txt):
            if len(s) < 10 or " " not in s or "\n" in s:
                continue
            if not re.search(r"[Ee]rror|[Ff]ail|[Ii]nvalid|[Uu]nable|[Cc]annot|refused|[Tt]unnel|proxy|cert|match|EOF|timed out|[Uu]nknown|not ", s):
                continue
            c, note = cause_for(s)
            t.add("python", "", s, c, "client", f"{S(rel)} L{ln}", note)
    # reasons without a name in _ssl's table are printed as [LIB] text (e.g. the common ERR_R_PEM_LIB)
    t.add("python", "ERR_R_PEM_LIB", "[SSL] PEM lib (_ssl.c:%d)", "input-wrong-file-type", "client",
          "cpython Modules/_ssl.c fill_and_set_sslerror ('[%s] %s (%s:%d)' without a reason name) + OpenSSL ERR_R_PEM_LIB",
          "load_cert_chain: the certificate/key file is not PEM, the key does not match (key-cert-mismatch), or the key passphrase is wrong (key-passphrase-wrong)")
    # HTTPError/URLError formats
    t.add("python", "HTTPError", "urllib.error.HTTPError: HTTP Error %d: %s", "-", "client", S("urllib/error.py") + " HTTPError.__str__", "status decides (http-status.tsv)")
    t.add("python", "URLError", "urllib.error.URLError: <urlopen error %s>", "-", "client", S("urllib/error.py") + " URLError.__str__", "the reason inside decides")
    for reason, c in [("[Errno -2] Name or service not known", "dns-no-such-host"), ("[Errno 111] Connection refused", "tcp-refused"),
                      ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:%d)", "server-cert-untrusted"),
                      ("Tunnel connection failed: 407 Proxy Authentication Required", "proxy-auth-required"),
                      ("Tunnel connection failed: 403 Forbidden", "proxy-tunnel-refused"), ("timed out", "tcp-timeout")]:
        t.add("python", "URLError", f"<urlopen error {reason}>", c, "client", S("urllib/error.py") + " + urllib/request.py do_open", "")
    # errno texts as Python prints OSError: [Errno N] text
    for name in ["ECONNREFUSED", "ETIMEDOUT", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "ENOENT", "EACCES", "EPIPE", "ECONNABORTED", "EISDIR"]:
        n = getattr(errno, name)
        msg = os.strerror(n)
        c = {"ECONNREFUSED": "tcp-refused", "ETIMEDOUT": "tcp-timeout", "ECONNRESET": "tcp-reset", "EHOSTUNREACH": "tcp-timeout",
             "ENETUNREACH": "tcp-timeout", "ENOENT": "input-file-unreadable", "EACCES": "input-file-unreadable", "EPIPE": "tcp-reset",
             "ECONNABORTED": "tcp-reset", "EISDIR": "input-file-unreadable"}[name]
        t.add("python", name, f"[Errno {n}] {msg}", c, "client", f"glibc strerror via os.strerror (python {PYV}, Linux errno {n})", "OSError/ConnectionError text")
    for name in ["EAI_NONAME", "EAI_AGAIN", "EAI_FAIL", "EAI_NODATA" if hasattr(socket, "EAI_NODATA") else "EAI_NONAME", "EAI_SERVICE"]:
        n = getattr(socket, name)
        try:
            socket.getaddrinfo("", None)  # no-op to import resolver
        except Exception:
            pass
        msg = {socket.EAI_NONAME: "Name or service not known", socket.EAI_AGAIN: "Temporary failure in name resolution",
               socket.EAI_FAIL: "Non-recoverable failure in name resolution"}.get(n, "No address associated with hostname" if name == "EAI_NODATA" else "Servname not supported for ai_socktype")
        c = "dns-failure" if name in ("EAI_AGAIN", "EAI_FAIL") else "dns-no-such-host"
        t.add("python", name, f"[Errno {n}] {msg}", c, "client", f"glibc gai_strerror (socket.gaierror, python {PYV})", "socket.gaierror")
    # requests / urllib3 / httpx
    for repo, pkgdir in [("psf/requests", "src/requests"), ("urllib3/urllib3", "src/urllib3"), ("encode/httpx", "httpx")]:
        files = [f for f in git_ls(repo, pkgdir) if f.endswith(".py")]
        for f in files:
            txt = git_show(repo, f)
            s_ = src(repo, f)
            # exception classes
            if f.endswith(("exceptions.py", "_exceptions.py")):
                for m in re.finditer(r"^class (\w+)\(([^)]*)\):\s*\n(?:\s*(\"\"\"[\s\S]*?\"\"\"|\"[^\n]*\"))?", txt, re.M):
                    cls, bases, doc = m.group(1), m.group(2), (m.group(3) or "").strip('"').strip()
                    lib = repo.split("/")[1]
                    c = classify(cls + " " + bases + " " + doc, "client", "-", generic=False)
                    cm = {"SSLError": "tls-handshake-failed", "ProxyError": "proxy-unreachable", "ConnectTimeout": "tcp-timeout",
                          "ConnectTimeoutError": "tcp-timeout", "ReadTimeout": "-", "ReadTimeoutError": "-", "ConnectionError": "-",
                          "ConnectError": "-", "NameResolutionError": "dns-no-such-host", "NewConnectionError": "tcp-refused",
                          "InvalidHeader": "api-key-whitespace", "LocalProtocolError": "-", "RemoteProtocolError": "tcp-reset",
                          "ProtocolError": "tcp-reset", "HTTPStatusError": "-", "HTTPError": "-", "MaxRetryError": "-",
                          "TooManyRedirects": "unexpected-redirect", "ResponseError": "-", "InvalidProxyURL": "-",
                          "ProxySchemeUnknown": "-", "ProxyTimeout": "proxy-unreachable", "CertificateError": "server-cert-hostname-mismatch",
                          "ConnectTimeoutError": "tcp-timeout"}.get(cls, c)
                    if lib == "httpx" and cls == "ProxyError":
                        # httpx (httpcore _sync/http_proxy.py) raises ProxyError when the proxy answers the CONNECT
                        # with a non-2xx status; a proxy it cannot reach is a ConnectError.
                        cm, doc = "proxy-tunnel-refused", "httpcore: the proxy answered the CONNECT with an error status (407: proxy-auth-required)"
                    mod = {"requests": "requests.exceptions", "urllib3": "urllib3.exceptions", "httpx": "httpx"}[lib]
                    t.add("python", cls, f"{mod}.{cls}", cm, "client", s_ + f" class {cls}({bases})", doc[:200])
            for ln, s in literals(txt):
                if len(s) < 12 or " " not in s or "\n" in s or s.startswith(("http://", "https://")):
                    continue
                if not re.search(r"[Ee]rror|[Ff]ail|[Ii]nvalid|[Uu]nable|[Cc]annot|refused|[Tt]unnel|[Pp]roxy|cert|match|EOF|timed out|"
                                 r"[Ww]hitespace|reserved|for url|status|Max retries|Failed|not verify|verify", s):
                    continue
                c, note = cause_for(s)
                t.add("python", "", s, c, "client", f"{s_} L{ln}", note)
    # h11 (httpx's HTTP/1.1 engine, via httpcore): header validation. httpx maps h11.LocalProtocolError to
    # httpx.LocalProtocolError with the same message: `Illegal header value b'key\r'` for a pasted key with a
    # trailing CR/LF. Read from Debian python3-h11 (installed in place; upstream github:python-hyper/h11).
    h11 = "/usr/lib/python3/dist-packages/h11"
    h11v = "0.14.0"
    try:
        h11v = re.search(r'__version__ = "([^"]+)"', open(os.path.join(h11, "_version.py")).read()).group(1)
    except (OSError, AttributeError):
        pass
    for rel in ["_headers.py", "_events.py", "_connection.py", "_util.py"]:
        try:
            txt = open(os.path.join(h11, rel)).read()
        except OSError:
            continue
        for ln, s in literals(txt):
            s = s.replace("{!r}", "%s")
            if not re.fullmatch(r"Illegal header (name|value) %s", s):
                continue
            note = "h11 validate(): a header value with \\r, \\n or a leading/trailing space (a pasted API key); httpx re-raises it as httpx.LocalProtocolError"
            src_ = f"Debian python3-h11 {h11v} {h11}/{rel} L{ln} (github:python-hyper/h11)"
            t.add("python", "LocalProtocolError", s, "api-key-whitespace", "client", src_, note)
            t.add("python", "LocalProtocolError", "httpx.LocalProtocolError: " + s, "api-key-whitespace", "client", src_, note)
