"""JDK: JSSE alert names (sun/security/ssl/Alert.java) as 'Received fatal
alert: X', the exception/alert messages of sun/security/{ssl,validator,
provider/certpath,util,x509,pkcs12,provider}, HttpURLConnection / java.net.http
proxy and status messages, NioSocketImpl socket messages, keytool resources.
Read from the Debian openjdk-17-source package (lib/src.zip)."""
import re
import subprocess
import zipfile

from mapping import alert_cause, alert_sent_cause, classify

ZIP = "/usr/lib/jvm/openjdk-17/src.zip"
VER = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "openjdk-17-source"], capture_output=True, text=True).stdout


def S(p):
    return f"debian:openjdk-17-source {VER} src.zip {p} (github:openjdk/jdk17u)"


JSTR = re.compile(r'"((?:[^"\\\n]|\\.)*)"')

FILES = re.compile(r"java\.base/sun/security/(ssl|validator|provider/certpath|pkcs12|x509|util|provider)/[A-Za-z0-9]+\.java$|"
                   r"java\.base/sun/net/www/protocol/https?/[A-Za-z]+\.java$|java\.base/sun/nio/ch/(NioSocketImpl|Net|SocketChannelImpl)\.java$|"
                   r"java\.net\.http/jdk/internal/net/http/[A-Za-z0-9]+\.java$|java\.base/java/security/KeyStore\.java$|"
                   r"java\.base/sun/net/www/http/HttpClient\.java$")

OVERRIDE = [
    # HttpURLConnection checkMessageHeader(): a header value with a line break (a key read with its newline)
    (r"^Illegal character\(s\) in message header value: ", "api-key-whitespace", "api-key-whitespace"),
    (r"PKIX path building failed|unable to find valid certification path|No trusted certificate found|"
     r"Path does not chain with any of the trust anchors|TrustAnchor .* is not a CA", "server-cert-untrusted", "client-cert-wrong-issuer"),
    (r"PKIX path validation failed", "server-cert-untrusted", "client-cert-rejected"),
    (r"No subject alternative DNS name matching|No subject alternative names|No name matching|No subject alternative names matching IP address|"
     r"No subject alternative names present", "server-cert-hostname-mismatch", "tls-handshake-failed"),
    (r"Unrecognized SSL message, plaintext connection\?|plaintext connection|Unsupported or unrecognized SSL message|"
     r"Remote host terminated the handshake", "tls-not-tls", "tls-not-tls"),
    (r"Keystore was tampered with, or password was incorrect|password was incorrect|Given final block not properly padded|"
     r"Get Key failed|keystore password was incorrect|Cannot recover key|failed to decrypt safe contents entry", "key-passphrase-wrong", "key-passphrase-wrong"),
    (r"Empty client certificate chain|Empty server certificate chain|Received an empty certificate chain|"
     r"client certificate.*required|Peer not authenticated|peer not authenticated", "client-cert-not-sent", "client-cert-not-sent"),
    (r"No appropriate protocol|protocol is disabled or cipher suites are inappropriate|Client requested protocol .* is not enabled or supported|"
     r"The client supported protocol versions .* are not accepted|No negotiable protocol|Server chose .*, but that protocol version is not enabled|"
     r"not enabled or supported in client", "tls-version-mismatch", "tls-version-mismatch"),
    (r"No negotiable cipher suite|no cipher suites in common|No supported signature algorithm|No available authentication scheme|"
     r"No preferred signature algorithm|No supported named group|no common", "tls-no-common-cipher", "tls-no-common-cipher"),
    (r"Unable to tunnel through proxy", "proxy-tunnel-refused", "proxy-tunnel-refused"),
    (r"Server returned HTTP response code", "-", "-"),
    (r"Extended key usage does not permit use for TLS client authentication", "client-cert-no-client-auth", "client-cert-no-client-auth"),
    (r"Extended key usage does not permit use for TLS server authentication|KeyUsage does not allow", "tls-handshake-failed", "client-cert-no-client-auth"),
    (r"certificate expired|NotAfter|has expired", "server-cert-expired", "client-cert-expired"),
    (r"not yet valid|NotBefore", "server-cert-not-yet-valid", "client-cert-not-yet-valid"),
    (r"Connection reset|Broken pipe|Socket closed|Connection or outbound has closed|connection closed|closing inbound before receiving peer's close_notify", "tcp-reset", "tcp-reset"),
    (r"Connect timed out|Read timed out|connect timed out", "tcp-timeout", "tcp-timeout"),
    (r"Connection refused", "tcp-refused", "tcp-refused"),
]


