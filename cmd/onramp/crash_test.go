package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/crashpoint"
	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/secretstore"
)

// TestMain lets the test binary be an onramp that is killed between two
// writes: with ONRAMP_TEST_AS_ONRAMP set it runs its arguments as onramp,
// and at the point ONRAMP_TEST_CRASH_AT names it creates the file
// ONRAMP_TEST_CRASH_FILE and waits there for the test's kill -9.
func TestMain(m *testing.M) {
	if os.Getenv("ONRAMP_TEST_AS_ONRAMP") == "" {
		os.Exit(m.Run())
	}
	if point := os.Getenv("ONRAMP_TEST_CRASH_AT"); point != "" {
		crashpoint.Set(func(p string) {
			if p == point {
				_ = os.WriteFile(os.Getenv("ONRAMP_TEST_CRASH_FILE"), nil, 0o600)
				time.Sleep(time.Hour)
			}
		})
	}
	f := newFactory(iostreams.System())
	f.FileWorkFactor = testFileWorkFactor
	os.Exit(execute(f, os.Args[1:]))
}

// killAt runs onramp args (stdin given) and kills it with -9 once it
// reaches point.
func killAt(t *testing.T, point, stdin string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	reached := filepath.Join(t.TempDir(), "reached")
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), "ONRAMP_TEST_AS_ONRAMP=1", "ONRAMP_TEST_CRASH_AT="+point, "ONRAMP_TEST_CRASH_FILE="+reached)
	cmd.Stdin = strings.NewReader(stdin)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, err := os.Stat(reached); err == nil {
			break
		}
		select {
		case <-exited:
			t.Fatalf("onramp %q ended without reaching %s", args, point)
		case <-ctx.Done():
			t.Fatalf("onramp %q never reached %s", args, point)
		case <-tick.C:
		}
	}
	cmd.Process.Kill() // SIGKILL: nothing deferred runs
	<-exited
}

// storedUnder lists what the file store holds under the profile.
func storedUnder(t *testing.T, name string) []string {
	t.Helper()
	k, err := secretstore.Open(secretstore.KindFile, secretstore.Options{ConfigDir: os.Getenv("ONRAMP_CONFIG_DIR")})
	if err != nil {
		t.Fatal(err)
	}
	names, err := k.(secretstore.Lister).List(name)
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// noSideFiles: no temp, backup or journal file of a killed onramp is
// left in the config directory or its profiles directory once another
// onramp has written there.
func noSideFiles(t *testing.T) {
	t.Helper()
	dir := os.Getenv("ONRAMP_CONFIG_DIR")
	for _, d := range []string{dir, filepath.Join(dir, "profiles")} {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if strings.Contains(e.Name(), ".onramp-") {
				t.Errorf("left in %s: %s", d, e.Name())
			}
		}
	}
}

// The profile file and secrets.age are written one after the other; kill
// -9 between them never leaves a secret stored that no profile names (it
// could not be found, listed or removed). What is left is a profile naming
// a secret the store lacks: onramp says so with the command that stores it,
// and secret rm / profile rm clean it up.
func TestKilledBetweenProfileAndStore(t *testing.T) {
	useFileStore(t)

	// secret set, killed after the profile recorded the name.
	killAt(t, "secret-recorded", "s3cr3t-value-1\n", "secret", "set", "api-key", "--profile", "fresh")
	p, err := profile.Load("fresh")
	if err != nil || !slices.Contains(p.SecretNames(), "api-key") {
		t.Fatalf("after the kill: %+v %v", p, err)
	}
	if got := storedUnder(t, "fresh"); len(got) != 0 {
		t.Fatalf("stored %v", got)
	}
	r := runCmd(t, "", false, "secret", "get", "api-key", "--profile", "fresh")
	if r.code != 1 || !strings.Contains(r.errOut, "keyring-secret-missing") || !strings.Contains(r.errOut, "onramp secret set api-key --profile fresh") {
		t.Errorf("the missing secret is not named with its fix: %+v", r)
	}
	// Setting it again completes it.
	if r := runCmd(t, "s3cr3t-value-1\n", false, "secret", "set", "api-key", "--profile", "fresh"); r.code != 0 {
		t.Fatalf("set again: %+v", r)
	}
	if got := storedUnder(t, "fresh"); !slices.Equal(got, []string{"api-key"}) {
		t.Errorf("stored %v", got)
	}
	noSideFiles(t)

	// secret rm, killed after the value went and before the record did:
	// rm again forgets the record.
	if r := runCmd(t, "v4lue-2\n", false, "secret", "set", "other", "--profile", "fresh"); r.code != 0 {
		t.Fatalf("set other: %+v", r)
	}
	killAt(t, "secret-deleted", "", "secret", "rm", "other", "--profile", "fresh", "--yes")
	if p, _ := profile.Load("fresh"); !slices.Contains(p.SecretNames(), "other") || slices.Contains(storedUnder(t, "fresh"), "other") {
		t.Fatalf("after the kill: recorded %v, stored %v", p.SecretNames(), storedUnder(t, "fresh"))
	}
	if r := runCmd(t, "", false, "secret", "rm", "other", "--profile", "fresh", "--yes"); r.code != 0 || !strings.Contains(r.errOut, "was not in the store; removed its record") {
		t.Errorf("rm again: %+v", r)
	}

	// profile rm, killed after the first secret went: rm again removes the
	// rest and the file.
	if r := runCmd(t, "v4lue-3\n", false, "secret", "set", "third", "--profile", "fresh"); r.code != 0 {
		t.Fatalf("set third: %+v", r)
	}
	killAt(t, "secret-deleted", "", "profile", "rm", "fresh", "--yes")
	if _, err := profile.Load("fresh"); err != nil {
		t.Fatalf("the profile went before its secrets: %v", err)
	}
	if r := runCmd(t, "", false, "profile", "rm", "fresh", "--yes"); r.code != 0 {
		t.Fatalf("rm again: %+v", r)
	}
	if _, err := profile.Load("fresh"); !errors.Is(err, profile.ErrNotFound) {
		t.Errorf("the profile is still there: %v", err)
	}
	if got := storedUnder(t, "fresh"); len(got) != 0 {
		t.Errorf("left in the store: %v", got)
	}
	noSideFiles(t)
}
