"""OpenSSL: X509 verify errors, error reasons (all libraries Python knows),
alert descriptions, and the openssl tools' messages.

Read from the installed Debian packages (libssl3/libssl-dev 3.0.x,
openssl): numbers and names from /usr/include/openssl/*.h, texts from the
libraries' own string tables (X509_verify_cert_error_string,
ERR_reason_error_string, SSL_alert_desc_string_long) via ctypes, the tools'
format strings from /usr/bin/openssl.  Python's _ssl.err_codes_to_names gives
the (library, reason) -> NAME table Python prints as [LIB: NAME].
"""
import ctypes
import re
import subprocess

import _ssl

from mapping import alert_cause, verify_cause, classify

_c = ctypes.CDLL("libcrypto.so.3")
_s = ctypes.CDLL("libssl.so.3")
_c.OPENSSL_init_crypto(ctypes.c_uint64(0x2), None)
_s.OPENSSL_init_ssl(ctypes.c_uint64(0x00200000 | 0x2), None)
for f in ("ERR_reason_error_string", "ERR_lib_error_string", "X509_verify_cert_error_string", "OpenSSL_version"):
    getattr(_c, f).restype = ctypes.c_char_p
for f in ("SSL_alert_desc_string_long", "SSL_alert_desc_string"):
    getattr(_s, f).restype = ctypes.c_char_p

VERSION = _c.OpenSSL_version(0).decode()
DEB = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "libssl-dev"], capture_output=True, text=True).stdout
DEB_OSSL = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "openssl"], capture_output=True, text=True).stdout
SRC_HDR = f"debian:libssl-dev {DEB} /usr/include/openssl/%s + libcrypto.so.3/libssl.so.3 string tables ({VERSION})"
SRC_BIN = f"debian:openssl {DEB_OSSL} /usr/bin/openssl (format strings in the binary; upstream apps/)"
UPSTREAM_X509_TXT = "github:openssl/openssl crypto/x509/x509_txt.c @0223dfcf1e4d (search index read_file)"


def pack(lib, reason):
    return ((lib & 0xFF) << 23) | (reason & 0x7FFFFF)


def reason_text(lib, reason):
    r = _c.ERR_reason_error_string(pack(lib, reason))
    return r.decode() if r else None


def lib_text(lib):
    r = _c.ERR_lib_error_string(pack(lib, 0))
    return r.decode() if r else None


def x509_errors():
    """[(num, NAME, text)] from x509_vfy.h + X509_verify_cert_error_string."""
    out = []
    for m in re.finditer(r"#\s*define\s+X509_V_ERR_(\w+)\s+(\d+)", open("/usr/include/openssl/x509_vfy.h").read()):
        n = int(m.group(2))
        out.append((n, m.group(1), _c.X509_verify_cert_error_string(n).decode()))
    out.insert(0, (0, "OK", _c.X509_verify_cert_error_string(0).decode()))
    return out


# Texts only in newer upstream OpenSSL (read from x509_txt.c at the commit above).
UPSTREAM_ONLY = [
    ("CERT_NOT_YET_VALID", "certificate is not yet valid or the system clock is incorrect"),
    ("RPK_UNTRUSTED", "Raw public key untrusted, no trusted keys configured"),
]


def alerts():
    out = []
    for n in range(256):
        t = _s.SSL_alert_desc_string_long(n).decode()
        if t != "unknown":
            out.append((n, t, _s.SSL_alert_desc_string(n).decode()))
    return out


def reasons():
    """[(libnum, LIBNAME, reasonnum, REASONNAME, text)] for every reason in
    Python's table that this libcrypto has a text for."""
    out = []
    for (lib, r), name in sorted(_ssl.err_codes_to_names.items()):
        t = reason_text(lib, r)
        if t:
            out.append((lib, _ssl.lib_codes_to_names.get(lib, str(lib)), r, name, t))
    return out


ALERT_RX = re.compile(r"^(SSLV3|TLSV1|TLSV13)_ALERT_")


