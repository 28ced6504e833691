package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/secretstore"
)

// offeringStore is the OS keyring nobody chose, on a terminal: when it does
// not answer (or is locked) it says so once and offers the encrypted file
// store. A yes creates the file (the passphrase asked twice), remembers the
// choice in config.yaml so later commands use it without flags, and the
// call goes to the file; a no leaves the keyring's error as it was. Never a
// silent fallback.
type offeringStore struct {
	keyring  secretstore.Keyring
	io       *iostreams.IO
	dir      string
	openFile func() (secretstore.Keyring, error)
	mu       sync.Mutex
	asked    bool
	file     secretstore.Keyring
}

func (s *offeringStore) Get(profile, name string) (v string, err error) {
	err = s.do(func(k secretstore.Keyring) error { v, err = k.Get(profile, name); return err })
	return v, err
}

func (s *offeringStore) Set(profile, name, value string) error {
	return s.do(func(k secretstore.Keyring) error { return k.Set(profile, name, value) })
}

func (s *offeringStore) Delete(profile, name string) error {
	return s.do(func(k secretstore.Keyring) error { return k.Delete(profile, name) })
}

// Current is the store calls go to now (for secretstore.Where).
func (s *offeringStore) Current() secretstore.Keyring {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.file != nil {
		return s.file
	}
	return s.keyring
}

func (s *offeringStore) do(call func(secretstore.Keyring) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.file != nil {
		return call(s.file)
	}
	err := call(s.keyring)
	p := secretstore.ProblemOf(err)
	if s.asked || (p != secretstore.NoKeyring && p != secretstore.KeyringLocked) {
		return err
	}
	s.asked = true
	path := filepath.Join(s.dir, secretstore.FileName)
	fmt.Fprintf(s.io.ErrOut, "%s: %v\n", p.Headline(), err)
	if cerr := s.io.Confirm(fmt.Sprintf("keep onramp's secrets in an encrypted file instead (%s, a passphrase you choose)", path)); cerr != nil {
		if errors.Is(cerr, iostreams.ErrCancelled) {
			return err
		}
		return cerr
	}
	file, ferr := s.openFile()
	if ferr != nil {
		return ferr
	}
	if err := call(file); err != nil {
		return err
	}
	s.file = file
	if rerr := secretstore.Remember(s.dir, secretstore.KindFile); rerr != nil {
		fmt.Fprintf(s.io.ErrOut, "onramp: could not remember the choice (%v): pass --store file next time\n", rerr)
		return nil
	}
	fmt.Fprintf(s.io.ErrOut, "onramp uses the encrypted file from now on (store: file in %s; --store keyring for one command).\n",
		filepath.Join(s.dir, secretstore.ConfigFile))
	return nil
}
