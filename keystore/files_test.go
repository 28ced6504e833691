package keystore

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func mode(t *testing.T, p string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestWriteKeyFilesPermissionsAndNoOverwrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	key, _ := GenerateKey("ecdsa", 0, "")
	set := KeyFileSet{Dir: dir, Name: "client", Subject: "/CN=client", JWKS: true, DER: true}
	paths, err := WriteKeyFiles(key, set)
	if err != nil {
		t.Fatal(err)
	}
	if m := mode(t, dir); m != 0o700 {
		t.Errorf("dir mode %o, want 700", m)
	}
	for p, want := range map[string]os.FileMode{paths.Key: 0o600, paths.DER: 0o600, paths.CSR: 0o644, paths.JWKS: 0o644} {
		if m := mode(t, p); m != want {
			t.Errorf("%s mode %o, want %o", p, m, want)
		}
	}
	before, _ := os.ReadFile(paths.Key)

	// A second run without force writes nothing at all, even the files
	// that do not exist yet.
	os.Remove(paths.CSR)
	other, _ := GenerateKey("ecdsa", 0, "")
	_, err = WriteKeyFiles(other, set)
	var ee *ExistsError
	if !errors.As(err, &ee) || !errors.Is(err, ErrExists) || len(ee.Paths) != 3 {
		t.Fatalf("second run: %v", err)
	}
	if after, _ := os.ReadFile(paths.Key); !bytes.Equal(before, after) {
		t.Error("the existing key was changed")
	}
	if _, err := os.Stat(paths.CSR); !os.IsNotExist(err) {
		t.Error("a refused run wrote the CSR")
	}
	assertNoTempFiles(t, dir)

	// With force, everything is replaced.
	set.Force = true
	if _, err := WriteKeyFiles(other, set); err != nil {
		t.Fatal(err)
	}
	got, err := ReadPrivateKey(paths.Key, nil)
	if err != nil || !PublicKeysEqual(got.Public(), other.Public()) {
		t.Errorf("force did not replace the key: %v", err)
	}
	if m := mode(t, paths.Key); m != 0o600 {
		t.Errorf("replaced key mode %o", m)
	}
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") || strings.Contains(e.Name(), ".onramp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

// TestWriteFileAtomicInterrupted makes a real write fail midway: a child
// process with a 4 KiB file-size limit (RLIMIT_FSIZE, as a full disk
// would) replaces a key with a larger one. The write fails with EFBIG after
// a partial write; the old key must be intact and no temp file left.
func TestWriteFileAtomicInterrupted(t *testing.T) {
	if os.Getenv("ONRAMP_ATOMIC_CHILD") != "" {
		lim := &syscall.Rlimit{Cur: 4096, Max: 4096}
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, lim); err != nil {
			os.Exit(3)
		}
		err := WriteFileAtomic(os.Getenv("ONRAMP_ATOMIC_CHILD"), bytes.Repeat([]byte("N"), 64<<10), 0o600, true)
		if err == nil {
			os.Exit(0)
		}
		os.Stderr.WriteString(err.Error())
		os.Exit(1)
	}
	dir := t.TempDir()
	target := filepath.Join(dir, "client.key")
	old := []byte("-----BEGIN PRIVATE KEY-----\nold\n-----END PRIVATE KEY-----\n")
	if err := os.WriteFile(target, old, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestWriteFileAtomicInterrupted$")
	cmd.Env = append(os.Environ(), "ONRAMP_ATOMIC_CHILD="+target)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("child: %v (want a failed write), stderr: %s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "file too large") {
		t.Errorf("the write did not fail on the size limit: %s", stderr.String())
	}
	got, _ := os.ReadFile(target)
	if !bytes.Equal(got, old) {
		t.Errorf("the old key was damaged: %q", got)
	}
	assertNoTempFiles(t, dir)
}

func TestWriteFileAtomicRefusesExisting(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.key")
	if err := WriteFileAtomic(p, []byte("one"), 0o600, false); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(p, []byte("two"), 0o600, false); !errors.Is(err, ErrExists) {
		t.Errorf("overwrote without force: %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "one" {
		t.Errorf("content %q", b)
	}
	assertNoTempFiles(t, dir)
}
