package explain

import (
	"strings"

	"github.com/onramp-cli/onramp/cause"
)

// clientMarks tell whose output a line is when the words that named the
// cause are everyone's (OpenSSL's, HTTP's): a Python traceback, a Java
// exception, a Node error object. Checked in order, most telling first.
var clientMarks = []struct {
	client string
	marks  []string
}{
	{cause.ClientCurl, []string{"curl: ("}},
	{cause.ClientJava, []string{"javax.net.ssl", "java.security", "sun.security", "java.net.", "java.io."}},
	{cause.ClientPython, []string{"requests.exceptions", "urllib3", "urllib.error", "_ssl.c", "ssl.sslerror", "sslerror(", "traceback (most recent call last)", "httpx."}},
	{cause.ClientNode, []string{"node:_tls", "node:internal", "tlssocket", "code: 'err_", "code: 'unable_", "code: 'cert_", "code: 'depth_", "code: 'self_signed"}},
	{cause.ClientDotNet, []string{"system.net.", "authenticationexception", "httprequestexception", "the remote certificate is invalid", "could not establish trust relationship"}},
	{cause.ClientGo, []string{"x509: ", "remote error: tls:", "tls: failed", "tls: first record"}},
}

// clientOf is the client whose output line is, or "".
func clientOf(line string) string {
	l := strings.ToLower(line)
	for _, c := range clientMarks {
		for _, m := range c.marks {
			if strings.Contains(l, m) {
				return c.client
			}
		}
	}
	return ""
}
