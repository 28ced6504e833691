package keystore

import (
	"bufio"
	"bytes"
	"context"
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

// Temp files of older onramp versions (.NAME.tmp-DIGITS, a whole private
// key each) are removed once they are an hour old; a fresh one may be a
// write in progress and stays.
func TestRecoverRemovesOldLegacyTempFiles(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, ".client.key.tmp-123456789")
	fresh := filepath.Join(dir, ".client.key.tmp-987654321")
	other := filepath.Join(dir, ".bashrc.tmp-1x")
	for _, p := range []string{old, fresh, other} {
		if err := os.WriteFile(p, []byte("-----BEGIN PRIVATE KEY-----"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	hourAgo := time.Now().Add(-2 * time.Hour)
	for _, p := range []string{old, other} {
		if err := os.Chtimes(p, hourAgo, hourAgo); err != nil {
			t.Fatal(err)
		}
	}
	Recover(dir)
	if _, err := os.Stat(old); err == nil {
		t.Error("an hour-old legacy temp file survived")
	}
	for _, p := range []string{fresh, other} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed", filepath.Base(p))
		}
	}
}
