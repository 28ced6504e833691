package secretstore

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/internal/redact"
)

func newTestFileStore(t *testing.T, path, pass string, warn *bytes.Buffer) *File {
	t.Helper()
	s := &File{Path: path, WorkFactor: 10,
		Passphrase: func(bool) (string, error) { return pass, nil }}
	if warn != nil {
		s.Warn = warn
	}
	return s
}

func TestFileStoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cfg", FileName)
	const canary = "canary-7f3a9c-value"
	var warn bytes.Buffer
	s := newTestFileStore(t, path, "correct horse", &warn)
	if _, err := s.Get("p", "api-key"); CauseIDOf(err) != "keyring-secret-missing" {
		t.Fatalf("get before set: %v", err)
	}
	if err := s.Set("p", "api-key", canary); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("p", "other", "x"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(warn.String(), "stolen") || !strings.Contains(warn.String(), "running as you") {
		t.Fatalf("warning does not say what it protects against: %q", warn.String())
	}
	if strings.Count(warn.String(), "encrypted with your passphrase") != 1 {
		t.Fatalf("warning not one-time: %q", warn.String())
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file mode: %v %v", fi, err)
	}
	data, _ := os.ReadFile(path)
	if bytes.Contains(data, []byte(canary)) || !bytes.HasPrefix(data, []byte("age-encryption.org/v1")) {
		t.Fatal("the file is not age-encrypted or holds the value in plain text")
	}

	// A fresh process (new store value) reads it back.
	warn.Reset()
	s2 := newTestFileStore(t, path, "correct horse", &warn)
	if v, err := s2.Get("p", "api-key"); err != nil || v != canary {
		t.Fatalf("get = %q, %v", v, err)
	}
	if err := s2.Delete("p", "api-key"); err != nil {
		t.Fatal(err)
	}
	if err := s2.Delete("p", "api-key"); CauseIDOf(err) != "keyring-secret-missing" {
		t.Fatalf("second delete: %v", err)
	}
	if warn.Len() != 0 {
		t.Fatalf("warned again for an existing file: %q", warn.String())
	}
	s3 := newTestFileStore(t, path, "correct horse", nil)
	if _, err := s3.Get("p", "api-key"); CauseIDOf(err) != "keyring-secret-missing" {
		t.Fatalf("deleted secret still there: %v", err)
	}
	if v, _ := s3.Get("p", "other"); v != "x" {
		t.Fatalf("other secret lost: %q", v)
	}
}

func TestFileStoreWrongPassphrase(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	if err := newTestFileStore(t, path, "right", nil).Set("p", "k", "v"); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	s := newTestFileStore(t, path, "wrong", nil)
	_, err := s.Get("p", "k")
	var ke *Error
	if !errors.As(err, &ke) || ke.ID != "keyring-unavailable" || !strings.Contains(err.Error(), "passphrase does not decrypt") || ke.Fix == "" {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if err := s.Set("p", "k2", "v2"); err == nil {
		t.Fatal("set with the wrong passphrase succeeded")
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("a wrong passphrase changed the file")
	}
}

func TestFileStoreRefusesEmptyPassphraseAndHugeItems(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	if err := newTestFileStore(t, path, "", nil).Set("p", "k", "v"); CauseIDOf(err) != "keyring-unavailable" {
		t.Fatalf("empty passphrase: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a file was written without a passphrase")
	}
	if err := newTestFileStore(t, path, "p", nil).Set("p", "k", strings.Repeat("x", maxFileItem+1)); CauseIDOf(err) != "keyring-item-too-large" {
		t.Fatalf("huge item: %v", err)
	}
}

func TestOpenKeyringSelection(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(Env, "")
	k, err := Open("", Options{ConfigDir: dir})
	if _, ok := k.(OSKeyring); err != nil || !ok {
		t.Fatalf("default store = %T, %v; want the OS keyring (no silent fallback)", k, err)
	}
	t.Setenv(Env, "file")
	k, err = Open("", Options{ConfigDir: dir})
	fs, ok := k.(*File)
	if err != nil || !ok || fs.Path != filepath.Join(dir, FileName) {
		t.Fatalf("ONRAMP_STORE=file gave %T, %v", k, err)
	}
	if k, _ := Open("keyring", Options{ConfigDir: dir}); k == nil {
		t.Fatal("--store keyring must win over ONRAMP_STORE")
	} else if _, ok := k.(OSKeyring); !ok {
		t.Fatalf("--store keyring gave %T", k)
	}
	if _, err := Open("plaintext", Options{ConfigDir: dir}); err == nil || !strings.Contains(err.Error(), "plaintext") {
		t.Fatalf("unknown store: %v", err)
	}

	// Without the env passphrase and without a terminal: a clear error.
	os.Unsetenv(PassphraseEnv)
	k, _ = Open("file", Options{ConfigDir: dir})
	if err := k.Set("p", "k", "v"); CauseIDOf(err) != "keyring-unavailable" || !strings.Contains(err.Error(), "no terminal") {
		t.Fatalf("no passphrase source: %v", err)
	}
	// A prompt asks twice when creating; a mismatch is refused.
	answers := []string{"one", "two"}
	k, _ = Open("file", Options{ConfigDir: dir, Prompt: func(string) (string, error) {
		a := answers[0]
		answers = answers[1:]
		return a, nil
	}})
	if err := k.Set("p", "k", "v"); err == nil || !strings.Contains(err.Error(), "differ") {
		t.Fatalf("mismatched passphrases: %v", err)
	}
}

// CauseIDOf returns the cause id a keyring error carries.
func CauseIDOf(err error) string {
	var ke *Error
	if errors.As(err, &ke) {
		return string(ke.ID)
	}
	return ""
}

// Every value the store reads or writes is learnt by Seen, so the run's
// output blanks it.
func TestFileStoreTellsSeen(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	var seen redact.Set
	s := newTestFileStore(t, path, "pass phrase", nil)
	s.Seen = &seen
	if err := s.Set("p", "written", "written-value-1"); err != nil {
		t.Fatal(err)
	}
	other := newTestFileStore(t, path, "pass phrase", nil)
	var seen2 redact.Set
	other.Seen = &seen2
	if _, err := other.Get("p", "written"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*redact.Set{&seen, &seen2} {
		if got := s.Text("v=written-value-1"); got != "v="+redact.Placeholder {
			t.Errorf("not learnt: %q", got)
		}
	}
}
