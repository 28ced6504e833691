// Package iostreams carries a command's standard streams and what is known
// about them (terminal or not, colour), so commands can be tested with
// buffers that pretend to be a terminal.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// IO is the standard streams of one command run. Data goes to Out; chatter,
// progress and prompts to ErrOut.
type IO struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY, stderrTTY bool
	noColor                        bool
}

// System returns the process's own streams.
func System() *IO {
	_, noColor := os.LookupEnv("NO_COLOR")
	return &IO{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		stdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		stdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		stderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
		noColor:   noColor || os.Getenv("TERM") == "dumb",
	}
}

// Test returns streams backed by buffers: stdin, stdout, stderr.
func Test() (*IO, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IO{In: in, Out: out, ErrOut: errOut, noColor: true}, in, out, errOut
}

// SetTTY makes the streams claim to be terminals (for tests).
func (s *IO) SetTTY(stdin, stdout, stderr bool) {
	s.stdinTTY, s.stdoutTTY, s.stderrTTY = stdin, stdout, stderr
}

func (s *IO) IsStdinTTY() bool  { return s.stdinTTY }
func (s *IO) IsStdoutTTY() bool { return s.stdoutTTY }
func (s *IO) IsStderrTTY() bool { return s.stderrTTY }

// CanPrompt says whether the user can answer questions: both stdin and
// stdout must be terminals.
func (s *IO) CanPrompt() bool { return s.stdinTTY && s.stdoutTTY }

// ColorEnabled says whether to colour output on stdout; NO_COLOR and
// TERM=dumb turn colour off.
func (s *IO) ColorEnabled() bool { return s.stdoutTTY && !s.noColor }

// StdinFd returns the file descriptor of stdin when it is a real file.
func (s *IO) StdinFd() (int, bool) {
	if f, ok := s.In.(*os.File); ok {
		return int(f.Fd()), true
	}
	return 0, false
}
