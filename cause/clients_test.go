package cause

import (
	"regexp"
	"strings"
	"testing"
)

// Every cause with client words has them for every client, and the causes
// a user meets in their own program's errors are among them.
func TestClientFixesCoverEveryClient(t *testing.T) {
	for _, id := range []ID{ServerCertUntrusted, ServerCertSelfSigned, ServerChainIncomplete, ServerCertHostnameMismatch,
		KeyEncryptedNoPassphrase, KeyPassphraseWrong, ClientCertNotSent, ClientCertWrongIssuer, ClientCertRejected, ClientCertExpired} {
		if _, ok := clientFixes[id]; !ok {
			t.Errorf("%s has no client words", id)
		}
	}
	for id, fixes := range clientFixes {
		if _, ok := Lookup(id); !ok {
			t.Errorf("%s is not in the catalog", id)
		}
		for _, c := range Clients() {
			if strings.TrimSpace(fixes[c]) == "" {
				t.Errorf("%s: no fix for %s", id, c)
			}
		}
		if len(fixes) != len(Clients()) {
			t.Errorf("%s: fixes for %d clients, want %d", id, len(fixes), len(Clients()))
		}
	}
}

// A client's fix never tells the user to turn verification off: the words
// that do it appear only after "never" (or "rather than", "not").
func TestClientFixesNeverDisableVerification(t *testing.T) {
	unsafe := regexp.MustCompile(`InsecureSkipVerify|verify=False|check_hostname=False|NODE_TLS_REJECT_UNAUTHORIZED=0|-k\b|return true|accept(s)? (everything|anything)`)
	for id, fixes := range clientFixes {
		for c, fix := range fixes {
			for _, loc := range unsafe.FindAllStringIndex(fix, -1) {
				before := strings.ToLower(fix[max(loc[0]-60, 0):loc[0]])
				if !strings.Contains(before, "never") && !strings.Contains(before, "rather than") && !strings.Contains(before, "not") {
					t.Errorf("%s for %s suggests %q: %s", id, c, fix[loc[0]:loc[1]], fix)
				}
			}
		}
	}
}
