package testenv

import (
	"net"
	"sync"
	"testing"
)

// ServeConns hands each connection ln accepts to serve, and when the test
// ends closes the listener and every connection and waits for serve to
// return. It returns the listening address.
func ServeConns(t testing.TB, ln net.Listener, serve func(net.Conn)) string {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() { defer wg.Done(); serve(c) }()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}
