package keystore

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary be an onramp that is killed mid-write:
// with KEYSTORE_CRASH_AT set it writes a new set of files over the old one
// and stops at that point (printing it) until the test kills it with -9.
func TestMain(m *testing.M) {
	if point := os.Getenv("KEYSTORE_CRASH_AT"); point != "" {
		crashPoint = func(p string) {
			if p == point {
				fmt.Println("at " + p)
				time.Sleep(time.Hour)
			}
		}
		dir := os.Getenv("KEYSTORE_CRASH_DIR")
		var err error
		if os.Getenv("KEYSTORE_CRASH_SET") == "keygen" {
			key, _ := GenerateKey("ecdsa", 0, "")
			_, err = WriteKeyFiles(key, keygenSet(dir, true))
		} else {
			err = WriteFiles(importSet(dir, "new"), true)
		}
		fmt.Println("finished", err)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func keygenSet(dir string, force bool) KeyFileSet {
	return KeyFileSet{Dir: dir, Name: "client", Subject: "/CN=client", JWKS: true, DER: true, Force: force}
}

func importSet(dir, gen string) []OutputFile {
	return []OutputFile{
		{Path: filepath.Join(dir, "client.key"), Data: []byte(gen + " key"), Perm: 0o600},
		{Path: filepath.Join(dir, "client.crt"), Data: []byte(gen + " certificate"), Perm: 0o644},
	}
}

func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		if e.IsDir() {
			files[e.Name()+"/"] = ""
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(data)
	}
	return files
}

// killAt runs a child writing the new set, kills it with -9 at point and
// returns once it is dead.
func killAt(t *testing.T, set, dir, point string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "KEYSTORE_CRASH_AT="+point, "KEYSTORE_CRASH_DIR="+dir, "KEYSTORE_CRASH_SET="+set)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	cmd.Process.Kill() // SIGKILL: no deferred cleanup runs
	cmd.Wait()
	if line != "at "+point+"\n" {
		t.Fatalf("the child never reached %s: %q", point, line)
	}
}

// kill -9 at every point of keygen's and import's write of a new set over
// an old one: the next onramp writing there finds every file old (or, once
// the set was committed, every file new), never a mix, and no temp,
// backup or journal file of the dead writer survives.
func TestKilledMidWriteLeavesOldOrNewSet(t *testing.T) {
	for _, set := range []string{"keygen", "import"} {
		points := []string{"temps-written", "renamed-1", "renamed-2", "committed"}
		if set == "keygen" {
			points = append(points, "renamed-3", "renamed-4")
		}
		for _, point := range points {
			t.Run(set+"/"+point, func(t *testing.T) {
				dir := filepath.Join(t.TempDir(), "keys")
				var err error
				if set == "keygen" {
					key, _ := GenerateKey("ecdsa", 0, "")
					_, err = WriteKeyFiles(key, keygenSet(dir, false))
				} else {
					err = WriteFiles(importSet(dir, "old"), false)
				}
				if err != nil {
					t.Fatal(err)
				}
				old := snapshot(t, dir)

				killAt(t, set, dir, point)
				if left := len(snapshot(t, dir)) - len(old); left <= 0 {
					t.Fatalf("the killed writer left nothing to clean up: the test is not testing")
				}

				// The next onramp writing in the directory (here: an
				// unrelated file) cleans up first.
				if err := WriteFileAtomic(filepath.Join(dir, "other.txt"), []byte("x"), 0o644, true); err != nil {
					t.Fatal(err)
				}
				now := snapshot(t, dir)
				delete(now, "other.txt")
				var same, changed []string
				for name, data := range old {
					if now[name] == data {
						same = append(same, name)
					} else {
						changed = append(changed, name)
					}
				}
				if len(now) != len(old) {
					t.Errorf("files now: %v, want only %d targets", keys(now), len(old))
				}
				wantNew := point == "committed"
				if wantNew && len(same) > 0 || !wantNew && len(changed) > 0 {
					t.Errorf("a mixed or wrong set after kill at %s: unchanged %v, changed %v", point, same, changed)
				}
				if fi, err := os.Stat(filepath.Join(dir, "client.key")); err != nil || fi.Mode().Perm() != 0o600 {
					t.Errorf("key file: %v %v", fi, err)
				}
			})
		}
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// An import whose second rename fails (the certificate's path is a
// directory) puts the first file back: the old key stays beside the old
// certificate path, and nothing of the attempt is left.
func TestFailedRenameRestoresTheFirstFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "client.key"), []byte("old key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "client.crt", "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	err := WriteFiles(importSet(dir, "new"), true)
	if err == nil || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("err = %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "client.key")); !bytes.Equal(got, []byte("old key")) {
		t.Errorf("the key was not restored: %q", got)
	}
	if n := len(snapshot(t, dir)); n != 2 {
		t.Errorf("files left: %v", keys(snapshot(t, dir)))
	}
}

// Recover cleans only what a dead onramp left: side files of its own
// naming (pid and 8 hex digits), owned by this user, and a journal's
// targets only while they hold that write's content. Everything else in
// the directory, even when named like a temp file, stays.
func TestRecoverTouchesOnlyWhatOnrampCreated(t *testing.T) {
	dir := t.TempDir()
	dead := deadPID(t)
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-2 * time.Hour)
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ownTemp := write(fmt.Sprintf(".client.key.onramp-tmp-%d-0a1b2c3d", dead), "new key")
	keep := []string{
		write(".notes.txt.tmp-123456789", "someone's editor"), // os.CreateTemp's naming: not onramp's
		write(fmt.Sprintf(".client.key.onramp-tmp-%d-notours", dead), "x"),
		write(fmt.Sprintf(".client.key.onramp-tmp-%d-0a1b2c3d.bak", dead), "x"),
		write(fmt.Sprintf(".onramp-txn-%d.json", dead), "[]"),
	}
	// A journal naming files that are not its writer's side files, and
	// one whose target holds other content than it wrote: neither may
	// delete the target.
	victim := write("victim.txt", "the user's own file")
	other := write("other.txt", "written by someone else since")
	forged, _ := json.Marshal([]txnEntry{{Target: victim, Temp: filepath.Join(dir, "whatever"), Sum: sumOf([]byte("the user's own file"))}})
	stale, _ := json.Marshal([]txnEntry{{Target: other, Temp: filepath.Join(dir, fmt.Sprintf(".other.txt.onramp-tmp-%d-00000000", dead)), Sum: sumOf([]byte("what onramp wrote"))}})
	write(fmt.Sprintf(".onramp-txn-%d-11111111.json", dead), string(forged))
	write(fmt.Sprintf(".onramp-txn-%d-22222222.json", dead), string(stale))
	keep = append(keep, victim, other)
	if os.Getuid() == 0 {
		// Root can make a file that belongs to another user.
		p := write(fmt.Sprintf(".client.crt.onramp-old-%d-0a1b2c3d", dead), "another user's")
		if err := os.Lchown(p, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		keep = append(keep, p)
	}

	Recover(dir)
	if _, err := os.Stat(ownTemp); err == nil {
		t.Error("a dead onramp's own temp file survived")
	}
	for _, p := range keep {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed", filepath.Base(p))
		}
	}
	if got, _ := os.ReadFile(other); string(got) != "written by someone else since" {
		t.Errorf("other.txt = %q", got)
	}
}

// deadPID is the process id of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}
