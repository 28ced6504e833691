"""Go: crypto/tls alert texts (alert.go) as 'remote error: tls: X' / 'local
error: tls: X', every error string literal of crypto/tls, crypto/x509,
encoding/pem, net/http (and its bundled http2), net, and the syscall errno
texts Go prints.  Read from the local Go installation ($GOROOT/src)."""
import glob
import os
import re
import subprocess

from mapping import alert_cause, alert_sent_cause, classify

GOROOT = os.environ.get("GOROOT") or subprocess.run(["go", "env", "GOROOT"], capture_output=True, text=True).stdout.strip()
VERSION = open(os.path.join(GOROOT, "VERSION")).readline().strip()


def S(path):
    return f"go {VERSION} $GOROOT/src/{path} (github:golang/go tag {VERSION})"


GO_STR = re.compile(r'"((?:[^"\\\n]|\\.)*)"|`([^`]*)`')

OVERRIDE = [
    (r"signed by unknown authority", "server-cert-untrusted", "client-cert-wrong-issuer", ""),
    (r"client didn't provide a certificate", "client-cert-not-sent", "client-cert-not-sent", "server side"),
    (r"private key does not match public key|private key type does not match public key type", "key-cert-mismatch", "key-cert-mismatch", ""),
    (r"PEM inputs may have been switched|did find a certificate|did find a private key", "input-wrong-file-type", "input-wrong-file-type", ""),
    (r"failed to find any PEM data|failed to find certificate PEM data|failed to find PEM block with type ending in \"PRIVATE KEY\"", "input-wrong-file-type", "input-wrong-file-type", ""),
    (r"failed to parse private key|unknown private key type|found unknown private key type", "input-wrong-file-type", "input-wrong-file-type", "or key-unsupported"),
    (r"first record does not look like a TLS handshake|server gave HTTP response to HTTPS client|client sent an HTTP request to an HTTPS server", "tls-not-tls", "tls-not-tls", ""),
    (r"unsupported protocol version|offered only unsupported versions|protocol version not supported|downgrade attempt", "tls-version-mismatch", "tls-version-mismatch", ""),
    (r"no cipher suite supported by both|no ECDHE curve supported by both|no supported elliptic curves|no mutually supported|peer doesn't support any of the certificate's signature algorithms|no common signature algorithm", "tls-no-common-cipher", "tls-no-common-cipher", ""),
    (r"certificate is valid for|certificate is not valid for any names|legacy Common Name field|cannot validate certificate for .* because it doesn't contain any IP SANs|certificate is not valid for any names", "server-cert-hostname-mismatch", "tls-handshake-failed", ""),
    (r"has expired or is not yet valid", "server-cert-expired", "client-cert-expired", "or not yet valid: the 'current time ... is before/after' tail decides"),
    (r"current time %s is after %s", "server-cert-expired", "client-cert-expired", ""),
    (r"current time %s is before %s", "server-cert-not-yet-valid", "client-cert-not-yet-valid", ""),
    (r"incompatible key usage", "tls-handshake-failed", "client-cert-no-client-auth", "client side: server certificate lacks serverAuth"),
    (r"TLS handshake timeout", "tls-handshake-timeout", "tls-handshake-timeout", ""),
    (r"^proxyconnect|proxyconnect", "proxy-unreachable", "proxy-unreachable", ""),
    (r"TLS handshake error from", "tls-handshake-failed", "tls-handshake-failed", "the %v decides"),
    (r"no such host", "dns-no-such-host", "dns-no-such-host", ""),
    (r"server misbehaving|no answer from DNS server|cannot unmarshal DNS message", "dns-failure", "dns-failure", ""),
    (r"i/o timeout", "tcp-timeout", "tcp-timeout", "during dial; during the handshake: tls-handshake-timeout"),
    (r"^x509: (malformed|cannot parse|invalid|trailing data|unsupported)", "input-wrong-file-type", "input-wrong-file-type",
     "the certificate bytes do not parse: a local file of the wrong type or corrupt; for the server's certificate during a handshake, tls-handshake-failed"),
]


def cause_for(text, side):
    for rx, c, s, note in OVERRIDE:
        if re.search(rx, text):
            return (c if side == "client" else s), note
    return classify(text, side, "-"), ""


def literals(path):
    txt = open(path, errors="replace").read()
    for m in GO_STR.finditer(txt):
        s = m.group(1) if m.group(1) is not None else m.group(2)
        if m.group(1) is not None:
            s = s.replace('\\"', '"').replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\")
        yield txt.count("\n", 0, m.start()) + 1, s


