package explain

import (
	"bytes"
	"errors"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// textReader returns r as UTF-8 text: a log PowerShell or another Windows
// tool wrote in UTF-16 (with a byte order mark, or without one but with the
// zero bytes of ASCII text in UTF-16) is decoded; anything else is passed
// through unchanged.
func textReader(r io.Reader) io.Reader {
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	head = head[:n]
	var rest io.Reader = r
	if err != nil { // short input: all of it is in head
		rest = errReader{err}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			rest = bytes.NewReader(nil)
		}
	}
	whole := io.MultiReader(bytes.NewReader(head), rest)
	switch {
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}):
		return &utf16Reader{r: io.MultiReader(bytes.NewReader(head[2:]), rest)}
	case bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		return &utf16Reader{r: io.MultiReader(bytes.NewReader(head[2:]), rest), bigEndian: true}
	case looksUTF16(head, 1):
		return &utf16Reader{r: whole}
	case looksUTF16(head, 0):
		return &utf16Reader{r: whole, bigEndian: true}
	}
	return whole
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// looksUTF16 says whether most code units of head have a zero byte at
// offset zero (1 for little endian, 0 for big endian): ASCII in UTF-16.
func looksUTF16(head []byte, zero int) bool {
	units, zeros := len(head)/2, 0
	for i := 0; i+1 < len(head); i += 2 {
		if head[i+zero] == 0 && head[i+1-zero] != 0 {
			zeros++
		}
	}
	return units >= 4 && zeros*10 >= units*9
}

// utf16Reader decodes UTF-16 to UTF-8 as it reads.
type utf16Reader struct {
	r         io.Reader
	bigEndian bool
	buf       [32 << 10]byte
	carry     int    // undecoded bytes at the start of buf (an odd byte, a lone high surrogate)
	out       []byte // decoded and not yet returned
	err       error
}

func (u *utf16Reader) Read(p []byte) (int, error) {
	for len(u.out) == 0 {
		if u.err != nil {
			return 0, u.err
		}
		n, err := u.r.Read(u.buf[u.carry:])
		n += u.carry
		u.err = err
		u.carry = 0
		out := u.out[:0]
		i := 0
		for ; i+1 < n; i += 2 {
			c := u.unit(i)
			if utf16.IsSurrogate(rune(c)) && c < 0xdc00 { // a high surrogate: needs the next unit
				if i+3 >= n {
					if err == nil {
						break // decode it with the next read
					}
					out = utf8.AppendRune(out, utf8.RuneError)
					continue
				}
				out = utf8.AppendRune(out, utf16.DecodeRune(rune(c), rune(u.unit(i+2))))
				i += 2
				continue
			}
			out = utf8.AppendRune(out, rune(c))
		}
		if err != nil && i < n { // an odd byte at the end
			out = utf8.AppendRune(out, utf8.RuneError)
			i = n
		}
		u.carry = copy(u.buf[:], u.buf[i:n])
		u.out = out
	}
	n := copy(p, u.out)
	u.out = u.out[n:]
	return n, nil
}

func (u *utf16Reader) unit(i int) uint16 {
	if u.bigEndian {
		return uint16(u.buf[i])<<8 | uint16(u.buf[i+1])
	}
	return uint16(u.buf[i+1])<<8 | uint16(u.buf[i])
}
