package keystore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// OutputFile is one file a command writes.
type OutputFile struct {
	Path string
	Data []byte
	Perm os.FileMode
}

// WriteFiles writes a set of files that belong together (a key and its
// CSR, JWKS and DER copy; a certificate and its key) all or nothing.
// Without force it first checks that none exists, so a refused run writes
// nothing. Every new content is first written to a 0600 temp file beside
// its target; only then are they renamed into place, the old files kept
// aside until the last rename is done. A rename that fails puts the old
// files back; a process killed midway leaves a journal from which the next
// onramp writing there (Recover) puts them back.
func WriteFiles(files []OutputFile, force bool) (err error) {
	prepared := map[string]bool{}
	for _, f := range files {
		dir := filepath.Dir(f.Path)
		if prepared[dir] {
			continue // a set usually shares one directory: read it once
		}
		prepared[dir] = true
		if err := prepareDir(dir, f.Perm); err != nil {
			return err
		}
	}
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
	if len(files) == 0 {
		return nil
	}

	// 1. Every new content in a temp file; any failure removes them all.
	txn := make([]txnEntry, 0, len(files))
	defer func() {
		if err != nil {
			for _, e := range txn {
				os.Remove(e.Temp)
			}
		}
	}()
	for _, f := range files {
		target, err := filepath.Abs(f.Path)
		if err != nil {
			return err
		}
		temp, err := writeNewTemp(target, f.Data, f.Perm)
		if err != nil {
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
		e := txnEntry{Target: target, Temp: temp, Sum: sumOf(f.Data)}
		if _, err := os.Lstat(target); err == nil {
			e.Backup = sideName(target, oldMark)
		}
		txn = append(txn, e)
	}
	reach("temps-written")

	// 2. The journal, then each rename; the old files stay as backups.
	journals, err := writeJournals(txn)
	if err != nil {
		return fmt.Errorf("write %s: %w", files[0].Path, err)
	}
	for i, e := range txn {
		if err = place(e, force); err != nil {
			restore(txn[:i+1])
			removeAll(journals)
			if errors.Is(err, ErrExists) {
				return &ExistsError{Paths: []string{files[i].Path}}
			}
			return fmt.Errorf("write %s: %w (nothing was changed)", files[i].Path, err)
		}
		reach("renamed-" + strconv.Itoa(i+1))
	}
	syncDirs(txn)

	// 3. Committed: the journal goes first, then the old files.
	removeAll(journals)
	syncDirs(txn)
	reach("committed")
	for _, e := range txn {
		if e.Backup != "" {
			os.Remove(e.Backup)
		}
	}
	return nil
}

// writeNewTemp writes data to a new 0600 temp file beside target, fsynced,
// then gives it perm; it returns the temp file's path.
func writeNewTemp(target string, data []byte, perm os.FileMode) (string, error) {
	tmp, err := createTemp(target)
	if err != nil {
		return "", err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(perm)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
}

// place moves one new file into place, keeping the old one as its backup.
func place(e txnEntry, force bool) error {
	if e.Backup != "" {
		if err := os.Link(e.Target, e.Backup); err != nil {
			return err
		}
	}
	if force {
		return os.Rename(e.Temp, e.Target)
	}
	// A hard link fails if the target appeared meanwhile, so a concurrent
	// writer's file is never replaced.
	if err := os.Link(e.Temp, e.Target); err != nil {
		if errors.Is(err, os.ErrExist) {
			return ErrExists
		}
		return err
	}
	return os.Remove(e.Temp)
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