def build(T):
    t = T["go"]
    # alerts
    atxt = open(os.path.join(GOROOT, "src/crypto/tls/alert.go")).read()
    nums = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\s*(alert\w+)\s+alert\s*=\s*(\d+)", atxt, re.M)}
    for m in re.finditer(r"^\s*(alert\w+):\s*\"([^\"]+)\"", atxt, re.M):
        name, text = m.group(1), m.group(2)
        n = nums.get(name)
        if n is None:
            continue
        rc, note = alert_cause(n, "client")
        t.add("go", n, f"remote error: tls: {text}", rc, "client", S("crypto/tls/alert.go") + " + conn.go (net.OpError Op 'remote error')",
              f"{name}: alert received from the server. {note}".strip())
        lc, lnote = alert_sent_cause(n)
        t.add("go", n, f"local error: tls: {text}", lc, "client", S("crypto/tls/alert.go") + " + conn.go (Op 'local error')",
              f"{name}: Go sent this alert itself (it rejects the server). {lnote}".strip())
        sc, snote = alert_cause(n, "server")
        t.add("go", n, f"http: TLS handshake error from %s: remote error: tls: {text}", sc, "server",
              S("net/http/server.go") + " + crypto/tls/alert.go", f"{name}: a Go server's log; the client sent this alert about the server. {snote}".strip())
    files = []
    for d, prefixes in [("crypto/tls", ("tls: ", "crypto/tls: ")), ("crypto/x509", ("x509: ", "crypto/x509: ", "current time")),
                        ("encoding/pem", ("pem: ",)), ("net/http", ("http: ", "net/http: ", "proxyconnect", "http2: ", "Get ", "unexpected EOF", "stopped after")),
                        ("net", None)]:
        for p in sorted(glob.glob(os.path.join(GOROOT, "src", d, "*.go"))):
            if p.endswith("_test.go") or "/internal/" in p:
                continue
            files.append((d, prefixes, p))
    NETWORDS = re.compile(r"no such host|i/o timeout|server misbehaving|connection refused|connection reset|network is unreachable|"
                          r"no route to host|timeout|dial|lookup|missing port|too many colons|no suitable address|operation was canceled", re.I)
    for d, prefixes, p in files:
        rel = os.path.relpath(p, os.path.join(GOROOT, "src"))
        base = os.path.basename(p)
        side = "server" if ("handshake_server" in base or base in ("server.go",)) else "client"
        for ln, s in literals(p):
            if len(s) < 6 or len(s) > 300:
                continue
            if prefixes is None:
                if not NETWORDS.search(s) or " " not in s:
                    continue
            elif not s.startswith(prefixes):
                continue
            cause, note = cause_for(s, side)
            t.add("go", "", s, cause, side, f"{S(rel)} L{ln}", note)
            if d == "crypto/tls" and side == "client" and cause not in ("-",) and s.startswith("tls: "):
                sc, snote = cause_for(s, "server")
                # the same crypto/tls text in a Go server's log is about the client
                t.add("go", "", "http: TLS handshake error from %s: " + s, sc, "server", f"{S(rel)} L{ln} + net/http/server.go", snote)
    # x509 verify wrappers with the common verify texts filled in
    for inner, c, s in [("x509: certificate signed by unknown authority", "server-cert-untrusted", "client-cert-wrong-issuer"),
                        ("x509: certificate has expired or is not yet valid: current time %s is after %s", "server-cert-expired", "client-cert-expired"),
                        ("x509: certificate has expired or is not yet valid: current time %s is before %s", "server-cert-not-yet-valid", "client-cert-not-yet-valid"),
                        ("x509: certificate is valid for %s, not %s", "server-cert-hostname-mismatch", "tls-handshake-failed"),
                        ("x509: certificate specifies an incompatible key usage", "tls-handshake-failed", "client-cert-no-client-auth")]:
        t.add("go", "", "tls: failed to verify certificate: " + inner, c, "client", S("crypto/tls/handshake_client.go") + " + crypto/x509/verify.go", "")
        t.add("go", "", "http: TLS handshake error from %s: tls: failed to verify certificate: " + inner, s, "server",
              S("crypto/tls/handshake_server.go") + " + crypto/x509/verify.go", "a Go server verifying the client certificate")
        # Go 1.19 and earlier (handshake_server.go processCertsFromClient, before go1.20's CertificateVerificationError)
        # and servers that wrap the error themselves print "failed to verify client certificate".
        for pre in ("http: TLS handshake error from %s: tls: failed to verify client certificate: ", "tls: failed to verify client certificate: "):
            t.add("go", "", pre + inner, s, "server", "github:golang/go go1.19 src/crypto/tls/handshake_server.go + crypto/x509/verify.go",
                  "a Go 1.19-or-earlier server verifying the client certificate")
    # syscall errno texts as Go prints them (dial tcp ...: connect: connection refused)
    zt = open(os.path.join(GOROOT, "src/syscall/zerrors_linux_amd64.go")).read()
    for m in re.finditer(r"^\s*\d+:\s*\"([^\"]+)\",", zt, re.M):
        s = m.group(1)
        c = classify(s, "client", "-", generic=False)
        if c in ("tcp-refused", "tcp-timeout", "tcp-reset") or re.search(r"unreachable|no route|broken pipe|permission denied|no such file", s):
            c = {"network is unreachable": "tcp-timeout", "no route to host": "tcp-timeout", "host is down": "tcp-timeout",
                 "permission denied": "input-file-unreadable", "no such file or directory": "input-file-unreadable"}.get(s, c)
            t.add("go", "", s, c, "client", S("syscall/zerrors_linux_amd64.go"), "errno text, e.g. 'dial tcp 10.0.0.1:443: connect: " + s + "'")
    for fmt, c in [("dial tcp: lookup %s: no such host", "dns-no-such-host"), ("dial tcp %s: connect: connection refused", "tcp-refused"),
                   ("dial tcp %s: i/o timeout", "tcp-timeout"), ("dial tcp %s: connect: connection timed out", "tcp-timeout"),
                   ("read tcp %s->%s: read: connection reset by peer", "tcp-reset"), ("proxyconnect tcp: dial tcp %s: connect: connection refused", "proxy-unreachable"),
                   ("proxyconnect tcp: dial tcp: lookup %s: no such host", "proxy-unreachable"), ("net/http: TLS handshake timeout", "tls-handshake-timeout"),
                   ("dial tcp: lookup %s on %s: server misbehaving", "dns-failure"), ("remote error: tls: %s", "tls-handshake-failed"),
                   ("Get \"%s\": EOF", "tcp-reset")]:
        t.add("go", "", fmt, c, "client", S("net/net.go (OpError.Error: op net addr: err)") , "composed by net.OpError/url.Error")
