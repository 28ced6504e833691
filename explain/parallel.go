package explain

import (
	"runtime"
	"sync/atomic"
)

// A block is scanned in chunks of about chunkSize bytes (whole lines) that
// this goroutine and a helper take in turn, when the block has at least
// two chunks and more than one CPU runs Go code.
const chunkSize = 32 << 10

// blockScanner scans blocks of whole lines. The helper only ever takes a
// chunk nobody has taken: on a busy machine, where it may start late or
// not at all, the calling goroutine scans the rest itself and waits at
// most for the chunk the helper is scanning.
type blockScanner struct {
	own, helper scanner
	cuts        []int       // where the chunks start, and len(data)
	chunkHits   [][]scanHit // each chunk's hits
}

func newBlockScanner(ps *patternSet) *blockScanner {
	return &blockScanner{own: scanner{ps: ps}, helper: scanner{ps: ps}}
}

// scan is scanHits.
func (bs *blockScanner) scan(data []byte, hits []scanHit) []scanHit {
	if len(data) < 2*chunkSize || runtime.GOMAXPROCS(0) < 2 {
		return bs.own.hits(data, hits)
	}
	bs.cuts = append(bs.cuts[:0], 0)
	for at := 0; at < len(data); {
		at = cutAtLine(data, min(at+chunkSize, len(data)))
		bs.cuts = append(bs.cuts, at)
	}
	n := int32(len(bs.cuts) - 1)
	if n < 2 { // one line longer than the block
		return bs.own.hits(data, hits)
	}
	for len(bs.chunkHits) < int(n) {
		bs.chunkHits = append(bs.chunkHits, nil)
	}
	cuts, chunkHits := bs.cuts, bs.chunkHits
	var taken, done atomic.Int32
	finished := make(chan struct{}, 1) // the helper scanned the last chunk
	work := func(sc *scanner, helper bool) {
		for {
			c := taken.Add(1) - 1
			if c >= n {
				return
			}
			chunkHits[c] = sc.hits(data[cuts[c]:cuts[c+1]], chunkHits[c][:0])
			if done.Add(1) == n && helper {
				finished <- struct{}{}
			}
		}
	}
	go work(&bs.helper, true)
	work(&bs.own, false)
	if done.Load() < n {
		<-finished
	}
	for c := range n {
		for _, h := range chunkHits[c] {
			hits = append(hits, h+newScanHit(cuts[c], 0))
		}
	}
	return hits
}
