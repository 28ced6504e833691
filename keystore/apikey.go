package keystore

import (
	"bytes"
	"encoding/base64"
	"strings"
	"unicode"

	"github.com/onramp-cli/onramp/cause"
)

// APIKeyShape returns the cause ids of what looks wrong with an API key
// before it is ever sent: api-key-whitespace (spaces or newlines, usually
// from copy and paste) and api-key-base64-encoded (the HMPPS guide says to
// send the key as issued; an encoded key gets 403). Both `onramp secret set`
// and diagnose call it, so they agree. Pure: the value is never logged.
func APIKeyShape(value string) []cause.ID {
	var ids []cause.ID
	if strings.IndexFunc(value, unicode.IsSpace) >= 0 {
		ids = append(ids, cause.APIKeyWhitespace)
	}
	if looksBase64OfKey(strings.TrimSpace(value)) {
		ids = append(ids, cause.APIKeyBase64Encoded)
	}
	return ids
}

// looksBase64OfKey: the value is valid Base64 of at least 12 bytes that
// decodes to printable text (a trailing newline allowed: `echo KEY | base64`)
// that itself looks like a key, mostly letters and digits. Random key bytes
// are almost never all printable, so real keys are rarely flagged. The same
// rule as diagnose's local check.
func looksBase64OfKey(v string) bool {
	if len(v) < 16 {
		return false
	}
	var decoded []byte
	ok := false
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.Strict().DecodeString(v); err == nil {
			decoded, ok = b, true
			break
		}
	}
	if !ok || len(decoded) < 12 {
		return false
	}
	decoded = bytes.TrimRight(decoded, "\r\n")
	alnum := 0
	for _, c := range decoded {
		if c <= ' ' || c >= 0x7f {
			return false
		}
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			alnum++
		}
	}
	return len(decoded) > 0 && alnum*10 >= len(decoded)*8
}
