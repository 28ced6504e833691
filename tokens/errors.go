// Package tokens fetches short-lived credentials: OAuth bearer tokens from
// NHS API Management by signed-JWT client credentials, and temporary AWS
// credentials from the HMPPS Integration API's /token endpoint. Both are
// cached in the OS keyring until shortly before they expire. Every failure
// carries a cause id from the catalog (CauseID), and no secret (API key,
// client assertion, token, AWS secret) ever appears in an error.
package tokens

import (
	"fmt"
	"strings"

	"github.com/onramp-cli/onramp/cause"
)

// Error is a failure to get a credential, carrying the catalog cause id.
type Error struct {
	ID cause.ID // catalog cause id, e.g. jwt-kid-unknown
	// Op says what was being done: "sign", "token request", "aws credentials".
	Op string
	// Status is the HTTP status of the answer, 0 when none came.
	Status int
	// Code and Description are the server's own OAuth error and
	// error_description (secrets redacted); MessageID is APIM's message_id,
	// which its support desk asks for.
	Code        string
	Description string
	MessageID   string
	// Detail is onramp's explanation of what most likely happened.
	Detail string
	Err    error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, "HTTP %d", e.Status)
		if e.Code != "" || e.Description != "" {
			b.WriteString(" ")
		}
	}
	switch {
	case e.Code != "" && e.Description != "":
		fmt.Fprintf(&b, "%s: %s", e.Code, e.Description)
	case e.Code != "":
		b.WriteString(e.Code)
	case e.Description != "":
		b.WriteString(e.Description)
	}
	if e.Detail != "" {
		if e.Status != 0 || e.Code != "" || e.Description != "" {
			b.WriteString(" — ")
		}
		b.WriteString(e.Detail)
	}
	if e.MessageID != "" {
		fmt.Fprintf(&b, " (message_id %s)", e.MessageID)
	}
	if e.Err != nil && e.Status == 0 && e.Detail == "" {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// CauseID is the catalog id of the failure (see cause.Of).
func (e *Error) CauseID() cause.ID { return e.ID }
