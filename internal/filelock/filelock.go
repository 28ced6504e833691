// Package filelock holds the advisory locks (flock) that serialise onramp's
// read-modify-write of its own files across processes: the encrypted
// secret file, the profile files and the token cache. The kernel drops a
// lock when its holder exits, so a killed onramp never leaves one behind.
package filelock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// DefaultWait bounds how long Acquire waits for another onramp to finish.
const DefaultWait = 30 * time.Second

// poll is how often a waiting process tries the lock again.
const poll = 10 * time.Millisecond

// Lock is a held lock; Release frees it.
type Lock struct{ f *os.File }

// HeldError says another process held the lock for the whole wait.
type HeldError struct {
	Path string
	What string
	Wait time.Duration
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("another onramp is changing %s: its lock %s stayed held for the %s this one waited. Let that onramp finish, then run this again (the lock goes when it exits; `fuser %s` shows who holds it)",
		e.What, e.Path, e.Wait, e.Path)
}

// ErrHeld matches every HeldError (errors.Is).
var ErrHeld = errors.New("lock held by another onramp")

func (e *HeldError) Is(target error) bool { return target == ErrHeld }

// PathFor is the lock file guarding file: file.lock beside it.
func PathFor(file string) string { return file + ".lock" }

// Acquire takes the exclusive lock on the lock file at path (created 0600,
// its directory 0700 when missing), waiting up to wait (DefaultWait when
// 0). what names what the lock guards, for the message when it times out.
func Acquire(path, what string, wait time.Duration) (*Lock, error) {
	if wait <= 0 {
		wait = DefaultWait
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|noFollow, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	deadline := time.Now().Add(wait)
	for {
		busy, err := tryLock(f)
		if err == nil && !busy {
			return &Lock{f: f}, nil
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, &HeldError{Path: path, What: what, Wait: wait}
		}
		time.Sleep(poll)
	}
}

// Release frees the lock. The lock file stays: removing it would let a
// waiter lock a file that is no longer the one at path.
func (l *Lock) Release() {
	if l == nil || l.f == nil {
		return
	}
	unlock(l.f)
	l.f.Close()
	l.f = nil
}