NAMED = {
    "PEM": {"NO_START_LINE": "input-wrong-file-type", "BAD_END_LINE": "input-wrong-file-type", "BAD_BASE64_DECODE": "input-wrong-file-type",
            "SHORT_HEADER": "input-wrong-file-type", "BAD_MAGIC_NUMBER": "input-wrong-file-type", "EXPECTING_PRIVATE_KEY_BLOB": "input-wrong-file-type",
            "EXPECTING_PUBLIC_KEY_BLOB": "input-wrong-file-type", "HEADER_TOO_LONG": "input-wrong-file-type",
            "BAD_DECRYPT": "key-passphrase-wrong", "BAD_PASSWORD_READ": "key-encrypted-no-passphrase",
            "PROBLEMS_GETTING_PASSWORD": "key-encrypted-no-passphrase", "UNSUPPORTED_ENCRYPTION": "key-unsupported",
            "UNSUPPORTED_CIPHER": "key-unsupported", "UNSUPPORTED_KEY_COMPONENTS": "key-unsupported", "BAD_IV_CHARS": "input-wrong-file-type",
            "NOT_DEK_INFO": "input-wrong-file-type", "NOT_ENCRYPTED": "input-wrong-file-type", "NOT_PROC_TYPE": "input-wrong-file-type"},
    "X509": {"KEY_VALUES_MISMATCH": "key-cert-mismatch", "UNSUPPORTED_ALGORITHM": "key-unsupported",
             "UNKNOWN_KEY_TYPE": "key-unsupported", "CERT_ALREADY_IN_HASH_TABLE": "-",
             "NO_CERTIFICATE_FOUND": "input-wrong-file-type", "NO_CERTIFICATE_OR_CRL_FOUND": "ca-bundle-invalid",
             "CANT_CHECK_DH_KEY": "key-unsupported", "UNABLE_TO_GET_CERTS_PUBLIC_KEY": "input-wrong-file-type",
             "CERTIFICATE_VERIFICATION_FAILED": "server-cert-untrusted"},
    "EVP": {"BAD_DECRYPT": "key-passphrase-wrong", "UNSUPPORTED_PRIVATE_KEY_ALGORITHM": "key-unsupported",
            "UNSUPPORTED_ALGORITHM": "key-unsupported", "UNSUPPORTED_KEY_TYPE": "key-unsupported",
            "UNSUPPORTED_KEY_SIZE": "key-unsupported", "UNSUPPORTED": "key-unsupported", "DECODE_ERROR": "input-wrong-file-type",
            "EXPECTING_AN_RSA_KEY": "key-unsupported", "EXPECTING_A_EC_KEY": "key-unsupported",
            "DIFFERENT_KEY_TYPES": "key-cert-mismatch", "UNSUPPORTED_CIPHER": "key-unsupported"},
    "PKCS12": {"MAC_VERIFY_FAILURE": "key-passphrase-wrong", "PKCS12_CIPHERFINAL_ERROR": "key-passphrase-wrong",
               "PKCS12_PBE_CRYPT_ERROR": "key-passphrase-wrong", "DECODE_ERROR": "input-wrong-file-type",
               "PARSE_ERROR": "input-wrong-file-type", "MAC_ABSENT": "input-wrong-file-type"},
    "ASN1": {k: "input-wrong-file-type" for k in ["WRONG_TAG", "HEADER_TOO_LONG", "TOO_LONG", "NESTED_ASN1_ERROR", "NOT_ENOUGH_DATA",
             "BAD_OBJECT_HEADER", "EXPECTING_AN_ASN1_SEQUENCE", "DECODE_ERROR", "UNKNOWN_TAG", "WRONG_PUBLIC_KEY_TYPE",
             "ILLEGAL_PADDING", "SHORT_LINE", "NON_HEX_CHARACTERS", "ODD_NUMBER_OF_CHARS", "SEQUENCE_LENGTH_MISMATCH",
             "SEQUENCE_NOT_CONSTRUCTED", "DATA_IS_WRONG", "BAD_TEMPLATE", "UNSUPPORTED_PUBLIC_KEY_TYPE", "TYPE_NOT_CONSTRUCTED",
             "WRONG_TYPE", "INVALID_OBJECT_ENCODING", "ILLEGAL_NULL_VALUE", "UNKNOWN_PUBLIC_KEY_TYPE", "EXPLICIT_LENGTH_MISMATCH", "FIRST_NUM_TOO_LARGE"]},
    "OSSL_DECODER": {"UNSUPPORTED": "input-wrong-file-type", "COULD_NOT_DECODE_OBJECT": "input-wrong-file-type",
                     "NOT_A_CERTIFICATE": "input-wrong-file-type"},
    "OSSL_STORE": {"NOT_A_CERTIFICATE": "input-wrong-file-type", "NOT_A_PRIVATE_KEY": "input-wrong-file-type",
                   "NOT_A_KEY": "input-wrong-file-type", "NOT_A_CRL": "input-wrong-file-type", "NOT_A_PUBLIC_KEY": "input-wrong-file-type",
                   "AMBIGUOUS_CONTENT_TYPE": "input-wrong-file-type", "BAD_PASSWORD_READ": "key-encrypted-no-passphrase",
                   "ERROR_VERIFYING_PKCS12_MAC": "key-passphrase-wrong", "PATH_MUST_BE_ABSOLUTE": "input-file-unreadable",
                   "UNSUPPORTED": "input-wrong-file-type", "UI_PROCESS_INTERRUPTED_OR_CANCELLED": "key-encrypted-no-passphrase"},
    "PROV": {"BAD_DECRYPT": "key-passphrase-wrong", "KEY_SIZE_TOO_SMALL": "key-unsupported", "UNSUPPORTED_KEY_SIZE": "key-unsupported",
             "INVALID_KEY": "input-wrong-file-type", "NOT_A_PRIVATE_KEY": "input-wrong-file-type", "NOT_A_PUBLIC_KEY": "input-wrong-file-type",
             "MISSING_KEY": "input-wrong-file-type", "UNABLE_TO_GET_PASSPHRASE": "key-encrypted-no-passphrase",
             "INVALID_DIGEST": "key-unsupported"},
    # BIO CONNECT_ERROR is left out: its bare reason "connect error" is read alone (Node prints reasons bare) and is in
    # every "upstream connect error" line of Envoy; the errno text beside it (Connection refused, timed out) names the cause.
    "BIO": {"NO_SUCH_FILE": "input-file-unreadable", "CONNECT_TIMEOUT": "tcp-timeout",
            "LOOKUP_RETURNED_NOTHING": "dns-no-such-host", "UNABLE_TO_CREATE_SOCKET": "-", "TRANSFER_TIMEOUT": "tcp-timeout",
            "GETHOSTBYNAME_ADDR_IS_NOT_AF_INET": "dns-no-such-host"},
    "RSA": {"KEY_SIZE_TOO_SMALL": "key-unsupported", "DATA_TOO_LARGE_FOR_KEY_SIZE": "-"},
    "EC": {"UNKNOWN_GROUP": "key-unsupported", "CURVE_DOES_NOT_SUPPORT_ECDSA": "key-unsupported", "INVALID_CURVE": "key-unsupported",
           "UNSUPPORTED_FIELD": "key-unsupported", "UNKNOWN_ORDER": "key-unsupported"},
    "CONF": {"NO_SUCH_FILE": "input-file-unreadable"},
}


