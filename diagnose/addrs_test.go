package diagnose

import (
	"context"
	"net"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// blackHole6 makes [::1]:port drop SYNs: a listener with a backlog of 0
// whose queue is filled by connections nobody accepts, so the kernel drops
// every further SYN, as a firewall that drops IPv6 does.
func blackHole6(t *testing.T, port int) {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET6, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Skipf("no IPv6: %v", err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	_ = syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, 1)
	if err := syscall.Bind(fd, &syscall.SockaddrInet6{Port: port, Addr: [16]byte{15: 1}}); err != nil {
		t.Skipf("no [::1]:%d: %v", port, err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	addr := net.JoinHostPort("::1", strconv.Itoa(port))
	for i := 0; i < 4; i++ {
		c, err := net.DialTimeout("tcp6", addr, 200*time.Millisecond)
		if err != nil {
			return // the queue is full: SYNs are dropped from now on
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Skip("could not fill the accept queue of a backlog-0 listener")
}

func TestHappyEyeballsAndIPVersion(t *testing.T) {
	f := newFixture(t)
	srv := startTLS(t, f.serverConfig(), nil)
	u, _ := url.Parse(srv.URL)
	port, _ := strconv.Atoi(u.Port())
	blackHole6(t, port)
	target := "https://localhost:" + u.Port() + "/status"
	base := f.opts(target)
	base.Resolve = map[string]string{"localhost:" + u.Port(): "::1,127.0.0.1"}

	o := base
	o.Timeout = 8 * time.Second
	start := time.Now()
	r := Run(context.Background(), o, nil)
	if !r.OK {
		t.Fatalf("the IPv4 address should win the race: %+v", r.Steps)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %s: the black-holed IPv6 address held the run", took)
	}
	d := stepOf(r, StepTCP).Detail
	if !strings.HasPrefix(d, "connected to 127.0.0.1:") || !strings.Contains(d, "[::1]:"+u.Port()+": no answer in") {
		t.Errorf("tcp detail %q should say which address answered and which did not", d)
	}

	o = base
	o.IPVersion, o.Timeout = 6, time.Second
	r = Run(context.Background(), o, nil)
	if r.OK || r.Cause == nil || r.Cause.ID != "tcp-timeout" {
		t.Errorf("-6 against a black hole: cause %v, %+v", r.Cause, r.Steps)
	}

	o = base
	o.IPVersion = 4
	r = Run(context.Background(), o, nil)
	if !r.OK || strings.Contains(stepOf(r, StepDNS).Detail, "::1") || strings.Contains(stepOf(r, StepTCP).Detail, "::1") {
		t.Errorf("-4: %+v", r.Steps)
	}
}
