package secretstore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/cause"
)

// The store a user chose once is what later commands open without flags;
// a flag or ONRAMP_STORE still wins for one command.
func TestRememberedChoice(t *testing.T) {
	t.Setenv(Env, "")
	os.Unsetenv(Env)
	dir := t.TempDir()
	opts := Options{ConfigDir: dir}
	k, err := Open("", opts)
	if ok, isOS := k.(OSKeyring); err != nil || !isOS || !ok.Default {
		t.Fatalf("nothing chosen: %T %+v %v, want the default OS keyring", k, k, err)
	}
	if err := Remember(dir, KindFile); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, ConfigFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("config file: %v", err)
	}
	if k, err := Open("", opts); err != nil {
		t.Fatal(err)
	} else if _, ok := k.(*File); !ok {
		t.Fatalf("after Remember(file): %T", k)
	}
	if k, _ := Open(KindKeyring, opts); k.(OSKeyring).Default {
		t.Error("--store keyring is a choice, not the default")
	}
	t.Setenv(Env, KindKeyring)
	if k, _ := Open("", opts); !isKeyring(k) {
		t.Errorf("ONRAMP_STORE=keyring over a remembered file: %T", k)
	}

	os.WriteFile(filepath.Join(dir, ConfigFile), []byte("store: vault\n"), 0o600)
	os.Unsetenv(Env)
	if _, err := Open("", opts); err == nil || !strings.Contains(err.Error(), "vault") {
		t.Errorf("a bad remembered store: %v", err)
	}
}

func isKeyring(k Keyring) bool { _, ok := k.(OSKeyring); return ok }

// No keyring, a locked one and a file without its passphrase are told
// apart.
func TestProblems(t *testing.T) {
	t.Setenv(PassphraseEnv, "")
	os.Unsetenv(PassphraseEnv)
	dir := t.TempDir()
	k, _ := Open(KindFile, Options{ConfigDir: dir, WorkFactor: 10})
	_, err := k.Get("p", "api-key")
	if ProblemOf(err) != NoPassphrase || !strings.Contains(err.Error(), dir) || strings.Contains(err.Error(), "D-Bus") {
		t.Fatalf("file store without a passphrase: %v (problem %d)", err, ProblemOf(err))
	}
	if c, _ := causeOf(err); !strings.Contains(c, PassphraseEnv) || strings.Contains(c, "D-Bus") {
		t.Errorf("its fix: %s", c)
	}
	// Every front end shows the case, not the cause's general words.
	if c, ok := cause.Of(err); !ok || c.ID != cause.KeyringUnavailable || c.Title != NoPassphrase.Headline() || strings.Contains(c.Meaning, "D-Bus") {
		t.Errorf("cause.Of a missing passphrase: %+v", c)
	}
	s := newTestFileStore(t, filepath.Join(dir, "s.age"), "right", nil)
	if err := s.Set("p", "k", "v"); err != nil {
		t.Fatal(err)
	}
	_, err = newTestFileStore(t, s.Path, "wrong", nil).Get("p", "k")
	if ProblemOf(err) != WrongPassphrase {
		t.Errorf("wrong passphrase: %v", err)
	}
	if got := mapKeyringError("get", "p/k", errTest("Cannot get secret of a locked object")); ProblemOf(got) != KeyringLocked || !strings.Contains(got.(*Error).Fix, "unlock") {
		t.Errorf("locked: %v", got)
	}
	if got := mapKeyringError("get", "p/k", errTest("The name org.freedesktop.secrets was not provided by any .service files")); ProblemOf(got) != NoKeyring {
		t.Errorf("no Secret Service: %v", got)
	}
	for _, p := range []Problem{NoKeyring, KeyringLocked, NoPassphrase, WrongPassphrase} {
		if p.Headline() == "" {
			t.Errorf("problem %d has no headline", p)
		}
	}
}

type errTest string

func (e errTest) Error() string { return string(e) }

func causeOf(err error) (string, bool) {
	e, ok := err.(*Error)
	if !ok {
		return "", false
	}
	return e.Fix, true
}