def reason_cause(lib, name, text, received_by="client", libname=""):
    """Cause of an OpenSSL reason printed by a client (received_by=client) or a server."""
    if lib == 20 and alert_num_of_reason(lib, 0, name) is not None:
        return None  # caller maps via the alert number
    side = "client" if received_by == "client" else "server"
    if lib != 20:
        if libname == "SYS":
            return classify(text, side, "-")
        return NAMED.get(libname, {}).get(name, "-")
    if name == "CERTIFICATE_VERIFY_FAILED":
        return "server-cert-untrusted" if side == "client" else "client-cert-rejected"
    if name == "UNEXPECTED_EOF_WHILE_READING":
        return "tcp-reset"
    if name in ("PEER_DID_NOT_RETURN_A_CERTIFICATE", "NO_CERTIFICATE_RETURNED"):
        return "client-cert-not-sent"
    c = classify(name.replace("_", " ") + " " + text, side, "tls-handshake-failed")
    if c in ("input-file-unreadable", "endpoint-not-found", "unexpected-redirect", "tcp-timeout"):
        c = "tls-handshake-failed"
    return c


def alert_num_of_reason(lib, rnum, name):
    """SSL reasons >= SSL_AD_REASON_OFFSET (1000) are 'alert received' reasons."""
    if lib == 20 and rnum >= 1000:
        return rnum - 1000
    return None


