package keystore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// OutputFile is one file a command writes.
type OutputFile struct {
	Path string
	Data []byte
	Perm os.FileMode
}

// WriteFiles writes a set of files that belong together (a key and its
// CSR, JWKS and DER copy; a certificate and its key), each atomically.
// Without force it first checks that none exists, so a refused run writes
// nothing; if a later write fails, the files this call created are removed
// again, so the set is never left half-made.
func WriteFiles(files []OutputFile, force bool) error {
	if !force {
		var exist []string
		var pending []OutputFile
		for _, f := range files {
			switch _, err := os.Lstat(f.Path); {
			case err != nil:
				pending = append(pending, f)
			case !sameContent(f.Path, f.Data):
				exist = append(exist, f.Path)
			}
		}
		files = pending
		if len(exist) > 0 {
			return &ExistsError{Paths: exist}
		}
	}
	var created []string
	for _, f := range files {
		_, statErr := os.Lstat(f.Path)
		if err := WriteFileAtomic(f.Path, f.Data, f.Perm, force); err != nil {
			for _, p := range created {
				os.Remove(p)
			}
			if errors.Is(err, ErrExists) {
				return &ExistsError{Paths: []string{f.Path}}
			}
			return err
		}
		if statErr != nil {
			created = append(created, f.Path)
		}
	}
	return nil
}

// ExistsError names the files that would have been overwritten.
type ExistsError struct{ Paths []string }

func (e *ExistsError) Error() string {
	if len(e.Paths) == 1 {
		return fmt.Sprintf("%s already exists; nothing was written (use --force to replace it)", e.Paths[0])
	}
	return fmt.Sprintf("%d files already exist (%s, ...); nothing was written (use --force to replace them)", len(e.Paths), e.Paths[0])
}

func (e *ExistsError) Unwrap() error { return ErrExists }

// DirOpenToOthers reports whether dir exists and other users may list or
// enter it (mode bits beyond 0700): a private key belongs in a 0700
// directory.
func DirOpenToOthers(dir string) (os.FileMode, bool) {
	fi, err := os.Stat(filepath.Clean(dir))
	if err != nil || !fi.IsDir() {
		return 0, false
	}
	return fi.Mode().Perm(), fi.Mode().Perm()&0o077 != 0
}
