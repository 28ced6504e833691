package main

import (
	"testing"

	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/secretstore"
)

// testFileWorkFactor keeps the file store fast in tests: age's default
// scrypt cost is about a second per operation, and these tests run dozens.
const testFileWorkFactor = 10

// run executes a command line in-process with the real dependencies
// around the test's streams (a cheap file-store cost).
func run(io *iostreams.IO, args []string) int {
	f := newFactory(io)
	f.FileWorkFactor = testFileWorkFactor
	return execute(f, args)
}

// testFactory is a test's own factory: its streams, kr as every secret
// store (nil: none, as on a machine without a keyring), no TUI.
func testFactory(io *iostreams.IO, kr secretstore.Keyring) *factory {
	f := newFactory(io)
	f.SecretStore = func(string) (secretstore.Keyring, error) { return kr, nil }
	f.ScreenStore = func() (secretstore.Keyring, error) { return kr, nil }
	f.Home = nil
	return f
}

// runCmdStore runs an onramp command line in-process with kr as its
// secret store.
func runCmdStore(t *testing.T, kr secretstore.Keyring, stdin string, tty bool, args ...string) cmdResult {
	t.Helper()
	io, in, out, errOut := iostreams.Test()
	in.WriteString(stdin)
	io.SetTTY(tty, tty, tty)
	code := execute(testFactory(io, kr), args)
	return cmdResult{code, out.String(), errOut.String()}
}
