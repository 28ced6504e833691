""".NET / PowerShell.  .NET (Core) texts: dotnet/runtime Strings.resx of
System.Net.Security and System.Net.Http, read through the search index
(read_file; the repository is too large to fetch here) and transcribed into
dotnet_runtime_resx.tsv (name, text).  .NET Framework / Windows PowerShell 5.1
texts: github:microsoft/referencesource System/System.txt (fetched)."""
import os
import re

from common import git_show, src
from mapping import classify

HERE = os.path.dirname(os.path.abspath(__file__))
RUNTIME_SRC = {"sec": "github:dotnet/runtime src/libraries/System.Net.Security/src/Resources/Strings.resx @015510cac22b (search index)",
               "http": "github:dotnet/runtime src/libraries/System.Net.Http/src/Resources/Strings.resx @0074b9298ffd (search index)"}
OVR = {
    "net_ssl_io_cert_validation": ("server-cert-untrusted", "the {0} names the SslPolicyErrors: RemoteCertificateNameMismatch = hostname, RemoteCertificateChainErrors = chain"),
    "net_ssl_io_cert_custom_validation": ("server-cert-untrusted", ""),
    "net_http_ssl_connection_failed": ("tls-handshake-failed", "the inner exception decides"),
    "net_auth_tls_alert": ("tls-handshake-failed", "the alert name in quotes decides"),
    "net_http_proxy_tunnel_returned_failure_status_code": ("proxy-tunnel-refused", "status 407 means proxy-auth-required"),
    "net_http_message_not_success_statuscode": ("-", "the status decides (http-status.tsv)"),
    "net_io_eof": ("tcp-reset", ""), "net_auth_eof": ("tcp-reset", ""), "net_io_connectionclosed": ("tcp-reset", ""),
    "net_ssl_io_frame": ("tls-not-tls", "often a plain-HTTP port or a proxy answering"),
    "net_http_invalid_response_premature_eof": ("tcp-reset", ""),
    "net_http_request_timedout": ("tcp-timeout", ""),
    "net_ssl_check_private_key_failed": ("key-cert-mismatch", ""),
    "net_ssl_use_private_key_failed": ("key-cert-mismatch", ""),
    "net_socks_auth_failed": ("proxy-auth-required", ""), "net_socks_auth_required": ("proxy-auth-required", ""),
    "net_socks_connection_failed": ("proxy-tunnel-refused", ""),
    "net_webstatus_TrustFailure": ("server-cert-untrusted", ""),
    "net_webstatus_SecureChannelFailure": ("tls-handshake-failed", "PowerShell 5.1 'Could not create SSL/TLS secure channel': often TLS 1.2 not enabled (tls-version-mismatch) or a client certificate problem"),
    "net_webstatus_NameResolutionFailure": ("dns-no-such-host", ""), "net_webstatus_ConnectFailure": ("tcp-refused", ""),
    "net_webstatus_ProxyNameResolutionFailure": ("proxy-unreachable", ""), "net_webstatus_Timeout": ("tcp-timeout", ""),
    "net_webstatus_ReceiveFailure": ("tcp-reset", ""), "net_webstatus_SendFailure": ("tcp-reset", ""),
    "net_webstatus_ConnectionClosed": ("tcp-reset", ""), "net_webstatus_KeepAliveFailure": ("tcp-reset", ""),
    "net_webstatus_RequestProhibitedByProxy": ("proxy-tunnel-refused", ""),
    "net_http_headers_invalid_value": ("api-key-whitespace", "often an API key with a newline"),
    "net_http_headers_no_newlines": ("api-key-whitespace", ""), "net_http_log_headers_no_newlines": ("api-key-whitespace", ""),
    "net_http_invalid_response": ("tls-not-tls", "e.g. an HTTPS request answered by something else"),
    "net_log_remote_cert_name_mismatch": ("server-cert-hostname-mismatch", ""),
    "net_auth_bad_client_creds": ("-", "Negotiate/NTLM, not TLS"),
    "event_NoDelegateNoClientCert": ("client-cert-not-sent", "trace line: no client certificate available to send"),
    "net_connclosed": ("tcp-reset", "'The underlying connection was closed: {0}.': the text inside decides"),
    "net_requestaborted": ("-", "'The request was aborted: {0}.' the webstatus text inside decides"),
    "net_servererror": ("-", "'The remote server returned an error: (401) Unauthorized.': the status decides"),
}


def unquote(text):
    """A few resources end in a stray quote ('{1}'." / certificates".): a typo in the resource,
    not printed the same by every version; the row is matched without it."""
    if re.search(r"[^\s\"]\"\.?$", text) and text.count('"') % 2 == 1:
        return re.sub(r'"(\.?)$', r"\1", text), "the resource ends in a stray quote, left out here."
    return text, ""


