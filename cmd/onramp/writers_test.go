package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDiagnoseReportReplacesNotFollows: --report writes through onramp's
// atomic writer, so a symlink at the path (planted in a shared directory,
// or left from an earlier run) is replaced by the report instead of the
// file it points at being overwritten, and the report is 0600.
func TestDiagnoseReportReplacesNotFollows(t *testing.T) {
	f := newCLIFixture(t)
	t.Setenv("API_KEY", "good-key")
	precious := filepath.Join(t.TempDir(), "precious.txt")
	if err := os.WriteFile(precious, []byte("not a report\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(f.dir, "report.md")
	if err := os.Symlink(precious, report); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, f.args("--api-key-env", "API_KEY", "--report", report)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if got, _ := os.ReadFile(precious); string(got) != "not a report\n" {
		t.Errorf("the file the symlink pointed at was overwritten: %q", got)
	}
	fi, err := os.Lstat(report)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
		t.Fatalf("report: %v %v", fi, err)
	}
	if md, _ := os.ReadFile(report); !strings.Contains(string(md), "onramp") {
		t.Errorf("report:\n%s", md)
	}
}
