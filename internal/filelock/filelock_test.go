package filelock

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary act as another onramp holding a lock.
func TestMain(m *testing.M) {
	if path := os.Getenv("FILELOCK_TEST_HOLD"); path != "" {
		l, err := Acquire(path, "the test file", time.Second)
		if err != nil {
			os.Stderr.WriteString(err.Error())
			os.Exit(3)
		}
		os.Stdout.WriteString("held\n")
		time.Sleep(time.Minute)
		l.Release()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestAnotherProcessHoldsTheLockUntilItDies(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cfg", "secrets.age.lock")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "FILELOCK_TEST_HOLD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "held\n" {
		t.Fatalf("child did not take the lock: %q", line)
	}

	start := time.Now()
	_, err = Acquire(path, "the secret file", 300*time.Millisecond)
	var held *HeldError
	if !errors.As(err, &held) || !errors.Is(err, ErrHeld) {
		t.Fatalf("want HeldError, got %v", err)
	}
	if waited := time.Since(start); waited < 300*time.Millisecond || waited > 3*time.Second {
		t.Errorf("waited %v for a 300ms bound", waited)
	}
	for _, want := range []string{path, "the secret file", "another onramp"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %s", want, err)
		}
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("lock dir: %v %v", fi.Mode(), err)
	}

	// kill -9: the kernel drops the lock, nothing stale is left to clean.
	cmd.Process.Kill()
	cmd.Wait()
	l, err := Acquire(path, "the secret file", 2*time.Second)
	if err != nil {
		t.Fatalf("after the holder died: %v", err)
	}
	l.Release()
}

func TestWaitsForARelease(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	first, err := Acquire(path, "x", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	go func() { time.Sleep(100 * time.Millisecond); first.Release() }()
	second, err := Acquire(path, "x", 5*time.Second)
	if err != nil {
		t.Fatalf("second waiter: %v", err)
	}
	second.Release()
}

func TestRefusesASymlinkAtTheLockPath(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "victim")
	if err := os.WriteFile(target, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "x.lock")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if l, err := Acquire(link, "x", 100*time.Millisecond); err == nil {
		l.Release()
		t.Fatal("locked through a symlink")
	}
}
