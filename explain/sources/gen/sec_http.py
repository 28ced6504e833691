"""HTTP status lines in each common client's wording; phrases from Python's
http.HTTPStatus (RFC 9110 names) and Go's net/http status.go."""
import http
import re
import sys

from mapping import status_cause, STATUS_NOTE

FORMS = [
    ("generic", "HTTP {code}", "-"), ("generic", "{code} {phrase}", "Go resp.Status, curl -v without the version"),
    ("curl", "< HTTP/1.1 {code} {phrase}", "curl -v"), ("curl", "< HTTP/2 {code}", "curl -v over HTTP/2 (no phrase)"),
    ("curl", "HTTP/1.1 {code} {phrase}", "curl -i / raw"), ("curl", "The requested URL returned error: {code}", "curl (22) with --fail; github:curl/curl lib/http.c"),
    ("python", "urllib.error.HTTPError: HTTP Error {code}: {phrase}", "cpython Lib/urllib/error.py"),
    ("python", "HTTP Error {code}: {phrase}", "cpython Lib/urllib/error.py"),
    ("python", "HTTP Error {code}", "cpython Lib/urllib/error.py (prefix)"),
    ("python", "{code} Client Error: {phrase} for url: %s", "requests Response.raise_for_status (4xx)"),
    ("python", "{code} Server Error: {phrase} for url: %s", "requests Response.raise_for_status (5xx)"),
    ("python", "Client error '{code} {phrase}' for url '%s'", "httpx raise_for_status (4xx)"),
    ("python", "Server error '{code} {phrase}' for url '%s'", "httpx raise_for_status (5xx)"),
    ("node", "Request failed with status code {code}", "axios lib/core/settle.js"),
    ("dotnet", "Response status code does not indicate success: {code} ({phrase}).", "dotnet/runtime net_http_message_not_success_statuscode"),
    ("java", "Server returned HTTP response code: {code} for URL: %s", "JDK sun/net/www/protocol/http/HttpURLConnection.java"),
    ("java", "Unable to tunnel through proxy. Proxy returns \"HTTP/1.1 {code} {phrase}\"", "JDK HttpURLConnection (proxy CONNECT)"),
    ("python", "Tunnel connection failed: {code} {phrase}", "cpython Lib/http/client.py _tunnel (proxy CONNECT)"),
    ("curl", "CONNECT tunnel failed, response {code}", "curl lib/cf-h1-proxy.c (proxy CONNECT)"),
]
CODES = [301, 302, 303, 307, 308, 400, 401, 403, 404, 405, 406, 407, 408, 409, 413, 415, 421, 429, 495, 496, 497, 500, 501, 502, 503, 504]
EXTRA_PHRASE = {495: "SSL Certificate Error", 496: "SSL Certificate Required", 497: "HTTP Request Sent to HTTPS Port"}


def nginx_phrases():
    try:
        from common import git_show
        txt = git_show("nginx/nginx", "src/http/ngx_http_header_filter_module.c")
    except Exception:
        return {}
    return {int(m.group(1)): m.group(2) for m in re.finditer(r'ngx_string\("(\d{3}) ([^"]+)"\)', txt)}


# nginx answers a refused client certificate and a plain-HTTP request to its TLS port with 400 pages
# (400 No required SSL certificate was sent / The SSL certificate error / The plain HTTP request was sent to HTTPS port).
BARE_400 = ["client-cert-not-sent", "client-cert-rejected", "tls-not-tls"]

# A bare 401 (RFC 9110 15.5.2: the request lacks valid authentication credentials) is a token that was refused
# (expired, wrong audience) OR no credentials at all; an API-key gateway answers a missing key with 401 too
# (PROVIDERS.md). The WWW-Authenticate header and the request say which; clients that print no headers hide both.
# Listed most likely first: the order is explain's order for equally likely causes.
BARE_401 = ["token-missing", "api-key-missing"]

# Go's net/http Transport (transport.go dialConn, go1.26.8 L1931-1938): a proxy that answers the CONNECT with
# anything but 200 gives errors.New(the status text after the code), i.e. only the proxy's reason phrase, which
# the client wraps as url.Error: `Get "https://host/": Forbidden`. Go returns no error for a status otherwise, so
# `"URL": <phrase>` is the proxy's refusal. Phrases: RFC 9110 (http.HTTPStatus) and the ones tinyproxy sends
# (Debian tinyproxy 1.11.1 /usr/bin/tinyproxy strings; upstream src/reqs.c, src/acl.c indicate_http_error).
GO_PROXY_PHRASES = [(403, "Access violation"), (403, "Filtered"), (500, "Unable to connect"), (400, "Bad Request")]
GO_PROXY_SRC = ("go go1.26.8 $GOROOT/src/net/http/transport.go L1931-1938 (github:golang/go tag go1.26.8): "
                "CONNECT answered non-200 -> errors.New(phrase), wrapped by url.Error")


