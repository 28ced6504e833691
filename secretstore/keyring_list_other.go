//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package secretstore

// List is not available from the macOS Keychain or Windows Credential
// Manager through go-keyring: callers use the names the profile records.
func (k OSKeyring) List(profile string) ([]string, error) { return nil, ErrListUnsupported }
