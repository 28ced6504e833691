"""Node.js: ERR_* codes and messages (lib/internal/errors.js E(...)), the TLS
messages of lib/_tls_wrap.js, lib/tls.js (checkServerIdentity), lib/net.js,
lib/internal/tls/*.js, read from the installed node binary's builtin sources
(process.binding('natives')).  OpenSSL-derived codes are added by
sec_openssl.py."""
import json
import re
import subprocess

from mapping import classify

VER = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
DEB = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "nodejs"], capture_output=True, text=True).stdout


def natives():
    out = subprocess.run(["node", "-e", "process.stdout.write(JSON.stringify(process.binding('natives')))"],
                         capture_output=True, text=True).stdout
    return json.loads(out)


def S(p):
    return f"debian:nodejs {DEB} builtin lib/{p}.js (node {VER}; github:nodejs/node tag {VER})"


OVERRIDE = {
    "ERR_TLS_CERT_ALTNAME_INVALID": "server-cert-hostname-mismatch",
    "ERR_TLS_CERT_ALTNAME_FORMAT": "server-cert-hostname-mismatch",
    "ERR_TLS_HANDSHAKE_TIMEOUT": "tls-handshake-timeout",
    "ERR_TLS_INVALID_PROTOCOL_VERSION": "tls-version-mismatch",
    "ERR_TLS_PROTOCOL_VERSION_CONFLICT": "tls-version-mismatch",
    "ERR_SSL_NO_CIPHER_MATCH": "tls-no-common-cipher",
    "ERR_TLS_RENEGOTIATION_DISABLED": "tls-handshake-failed",
    "ERR_TLS_DH_PARAM_SIZE": "tls-no-common-cipher",
    "ERR_TLS_PSK_SET_IDENTIY_HINT_FAILED": "-",
    "ERR_PROXY_TUNNEL": "proxy-tunnel-refused",
    "ERR_PROXY_INVALID_CONFIG": "-",
    "ERR_INVALID_CHAR": "api-key-whitespace",
    "ERR_HTTP_INVALID_HEADER_VALUE": "api-key-whitespace",
    "ERR_INVALID_HTTP_TOKEN": "-",
    "ERR_OSSL_EVP_BAD_DECRYPT": "key-passphrase-wrong",
    "ERR_MISSING_PASSPHRASE": "key-encrypted-no-passphrase",
    "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE": "input-wrong-file-type",
    "ERR_SOCKET_CONNECTION_TIMEOUT": "tcp-timeout",
}
NOTE = {"ERR_INVALID_CHAR": "'Invalid character in header content [\"x-api-key\"]': a newline/control character in a header value, typically a pasted key",
        "ERR_HTTP_INVALID_HEADER_VALUE": "an undefined/invalid header value; often a key read with a trailing newline"}


def build(T):
    t = T["node"]
    n = natives()
    src = n["internal/errors"]
    starts = [m for m in re.finditer(r"^E\('(ERR_[A-Z0-9_]+)',", src, re.M)]
    for i, m in enumerate(starts):
        code = m.group(1)
        seg = src[m.end(): starts[i + 1].start() if i + 1 < len(starts) else m.end() + 1500][:1500]
        lits = re.findall(r"'((?:[^'\\\n]|\\.)*)'|`([^`]*)`", seg)
        texts = [a or b for a, b in lits if len(a or b) > 3 and " " in (a or b)]
        text = texts[0].replace("\\'", "'") if texts else ""
        c = OVERRIDE.get(code)
        if c is None:
            c = classify(code.replace("_", " ") + " " + text, "client", "-", generic=bool(re.match(r"ERR_(TLS|SSL)_", code)))
            if c not in ("-",) and not re.match(r"ERR_(TLS|SSL|HTTP|PROXY|SOCKET|INVALID_CHAR|CRYPTO|OSSL|MISSING_PASS)", code):
                c = "-"
        t.add("node", code, code, c, "client", S("internal/errors"), ("error code as printed: code: '%s'. " % code + NOTE.get(code, "")).strip())
        if text:
            t.add("node", code, text, c, "client", S("internal/errors"), NOTE.get(code, ""))
        for extra in texts[1:3]:
            t.add("node", code, extra.replace("\\'", "'"), c, "client", S("internal/errors"), "further text of the same error")
    for mod in ["_tls_wrap", "tls", "_http_client", "net", "https", "internal/tls/secure-context", "internal/tls/common",
                "_http_agent", "internal/http", "internal/net", "dns", "internal/errors"]:
        if mod not in n:
            continue
        code_src = n[mod]
        for m in re.finditer(r"(new\s+\w*Error\(|reason\s*=|emit\('error'|\bmsg\s*=|message\s*=|reason:)\s*((?:'(?:[^'\\\n]|\\.)*'|`[^`\n]*`))", code_src):
            s = m.group(2)[1:-1]
            if len(s) < 10 or " " not in s:
                continue
            c = classify(s, "client", "-")
            t.add("node", "", s, c, "client", S(mod), "")
    # libuv / system error codes node puts in err.code with 'connect ECONNREFUSED 1.2.3.4:443'
    for code, msg, c in [("ECONNREFUSED", "connect ECONNREFUSED %s:%d", "tcp-refused"), ("ETIMEDOUT", "connect ETIMEDOUT %s:%d", "tcp-timeout"),
                         ("ECONNRESET", "read ECONNRESET", "tcp-reset"), ("ECONNRESET", "socket hang up", "tcp-reset"),
                         ("ENOTFOUND", "getaddrinfo ENOTFOUND %s", "dns-no-such-host"), ("EAI_AGAIN", "getaddrinfo EAI_AGAIN %s", "dns-failure"),
                         ("EHOSTUNREACH", "connect EHOSTUNREACH %s:%d", "tcp-timeout"), ("ENETUNREACH", "connect ENETUNREACH %s:%d", "tcp-timeout"),
                         ("EPIPE", "write EPIPE", "tcp-reset"), ("ENOENT", "ENOENT: no such file or directory, open '%s'", "input-file-unreadable"),
                         ("EACCES", "EACCES: permission denied, open '%s'", "input-file-unreadable"),
                         ("ECONNRESET", "Client network socket disconnected before secure TLS connection was established", "tcp-reset")]:
        t.add("node", code, msg, c, "client", f"debian:nodejs {DEB} lib/internal/errors.js uvException/dnsException ('syscall CODE address:port') + libuv error names", "")
    # axios (a common Node HTTP client): status errors
    try:
        from common import git_show, src as gsrc
        ax = git_show("axios/axios", "lib/core/settle.js")
        m = re.search(r"'(Request failed with status code )'", ax)
        if m:
            t.add("node", "ERR_BAD_RESPONSE/ERR_BAD_REQUEST", "Request failed with status code %d", "-", "client", gsrc("axios/axios", "lib/core/settle.js"),
                  "axios; the cause is the status (see http-status.tsv)")
        # lib/adapters/http.js: the request timer (connect, TLS handshake and answer together)
        ah = git_show("axios/axios", "lib/adapters/http.js")
        if "'ms exceeded'" in ah:
            t.add("node", "ECONNABORTED", "timeout of %sms exceeded", "tcp-timeout", "client", gsrc("axios/axios", "lib/adapters/http.js"),
                  "axios: config.timeout ran out (code ECONNABORTED, or ETIMEDOUT with transitional.clarifyTimeoutError); connect, TLS handshake and answer share it")
    except Exception:
        pass