SKIP_TOOL = re.compile(r"CMS|S/MIME|OCSP|SPKAC|TSA|serial|index file|DSA|\bDH\b|PKCS7|signature file|receipt|content file|early data|"
                       r"HTTP header|provider|TLSA|session|PSK|parameters|sequence|Content Info|raw input|peer key|messagedigest|"
                       r"CRL|Netscape|responder|signer|number from|directory|writing|for writing|dso|engine|seed|rand", re.I)


def tool_strings():
    out = subprocess.run(["strings", "-n", "8", "/usr/bin/openssl"], capture_output=True, text=True).stdout.splitlines()
    keep = re.compile(r"Could not|Unable to load|unable to load|Mac verify|depth lookup|verify error|Verify return|verify return|"
                      r"Can't open|Can't read|Error opening|Error reading|Error loading|No certificate|do not match|does not match|"
                      r"password|passphrase|Could not find|Error getting|No private key|not match|Error: .* file|SSL3 alert|"
                      r"unable to get|connect:errno|didn't find starttls|write:errno|read:errno|Invalid certificate|"
                      r"Verification|verification|No client certificate|Expecting|expired|Key loading|Warning: ", re.I)
    drop = re.compile(r"^(Use |Read |Specific |Prefer |Do not |Never |Never |Output |Print |Enable |Set |Include |Disable |Show |Input |"
                      r"Private key |Certificate input|Key input|Load |Trusted |Verify |Use )|options:$|^[a-z0-9_]+$|^-", re.I)
    res = []
    for s in out:
        s = s.strip()
        if keep.search(s) and not drop.search(s) and not SKIP_TOOL.search(s) and len(s) < 200 and not s.startswith("%s:%s:%d:CMP"):
            res.append(s)
    return res


