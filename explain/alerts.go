package explain

import (
	"fmt"
	"strings"

	"github.com/onramp-cli/onramp/classify"
)

// alertRecognisers are the rows for TLS alerts in each client's wording,
// made from classify's alert table: that table is the one place where an
// alert's number and names map to a cause.
func alertRecognisers() []Recogniser {
	var rows []Recogniser
	for _, a := range classify.Alerts() {
		_, openssl, _ := strings.Cut(a.OpenSSL, "alert ")
		// An alert that names one cause is specific; one that fits several
		// (handshake_failure) or says little (internal_error) is generic.
		weight, goText := specific, "tls: "+strings.ToLower(a.Go)
		if len(a.Received) > 1 || a.ReceivedVague {
			// Go's wording alone could be an alert our side sent.
			weight, goText = generic, "remote error: "+goText
		}
		for _, id := range a.Received {
			for _, w := range []struct{ client, pattern string }{
				{"go", goText},
				{"curl", "(in), tls alert, " + a.CurlText()},
				{"openssl", "alert " + openssl},
				{"openssl", fmt.Sprintf("alert number %d", a.Code)},
				{"python", a.PythonText()},
				{"java", "received fatal alert: " + a.Name},
			} {
				rows = append(rows, Recogniser{Pattern: w.pattern, Cause: id, Client: w.client, Weight: weight})
			}
		}
		// curl -v shows the alerts our side sent too: the client refused
		// the server's certificate.
		if a.Sent != "" {
			weight := generic
			if a.SentVague {
				weight = weak
			}
			rows = append(rows, Recogniser{Pattern: "(out), tls alert, " + a.CurlText(), Cause: a.Sent, Client: "curl", Weight: weight})
		}
	}
	return rows
}
