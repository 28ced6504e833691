package profile

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/onramp-cli/onramp/internal/filelock"
	"github.com/onramp-cli/onramp/internal/limits"
	"github.com/onramp-cli/onramp/keystore"
)

// MaxFileSize bounds a profile file: a real one is a few hundred bytes.
const MaxFileSize = 1 << 20

func readFile(path string) ([]byte, error) {
	return limits.ReadRegular(path, MaxFileSize)
}

func parseLoose(path string, data []byte) (*Profile, error) {
	var p Profile
	if err := yaml.Unmarshal(data, &p); err != nil {
		return nil, describeParseError(path, data, err)
	}
	return &p, nil
}

// clone is a deep copy of the saved fields.
func (p *Profile) clone() *Profile {
	c := *p
	c.base = nil
	c.Auth = append([]string(nil), p.Auth...)
	c.Resolve = append([]string(nil), p.Resolve...)
	c.Secrets = maps.Clone(p.Secrets)
	c.Wizard = maps.Clone(p.Wizard)
	c.RoleKeys = maps.Clone(p.RoleKeys)
	c.KeyFiles = maps.Clone(p.KeyFiles)
	if p.LastCheck != nil {
		lc := *p.LastCheck
		c.LastCheck = &lc
	}
	if p.Renewal != nil {
		r := *p.Renewal
		c.Renewal = &r
	}
	if p.Previous != nil {
		m := *p.Previous
		c.Previous = &m
	}
	return &c
}

// lockFor returns the named profile's file with the lock that serialises
// every change to the profile files between onramp processes held: one
// lock for the directory, so a removal and a save of the same profile
// never interleave either.
func lockFor(name string) (string, *filelock.Lock, error) {
	path, err := Path(name)
	if err != nil {
		return "", nil, err
	}
	dir := filepath.Dir(path)
	l, err := filelock.Acquire(filepath.Join(dir, ".lock"), "the profiles in "+dir, 0)
	return path, l, err
}

// Save writes the profile atomically, 0600. Under the profiles' lock it
// reads the file as another onramp may have saved it meanwhile and writes
// only what this process changed since it loaded p: a secret recorded by
// `secret set` while a diagnose ran survives the diagnose saving its last
// check. A profile built from scratch (not loaded) replaces the file, but
// keeps the record of secrets still stored under its name. p is updated
// to what was written.
func Save(p *Profile) error {
	path, l, err := lockFor(p.Name)
	if err != nil {
		return err
	}
	defer l.Release()

	var cur *Profile
	switch data, err := readFile(path); {
	case err == nil:
		if cur, err = parseLoose(path, data); err != nil {
			return fmt.Errorf("%w (fix the file or remove it, then run this again)", err)
		}
	case !errors.Is(err, os.ErrNotExist):
		return err
	}
	merged := merge(p, cur)
	if err := write(path, merged); err != nil {
		return err
	}
	*p = *merged
	p.base = merged.clone()
	return nil
}

// SaveEdit saves the text of a profile file someone edited (profile edit)
// from orig, the file as it was when the edit began. Under the profiles'
// lock: when the file is still orig, edited replaces it as typed (comments
// and all); when another onramp saved the profile meanwhile (watch
// recording a check, secret set), only the fields the edit changed are
// written over the file as it is now, and merged is true. The caller has
// checked edited (checkProfileFile).
func SaveEdit(name string, orig, edited []byte) (merged bool, err error) {
	path, l, err := lockFor(name)
	if err != nil {
		return false, err
	}
	defer l.Release()
	cur, err := readFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return false, err
	}
	if err != nil || string(cur) == string(orig) {
		return false, keystore.WriteFileAtomic(path, edited, 0o600, true)
	}
	base, err := parseLoose(path, orig)
	if err != nil {
		return false, err
	}
	mine, err := parseLoose(path, edited)
	if err != nil {
		return false, err
	}
	now, err := parseLoose(path, cur)
	if err != nil {
		return false, fmt.Errorf("%w (fix the file or remove it, then run this again)", err)
	}
	mine.Name, base.Name = name, name
	mine.base = base
	return true, write(path, merge(mine, now))
}

// write writes p to path atomically, 0600, under the header that says
// what a profile file holds.
func write(path string, p *Profile) error {
	data, err := yaml.Marshal(p)
	if err != nil {
		return err
	}
	header := []byte("# onramp profile " + p.Name + ": paths and settings only; secrets live in the OS keyring.\n")
	return keystore.WriteFileAtomic(path, append(header, data...), 0o600, true)
}

// merge is p's changes since p.base applied to cur (the file as it is now).
func merge(p, cur *Profile) *Profile {
	out := p.clone()
	if cur == nil {
		return out
	}
	if p.base == nil {
		// A replacement: its own settings, but the secrets the old profile
		// recorded are still in the store and must stay findable.
		secrets := mergeMapValue(reflect.ValueOf(cur.Secrets), reflect.ValueOf(map[string]time.Time(nil)), reflect.ValueOf(p.Secrets))
		out.Secrets = secrets.Interface().(map[string]time.Time)
		return out
	}
	pv, bv, cv, ov := reflect.ValueOf(p).Elem(), reflect.ValueOf(p.base).Elem(), reflect.ValueOf(cur).Elem(), reflect.ValueOf(out).Elem()
	t := pv.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || f.Tag.Get("yaml") == "-" {
			continue
		}
		switch {
		case f.Type.Kind() == reflect.Map:
			ov.Field(i).Set(mergeMapValue(cv.Field(i), bv.Field(i), pv.Field(i)))
		case reflect.DeepEqual(pv.Field(i).Interface(), bv.Field(i).Interface()):
			ov.Field(i).Set(cv.Field(i)) // unchanged here: keep the file's
		}
	}
	return out.clone()
}

// mergeMapValue is a three-way merge of one map: the keys this process
// added, changed or removed since base, applied to cur.
func mergeMapValue(cur, base, mine reflect.Value) reflect.Value {
	out := reflect.MakeMap(cur.Type())
	for _, k := range cur.MapKeys() {
		out.SetMapIndex(k, cur.MapIndex(k))
	}
	for _, k := range base.MapKeys() {
		if !mine.MapIndex(k).IsValid() {
			out.SetMapIndex(k, reflect.Value{})
		}
	}
	for _, k := range mine.MapKeys() {
		if b := base.MapIndex(k); !b.IsValid() || !reflect.DeepEqual(b.Interface(), mine.MapIndex(k).Interface()) {
			out.SetMapIndex(k, mine.MapIndex(k))
		}
	}
	if out.Len() == 0 {
		return reflect.Zero(cur.Type())
	}
	return out
}

// Remove deletes the named profile's file.
func Remove(name string) error {
	path, l, err := lockFor(name)
	if err != nil {
		return err
	}
	defer l.Release()
	if err := os.Remove(path); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("profile %q: %w", name, ErrNotFound)
	} else if err != nil {
		return err
	}
	return nil
}
