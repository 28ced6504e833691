package keystore

import (
	"errors"
	"fmt"
)

// berToDER re-encodes BER (indefinite lengths, long-form lengths that fit
// in fewer bytes, constructed OCTET STRINGs in chunks), as NSS's pk12util
// and some Java and Windows tools write PKCS#12, in the DER subset that
// encoding/asn1 reads: definite minimal lengths, one primitive OCTET
// STRING. It is used to read the bundle's work factors, never to decrypt.
// Nesting and size are bounded, so a hostile file costs little.
func berToDER(b []byte) ([]byte, error) {
	out, rest, err := berElement(b, 0)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, errors.New("trailing data after the BER element")
	}
	return out, nil
}

const maxBERDepth = 32

// berElement converts the first element of b; rest is what follows it.
func berElement(b []byte, depth int) (der, rest []byte, err error) {
	if depth > maxBERDepth {
		return nil, nil, fmt.Errorf("BER nested more than %d deep", maxBERDepth)
	}
	if len(b) < 2 {
		return nil, nil, errors.New("truncated BER element")
	}
	tagLen := 1
	if b[0]&0x1f == 0x1f { // high tag number: base-128 bytes follow
		for tagLen < len(b) && tagLen < 6 && b[tagLen]&0x80 != 0 {
			tagLen++
		}
		tagLen++
		if tagLen >= len(b) {
			return nil, nil, errors.New("truncated BER tag")
		}
	}
	tag, constructed := b[:tagLen], b[0]&0x20 != 0
	b = b[tagLen:]
	var body []byte
	switch l := b[0]; {
	case l == 0x80: // indefinite: children up to an end-of-contents 00 00
		if !constructed {
			return nil, nil, errors.New("indefinite length on a primitive BER element")
		}
		b = b[1:]
		var parts [][]byte
		for {
			if len(b) >= 2 && b[0] == 0 && b[1] == 0 {
				b = b[2:]
				break
			}
			var part []byte
			if part, b, err = berElement(b, depth+1); err != nil {
				return nil, nil, err
			}
			parts = append(parts, part)
		}
		return berJoin(tag, parts), b, nil
	case l < 0x80:
		if int(l) > len(b)-1 {
			return nil, nil, errors.New("BER length beyond the data")
		}
		body, rest = b[1:1+int(l)], b[1+int(l):]
	default:
		n := int(l & 0x7f)
		if n > 4 || n >= len(b) {
			return nil, nil, errors.New("BER length too long")
		}
		size := 0
		for _, c := range b[1 : 1+n] {
			size = size<<8 | int(c)
		}
		if size > len(b)-1-n {
			return nil, nil, errors.New("BER length beyond the data")
		}
		body, rest = b[1+n:1+n+size], b[1+n+size:]
	}
	if !constructed {
		return derTLV(tag, body), rest, nil
	}
	var parts [][]byte
	for len(body) > 0 {
		var part []byte
		if part, body, err = berElement(body, depth+1); err != nil {
			return nil, nil, err
		}
		parts = append(parts, part)
	}
	return berJoin(tag, parts), rest, nil
}

// berJoin encodes a constructed element from its converted children; a
// constructed OCTET STRING becomes one primitive OCTET STRING.
func berJoin(tag []byte, parts [][]byte) []byte {
	var body []byte
	if len(tag) == 1 && tag[0] == 0x24 {
		for _, p := range parts {
			_, content := derSplit(p)
			body = append(body, content...)
		}
		return derTLV([]byte{0x04}, body)
	}
	for _, p := range parts {
		body = append(body, p...)
	}
	return derTLV(tag, body)
}

// derSplit returns the content of a DER element made by derTLV.
func derSplit(p []byte) (tag, content []byte) {
	i := 1
	if p[0]&0x1f == 0x1f {
		for p[i]&0x80 != 0 {
			i++
		}
		i++
	}
	tag = p[:i]
	if p[i] < 0x80 {
		return tag, p[i+1:]
	}
	return tag, p[i+1+int(p[i]&0x7f):]
}

// derTLV encodes tag, a minimal definite length and body.
func derTLV(tag, body []byte) []byte {
	out := append([]byte(nil), tag...)
	switch n := len(body); {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 1<<8:
		out = append(out, 0x81, byte(n))
	case n < 1<<16:
		out = append(out, 0x82, byte(n>>8), byte(n))
	case n < 1<<24:
		out = append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	default:
		out = append(out, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(out, body...)
}