def build(T):
    t = T["http-status"]
    ng = nginx_phrases()
    pairs = []
    for code in CODES:
        try:
            pairs.append((code, http.HTTPStatus(code).phrase, "python http.HTTPStatus"))
        except ValueError:
            pairs.append((code, EXTRA_PHRASE[code], "nginx"))
        if code in ng and ng[code] != pairs[-1][1]:
            pairs.append((code, ng[code], "nginx src/http/ngx_http_header_filter_module.c (the status line an nginx-fronted API sends)"))
    for code, phrase, psrc in pairs:
        for client, form, src in FORMS:
            proxy = "proxy CONNECT" in src
            if proxy and code in (301, 302, 303, 307, 308, 495, 496, 497):
                continue
            if "4xx" in src and code >= 500 or "5xx" in src and code < 500:
                continue
            text = form.format(code=code, phrase=phrase)
            c = status_cause(code, proxy=proxy)
            note = ("proxy CONNECT answer. " if proxy else "") + STATUS_NOTE.get(code, "")
            if code in (495, 496, 497):
                note = "nginx-specific status (client certificate / plain HTTP)"
            t.add(client, code, text, c, "client", f"{src}; phrase: {psrc}", note.strip())
            if code == 400 and not proxy and c == "-":
                # A bare 400 names no cause. In front of an API it is most often the TLS-terminating server's own
                # page (nginx: ngx_http_special_response.c), which the clients that print no body hide: the three
                # candidates, equally likely, with the hint that tells them apart (explain.Disambiguate).
                for bc in BARE_400:
                    t.add(client, code, text, bc, "client", f"{src}; phrase: {psrc}",
                          "bare 400: a candidate, not a finding; nginx's 400 pages say which (its error log too)", multi=True)
            if code == 401 and not proxy:
                for bc in BARE_401:
                    t.add(client, code, text, bc, "client", f"{src}; phrase: {psrc}",
                          "bare 401: a candidate as likely as token-rejected; WWW-Authenticate and the request's Authorization/key header say which", multi=True)
        if status_cause(code, proxy=True) in ("proxy-tunnel-refused", "proxy-auth-required") and len(phrase) >= 8:
            t.add("go", code, '"%s": ' + phrase, status_cause(code, proxy=True), "client", f"{GO_PROXY_SRC}; phrase: {psrc}",
                  "proxy CONNECT answer: Go prints only the proxy's reason phrase")
    for code, phrase in GO_PROXY_PHRASES:
        t.add("go", code, '"%s": ' + phrase, status_cause(code, proxy=True), "client",
              f"{GO_PROXY_SRC}; phrase: tinyproxy 1.11.1 (Debian /usr/bin/tinyproxy)", "proxy CONNECT answer: Go prints only the proxy's reason phrase")
    # bodies people paste after a curl call
    for body, c in [('{"message":"Too Many Requests"}', "rate-limited"), ('{"message":"Unauthorized"}', "token-rejected"),
                    ('{"message":"Forbidden"}', "api-key-rejected"), ('{"message":"Missing Authentication Token"}', "endpoint-not-found"),
                    ("<title>429 Too Many Requests</title>", "rate-limited"), ("<title>503 Service Temporarily Unavailable</title>", "service-unavailable"),
                    ("<title>405 Not Allowed</title>", "method-not-allowed"), ("<title>404 Not Found</title>", "endpoint-not-found"),
                    ("<title>401 Authorization Required</title>", "token-rejected"), ("<title>403 Forbidden</title>", "api-key-rejected"),
                    ("<title>502 Bad Gateway</title>", "server-error"), ("<title>504 Gateway Time-out</title>", "server-error"),
                    ("<title>400 No required SSL certificate was sent</title>", "client-cert-not-sent"),
                    ("<title>400 The SSL certificate error</title>", "client-cert-rejected"),
                    ("<title>400 The plain HTTP request was sent to HTTPS port</title>", "tls-not-tls")]:
        t.add("generic", "", body, c, "client", "github:nginx/nginx src/http/ngx_http_special_response.c (nginx pages); AWS API Gateway JSON bodies (documented, not read from source)",
              "response bodies as pasted")
