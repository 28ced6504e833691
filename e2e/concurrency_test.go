package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testenv"
	"github.com/onramp-cli/onramp/secretstore"
)

const concurrentSets = 20

// run runs the onramp binary with env and stdin, returning its output and
// exit status.
func run(t *testing.T, bin string, env []string, stdin string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), ee.ExitCode()
	}
	if err != nil {
		t.Errorf("onramp %v: %v", args, err)
	}
	return out.String(), 0
}

// storeEnv is the environment of one store: the file store (with its
// passphrase) or the OS keyring, in a fresh config directory.
func storeEnv(t *testing.T, file bool) (env []string, cfgDir string) {
	cfgDir = t.TempDir()
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ONRAMP_") || strings.HasPrefix(kv, "ONRAMP_TEST_") {
			env = append(env, kv)
		}
	}
	env = append(env, "ONRAMP_CONFIG_DIR="+cfgDir)
	if file {
		env = append(env, "ONRAMP_STORE=file", secretstore.PassphraseEnv+"=e2e concurrent passphrase")
	}
	return env, cfgDir
}

// setConcurrently runs concurrentSets `onramp secret set sNN` at once.
func setConcurrently(t *testing.T, bin string, env []string, profile string) {
	t.Helper()
	var wg sync.WaitGroup
	for i := range concurrentSets {
		wg.Go(func() {
			name := fmt.Sprintf("s%02d", i)
			if out, code := run(t, bin, env, "value-of-"+name+"\n", "secret", "set", name, "--profile", profile); code != 0 {
				t.Errorf("secret set %s: exit %d: %s", name, code, out)
			}
		})
	}
	wg.Wait()
}

func wantNames() []string {
	var names []string
	for i := range concurrentSets {
		names = append(names, fmt.Sprintf("s%02d", i))
	}
	return names
}

// recorded is what `onramp secret ls --json` says the profile records.
func recorded(t *testing.T, bin string, env []string, profile string) []string {
	t.Helper()
	out, code := run(t, bin, env, "", "secret", "ls", "--profile", profile, "--json")
	var list struct {
		Secrets []struct {
			Name string `json:"name"`
		} `json:"secrets"`
	}
	if code != 0 || json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &list) != nil {
		t.Fatalf("secret ls: exit %d: %s", code, out)
	}
	var names []string
	for _, s := range list.Secrets {
		names = append(names, s.Name)
	}
	slices.Sort(names)
	return names
}

// Twenty `onramp secret set` at once into the encrypted file store: every
// secret is stored AND recorded in the profile (before the locks, 2 of 20
// were stored and 3 recorded, and every process exited 0).
func TestConcurrentSecretSetFileStore(t *testing.T) {
	bin := testenv.OnrampBinary(t)
	env, cfgDir := storeEnv(t, true)
	// The file is made cheap to open (scrypt log N 10, which onramp keeps
	// when it rewrites a file): this test is about the lock, not scrypt's
	// second per run that twenty processes would otherwise queue behind.
	f := &secretstore.File{Path: filepath.Join(cfgDir, secretstore.FileName), WorkFactor: 10,
		Passphrase: func(bool) (string, error) { return "e2e concurrent passphrase", nil }}
	if err := f.Set("other", "setup", "x"); err != nil {
		t.Fatal(err)
	}
	setConcurrently(t, bin, env, "shared")

	if got := recorded(t, bin, env, "shared"); !slices.Equal(got, wantNames()) {
		t.Errorf("recorded %d of %d: %v", len(got), concurrentSets, got)
	}
	f = &secretstore.File{Path: f.Path, Passphrase: f.Passphrase}
	stored, err := f.List("shared")
	if err != nil || !slices.Equal(stored, wantNames()) {
		t.Fatalf("stored %d of %d: %v %v", len(stored), concurrentSets, stored, err)
	}
	if v, err := f.Get("shared", "s07"); err != nil || v != "value-of-s07" {
		t.Errorf("s07 = %q, %v", v, err)
	}

	// profile rm removes them all, and one the profile never recorded.
	if err := f.Set("shared", "stray", "set by another tool"); err != nil {
		t.Fatal(err)
	}
	if out, code := run(t, bin, env, "", "profile", "rm", "shared", "--yes"); code != 0 {
		t.Fatalf("profile rm: exit %d: %s", code, out)
	}
	f = &secretstore.File{Path: f.Path, Passphrase: f.Passphrase}
	if left, err := f.List("shared"); err != nil || len(left) != 0 {
		t.Errorf("left in the file store after profile rm: %v %v", left, err)
	}
}

// The same against the real Secret Service (gnome-keyring under make test).
func TestConcurrentSecretSetKeyring(t *testing.T) {
	if !testenv.Required() && os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("needs a Secret Service (make test runs one)")
	}
	bin := testenv.OnrampBinary(t)
	env, _ := storeEnv(t, false)
	profile := fmt.Sprintf("e2e-conc-%d", time.Now().UnixNano())
	k := secretstore.OSKeyring{Timeout: 20 * time.Second}
	t.Cleanup(func() {
		for _, n := range append(wantNames(), "stray") {
			_ = k.Delete(profile, n)
		}
	})
	setConcurrently(t, bin, env, profile)
	if got := recorded(t, bin, env, profile); !slices.Equal(got, wantNames()) {
		t.Errorf("recorded %d of %d: %v", len(got), concurrentSets, got)
	}
	stored, err := k.List(profile)
	if err != nil || !slices.Equal(stored, wantNames()) {
		t.Fatalf("stored %d of %d: %v %v", len(stored), concurrentSets, stored, err)
	}
	if err := k.Set(profile, "stray", "set by secret-tool"); err != nil {
		t.Fatal(err)
	}
	if out, code := run(t, bin, env, "", "profile", "rm", profile, "--yes"); code != 0 {
		t.Fatalf("profile rm: exit %d: %s", code, out)
	}
	if left, err := k.List(profile); err != nil || len(left) != 0 {
		t.Errorf("left in the keyring after profile rm: %v %v", left, err)
	}
}
