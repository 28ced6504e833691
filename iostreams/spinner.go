package iostreams

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// WithSpinner runs work while a spinner turns on ErrOut (a terminal), so
// a multi-second RSA key generation does not look like a hang.
func (s *IO) WithSpinner(ctx context.Context, label string, work func()) {
	w := s.ErrOut
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		frames := []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		start := time.Now()
		for i := 0; ; i++ {
			fmt.Fprintf(w, "\r%c %s… %.0fs", frames[i%len(frames)], label, time.Since(start).Seconds())
			select {
			case <-done:
			case <-ctx.Done():
			case <-t.C:
				continue
			}
			fmt.Fprint(w, "\r\x1b[K")
			return
		}
	}()
	work()
	close(done)
	wg.Wait()
}
