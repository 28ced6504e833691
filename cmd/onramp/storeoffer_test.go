package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/secretstore"
)

// On a terminal, a keyring nobody chose that does not answer is said once
// and the encrypted file is offered: yes stores there and remembers the
// choice; no leaves the keyring's error. Never a silent fallback.
func TestOfferingStore(t *testing.T) {
	for _, answer := range []string{"y", "n"} {
		t.Run(answer, func(t *testing.T) {
			dir := t.TempDir()
			kr := testkeyring.New()
			kr.Unavailable = true
			io, in, _, errOut := iostreams.Test()
			in.WriteString(answer + "\n")
			io.SetTTY(true, true, true)
			file := &secretstore.File{Path: filepath.Join(dir, secretstore.FileName), WorkFactor: testFileWorkFactor,
				Passphrase: func(bool) (string, error) { return "pass", nil }}
			s := &offeringStore{keyring: kr, io: io, dir: dir, openFile: func() (secretstore.Keyring, error) { return file, nil }}
			err := s.Set("p", "api-key", "v1")
			_, cfgErr := os.Stat(filepath.Join(dir, secretstore.ConfigFile))
			if answer == "n" {
				if secretstore.ProblemOf(err) != secretstore.NoKeyring || cfgErr == nil {
					t.Fatalf("declined: %v, config %v", err, cfgErr)
				}
				if err := s.Set("p", "api-key", "v1"); err == nil || strings.Count(errOut.String(), "Keep onramp's secrets") != 1 {
					t.Errorf("asked again after a no:\n%s", errOut.String())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v, err := file.Get("p", "api-key"); err != nil || v != "v1" {
				t.Errorf("not in the file: %v", err)
			}
			if kind, _ := secretstore.Remembered(dir); kind != secretstore.KindFile {
				t.Errorf("choice not remembered: %q", kind)
			}
			if !strings.Contains(errOut.String(), "No OS keyring answers here") || !strings.Contains(errOut.String(), "from now on") {
				t.Errorf("what the user was told:\n%s", errOut.String())
			}
			if v, err := s.Get("p", "api-key"); err != nil || v != "v1" || strings.Count(errOut.String(), "Keep onramp's secrets") != 1 {
				t.Errorf("later calls: %q %v\n%s", v, err, errOut.String())
			}
			if w := secretstore.Where(s, "p", "api-key"); !strings.Contains(w, secretstore.FileName) {
				t.Errorf("Where: %s", w)
			}
		})
	}
}

// `onramp --accessible` and `--store` are flags of onramp itself (without a
// terminal it prints its help, as plain `onramp` does).
func TestRootFlags(t *testing.T) {
	for _, args := range [][]string{{"--accessible"}, {"--store", "file"}} {
		io, _, out, errOut := iostreams.Test()
		if code := execute(testFactory(io, testkeyring.New()), args); code != 0 || !strings.Contains(out.String(), "--accessible") {
			t.Errorf("onramp %v: exit %d\n%s%s", args, code, out.String(), errOut.String())
		}
	}
}
