package main

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/tui"
)

// screenStore is the secret store of the full-screen TUI and the wizard: the
// store the user chose (--store, ONRAMP_STORE, config.yaml, else the OS
// keyring), switchable to the encrypted file from the TUI itself. A store
// that cannot be opened (an unknown ONRAMP_STORE) answers every call with
// why, so the screens show it instead of quietly using another store.
type screenStore struct {
	*secretstore.Session
	sw         *secretstore.Switchable
	workFactor int
}

func newScreenStore(fac *factory, kind string) *screenStore {
	kr, err := fac.ScreenStore(kind)
	if err != nil {
		kr = unopenedStore{err}
	}
	sw := secretstore.NewSwitchable(tuiFixes{kr})
	return &screenStore{Session: &secretstore.Session{Keyring: sw}, sw: sw, workFactor: fac.FileWorkFactor}
}

// check asks the store whether it answers: nil when it does (a missing
// probe item is an answer).
func (s *screenStore) check() error {
	_, err := s.sw.Get("onramp", "store-check")
	if secretstore.ProblemOf(err) == secretstore.Usable {
		return nil
	}
	return err
}

func (s *screenStore) Path() (string, bool) {
	dir, err := profile.Dir()
	if err != nil {
		return secretstore.FileName, false
	}
	path := filepath.Join(dir, secretstore.FileName)
	_, err = os.Stat(path)
	return path, err == nil
}

// Use opens (or creates) the encrypted file with pass, remembers the
// choice in config.yaml and sends every later call there.
func (s *screenStore) Use(pass string) error {
	dir, err := profile.Dir()
	if err != nil {
		return err
	}
	f := &secretstore.File{Path: filepath.Join(dir, secretstore.FileName), WorkFactor: s.workFactor,
		Passphrase: func(bool) (string, error) { return pass, nil }}
	if err := f.Open(); err != nil {
		return err
	}
	if err := secretstore.Remember(dir, secretstore.KindFile); err != nil {
		return err
	}
	s.sw.Use(tuiFixes{f})
	return nil
}

// tuiFixes gives a store's errors the fixes a TUI user can carry out (a key
// to press, not a flag to pass).
type tuiFixes struct{ k secretstore.Keyring }

func (t tuiFixes) fix(err error) error {
	var e *secretstore.Error
	if errors.As(err, &e) && e.Problem != secretstore.Usable {
		c := *e
		c.Fix = tui.StoreFix(e.Problem)
		return &c
	}
	return err
}

func (t tuiFixes) Get(p, n string) (string, error) { v, err := t.k.Get(p, n); return v, t.fix(err) }
func (t tuiFixes) Set(p, n, v string) error        { return t.fix(t.k.Set(p, n, v)) }
func (t tuiFixes) Delete(p, n string) error        { return t.fix(t.k.Delete(p, n)) }

// Current is the wrapped store (for secretstore.Where).
func (t tuiFixes) Current() secretstore.Keyring { return t.k }

// Current is the store calls go to now (for secretstore.Where).
func (s *screenStore) Current() secretstore.Keyring { return s.sw.Current().(tuiFixes).k }

type unopenedStore struct{ err error }

func (s unopenedStore) Get(string, string) (string, error) { return "", s.err }
func (s unopenedStore) Set(string, string, string) error   { return s.err }
func (s unopenedStore) Delete(string, string) error        { return s.err }
