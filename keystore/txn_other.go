//go:build !unix

package keystore

// processAlive cannot be asked cheaply here: treat every writer as alive,
// so nothing of a running onramp is ever removed.
func processAlive(pid int) bool { return true }
