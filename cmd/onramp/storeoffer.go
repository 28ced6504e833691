package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
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

// cacheStore is kr as the token cache uses it. Caching is optional, so a
// keyring that does not answer never offers the encrypted file just to
// cache a token: the cache goes where the command's secrets went (the file
// if the user chose it for them), and otherwise fails quietly (see
// cacheWarning). A secret the command needs still gets the offer.
func cacheStore(kr secretstore.Keyring) secretstore.Keyring {
	if s, ok := kr.(*offeringStore); ok {
		return currentStore{s}
	}
	return kr
}

// currentStore sends every call to the offering store's current store,
// without an offer.
type currentStore struct{ s *offeringStore }

func (c currentStore) Get(p, n string) (string, error) { return c.s.Current().Get(p, n) }
func (c currentStore) Set(p, n, v string) error        { return c.s.Current().Set(p, n, v) }
func (c currentStore) Delete(p, n string) error        { return c.s.Current().Delete(p, n) }

// cacheWarning says once on stderr that what was fetched (the token, the
// credentials) was not cached, and why.
func cacheWarning(w io.Writer, what string, err error) {
	if p := secretstore.ProblemOf(err); p != secretstore.Usable {
		fmt.Fprintf(w, "onramp: %s not cached: %s (caching is optional; to cache, keep secrets in the encrypted file: --store file or ONRAMP_STORE=file).\n", what, strings.ToLower(p.Headline()[:1])+p.Headline()[1:])
		return
	}
	fmt.Fprintf(w, "onramp: warning: %s not cached: %v\n", what, err)
}
