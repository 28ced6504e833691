package keystore

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Writing the exact bytes a file already holds (importing a certificate
// already in place) succeeds; different bytes are still refused, and the
// file keeps its content.
func TestWriteFileAtomicSameContentIsNotAnOverwrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "me.crt")
	if err := WriteFileAtomic(path, []byte("cert"), 0o644, false); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, []byte("cert"), 0o644, false); err != nil {
		t.Fatalf("same content refused: %v", err)
	}
	if err := WriteFileAtomic(path, []byte("other"), 0o644, false); !errors.Is(err, ErrExists) {
		t.Fatalf("different content: err = %v, want ErrExists", err)
	}
	if err := WriteFiles([]OutputFile{{Path: path, Data: []byte("cert"), Perm: 0o644}}, false); err != nil {
		t.Fatalf("WriteFiles with the same content: %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "cert" {
		t.Fatalf("content now %q", got)
	}
}