def cause_for(text, side, generic=True):
    for rx, c, s in OVERRIDE:
        if re.search(rx, text):
            return c if side == "client" else s
    return classify(text, side, "-", generic=generic)


def build(T):
    t = T["java"]
    z = zipfile.ZipFile(ZIP)
    al = z.read("java.base/sun/security/ssl/Alert.java").decode()
    for m in re.finditer(r"^\s+([A-Z_]+)\s*\(\(byte\)(\d+),\s*\"([a-z_]+)\"", al, re.M):
        n, name = int(m.group(2)), m.group(3)
        rc, note = alert_cause(n, "client")
        src = S("java.base/sun/security/ssl/Alert.java")
        t.add("java", n, f"Received fatal alert: {name}", rc, "client", src + " (\"Received fatal alert: \" + alert.description)",
              f"alert {n} from the server. {note}".strip())
        t.add("java", n, f"javax.net.ssl.SSLHandshakeException: Received fatal alert: {name}", rc, "client", src, f"alert {n}. {note}".strip())
        sc, snote = alert_cause(n, "server")
        t.add("java", n, f"Received fatal alert: {name}", sc, "server", src, f"a Java server's log: the client sent alert {n}. {snote}".strip())
        lc, lnote = alert_sent_cause(n)
        t.add("java", n, f"(internal_error) " if False else f"({name}) ", lc, "client", src + " TransportContext.fatal: message prefixed with the alert sent",
              f"the JDK itself sent alert {n}, e.g. '({name}) PKIX path building failed: ...'. {lnote}".strip())
    for info in z.infolist():
        if not FILES.search(info.filename):
            continue
        txt = z.read(info.filename).decode(errors="replace")
        side = "server" if re.search(r"Server(Hello|Certificate|KeyExchange)?\w*\.java$", info.filename) and "Client" not in info.filename.split("/")[-1] else "client"
        # statements that build an exception or a fatal alert
        for m in re.finditer(r"(fatal\s*\(|Exception\s*\()", txt):
            stmt = txt[m.start(): txt.find(";", m.start()) + 1][:800]
            lits = list(JSTR.finditer(stmt))
            if not lits:
                continue
            s = lits[0].group(1)
            for a, b in zip(lits, lits[1:]):
                between = stmt[a.end():b.start()]
                if re.fullmatch(r"\s*\+\s*", between):
                    s += b.group(1)
                elif "," not in between and re.fullmatch(r"\s*\+[^;]*\+\s*", between):
                    s += "%s" + b.group(1)
                else:
                    break
            s = s.replace('\\"', '"').replace("\\n", "\n")
            if len(s) < 8 or " " not in s.strip() or len(s) > 300:
                continue
            ln = txt.count("\n", 0, m.start()) + 1
            side_s = "server" if re.search(r"Empty client certificate chain|client certificate verification|Client does not support the certificate", s) else side
            c = cause_for(s, side_s, generic=("/ssl/" in info.filename))
            if c == "-" and "/ssl/" in info.filename:
                c = "tls-handshake-failed"
            t.add("java", "", s, c, side_s, f"{S(info.filename)} L{ln}", "")
    # keytool / security resources: {"key", "text"} pairs
    for p in ["java.base/sun/security/tools/keytool/Resources.java", "java.base/sun/security/util/Resources.java"]:
        try:
            txt = z.read(p).decode()
        except KeyError:
            continue
        for m in re.finditer(r"\{\s*\"((?:[^\"\\]|\\.)*)\"\s*,\s*\n?\s*\"((?:[^\"\\]|\\.)*)\"", txt):
            s = m.group(2).replace('\\"', '"')
            if not re.search(r"password|keystore|alias|certificate|key|file|tampered|expired|not yet valid|trust", s, re.I):
                continue
            c = cause_for(s, "client", generic=False)
            if c == "-" and re.search(r"does not exist|not found|Cannot find|not a file", s, re.I):
                c = "input-file-unreadable"
            t.add("java", m.group(1), s, c, "client", f"{S(p)} (keytool message, key in code column)", "keytool")
    # exception class names as printed in stack traces
    for cls, c, note in [
        ("javax.net.ssl.SSLHandshakeException", "tls-handshake-failed", "the message decides"),
        ("javax.net.ssl.SSLPeerUnverifiedException", "server-cert-hostname-mismatch", "usually a hostname check failure"),
        ("javax.net.ssl.SSLException", "tls-handshake-failed", ""),
        ("javax.net.ssl.SSLProtocolException", "tls-handshake-failed", ""),
        ("sun.security.validator.ValidatorException", "server-cert-untrusted", ""),
        ("sun.security.provider.certpath.SunCertPathBuilderException", "server-cert-untrusted", ""),
        ("java.security.cert.CertPathValidatorException", "server-cert-untrusted", ""),
        ("java.security.cert.CertificateExpiredException", "server-cert-expired", "for a Java server: client-cert-expired"),
        ("java.security.cert.CertificateNotYetValidException", "server-cert-not-yet-valid", ""),
        ("java.security.cert.CertificateParsingException", "input-wrong-file-type", "e.g. 'signed overrun, bytes = N' for a non-certificate file"),
        ("java.security.cert.CertificateException", "tls-handshake-failed", ""),
        ("java.security.UnrecoverableKeyException", "key-passphrase-wrong", ""),
        ("java.security.KeyStoreException", "input-wrong-file-type", "e.g. the wrong keystore type"),
        ("java.io.FileNotFoundException", "input-file-unreadable", ""),
        ("java.net.UnknownHostException", "dns-no-such-host", ""),
        ("java.nio.channels.UnresolvedAddressException", "dns-no-such-host", "java.net.http.HttpClient with an unresolvable host"),
        ("java.net.ConnectException", "tcp-refused", "'Connection refused' or 'Connection timed out'"),
        ("java.net.SocketTimeoutException", "tcp-timeout", "'Read timed out' after connecting is a slow server, not the network"),
        ("java.net.http.HttpConnectTimeoutException", "tcp-timeout", ""),
        ("java.net.http.HttpTimeoutException", "tcp-timeout", ""),
        ("java.net.SocketException: Connection reset", "tcp-reset", ""),
        ("java.net.NoRouteToHostException", "tcp-timeout", ""),
        ("java.io.EOFException", "tcp-reset", ""),
    ]:
        t.add("java", "", cls, c, "client", S("java.base/" + cls.split(":")[0].replace(".", "/") + ".java") + " (class name)", note)
    # sun/net/www/protocol/http/HttpURLConnection.java getInputStream0(): a 404 or 410 answer is thrown as
    # "new FileNotFoundException(url.toString())", so the message is the URL, not a file; checkMessageHeader()
    # refuses a header value with a newline: "Illegal character(s) in message header value: " + value.
    H = S("java.base/sun/net/www/protocol/http/HttpURLConnection.java")
    t.add("java", "404", "java.io.FileNotFoundException: http%s", "endpoint-not-found", "client", H + " getInputStream0",
          "HTTP 404/410: the JDK throws FileNotFoundException with the URL as its message")

