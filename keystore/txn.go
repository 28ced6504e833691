package keystore

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// onramp's own names for the files a write leaves beside its targets while
// it runs, each carrying the writer's process id so a later onramp can
// tell a dead writer's leftovers (cleaned, see Recover) from a live one's:
//
//	.NAME.onramp-tmp-PID-RAND  the new content, before it is renamed into place
//	.NAME.onramp-old-PID-RAND  the old content, until the whole set is in place
//	.onramp-txn-PID-RAND.json  the list of targets of a set being replaced
const (
	tmpMark   = ".onramp-tmp-"
	oldMark   = ".onramp-old-"
	txnPrefix = ".onramp-txn-"
)

// legacyTemp is the temp-file name older onramp versions used (os.CreateTemp's
// ".NAME.tmp-*", random digits).
var legacyTemp = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\..+\.tmp-[0-9]+$`) })

// crashPoint is a test hook: the keystore test binary sets it to stop a
// write at a named point and kill the process there. Nil otherwise.
var crashPoint func(point string)

func reach(point string) {
	if crashPoint != nil {
		crashPoint(point)
	}
}

func sideName(path, mark string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+mark+strconv.Itoa(os.Getpid())+"-"+hex.EncodeToString(b))
}

// createTemp creates path's temp file, 0600, in path's directory.
func createTemp(path string) (*os.File, error) {
	for {
		f, err := os.OpenFile(sideName(path, tmpMark), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if !errors.Is(err, os.ErrExist) {
			return f, err
		}
	}
}

// writerPID is the process id in one of onramp's side-file names, or 0.
func writerPID(name string) int {
	rest := ""
	for _, mark := range []string{tmpMark, oldMark} {
		if i := strings.LastIndex(name, mark); i > 0 {
			rest = name[i+len(mark):]
		}
	}
	if r, ok := strings.CutPrefix(name, txnPrefix); ok && strings.HasSuffix(name, ".json") {
		rest = r
	}
	pid, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(pid)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// txnEntry is one target of a set being replaced: Backup is where its old
// content waits ("" when the target did not exist before).
type txnEntry struct {
	Target string `json:"target"`
	Temp   string `json:"temp"`
	Backup string `json:"backup,omitempty"`
}

// Recover cleans up after onramp processes that died while writing in dir
// (kill -9, power loss): a set that was being replaced is put back as it
// was (every target old), and every temp or backup file they left is
// removed. Files of a live writer are left alone. WriteFiles and
// WriteFileAtomic run it on the directories they write to.
func Recover(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	// Journals first: they need the backups the second pass removes.
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, txnPrefix) || !e.Type().IsRegular() {
			continue
		}
		if pid := writerPID(name); pid != 0 && !processAlive(pid) {
			rollBack(filepath.Join(dir, name))
		}
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, ".") || !e.Type().IsRegular() {
			continue
		}
		if legacyTemp().MatchString(name) {
			// Older onramps named temp files .NAME.tmp-DIGITS with no
			// process id: one an hour old is no write in progress.
			if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > time.Hour {
				os.Remove(filepath.Join(dir, name))
			}
			continue
		}
		if !strings.Contains(name, tmpMark) && !strings.Contains(name, oldMark) {
			continue
		}
		if pid := writerPID(name); pid != 0 && !processAlive(pid) {
			os.Remove(filepath.Join(dir, name))
		}
	}
}

// rollBack restores the targets a dead writer's journal lists.
func rollBack(journal string) {
	data, err := os.ReadFile(journal)
	var txn []txnEntry
	if err == nil && json.Unmarshal(data, &txn) == nil {
		restore(txn)
	}
	os.Remove(journal)
}

// restore puts every entry's target back as it was before the set was
// written: the old content from its backup, or no file at all.
func restore(txn []txnEntry) {
	for i := len(txn) - 1; i >= 0; i-- {
		e := txn[i]
		if e.Backup == "" {
			if _, err := os.Lstat(e.Temp); err != nil {
				os.Remove(e.Target) // it did not exist before: the new one goes
			} else if _, err := os.Lstat(e.Target); err == nil && sameFile(e.Temp, e.Target) {
				os.Remove(e.Target) // linked into place, temp not yet removed
			}
		} else if _, err := os.Lstat(e.Backup); err == nil {
			os.Rename(e.Backup, e.Target)
		}
		os.Remove(e.Temp)
	}
}

// writeJournals writes the set's journal into every directory it touches,
// so Recover on any of them can roll it back.
func writeJournals(txn []txnEntry) ([]string, error) {
	data, err := json.Marshal(txn)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := txnPrefix + strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(b) + ".json"
	var paths []string
	seen := map[string]bool{}
	for _, e := range txn {
		dir := filepath.Dir(e.Target)
		if seen[dir] {
			continue
		}
		seen[dir] = true
		p := filepath.Join(dir, name)
		if err := writeSynced(p, data, 0o600); err != nil {
			removeAll(paths)
			return nil, err
		}
		paths = append(paths, p)
	}
	syncDirs(txn)
	return paths, nil
}

func writeSynced(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

func syncDirs(txn []txnEntry) {
	seen := map[string]bool{}
	for _, e := range txn {
		dir := filepath.Dir(e.Target)
		if !seen[dir] {
			seen[dir] = true
			syncDir(dir)
		}
	}
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func removeAll(paths []string) {
	for _, p := range paths {
		os.Remove(p)
	}
}
