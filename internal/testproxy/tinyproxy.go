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
	unshare := testenv.Tool(t, "unshare", "/usr/bin/unshare")
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
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
	hosts := "127.0.0.1 localhost\n::1 localhost\n"
	for name, a := range c.Hosts {
		hosts += a + " " + name + "\n"
	}
	hostsFile := filepath.Join(dir, "hosts")
	for f, data := range map[string]string{confFile: conf.String(), hostsFile: hosts} {
		if err := os.WriteFile(f, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"--mount"}
	if os.Geteuid() != 0 {
		args = append(args, "--map-root-user")
	}
	// exec keeps tinyproxy the process the test stops.
	args = append(args, "sh", "-c", `mount --bind "$1" /etc/hosts && exec "$2" -d -c "$3"`, "sh", hostsFile, bin, confFile)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, unshare, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting tinyproxy: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cancel()
		<-exited
	})
	p := &Proxy{Addr: addr, dir: dir}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return p
		}
		select {
		case <-exited:
			msg := fmt.Sprintf("tinyproxy exited: %s%s", out.String(), p.Log())
			if strings.Contains(msg, "unshare failed") || strings.Contains(msg, "mount") {
				if !testenv.Required() {
					t.Skipf("no mount namespace for the proxy's hosts file: %s", msg)
				}
			}
			t.Fatal(msg)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("tinyproxy did not listen on %s within 10s: %s%s", addr, out.String(), p.Log())
		}
		time.Sleep(20 * time.Millisecond)
	}
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
