package secretstore

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// One process (one File) pays scrypt once: reads after the first, a list,
// and its own writes cost no further decryption. Another process's change
// is seen at the next read, at the cost of one decryption.
func TestFileStoreDecryptsOncePerProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	writer := newTestFileStore(t, path, "pw", nil)
	if err := writer.Set("p", "api-key", "k1"); err != nil {
		t.Fatal(err)
	}
	if err := writer.Set("p", "key-pass", "kp"); err != nil {
		t.Fatal(err)
	}
	if writer.decrypts != 0 {
		t.Fatalf("the process that wrote the file decrypted it %d times; want 0 (it knows what it wrote)", writer.decrypts)
	}

	s := newTestFileStore(t, path, "pw", nil) // a watch, say
	for round := 0; round < 5; round++ {
		if v, err := s.Get("p", "api-key"); err != nil || v != "k1" {
			t.Fatalf("round %d: get = %q, %v", round, v, err)
		}
		if v, err := s.Get("p", "key-pass"); err != nil || v != "kp" {
			t.Fatalf("round %d: get = %q, %v", round, v, err)
		}
	}
	if names, err := s.List("p"); err != nil || len(names) != 2 {
		t.Fatalf("list = %v, %v", names, err)
	}
	if s.decrypts != 1 {
		t.Fatalf("10 reads and a list decrypted the file %d times; want 1", s.decrypts)
	}
	// A set after reading rewrites without decrypting again.
	if err := s.Set("p", "bearer", "b"); err != nil {
		t.Fatal(err)
	}
	if s.decrypts != 1 {
		t.Fatalf("a set after a read decrypted %d times in all; want 1", s.decrypts)
	}

	// Another onramp changes the key: the next read sees the new value.
	if err := writer.Set("p", "api-key", "k2"); err != nil {
		t.Fatal(err)
	}
	if writer.decrypts != 1 {
		t.Fatalf("the writer did not re-read a file another process changed (%d decrypts)", writer.decrypts)
	}
	if v, _ := writer.Get("p", "bearer"); v != "b" {
		t.Fatalf("the writer lost the other process's secret: %q", v)
	}
	if v, err := s.Get("p", "api-key"); err != nil || v != "k2" {
		t.Fatalf("after another process's set, get = %q, %v; want the new value", v, err)
	}
	if s.decrypts != 2 {
		t.Fatalf("decrypts = %d after one outside change; want 2", s.decrypts)
	}
	// Deleted by someone else: gone here too, without scrypt.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("p", "api-key"); CauseIDOf(err) != "keyring-secret-missing" {
		t.Fatalf("get after the file was removed: %v", err)
	}
}

// The decrypted secrets live only in memory: nothing but the encrypted
// file (and its lock) is ever written beside it.
func TestFileStoreWritesNoPlaintext(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	const canary = "canary-5c1e-plain"
	s := newTestFileStore(t, path, "pw", nil)
	if err := s.Set("p", "api-key", canary); err != nil {
		t.Fatal(err)
	}
	if _, err := newTestFileStore(t, path, "pw", nil).Get("p", "api-key"); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(canary)) {
			t.Fatalf("%s holds the secret in plain text", e.Name())
		}
		if e.Name() != FileName && e.Name() != filepath.Base(path)+".lock" {
			t.Errorf("unexpected file beside the store: %s", e.Name())
		}
	}
}
