package egress

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"
)

// TestTunnelToASilentProxyEndsWithoutAContextDeadline: a proxy that takes
// the connection and never answers CONNECT must not hang a caller whose
// context has no deadline; the connect timeout bounds the exchange.
func TestTunnelToASilentProxyEndsWithoutAContextDeadline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	held := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			held <- c // read nothing, answer nothing
		}
	}()
	d, err := NewDialer(Settings{Proxy: "http://" + ln.Addr().String(), ProxySet: true,
		ConnectTimeout: 200 * time.Millisecond, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		c, err := d.DialContext(context.Background(), "tcp", "api.example:443")
		if c != nil {
			c.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		var pe *ProxyError
		if !errors.As(err, &pe) || pe.Op != "CONNECT" || pe.Status != 0 {
			t.Fatalf("want a CONNECT without an answer, got %v", err)
		}
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("want a timeout, got %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Tunnel to a silent proxy did not end: no deadline on CONNECT")
	}
	select {
	case c := <-held:
		c.Close()
	default:
	}
}
