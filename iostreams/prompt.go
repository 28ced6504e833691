package iostreams

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/term"
)

// ErrCancelled is a question the user did not answer: ctrl+c, end of
// input, or "no".
var ErrCancelled = errors.New("cancelled")

// ErrTooLarge is input beyond the limit given to ReadAllLimited.
var ErrTooLarge = errors.New("input too large")

// MaxLine bounds a line read by ReadLine and ReadHidden; keyrings refuse
// far smaller secrets.
const MaxLine = 1 << 20

// ReadHidden asks on ErrOut and reads a line without echo when stdin is a
// real terminal; test streams that only claim to be terminals are read as
// plain lines.
func (s *IO) ReadHidden(prompt string) (string, error) {
	fmt.Fprint(s.ErrOut, prompt)
	if fd, ok := s.StdinFd(); ok && term.IsTerminal(fd) {
		return s.readPasswordInterruptible(fd)
	}
	line, err := ReadLine(s.In)
	fmt.Fprintln(s.ErrOut)
	return line, err
}

// readPasswordInterruptible is term.ReadPassword that gives up on ctrl+c:
// the command's signal handler catches SIGINT, so the read would otherwise
// go on with echo still off.
func (s *IO) readPasswordInterruptible(fd int) (string, error) {
	state, err := term.GetState(fd)
	if err != nil {
		return "", err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		fmt.Fprintln(s.ErrOut)
		return string(r.b), r.err
	case <-sig:
		_ = term.Restore(fd, state)
		fmt.Fprintln(s.ErrOut)
		return "", ErrCancelled
	}
}

// ReadLine reads one line byte by byte, so nothing after it is consumed.
// End of input before any byte is ErrCancelled.
func ReadLine(r io.Reader) (string, error) {
	var sb strings.Builder
	b := make([]byte, 1)
	for {
		n, err := r.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				return strings.TrimSuffix(sb.String(), "\r"), nil
			}
			sb.WriteByte(b[0])
			if sb.Len() > MaxLine {
				return "", errors.New("the line is too long")
			}
		}
		if errors.Is(err, io.EOF) {
			if sb.Len() == 0 {
				return "", ErrCancelled
			}
			return sb.String(), nil
		}
		if err != nil {
			return "", err
		}
	}
}

// Confirm asks a y/N question on ErrOut ("Delete x? [y/N] "); anything but
// y or yes is ErrCancelled.
func (s *IO) Confirm(question string) error {
	fmt.Fprintf(s.ErrOut, "%s%s? [y/N] ", strings.ToUpper(question[:1]), question[1:])
	line, err := ReadLine(s.In)
	if err != nil && !errors.Is(err, ErrCancelled) {
		return err
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	return ErrCancelled
}

// ReadAllLimited reads r to its end, failing with ErrTooLarge beyond limit
// bytes.
func ReadAllLimited(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, ErrTooLarge
	}
	return data, nil
}
