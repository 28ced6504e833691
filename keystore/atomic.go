package keystore

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrExists is returned when a file would be overwritten without force.
var ErrExists = errors.New("file exists")

// WriteFileAtomic writes data to path through a temporary file in the same
// directory, fsynced and renamed into place, so a reader (or a crash, a full
// disk, ctrl+c) never sees a half-written file. Without force an existing
// file is left alone and ErrExists returned. A private file (perm 0600) gets
// its directory created 0700.
func WriteFileAtomic(path string, data []byte, perm os.FileMode, force bool) (err error) {
	dir := filepath.Dir(path)
	if err := prepareDir(dir, perm); err != nil {
		return err
	}
	if !force {
		if _, err := os.Lstat(path); err == nil {
			if sameContent(path, data) {
				return nil // already there: writing it again loses nothing
			}
			return fmt.Errorf("%s: %w (use --force to replace it)", path, ErrExists)
		}
	}
	tmp, err := writeNewTemp(path, data, perm)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if force {
		err = os.Rename(tmp, path)
	} else {
		// A hard link fails if path appeared meanwhile, so a concurrent
		// writer's file is never replaced.
		if err = os.Link(tmp, path); err == nil {
			os.Remove(tmp)
		} else if errors.Is(err, os.ErrExist) {
			err = fmt.Errorf("%s: %w (use --force to replace it)", path, ErrExists)
		} else if _, serr := os.Lstat(path); errors.Is(serr, os.ErrNotExist) {
			// Some filesystems (FAT, some network and FUSE mounts) have no
			// hard links: fall back to a rename after checking again.
			err = os.Rename(tmp, path)
		}
	}
	if err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// prepareDir creates dir when missing (0700 for a private file of perm,
// else 0755) and cleans up after onramp writers that died there (Recover).
func prepareDir(dir string, perm os.FileMode) error {
	dirPerm := os.FileMode(0o755)
	if perm&0o077 == 0 {
		dirPerm = 0o700
	}
	if err := os.MkdirAll(dir, dirPerm); err != nil {
		return fmt.Errorf("create directory %s: %w", dir, err)
	}
	Recover(dir)
	return nil
}

// sameContent says whether the regular file at path holds exactly data, so
// writing data there again (importing a certificate already in place) is
// not an overwrite.
func sameContent(path string, data []byte) bool {
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != int64(len(data)) {
		return false
	}
	old, err := os.ReadFile(path)
	return err == nil && bytes.Equal(old, data)
}