def build(T):
    """T: dict client -> Table"""
    t = T["openssl"]
    py = T["python"]
    node = T["node"]
    errs = x509_errors()
    for n, name, text in errs:
        cc, note = verify_cause(name, "client")
        sc, snote = verify_cause(name, "server")
        nm = "X509_V_ERR_" + name
        t.add("openssl", n, text, cc, "client", SRC_HDR % "x509_vfy.h", f"{nm}; client verifying the server chain. {note}".strip())
        # s_client
        t.add("openssl", n, f"verify error:num={n}:{text}", cc, "client", SRC_BIN, f"{nm}; openssl s_client")
        t.add("openssl", n, f"Verify return code: {n} ({text})", cc, "client", SRC_BIN, f"{nm}; openssl s_client summary")
        # openssl verify: checks whatever file it is given; integrators mostly verify their own client certificate
        lc = cc
        if name in ("INVALID_PURPOSE",):
            lc = "client-cert-no-client-auth"
        if name in ("CERT_REVOKED",):
            lc = "client-cert-revoked"  # no server-cert-revoked cause: a revoked file checked locally is the client's
        t.add("openssl", n, f"error {n} at %d depth lookup: {text}", lc, "client", SRC_BIN,
              f"{nm}; openssl verify (apps/verify.c cb): a local check of the file given, which may be the client's own certificate (then read server-* as client-*). {note}".strip())
        # Python: CERTIFICATE_VERIFY_FAILED with the verify message
        py.add("python", "CERTIFICATE_VERIFY_FAILED", f"[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: {text} (_ssl.c:%d)",
               cc, "client", "cpython Modules/_ssl.c fill_and_set_sslerror (verify_str appended) + " + SRC_HDR % "x509_vfy.h",
               f"{nm}. {note}".strip())
        # Node: err.code is the X509_V_ERR_ name without prefix, err.message the text
        if n != 0:
            ncode = name if name in NODE_X509_CODES else "UNSPECIFIED"
            node.add("node", ncode, text, cc, "client",
                     "nodejs/node src/crypto/crypto_common.cc X509ErrorCode (CASE_X509_ERR list; others 'UNSPECIFIED') + " + SRC_HDR % "x509_vfy.h",
                     f"err.code '{ncode}' ({nm}). {note}".strip())
            if ncode != "UNSPECIFIED":
                node.add("node", ncode, ncode, cc, "client", "nodejs/node src/crypto/crypto_common.cc X509ErrorCode (search index)",
                         f"the code as printed: code: '{ncode}'. {note}".strip())
    for name, text in UPSTREAM_ONLY:
        cc, note = verify_cause(name, "client")
        t.add("openssl", "", text, cc, "client", UPSTREAM_X509_TXT, f"X509_V_ERR_{name}; text of newer OpenSSL (3.2+). {note}".strip())

    for n, long, short in alerts():
        rc, note = alert_cause(n, "client")
        t.add("openssl", n, long, rc, "client", SRC_HDR % "tls1.h (ssl/ssl_stat.c SSL_alert_desc_string_long)", f"TLS alert {n} ({short}) received from the server. {note}".strip())
        t.add("openssl", n, f"SSL alert number {n}", rc, "client", SRC_HDR % "ssl/statem (ERR_add_error_data 'SSL alert number %d')", f"alert {long} received. {note}".strip())
        t.add("openssl", n, f"SSL3 alert read:fatal:{long}", rc, "client", SRC_BIN, f"s_client -state/-msg info callback: alert received from the server. {note}".strip())
        sc, snote = alert_cause(n, "server")
        t.add("openssl", n, f"SSL3 alert write:fatal:{long}", sc, "client", SRC_BIN, f"s_client sent this alert: it rejects the server. {snote}".strip())

    for lib, libname, rnum, name, text in reasons():
        libl = lib_text(lib) or libname
        an = alert_num_of_reason(lib, rnum, name)
        if an is not None:
            cause, note = alert_cause(an, "client")
            note = f"alert {an} received from the peer. {note}".strip()
        else:
            cause, note = reason_cause(lib, name, text, "client", libname), ""
        code = f"{libname}_R_{name}"
        line = f"error:{pack(lib, rnum):08X}:{libl}::{text}"
        t.add("openssl", code, line, cause, "client", SRC_HDR % f"{libname.lower()}err.h", note)
        if lib == 20 and an is None:
            t.add("openssl", code, text, cause, "client", SRC_HDR % "sslerr.h", (note + " bare reason text").strip())
        # Python prints [LIB: NAME] text
        py.add("python", name, f"[{libname}: {name}] {text} (_ssl.c:%d)", cause, "client",
               "cpython Modules/_ssl.c fill_and_set_sslerror + _ssl.err_codes_to_names (python " + __import__("sys").version.split()[0] + ") + " + SRC_HDR % f"{libname.lower()}err.h", note)
        # Node code
        nl = NODE_LIBS.get(libname)
        ncode = "ERR_SSL_" + re.sub(r"[^A-Z0-9]", "_", text.upper()) if libname == "SSL" else (
            "ERR_OSSL_" + (nl + "_" if nl else "") + re.sub(r"[^A-Z0-9]", "_", text.upper()))
        node.add("node", ncode, line, cause, "client",
                 "nodejs/node src/crypto/crypto_util.cc (code = ERR_[OSSL_][LIB_]REASON from ERR_reason_error_string) + " + SRC_HDR % f"{libname.lower()}err.h",
                 (f"{code}. " + note).strip())

    HELP = re.compile(r"^(CA (file|store|path|dir)|Close connection|Exit non-zero|No verify output|Proxy authentication|Nonce|"
                      r"Invalid certificate options|Certificate request|Issuer CA|CA certificate and|Didn't find STARTTLS|No certificate present|"
                      r"SSL3 alert %s)")
    for s in tool_strings():
        if HELP.search(s):
            continue
        cause = classify(s, "client", "-", generic=False)
        if "Mac verify error" in s:
            cause = "key-passphrase-wrong"
        t.add("openssl", "", s, cause, "client", SRC_BIN, "openssl command-line tool message")
    # Frequently pasted tool messages whose object name is filled in at run time (apps/lib/apps.c load_cert/load_key: "Could not read %s from %s", "Unable to load %s")
    for desc, cause in [("client certificate", "input-file-unreadable"), ("certificate", "input-file-unreadable"),
                        ("private key", "input-file-unreadable"), ("client certificate private key", "input-file-unreadable"),
                        ("key", "input-file-unreadable"), ("CA certificate", "ca-bundle-invalid"),
                        ("certificates", "input-file-unreadable"), ("server certificate", "input-file-unreadable")]:
        t.add("openssl", "", f"Could not read {desc} from %s", cause, "client", SRC_BIN + " 'Could not read %s from %s' with desc filled",
              "the file is missing, unreadable, not in the expected format, or an encrypted key without the right passphrase (key-passphrase-wrong)")
        t.add("openssl", "", f"Unable to load {desc}", cause, "client", SRC_BIN + " 'Unable to load %s' with desc filled",
              "follows a 'Could not read' line; see the OpenSSL error after it")


