package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testenv"
	"github.com/onramp-cli/onramp/internal/testpki"
)

// Ctrl+C while onramp derives a PKCS#12 bundle's keys (the MAC asks for
// 10,000,000 iterations, the most it accepts: seconds of CPU per file)
// ends it within a second, exit status 130; the same for SIGTERM and
// convert --from-p12. Before, the signal waited for the work to finish.
func TestSIGINTEndsSlowPKCS12Work(t *testing.T) {
	bin := testenv.OnrampBinary(t)
	dir := t.TempDir()
	p12 := filepath.Join(dir, "slow.p12")
	leaf := testpki.NewCA(t, "Test Root CA").Client(t, testpki.Options{CommonName: "client"})
	if err := os.WriteFile(p12, leaf.PKCS12(t, "pass", 10_000_000), 0o600); err != nil {
		t.Fatal(err)
	}
	env, _ := storeEnv(t, false)
	env = append(env, "P12PASS=pass")
	for _, c := range []struct {
		sig  syscall.Signal
		args []string
	}{
		{syscall.SIGINT, []string{"inspect", p12, p12, p12, "--pass-env", "P12PASS"}},
		{syscall.SIGTERM, []string{"convert", "--from-p12", p12, "--pass-env", "P12PASS", "--out", filepath.Join(dir, "out")}},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := exec.CommandContext(ctx, bin, c.args...)
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(400 * time.Millisecond)
		cmd.Process.Signal(c.sig)
		sent := time.Now()
		err := cmd.Wait()
		took := time.Since(sent)
		cancel()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 130 {
			t.Errorf("%s: %v, want exit 130: %s", c.args[0], err, out.String())
		}
		if took > time.Second {
			t.Errorf("%s ended %v after %s, want within 1s", c.args[0], took, c.sig)
		}
		if !strings.Contains(out.String(), "cancelled") {
			t.Errorf("%s: output %q", c.args[0], out.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		entries, _ := os.ReadDir(filepath.Join(dir, "out"))
		if len(entries) > 0 {
			t.Errorf("an interrupted convert wrote %d files", len(entries))
		}
	}
}
