// Package testproxy runs Debian's tinyproxy for tests: a real HTTP proxy
// on a loopback port, with its own configuration and its own hosts file.
//
// Test servers listen on 127.0.0.1, but they are reached under names only
// the proxy can resolve (api.onramp-test.invalid): tinyproxy runs in a
// mount namespace of its own (unshare --mount, plus --map-root-user when
// not root) where a bind mount puts the test's hosts file on /etc/hosts.
// So a run that resolved the name itself, instead of leaving it to the
// proxy, fails with dns-no-such-host.
package testproxy

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testenv"
)

// Config is what the proxy allows.
type Config struct {
	// Hosts maps names to addresses in the proxy's /etc/hosts.
	Hosts map[string]string
	// User and Password, when set, make the proxy demand Basic
	// authentication (407 without them).
	User, Password string
	// ConnectPorts, when set, are the only ports CONNECT may reach; others
	// get 403 Access violation.
	ConnectPorts []int
}

// Proxy is a running tinyproxy.
type Proxy struct {
	// Addr is its host:port on 127.0.0.1.
	Addr string
	dir  string
}

// URL is the proxy's URL, http://127.0.0.1:PORT.
func (p *Proxy) URL() string { return "http://" + p.Addr }

// Log is what tinyproxy logged so far.
func (p *Proxy) Log() string {
	b, _ := os.ReadFile(filepath.Join(p.dir, "tinyproxy.log"))
	return string(b)
}

// Start runs tinyproxy with c until the test ends.
func Start(t testing.TB, c Config) *Proxy {
	t.Helper()
	bin := testenv.Tool(t, "tinyproxy", "/usr/bin/tinyproxy")
	dir := t.TempDir()
	addr := freeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	var conf strings.Builder
	fmt.Fprintf(&conf, "Port %s\nListen 127.0.0.1\nTimeout 10\nLogLevel Info\nMaxClients 20\nAllow 127.0.0.1\nDisableViaHeader Yes\n", port)
	fmt.Fprintf(&conf, "LogFile %q\n", filepath.Join(dir, "tinyproxy.log"))
	for _, p := range c.ConnectPorts {
		fmt.Fprintf(&conf, "ConnectPort %d\n", p)
	}
	if c.User != "" {
		fmt.Fprintf(&conf, "BasicAuth %s %s\n", c.User, c.Password)
	}
	confFile := filepath.Join(dir, "tinyproxy.conf")
	if err := os.WriteFile(confFile, []byte(conf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &Proxy{Addr: addr, dir: dir}
	startIsolated(t, dir, c.Hosts, addr, p.Log, bin, "-d", "-c", confFile)
	return p
}

// freeAddr is a free loopback TCP address.
func freeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startIsolated runs argv in a mount namespace whose /etc/hosts holds
// hosts, stops it when the test ends, and waits until it listens on addr.
// logs returns the program's own log, for failure messages.
func startIsolated(t testing.TB, dir string, hosts map[string]string, addr string, logs func() string, argv ...string) {
	t.Helper()
	unshare := testenv.Tool(t, "unshare", "/usr/bin/unshare")
	text := "127.0.0.1 localhost\n::1 localhost\n"
	for name, a := range hosts {
		text += a + " " + name + "\n"
	}
	hostsFile := filepath.Join(dir, "hosts")
	if err := os.WriteFile(hostsFile, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	prefix := namespaceCommand(t, unshare)
	// exec keeps the program the process the test stops.
	args := append(prefix[1:], "sh", "-c", `mount --bind "$1" /etc/hosts && shift && exec "$@"`, "sh", hostsFile)
	args = append(args, argv...)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, prefix[0], args...)
	// SIGTERM, not SIGKILL: sudo passes it on to the proxy, and both
	// proxies exit on it.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting %s: %v", argv[0], err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cancel()
		<-exited
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-exited:
			t.Fatalf("%s exited: %s%s", filepath.Base(argv[0]), out.String(), logs())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not listen on %s within 20s: %s%s", filepath.Base(argv[0]), addr, out.String(), logs())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var (
	nsOnce sync.Once
	nsCmd  []string
	nsErr  string
)

// namespaceCommand is how to start a program in a mount namespace of its
// own: unshare as root, with a user namespace otherwise, or through
// passwordless sudo where user namespaces are not allowed. Without any of
// them the test fails under make test and skips elsewhere.
func namespaceCommand(t testing.TB, unshare string) []string {
	t.Helper()
	nsOnce.Do(func() {
		candidates := [][]string{{unshare, "--mount"}}
		if os.Geteuid() != 0 {
			candidates = [][]string{{unshare, "--mount", "--map-root-user"}, {"sudo", "-n", unshare, "--mount"}}
		}
		for _, c := range candidates {
			out, err := exec.Command(c[0], append(c[1:], "true")...).CombinedOutput()
			if err == nil {
				nsCmd = c
				return
			}
			nsErr += fmt.Sprintf("%s: %v %s; ", strings.Join(c, " "), err, bytes.TrimSpace(out))
		}
	})
	if nsCmd == nil {
		msg := "the proxy tests give the proxy its own /etc/hosts in a mount namespace, and none can be made here (run as root, allow unprivileged user namespaces, or allow passwordless sudo): " + nsErr
		if testenv.Required() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return nsCmd
}

// lockedBuffer collects a program's output while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TLSFront puts a TLS listener (crypto/tls, cert) on another loopback port
// in front of the proxy, making it an https:// proxy, until the test ends.
// It returns the front's URL, https://127.0.0.1:PORT.
func (p *Proxy) TLSFront(t testing.TB, cert tls.Certificate) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	addr := testenv.ServeConns(t, ln, func(c net.Conn) {
		defer c.Close()
		up, err := net.DialTimeout("tcp", p.Addr, 5*time.Second)
		if err != nil {
			return
		}
		defer up.Close()
		done := make(chan struct{}, 2)
		go func() { _, _ = io.Copy(up, c); done <- struct{}{} }()
		go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
		<-done
	})
	return "https://" + addr
}