def build(T):
    t = T["dotnet"]
    for line in open(os.path.join(HERE, "dotnet_runtime_resx.tsv")):
        if line.startswith("#") or not line.strip():
            continue
        which, name, text = line.rstrip("\n").split("\t")
        text, note0 = unquote(text)
        c, note = OVR.get(name, (None, ""))
        note = (note0 + " " + note).strip()
        if c is None:
            c = classify(text, "client", "-", generic=False)
        t.add("dotnet", name, text, c, "client", RUNTIME_SRC[which], note)
    # SslPolicyErrors and X509ChainStatusFlags names as they appear in the messages
    for name, c in [("RemoteCertificateNameMismatch", "server-cert-hostname-mismatch"), ("RemoteCertificateChainErrors", "server-cert-untrusted"),
                    ("RemoteCertificateNotAvailable", "tls-handshake-failed"), ("UntrustedRoot", "server-cert-untrusted"),
                    ("PartialChain", "server-chain-incomplete"), ("NotTimeValid", "server-cert-expired"), ("Revoked", "tls-handshake-failed"),
                    ("RevocationStatusUnknown", "tls-handshake-failed"), ("OfflineRevocation", "tls-handshake-failed"),
                    ("NotValidForUsage", "tls-handshake-failed"), ("NotSignatureValid", "tls-handshake-failed")]:
        t.add("dotnet", name, name, c, "client", "dotnet/runtime System.Net.Security SslPolicyErrors / System.Security.Cryptography X509ChainStatusFlags enum names (from API docs, not read from source here)",
              "NotTimeValid also covers not-yet-valid" if name == "NotTimeValid" else "")
    t.add("dotnet", "net_ssl_io_cert_validation", "The remote certificate is invalid according to the validation procedure: RemoteCertificateNameMismatch",
          "server-cert-hostname-mismatch", "client", RUNTIME_SRC["sec"] + " with {0} filled", "")
    t.add("dotnet", "net_ssl_io_cert_validation", "The remote certificate is invalid according to the validation procedure: RemoteCertificateChainErrors",
          "server-cert-untrusted", "client", RUNTIME_SRC["sec"] + " with {0} filled", "")
    t.add("dotnet", "net_ssl_io_cert_validation", "The remote certificate is invalid according to the validation procedure.",
          "server-cert-untrusted", "client", "older .NET / .NET Framework wording (no {0})", "")
    # .NET Framework / PowerShell 5.1
    txt = git_show("microsoft/referencesource", "System/System.txt")
    s_ = src("microsoft/referencesource", "System/System.txt")
    for m in re.finditer(r"^(net_\w+)=(.*)$", txt, re.M):
        name, text = m.group(1), m.group(2).strip()
        text, note0 = unquote(text)
        c, note = OVR.get(name, (None, ""))
        note = (note0 + " " + note).strip()
        if c is None:
            if not re.search(r"ssl|tls|cert|proxy|trust|secure channel|connect|resolve|timed out|timeout|refused|closed|aborted|unauthori|forbidden|redirections|407|401|403|404|429|503|\(\d{3}\)", text, re.I):
                continue
            c = classify(text, "client", "-", generic=False)
        t.add("dotnet", name, text, c, "client", s_, ("PowerShell 5.1 / .NET Framework. " + note).strip())
    for st, phrase in [(401, "Unauthorized"), (403, "Forbidden"), (404, "Not Found"), (405, "Method Not Allowed"), (407, "Proxy Authentication Required"),
                       (429, "Too Many Requests"), (500, "Internal Server Error"), (502, "Bad Gateway"), (503, "Server Unavailable"), (504, "Gateway Timeout")]:
        from mapping import status_cause
        t.add("dotnet", "net_servererror", f"The remote server returned an error: ({st}) {phrase}.", status_cause(st), "client", s_ + " net_servererror + net_httpstatuscode_*", "Invoke-WebRequest / WebClient in PowerShell 5.1")
    t.add("dotnet", "net_requestaborted", "The request was aborted: Could not create SSL/TLS secure channel.", "tls-handshake-failed", "client", s_ + " net_requestaborted + net_webstatus_SecureChannelFailure",
          "PowerShell 5.1: usually TLS 1.2 not enabled ([Net.ServicePointManager]::SecurityProtocol) = tls-version-mismatch, or the client certificate/key is unusable")
    t.add("dotnet", "net_requestaborted", "The underlying connection was closed: Could not establish trust relationship for the SSL/TLS secure channel.", "server-cert-untrusted", "client", s_ + " net_webstatus_TrustFailure", "")
