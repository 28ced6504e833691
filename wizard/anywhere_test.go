package wizard

import (
	"context"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/usecase"
)

// keyChecker passes only when the checks' options carry the key typed in
// the wizard, read through the same store the wizard stored into.
type keyChecker struct{ store secretstore.Keyring }

func (c keyChecker) Check(ctx context.Context, p *profile.Profile) *diagnose.Report {
	o, _ := usecase.Checks{Store: c.store}.Options(p)
	return &diagnose.Report{OK: o.APIKey == canary, Target: p.URL}
}

// No keyring and no file store on offer: the key typed is still used for
// this session's checks, and the screens say so (and that it is not
// stored).
func TestKeyKeptForTheSession(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	kr := testkeyring.New()
	kr.Unavailable = true
	session := &secretstore.Session{Keyring: kr}
	s := &Script{Answers: sandboxAnswers()}
	f, _ := newFlow(s, &memStore{}, true)
	f.Secrets, f.Checker = session, keyChecker{session}
	res, err := f.Run(context.Background(), "")
	if err != nil || !res.Connected {
		t.Fatalf("res %+v err %v: the checks did not get the typed key", res, err)
	}
	var said, done bool
	for _, n := range s.Notes {
		if n.Title == secretstore.NoKeyring.Headline() && strings.Contains(n.Why, "this session's checks use what you typed") {
			said = true
			// The fix names what the wizard itself offers, not a key of
			// the TUI's Home screen (onramp init has none).
			if !strings.Contains(n.Body, "when the wizard offers it") || strings.Contains(n.Body, "press f") || strings.Contains(n.Body, "Home screen") {
				t.Errorf("the fix is not the wizard's:\n%s", n.Body)
			}
		}
		if n.Title == "You're connected" && strings.Contains(n.Body, "not stored yet") && strings.Contains(n.Body, "onramp secret set api-key --profile practice") {
			done = true
		}
	}
	if !said || !done {
		t.Errorf("the screens do not say the key is used but not stored (note %v, done %v): %+v", said, done, s.Notes)
	}
}

// fileStore is the encrypted file store on offer: Use moves the flow's
// secrets to mem.
type fileStore struct {
	sw   *secretstore.Switchable
	mem  *memStore
	pass string
}

func (f *fileStore) Path() (string, bool) { return "/cfg/secrets.age", false }

func (f *fileStore) Use(pass string) error {
	f.pass = pass
	f.sw.Use(f.mem)
	return nil
}

// Where no keyring answers the wizard offers the encrypted file store,
// asks for its passphrase twice (a new file), and stores the key there.
func TestWizardOffersTheFileStore(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	kr := testkeyring.New()
	kr.Unavailable = true
	sw := secretstore.NewSwitchable(kr)
	fs := &fileStore{sw: sw, mem: &memStore{values: map[string]string{}}}
	answers := sandboxAnswers()
	answers = append(answers[:6:6], Answer{secretstore.NoKeyring.Headline(), "file"},
		Answer{"Passphrase for /cfg/secrets.age", "pw one"}, Answer{"The same passphrase again", "pw two"},
		Answer{secretstore.NoKeyring.Headline(), "file"},
		Answer{"Passphrase for /cfg/secrets.age", "pw"}, Answer{"The same passphrase again", "pw"},
		answers[6])
	s := &Script{Answers: answers}
	f, _ := newFlow(s, &memStore{}, true)
	f.Secrets, f.FileStore, f.Checker = sw, fs, keyChecker{sw}
	res, err := f.Run(context.Background(), "")
	if err != nil || !res.Connected {
		t.Fatalf("res %+v err %v", res, err)
	}
	if fs.pass != "pw" || fs.mem.values["practice/api-key"] != canary {
		t.Errorf("file store used with %q, holds the key: %v", fs.pass, fs.mem.values["practice/api-key"] == canary)
	}
	differ := false
	for _, n := range s.Notes {
		differ = differ || n.Title == "The two passphrases differ"
	}
	if !differ {
		t.Error("two different passphrases went unremarked")
	}
	if _, ok := res.Profile.Secrets["api-key"]; !ok || !res.Profile.Wizard[StepSecrets] {
		t.Errorf("the stored key is not recorded: %+v", res.Profile)
	}
}
