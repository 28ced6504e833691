package e2e

import (
	"bytes"
	"context"
	"encoding/asn1"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/onramp-cli/onramp/internal/testenv"
	"github.com/onramp-cli/onramp/internal/testpki"
)

// slowP12 writes a real .p12 whose MAC asks for iter iterations.
func slowP12(t *testing.T, path string, iter int) {
	t.Helper()
	ca := testpki.NewCA(t, "Test Root CA")
	leaf := ca.Client(t, testpki.Options{CommonName: "client"})
	data, err := pkcs12.Modern.Encode(leaf.Key, leaf.Cert, nil, "pass")
	if err != nil {
		t.Fatal(err)
	}
	var pfx struct {
		Version  int
		AuthSafe asn1.RawValue
		MacData  struct {
			Mac        asn1.RawValue
			Salt       []byte
			Iterations int
		}
	}
	if _, err := asn1.Unmarshal(data, &pfx); err != nil {
		t.Fatal(err)
	}
	pfx.MacData.Iterations = iter
	out, err := asn1.Marshal(pfx)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// Ctrl+C while onramp derives a PKCS#12 bundle's keys (the MAC asks for
// 10,000,000 iterations, the most it accepts: seconds of CPU per file)
// ends it within a second, exit status 130; the same for SIGTERM and
// convert --from-p12. Before, the signal waited for the work to finish.
func TestSIGINTEndsSlowPKCS12Work(t *testing.T) {
	bin := testenv.OnrampBinary(t)
	dir := t.TempDir()
	p12 := filepath.Join(dir, "slow.p12")
	slowP12(t, p12, 10_000_000)
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
