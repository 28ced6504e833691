package secretstore

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// fileStoreChild is one `secret set` of another onramp process: it stores
// $ONRAMP_FILESTORE_NAME in the file store at path (or, with
// ONRAMP_FILESTORE_KEYRING=1, in the OS keyring) and exits.
func fileStoreChild(path string) int {
	var k Keyring = &File{Path: path, WorkFactor: 10,
		Passphrase: func(bool) (string, error) { return os.Getenv(PassphraseEnv), nil }}
	if os.Getenv("ONRAMP_FILESTORE_KEYRING") == "1" {
		k = OSKeyring{Timeout: 20 * time.Second}
	}
	name := os.Getenv("ONRAMP_FILESTORE_NAME")
	if err := k.Set(os.Getenv("ONRAMP_FILESTORE_PROFILE"), name, "value-of-"+name); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// setConcurrently runs n processes at once, each storing secret sN of
// profile, and fails the test if any exits non-zero.
func setConcurrently(t *testing.T, n int, path, profile string, keyring bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "ONRAMP_FILESTORE_CHILD="+path, PassphraseEnv+"=concurrent pass",
			fmt.Sprintf("ONRAMP_FILESTORE_NAME=s%02d", i), "ONRAMP_FILESTORE_PROFILE="+profile)
		if keyring {
			cmd.Env = append(cmd.Env, "ONRAMP_FILESTORE_KEYRING=1")
		}
		wg.Go(func() {
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("process %d: %v: %s", i, err, out)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func wantNames(n int) []string {
	var names []string
	for i := range n {
		names = append(names, fmt.Sprintf("s%02d", i))
	}
	return names
}

// Twenty processes each store one secret in the same encrypted file at
// once: every one of them is in the file afterwards (without the lock,
// each rewrote the file it had read and most secrets were lost).
func TestFileStoreConcurrentProcessesLoseNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cfg", FileName)
	const n = 20
	setConcurrently(t, n, path, "conc", false)

	s := newTestFileStore(t, path, "concurrent pass", nil)
	var lost []string
	for _, name := range wantNames(n) {
		if v, err := s.Get("conc", name); err != nil || v != "value-of-"+name {
			lost = append(lost, name)
		}
	}
	if len(lost) > 0 {
		t.Fatalf("%d of %d secrets lost: %v", len(lost), n, lost)
	}
	got, err := s.List("conc")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, wantNames(n)) {
		t.Fatalf("the file holds %d of %d secrets: %v", len(got), n, got)
	}
	if other, err := s.List("con"); err != nil || len(other) != 0 {
		t.Errorf("profile con lists conc's secrets: %v %v", other, err)
	}
}

// List finds every PROFILE/ item in the real Secret Service, including
// items the profile never recorded (secret-tool, a lost record).
func TestOSKeyringListsAProfilesItems(t *testing.T) {
	requireSecretService(t)
	k := OSKeyring{Timeout: 20 * time.Second}
	p := uniqueProfile(t)
	const n = 20
	t.Cleanup(func() {
		for _, name := range wantNames(n) {
			_ = k.Delete(p, name)
		}
		_ = k.Delete(p+"x", "other")
	})
	if err := k.Set(p+"x", "other", "not this profile's"); err != nil {
		t.Fatal(err)
	}
	setConcurrently(t, n, "(keyring)", p, true)
	got, err := k.List(p)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, wantNames(n)) {
		t.Fatalf("List(%s) = %v", p, got)
	}
}

// A FIFO where the secret file should be is refused at once, not waited on.
func TestFileStoreRefusesAFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	if err := mkfifo(path); err != nil {
		t.Skip(err)
	}
	s := newTestFileStore(t, path, "pass", nil)
	done := make(chan error, 1)
	go func() { _, err := s.Get("p", "api-key"); done <- err }()
	select {
	case err := <-done:
		if CauseIDOf(err) != "keyring-unavailable" || !contains(err, "named pipe") {
			t.Fatalf("FIFO: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading a FIFO secret file hangs")
	}
}

// A rewrite keeps the work factor the file was made with (tests make
// cheap files; onramp makes them at age's default).
func TestFileStoreRewriteKeepsTheFilesWorkFactor(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	if err := newTestFileStore(t, path, "pass", nil).Set("p", "a", "1"); err != nil {
		t.Fatal(err)
	}
	s := &File{Path: path, Passphrase: func(bool) (string, error) { return "pass", nil }}
	start := time.Now()
	if err := s.Set("p", "b", "2"); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if n := scryptLogN(data); n != 10 {
		t.Errorf("rewritten at log N = %d, want the file's 10 (took %v)", n, time.Since(start))
	}
}
