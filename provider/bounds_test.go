package provider

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A huge user template or a FIFO named *.yaml is reported by name at once
// (a 100 MB YAML took 37 s and 4 GB), and the other templates still load.
func TestUserTemplatesAreBounded(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ONRAMP_CONFIG_DIR", dir)
	pdir := filepath.Join(dir, "providers")
	if err := os.MkdirAll(pdir, 0o700); err != nil {
		t.Fatal(err)
	}
	big := "id: big\n# " + strings.Repeat("x", MaxTemplateSize) + "\n"
	if err := os.WriteFile(filepath.Join(pdir, "big.yaml"), []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(pdir, "fifo.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := Templates()
	if err == nil || !strings.Contains(err.Error(), "big.yaml is over the 1 MiB limit") || !strings.Contains(err.Error(), "fifo.yaml is a named pipe") {
		t.Errorf("err = %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %v", took)
	}
	if _, err := Get("hmpps"); err != nil {
		t.Errorf("the built-in templates no longer load: %v", err)
	}
}
