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
// explainBuffer in pieces of that size) and calls fn with each, in order.
// The reading is done on another goroutine, into one of two buffers while
// fn looks at the other. A read error ends it at once: what was read since
// the last block is not passed on.
func readBlocks(r io.Reader, fn func(block []byte)) error {
	free := make(chan []byte, 2)
	free <- make([]byte, explainBuffer)
	free <- make([]byte, explainBuffer)
	type block struct {
		data []byte
		err  error
	}
	full := make(chan block, 1)
	go func() {
		defer close(full)
		buf, n := <-free, 0
		for {
			m, err := r.Read(buf[n:])
			n += m
			eof := errors.Is(err, io.EOF)
			if err != nil && !eof {
				full <- block{err: err}
				return
			}
			cut := n
			if !eof {
				if k := bytes.LastIndexByte(buf[:n], '\n'); k >= 0 {
					cut = k + 1
				} else if n < len(buf) {
					continue // no whole line yet: read more
				}
			}
			// The start of the next line goes to the other buffer before
			// this one is handed over.
			next := <-free
			rest := copy(next, buf[cut:n])
			full <- block{data: buf[:cut]}
			buf, n = next, rest
			if eof {
				return
			}
		}
	}()
	for b := range full {
		if b.err != nil {
			return b.err
		}
		fn(b.data)
		free <- b.data[:cap(b.data)]
	}
	return nil
}
