package egress

import (
	"context"
	"errors"
	"net"
	"time"
)

// AttemptDelay is how long a race waits for one address before it also
// tries the next (Happy Eyeballs, RFC 8305's Connection Attempt Delay), so
// a black-holed IPv6 address does not use up the run.
const AttemptDelay = 250 * time.Millisecond

// Attempt is one address tried by Race.
type Attempt struct {
	Addr string
	Conn net.Conn
	Err  error
	Took time.Duration
}

// Family of an IP address: 4 or 6.
func Family(ip string) int {
	if p := net.ParseIP(ip); p != nil && p.To4() == nil {
		return 6
	}
	return 4
}

// Interleave orders addresses IPv6 first, alternating families, as RFC
// 8305 does (and keeps each family's own order).
func Interleave(addrs []string) []string {
	var v6, v4 []string
	for _, a := range addrs {
		if Family(a) == 6 {
			v6 = append(v6, a)
		} else {
			v4 = append(v4, a)
		}
	}
	out := make([]string, 0, len(addrs))
	for i := 0; i < len(v6) || i < len(v4); i++ {
		if i < len(v6) {
			out = append(out, v6[i])
		}
		if i < len(v4) {
			out = append(out, v4[i])
		}
	}
	return out
}

// Race connects to the addresses (IPs) on port Happy-Eyeballs style: the
// next address starts when the one before fails or after AttemptDelay,
// each bounded by its share of the time left, and the first to connect
// wins. It returns the winner (nil if none), the attempts that failed, and
// those abandoned when another won. Give the addresses in the order to
// try them (Interleave).
func (d *Dialer) Race(ctx context.Context, addrs []string, port string) (*Attempt, []Attempt, []Attempt) {
	if len(addrs) == 0 {
		return nil, []Attempt{{Err: errors.New("no address to connect to")}}, nil
	}
	share := d.connectTimeout()
	if dl, ok := ctx.Deadline(); ok {
		share = time.Until(dl) / time.Duration(len(addrs))
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make(chan Attempt, len(addrs))
	started := map[string]time.Time{}
	next := 0
	start := func() {
		a := addrs[next]
		next++
		started[a] = time.Now()
		go func() {
			actx, done := context.WithTimeout(ctx, share)
			defer done()
			t0 := time.Now()
			nd := net.Dialer{Timeout: d.connectTimeout()}
			c, err := nd.DialContext(actx, d.network("tcp"), net.JoinHostPort(a, port))
			results <- Attempt{Addr: a, Conn: c, Err: err, Took: time.Since(t0)}
		}()
	}
	start()
	timer := time.NewTimer(AttemptDelay)
	defer timer.Stop()
	var tried []Attempt
	for running := 1; running > 0; {
		select {
		case res := <-results:
			running--
			delete(started, res.Addr)
			if res.Err == nil {
				var abandoned []Attempt
				for _, a := range addrs { // in order, for a stable report
					if t, ok := started[a]; ok {
						abandoned = append(abandoned, Attempt{Addr: a, Took: time.Since(t)})
					}
				}
				cancel()
				go func(n int) { // close late winners
					for ; n > 0; n-- {
						if late := <-results; late.Conn != nil {
							late.Conn.Close()
						}
					}
				}(running)
				return &res, tried, abandoned
			}
			tried = append(tried, res)
			if next < len(addrs) && ctx.Err() == nil {
				start()
				running++
				timer.Reset(AttemptDelay)
			}
		case <-timer.C:
			if next < len(addrs) {
				start()
				running++
				timer.Reset(AttemptDelay)
			}
		}
	}
	return nil, tried, nil
}
