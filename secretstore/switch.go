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

// Session keeps, for this process only, values that could not be stored
// (no keyring answers): a key typed in the wizard is still used for this
// session's checks. Get asks the store first; the kept value answers only
// when the store cannot. Nothing is written anywhere.
type Session struct {
	Keyring
	mu   sync.Mutex
	kept map[string]string
}

// Keep holds value for this process.
func (s *Session) Keep(profile, name, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kept == nil {
		s.kept = map[string]string{}
	}
	s.kept[Account(profile, name)] = value
}

func (s *Session) Get(profile, name string) (string, error) {
	v, err := s.Keyring.Get(profile, name)
	if err == nil {
		return v, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if kept, ok := s.kept[Account(profile, name)]; ok {
		return kept, nil
	}
	return "", err
}

// Set stores value; once stored, the kept copy goes.
func (s *Session) Set(profile, name, value string) error {
	if err := s.Keyring.Set(profile, name, value); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.kept, Account(profile, name))
	return nil
}

// Current is the store calls go to (for Where).
func (s *Session) Current() Keyring {
	if c, ok := s.Keyring.(interface{ Current() Keyring }); ok {
		return c.Current()
	}
	return s.Keyring
}
