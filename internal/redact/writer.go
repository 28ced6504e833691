package redact

import (
	"io"
	"strings"
	"sync"
)

// Writer blanks secrets (Set.Text) in each Write before passing it on: for
// onramp's own output, where every message is written whole (one Fprintf,
// one JSON document), so nothing is held back and prompts show at once.
type Writer struct {
	W   io.Writer
	Set *Set
}

// Write writes p with its secrets blanked. It reports len(p) on success:
// the caller's bytes were all taken, whatever length they became.
func (w *Writer) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.W, w.Set.Text(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Unwrap is the writer a Writer writes to (w itself for any other
// writer): a Stream over it need not blank everything twice.
func Unwrap(w io.Writer) io.Writer {
	if rw, ok := w.(*Writer); ok {
		return rw.W
	}
	return w
}

// Stream blanks secrets in output that arrives in arbitrary pieces (a
// child process's, through a pipe): a secret cut across two writes is
// still found, because each write holds back its last line until the
// next, or until Flush. A long line without a newline is passed on once it
// is longer than any secret can reach back into.
type Stream struct {
	W   io.Writer
	Set *Set

	mu      sync.Mutex
	pending []byte
}

// Write takes p and passes on what can no longer be part of a secret.
func (s *Stream) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// What is held back is blanked already; blanking it again with the
	// new bytes finds a secret that began in it.
	text := s.Set.Text(string(s.pending) + string(p))
	cut := strings.LastIndexByte(text, '\n') + 1
	// Without a newline, keep only as much as the longest secret (and a
	// URL's password) could still need: any secret that starts before the
	// cut ends within text, so it is blanked already.
	if keep := max(s.Set.longest(), 256); len(text)-cut > 4*keep {
		cut = len(text) - keep
	}
	s.pending = append(s.pending[:0], text[cut:]...)
	if cut == 0 {
		return len(p), nil
	}
	if _, err := io.WriteString(s.W, text[:cut]); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush passes on what is held back.
func (s *Stream) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending) == 0 {
		return nil
	}
	out := string(s.pending) // blanked as it came
	s.pending = s.pending[:0]
	_, err := io.WriteString(s.W, out)
	return err
}