# OSSL_ERROR_CODES_MAP in node src/crypto/crypto_util.cc (node's short lib names;
# libraries missing from it get no lib part, e.g. DECODER -> ERR_OSSL_UNSUPPORTED).
NODE_LIBS = {k: k for k in ["SYS", "BN", "RSA", "DH", "EVP", "BUF", "OBJ", "PEM", "DSA", "X509", "ASN1", "CONF", "CRYPTO", "EC",
                            "SSL", "BIO", "PKCS7", "X509V3", "PKCS12", "RAND", "DSO", "ENGINE", "OCSP", "UI", "COMP", "ECDSA",
                            "ECDH", "OSSL_STORE", "FIPS", "CMS", "TS", "HMAC", "CT", "ASYNC", "KDF", "SM2", "USER"]}

# node src/crypto/crypto_common.cc X509ErrorCode (read through the search index)
NODE_X509_CODES = set("""UNABLE_TO_GET_ISSUER_CERT UNABLE_TO_GET_CRL UNABLE_TO_DECRYPT_CERT_SIGNATURE UNABLE_TO_DECRYPT_CRL_SIGNATURE
UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY CERT_SIGNATURE_FAILURE CRL_SIGNATURE_FAILURE CERT_NOT_YET_VALID CERT_HAS_EXPIRED CRL_NOT_YET_VALID
CRL_HAS_EXPIRED ERROR_IN_CERT_NOT_BEFORE_FIELD ERROR_IN_CERT_NOT_AFTER_FIELD ERROR_IN_CRL_LAST_UPDATE_FIELD ERROR_IN_CRL_NEXT_UPDATE_FIELD
OUT_OF_MEM DEPTH_ZERO_SELF_SIGNED_CERT SELF_SIGNED_CERT_IN_CHAIN UNABLE_TO_GET_ISSUER_CERT_LOCALLY UNABLE_TO_VERIFY_LEAF_SIGNATURE
CERT_CHAIN_TOO_LONG CERT_REVOKED INVALID_CA PATH_LENGTH_EXCEEDED INVALID_PURPOSE CERT_UNTRUSTED CERT_REJECTED HOSTNAME_MISMATCH""".split())
