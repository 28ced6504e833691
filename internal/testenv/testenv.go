// Package testenv decides what a test does when a real tool it drives
// (nginx, curl, openssl, tmux) is missing: under `make test` and in CI that
// is a broken install step and the test fails; elsewhere it skips.
package testenv

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Required says whether missing tools fail tests: `make test` sets
// ONRAMP_TEST_SECRET_SERVICE=1 and CI sets CI=true.
func Required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("ONRAMP_TEST_SECRET_SERVICE") == "1"
}

// Tool returns the path of the named program (looked up on PATH, then at
// the fallback paths given), failing or skipping the test without it.
func Tool(t testing.TB, name string, fallbacks ...string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, p := range fallbacks {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if Required() {
		t.Fatalf("%s is not installed: make test installs it (scripts/test-packages.txt)", name)
	}
	t.Skipf("%s is not installed", name)
	return ""
}

// PythonModule fails or skips the test (as Tool does) unless python3 can
// import the named module, e.g. botocore for the AWS tools' own reading of
// credential_process output.
func PythonModule(t testing.TB, module string) {
	t.Helper()
	if exec.Command("python3", "-c", "import "+module).Run() == nil {
		return
	}
	if Required() {
		t.Fatalf("python3 cannot import %s: make test installs it (scripts/test-packages.txt)", module)
	}
	t.Skipf("python3 with %s is not installed", module)
}

// Buffer collects what a server or child process writes from its own
// goroutines while the test reads it.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// OnrampBinary returns the onramp binary to run end to end: $ONRAMP_BIN
// (make test builds it once), else one built into the test's temp dir.
func OnrampBinary(t testing.TB) string {
	t.Helper()
	if bin := os.Getenv("ONRAMP_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(t.TempDir(), "onramp")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/onramp-cli/onramp/cmd/onramp").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
