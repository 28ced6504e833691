package keystore

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/onramp-cli/onramp/internal/limits"
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

// sideFile and journalFile match onramp's side-file names exactly (the
// writer's pid, then 8 hex digits): Recover touches nothing else. Names
// like os.CreateTemp's ".NAME.tmp-DIGITS", which other programs use too,
// are never cleaned. Compiled on first use, not at start-up.
var (
	sideFile = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^\.(.+)\.onramp-(?:tmp|old)-([1-9][0-9]*)-[0-9a-f]{8}$`)
	})
	journalFile = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\.onramp-txn-([1-9][0-9]*)-[0-9a-f]{8}\.json$`) })
)

// crashPoint is a test hook: the keystore test binary sets it to stop a
// write at a named point and kill the process there. Nil otherwise.
var crashPoint func(point string)

func reach(point string) {
	if crashPoint != nil {
		crashPoint(point)
	}
}

func sideName(path, mark string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+mark+writerTag())
}

// writerTag is the end of a side-file or journal name: this process's id,
// then 8 random hex digits.
func writerTag() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(b)
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

// writerPID is the process id in one of onramp's side-file or journal
// names, or 0 for any other name.
func writerPID(name string) int {
	m := sideFile().FindStringSubmatch(name)
	if m == nil {
		if m = journalFile().FindStringSubmatch(name); m == nil {
			return 0
		}
		m = []string{m[0], "", m[1]}
	}
	n, err := strconv.Atoi(m[2])
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// isSideOf says whether side is one of onramp's side files (mark tmpMark
// or oldMark) for target, made by process pid: beside it, with its name.
func isSideOf(side, target, mark string, pid int) bool {
	if filepath.Dir(side) != filepath.Dir(target) || !filepath.IsAbs(target) {
		return false
	}
	name := filepath.Base(side)
	prefix := "." + filepath.Base(target) + mark + strconv.Itoa(pid) + "-"
	return strings.HasPrefix(name, prefix) && sideFile().MatchString(name)
}

// txnEntry is one target of a set being replaced: Backup is where its old
// content waits ("" when the target did not exist before).
type txnEntry struct {
	Target string `json:"target"`
	Temp   string `json:"temp"`
	Backup string `json:"backup,omitempty"`
	// Sum is the SHA-256 of the new content: a roll-back removes or
	// replaces a target only while it holds what this write put there.
	Sum string `json:"sha256"`
}

// Recover cleans up after onramp processes that died while writing in dir
// (kill -9, power loss): a set that was being replaced is put back as it
// was (every target old), and every temp or backup file they left is
// removed. It touches only files of onramp's own naming, owned by this
// user, whose writer (the pid in the name) is dead, and a journal's
// targets only while they hold what that writer put there: never a file
// onramp did not create. WriteFiles and WriteFileAtomic run it on the
// directories they write to.
func Recover(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	// Journals first: they need the backups the second pass removes.
	for _, e := range entries {
		name := e.Name()
		if !journalFile().MatchString(name) || !e.Type().IsRegular() {
			continue
		}
		path := filepath.Join(dir, name)
		if pid := writerPID(name); pid != 0 && !processAlive(pid) && ownedByMe(path) {
			rollBack(path, pid)
		}
	}
	for _, e := range entries {
		name := e.Name()
		if !sideFile().MatchString(name) || !e.Type().IsRegular() {
			continue
		}
		path := filepath.Join(dir, name)
		if pid := writerPID(name); pid != 0 && !processAlive(pid) && ownedByMe(path) {
			os.Remove(path)
		}
	}
}

// rollBack restores the targets a dead writer's journal lists. A journal
// whose entries are not that writer's own side files is not onramp's: it
// is left alone.
func rollBack(journal string, pid int) {
	data, err := limits.ReadRegular(journal, 1<<20)
	var txn []txnEntry
	if err != nil || json.Unmarshal(data, &txn) != nil {
		return
	}
	for _, e := range txn {
		if filepath.Clean(e.Target) != e.Target || !isSideOf(e.Temp, e.Target, tmpMark, pid) ||
			(e.Backup != "" && !isSideOf(e.Backup, e.Target, oldMark, pid)) || e.Sum == "" {
			return
		}
	}
	restore(txn)
	os.Remove(journal)
}

// restore puts every entry's target back as it was before the set was
// written: the old content from its backup, or no file at all. A target
// that no longer holds the new content (someone wrote it since) is left
// as it is.
func restore(txn []txnEntry) {
	for i := len(txn) - 1; i >= 0; i-- {
		e := txn[i]
		ours := holds(e.Target, e.Sum)
		if e.Backup == "" {
			if ours {
				os.Remove(e.Target) // it did not exist before: the new one goes
			}
		} else if _, err := os.Lstat(e.Backup); err == nil {
			if _, terr := os.Lstat(e.Target); ours || errors.Is(terr, os.ErrNotExist) {
				os.Rename(e.Backup, e.Target)
			} else if sameFile(e.Backup, e.Target) {
				os.Remove(e.Backup) // linked aside, the target not yet replaced
			}
		}
		os.Remove(e.Temp)
	}
}

// holds says whether path is a regular file whose content has the SHA-256
// sum (hex).
func holds(path, sum string) bool {
	data, err := limits.ReadRegular(path, MaxFileSize)
	if err != nil {
		return false
	}
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:]) == sum
}

func sumOf(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// writeJournals writes the set's journal into every directory it touches,
// so Recover on any of them can roll it back.
func writeJournals(txn []txnEntry) ([]string, error) {
	data, err := json.Marshal(txn)
	if err != nil {
		return nil, err
	}
	name := txnPrefix + writerTag() + ".json"
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
