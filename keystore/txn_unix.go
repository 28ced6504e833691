//go:build unix

package keystore

import (
	"errors"
	"os"
	"syscall"
)

// processAlive says whether a process with this id exists (signal 0).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// ownedByMe says whether path (not followed) belongs to this process's
// user: Recover never removes another user's file, even one named like
// onramp's in a shared directory.
func ownedByMe(path string) bool {
	fi, err := os.Lstat(path)
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}
