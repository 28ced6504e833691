package main

import (
	"os"
	"path/filepath"

	"github.com/onramp-cli/onramp/internal/redact"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/secretstore"
)

// screenStore is the secret store of the full-screen TUI and the wizard: the
// store the user chose (--store, ONRAMP_STORE, config.yaml, else the OS
// keyring), switchable to the encrypted file from the TUI itself. A store
// that cannot be opened (an unknown ONRAMP_STORE) answers every call with
// why, so the screens show it instead of quietly using another store.
type screenStore struct {
	*secretstore.Session
	sw         *secretstore.Switchable
	at         secretstore.Place // where the screens show a store's errors
	workFactor int
	seen       *redact.Set
}

func newScreenStore(fac *factory, kind string, at secretstore.Place) *screenStore {
	kr, err := fac.ScreenStore(kind)
	if err != nil {
		kr = unopenedStore{err}
	}
	sw := secretstore.NewSwitchable(tuiFixes{kr, at})
	return &screenStore{Session: &secretstore.Session{Keyring: sw}, sw: sw, at: at, workFactor: fac.FileWorkFactor, seen: fac.Secrets}
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
		Passphrase: func(bool) (string, error) { return pass, nil }, Seen: s.seen}
	if err := f.Open(); err != nil {
		return err
	}
	if err := secretstore.Remember(dir, secretstore.KindFile); err != nil {
		return err
	}
	s.sw.Use(tuiFixes{f, s.at})
	return nil
}

// tuiFixes gives a store's errors the fixes a screen user can carry out
// where they are (a key to press or a menu entry, not a flag to pass).
type tuiFixes struct {
	k  secretstore.Keyring
	at secretstore.Place
}

func (t tuiFixes) fix(err error) error { return secretstore.FixAt(err, t.at) }

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

// In is the same store (the same session, the same switch to the file)
// with its errors' fixes worded for another place: the wizard names its
// own offer of the encrypted file.
func (s *screenStore) In(at secretstore.Place) secretstore.Keyring { return placedStore{s, at} }

type placedStore struct {
	s  *screenStore
	at secretstore.Place
}

func (p placedStore) Get(pr, n string) (string, error) {
	v, err := p.s.Get(pr, n)
	return v, secretstore.FixAt(err, p.at)
}
func (p placedStore) Set(pr, n, v string) error { return secretstore.FixAt(p.s.Set(pr, n, v), p.at) }
func (p placedStore) Delete(pr, n string) error { return secretstore.FixAt(p.s.Delete(pr, n), p.at) }

// Keep keeps a secret for this session's checks (secretstore.Session).
func (p placedStore) Keep(pr, n, v string) { p.s.Keep(pr, n, v) }

// Current is the store calls go to now (for secretstore.Where).
func (p placedStore) Current() secretstore.Keyring { return p.s.Current() }
