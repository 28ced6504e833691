package explain

import (
	"bytes"
	"errors"
	"io"
)

// explainBuffer bounds memory: input is read in blocks of this size, and a
// line longer than this is looked at in pieces of this size.
const explainBuffer = 256 << 10

// readBlocks reads r in blocks of whole lines (a line longer than
// explainBuffer in pieces of that size) and calls fn with each, in order. A
// read error ends it at once: what was read since the last block is not
// passed on. (Reading on another goroutine while fn works was tried: on a
// busy machine the hand-overs cost more than the overlap saved.)
func readBlocks(r io.Reader, fn func(block []byte)) error {
	buf := make([]byte, explainBuffer)
	n := 0
	for {
		m, err := r.Read(buf[n:])
		n += m
		eof := errors.Is(err, io.EOF)
		if err != nil && !eof {
			return err
		}
		cut := n
		if !eof {
			if k := bytes.LastIndexByte(buf[:n], '\n'); k >= 0 {
				cut = k + 1
			} else if n < len(buf) {
				continue // no whole line yet: read more
			}
		}
		fn(buf[:cut])
		n = copy(buf, buf[cut:n])
		if eof {
			return nil
		}
	}
}
