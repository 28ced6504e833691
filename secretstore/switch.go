package secretstore

import "sync"

// Switchable is a store that can move to another while in use: the
// full-screen TUI starts on the chosen store and moves to the encrypted
// file when the user chooses it there, without restarting.
type Switchable struct {
	mu sync.RWMutex
	k  Keyring
}

// NewSwitchable starts on k.
func NewSwitchable(k Keyring) *Switchable { return &Switchable{k: k} }

// Use sends every later call to k.
func (s *Switchable) Use(k Keyring) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.k = k
}

// Current is the store calls go to now.
func (s *Switchable) Current() Keyring {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.k
}

func (s *Switchable) Get(profile, name string) (string, error) { return s.Current().Get(profile, name) }

func (s *Switchable) Set(profile, name, value string) error {
	return s.Current().Set(profile, name, value)
}

func (s *Switchable) Delete(profile, name string) error { return s.Current().Delete(profile, name) }
