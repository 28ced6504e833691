// Package limits holds the bounds onramp puts on what it reads (files,
// responses, iteration counts) and the one wording each bound has
// everywhere it is enforced.
package limits

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

// TooLargeError says an input went over a bound; every cap in onramp
// reports itself with this one wording.
type TooLargeError struct {
	What  string // "/path/ca.pem", "the response body"
	Limit int64
	Unit  string // "bytes" (shown as KiB/MiB), "certificates", "iterations", "header lines"
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is over the %s limit", e.What, Format(e.Limit, e.Unit))
}

// Format writes a limit the way every message does: 10 MiB, 64 KiB,
// 1000 certificates.
func Format(n int64, unit string) string {
	if unit == "bytes" {
		switch {
		case n >= 1<<20 && n%(1<<20) == 0:
			return fmt.Sprintf("%d MiB", n>>20)
		case n >= 1<<10 && n%(1<<10) == 0:
			return fmt.Sprintf("%d KiB", n>>10)
		}
	}
	return fmt.Sprintf("%d %s", n, unit)
}

// NotRegularError says a path names a FIFO, a device, a socket or a
// directory where a file was expected: refused before reading, so a FIFO
// with no writer cannot hang onramp.
type NotRegularError struct {
	Path string
	Mode os.FileMode
}

func (e *NotRegularError) Error() string {
	kind := "special file"
	switch {
	case e.Mode.IsDir():
		kind = "directory"
	case e.Mode&os.ModeNamedPipe != 0:
		kind = "named pipe (FIFO)"
	case e.Mode&os.ModeSocket != 0:
		kind = "socket"
	case e.Mode&os.ModeDevice != 0:
		kind = "device"
	}
	return fmt.Sprintf("%s is a %s, not a regular file: give the path of the file itself", e.Path, kind)
}

// ReadRegular reads the regular file at path, at most max bytes. The file
// is opened without blocking and checked before anything is read.
func ReadRegular(path string, max int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &NotRegularError{Path: path, Mode: fi.Mode()}
	}
	if fi.Size() > max {
		return nil, &TooLargeError{What: path, Limit: max, Unit: "bytes"}
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, &TooLargeError{What: path, Limit: max, Unit: "bytes"}
	}
	return data, nil
}
