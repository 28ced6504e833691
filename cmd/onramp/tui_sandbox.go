package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/sandbox"
	"github.com/onramp-cli/onramp/tui"
	"github.com/onramp-cli/onramp/wizard"
)

// sandboxTarget points the wizard's sandbox template at the sandbox that
// runs now: its ready profile knows the port and the status endpoint.
func sandboxTarget(wp *wizard.Provider) {
	wp.AskURL = true
	wp.APIKeyHint = sandboxKeyHint()
	wp.Subject = "/O=onramp sandbox/CN=practice-client"
	wp.Instructions = "A real provider gets this file from you (by email or a portal) and sends back your certificate.\n" +
		"The sandbox plays the provider: at the certificate step choose \"Have the sandbox issue my certificate now\"."
	p, err := profile.Load(sandbox.ProfileName)
	if err != nil || p.URL == "" {
		return
	}
	wp.Environments = []wizard.Environment{{Name: "local", URL: p.URL}}
	wp.StatusPath, wp.ExpectJSON = "", p.ExpectJSON
}

// sandboxCA plays the provider in the wizard: the sandbox's client CA signs
// the CSR at once (no running sandbox needed), and the sandbox's CA bundle
// becomes the profile's cacert.
type sandboxCA struct{ now func() time.Time }

func (ca sandboxCA) Issue(ctx context.Context, csr []byte) (wizard.Issued, error) {
	dir, err := sandbox.DataDir()
	if err != nil {
		return wizard.Issued{}, err
	}
	pki, err := sandbox.LoadPKI(dir, ca.now())
	if err != nil {
		return wizard.Issued{}, err
	}
	cert, err := pki.SignCSR(csr, sandbox.SignOptions{})
	if err != nil {
		return wizard.Issued{}, err
	}
	return wizard.Issued{CertPEM: cert, CACertFile: pki.CABundlePath()}, nil
}

// sandboxKeyHint says where the practice key to paste is.
func sandboxKeyHint() string {
	dir, err := sandbox.DataDir()
	if err != nil {
		return "The sandbox's key is in the api-key file of its data directory."
	}
	return "The sandbox's practice key is in " + filepath.Join(dir, sandbox.APIKeyName) + " (cat it, then paste it)."
}

// tuiSandbox is the practice API the TUI starts: it runs in the TUI's
// process until the TUI quits (ctx), on the port its profile points at;
// choosing another practice mode restarts it there. When a sandbox this
// process did not start already runs there, its profile is used as it is.
type tuiSandbox struct {
	mu  sync.Mutex
	srv *sandbox.Server
	// started is set once this process runs a sandbox, so quitting can say
	// that it stops.
	started atomic.Bool
}

// sandboxStoppedNote is what the TUI says on quit when it ran the sandbox.
const sandboxStoppedNote = "The practice API started from onramp has stopped.\nTo keep one running on its own: onramp sandbox &"

// noteStopped says on w, when this process ran a sandbox, that it has
// stopped.
func (t *tuiSandbox) noteStopped(w io.Writer) {
	if t.started.Load() {
		fmt.Fprintln(w, sandboxStoppedNote)
	}
}

func (t *tuiSandbox) start(ctx context.Context, brk string) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	addr := sandboxAddr()
	if t.srv != nil {
		addr = t.srv.Addr() // the same port, in the new mode
		t.srv.Close()
		t.srv = nil
	}
	srv, err := sandbox.StartWithProfile(ctx, sandbox.Config{Addr: addr, Log: io.Discard, APIMAddr: "127.0.0.1:0", Break: brk})
	var inUse *sandbox.AddrInUseError
	if errors.As(err, &inUse) && brk == "" {
		if _, perr := profile.Load(sandbox.ProfileName); perr == nil {
			return sandbox.ProfileName, nil
		}
	}
	if errors.As(err, &inUse) {
		return "", fmt.Errorf("%w; a sandbox started elsewhere holds the port: stop it to practise from here", err)
	}
	if err != nil {
		return "", err
	}
	t.srv = srv
	t.started.Store(true)
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	return sandbox.ProfileName, nil
}

// practiceModes are the sandbox's practice modes, for the TUI's list.
func practiceModes() []tui.PracticeMode {
	var out []tui.PracticeMode
	for _, b := range sandbox.Breaks() {
		out = append(out, tui.PracticeMode{ID: b.ID, Does: b.Does})
	}
	return out
}

// sandboxAddr is where the TUI starts the sandbox: the loopback port its
// ready profile already points at (where `onramp sandbox --addr` put it
// last), else the default.
func sandboxAddr() string {
	p, err := profile.Load(sandbox.ProfileName)
	if err != nil || p.Provider != "sandbox" {
		return sandbox.DefaultAddr
	}
	u, err := url.Parse(p.URL)
	if err != nil || u.Port() == "" || (u.Hostname() != "localhost" && u.Hostname() != "127.0.0.1") {
		return sandbox.DefaultAddr
	}
	return net.JoinHostPort("127.0.0.1", u.Port())
}
