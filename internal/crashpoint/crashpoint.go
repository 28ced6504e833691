// Package crashpoint marks the points between two writes that belong
// together (a profile and the secret store), so tests can kill onramp
// exactly there (kill -9) and check what the next run finds. Outside those
// tests Reach does nothing.
package crashpoint

import "sync/atomic"

var hook atomic.Pointer[func(point string)]

// Reach is called when a write reaches the named point.
func Reach(point string) {
	if f := hook.Load(); f != nil {
		(*f)(point)
	}
}

// Set installs f as the hook; only test binaries call it.
func Set(f func(point string)) { hook.Store(&f) }
