package cause

import (
	"bytes"
	"strings"
	"testing"
)

func TestShowOneWording(t *testing.T) {
	c := &Cause{ID: "some-id", Title: "Something failed", Meaning: "What it means.", Fix: "Do this."}
	var b bytes.Buffer
	Fprint(&b, c, Show{Label: "Cause"})
	if want := "Cause: Something failed (some-id)\n  What it means.\n  Fix: Do this.\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	// The detail of this occurrence stands in for the meaning; an indent and
	// a styled head nest it in a list.
	got := Show{Detail: "it broke here", Indent: "  ", Head: func(s string) string { return "✗ " + s }}.Text(c)
	if want := "  ✗ Something failed (some-id)\n    it broke here\n    Fix: Do this.\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	long := Show{}.Text(&Cause{ID: "x", Title: "T", Fix: strings.Repeat("word ", 40)})
	for _, l := range strings.Split(strings.TrimSuffix(long, "\n"), "\n") {
		if len(l) > 78 {
			t.Errorf("line longer than 78 columns: %q", l)
		}
	}
}

type fixHere struct{ fix string }

func (fixHere) Error() string      { return "keyring get p/api-key: missing" }
func (fixHere) CauseID() ID        { return KeyringSecretMissing }
func (e fixHere) CauseFix() string { return e.fix }

func TestOfGivesTheFixForThisMachine(t *testing.T) {
	c, ok := Of(fixHere{fix: "Store it: onramp secret set api-key --profile p"})
	if !ok || c.Fix != "Store it: onramp secret set api-key --profile p" || c.Title != Get(KeyringSecretMissing).Title {
		t.Errorf("got %+v", c)
	}
	if c, _ := Of(fixHere{}); c.Fix != Get(KeyringSecretMissing).Fix {
		t.Errorf("no fix of its own: %q", c.Fix)
	}
	if Get(KeyringSecretMissing).Fix == "Store it: onramp secret set api-key --profile p" {
		t.Error("the catalog entry was changed")
	}
}

// A command in backticks is copied from the terminal whole: the wrap
// never breaks inside one that fits a line.
func TestWrapKeepsQuotedCommandsWhole(t *testing.T) {
	c := &Cause{ID: "x", Title: "T", Fix: "Ask the provider for a new certificate: make a fresh CSR with `onramp keygen --csr`, send it, then " +
		"`openssl pkcs12 -export -in new.crt -inkey client.key -out client.p12` and restart."}
	text := Show{}.Text(c)
	for _, cmd := range []string{"`onramp keygen --csr`", "`openssl pkcs12 -export -in new.crt -inkey client.key -out client.p12`"} {
		if !strings.Contains(text, cmd) {
			t.Errorf("%s is broken across lines:\n%s", cmd, text)
		}
	}
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if len(l) > 78 {
			t.Errorf("line longer than 78 columns: %q", l)
		}
	}
	// One longer than a line gets a line of its own, whole: broken at a
	// space, its first half would run on its own when pasted. The prose
	// around it still wraps, and a second command pairs its own backticks.
	keytool := "`keytool -importcert -alias provider-ca -file ca.pem -keystore truststore.p12 -storetype PKCS12`"
	long := Show{}.Text(&Cause{ID: "x", Title: "T", Fix: "Import the provider's CA certificate into a truststore and run the JVM with it: " +
		keytool + ", then `-Djavax.net.ssl.trustStoreType=PKCS12`. `onramp inspect ca.pem` shows which CAs the file holds, and more words follow here."})
	lines := strings.Split(strings.TrimSuffix(long, "\n"), "\n")
	found := false
	for _, l := range lines {
		if strings.TrimSpace(l) == keytool+"," {
			found = true
		} else if len(l) > 78 {
			t.Errorf("line longer than 78 columns: %q", l)
		}
	}
	if !found || !strings.Contains(long, "`-Djavax.net.ssl.trustStoreType=PKCS12`.") {
		t.Errorf("a long command is not on a line of its own, whole:\n%s", long)
	}
}

// The client's fix and the provider's note follow onramp's own, each
// labelled, in every front end's wording.
func TestShowAdvice(t *testing.T) {
	c := Advice{Client: ClientPython, Provider: "Example API", Notes: map[ID]string{ServerCertUntrusted: "Example's CA is private."}}.Apply(Get(ServerCertUntrusted))
	text := Show{Label: "Cause"}.Text(c)
	fix, client, note := strings.Index(text, "  Fix: Pass"), strings.Index(text, "  Fix (Python): Give the client"), strings.Index(text, "  Fix (Example API): Example's CA is private.")
	if fix < 0 || client < fix || note < client {
		t.Errorf("want onramp's fix, then Python's, then the provider's note:\n%s", text)
	}
	plain := Show{}.Text(Advice{}.Apply(Get(ServerCertUntrusted)))
	if strings.Contains(plain, "Python") || strings.Contains(plain, "Example") {
		t.Errorf("no advice known, yet:\n%s", plain)
	}
	got := Advice{Client: ClientGo}.Apply(Get(DNSNoSuchHost))
	if got.ClientFix != "" {
		t.Errorf("a cause without client words got %q", got.ClientFix)
	}
}
