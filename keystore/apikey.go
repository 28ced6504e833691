package keystore

import (
	"encoding/base64"
	"strings"
	"unicode"
)

// APIKeyShape returns the cause ids of what looks wrong with an API key
// before it is ever sent: api-key-whitespace (spaces or newlines, usually
// from copy and paste) and api-key-base64-encoded (the HMPPS guide says to
// send the key as issued; an encoded key gets 403). Both `onramp secret set`
// and diagnose call it, so they agree. Pure: the value is never logged.
func APIKeyShape(value string) []string {
	var ids []string
	if strings.IndexFunc(value, unicode.IsSpace) >= 0 {
		ids = append(ids, "api-key-whitespace")
	}
	if looksBase64OfKey(strings.TrimSpace(value)) {
		ids = append(ids, "api-key-base64-encoded")
	}
	return ids
}

// looksBase64OfKey: the value decodes cleanly as Base64 to printable text
// that itself looks like a key. A random key almost never decodes to all
// printable characters, so false alarms on real keys are rare.
func looksBase64OfKey(v string) bool {
	if len(v) < 16 {
		return false
	}
	var decoded []byte
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.Strict().DecodeString(v); err == nil {
			decoded = b
			break
		}
	}
	if len(decoded) < 12 {
		return false
	}
	for _, c := range decoded {
		if !isKeyChar(c) {
			return false
		}
	}
	return true
}

// isKeyChar: characters API keys are made of (letters, digits and the
// usual separators), so decoded text must look like a key, not prose.
func isKeyChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("-_.~+/=:", c) >= 0
}
