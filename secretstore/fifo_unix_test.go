//go:build unix

package secretstore

import (
	"strings"

	"golang.org/x/sys/unix"
)

func mkfifo(path string) error { return unix.Mkfifo(path, 0o600) }

func contains(err error, s string) bool {
	return err != nil && strings.Contains(err.Error(), s)
}
