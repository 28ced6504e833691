package provider

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/limits"

	"gopkg.in/yaml.v3"

	"github.com/onramp-cli/onramp/profile"
)

var validID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`) })

var (
	knownMethods = AuthMethods()
	knownNeeds   = []string{NeedRequired, NeedOptional, NeedChoice}
)

// Validate checks a template's own consistency (ids, methods, URLs, roles).
func (t *Template) Validate() error {
	var errs []error
	if !validID().MatchString(t.ID) {
		errs = append(errs, fmt.Errorf("id %q: use lower-case letters, digits and '-'", t.ID))
	}
	if t.Name == "" {
		errs = append(errs, errors.New("name is empty"))
	}
	if len(t.Environments) == 0 {
		errs = append(errs, errors.New("no environments"))
	}
	seen := map[string]bool{}
	for _, e := range t.Environments {
		if e.Name == "" || seen[e.Name] {
			errs = append(errs, fmt.Errorf("environment %q: empty or repeated name", e.Name))
		}
		seen[e.Name] = true
		if e.URL != "" {
			u, err := url.Parse(e.URL)
			if err != nil || u.Scheme != "https" || u.Host == "" {
				errs = append(errs, fmt.Errorf("environment %s: url %q is not an https:// URL", e.Name, e.URL))
			}
		}
	}
	if t.DefaultEnvironment != "" && !seen[t.DefaultEnvironment] {
		errs = append(errs, fmt.Errorf("default_environment %q is not one of the environments", t.DefaultEnvironment))
	}
	if len(t.Auth) == 0 {
		errs = append(errs, errors.New("no auth methods"))
	}
	for _, a := range t.Auth {
		if !slices.Contains(knownMethods, a.Method) {
			errs = append(errs, fmt.Errorf("auth method %q: use one of %s", a.Method, strings.Join(knownMethods, ", ")))
		}
		if !slices.Contains(knownNeeds, a.Need) {
			errs = append(errs, fmt.Errorf("auth %s: need %q: use one of %s", a.Method, a.Need, strings.Join(knownNeeds, ", ")))
		}
	}
	for _, m := range t.DefaultAuthMethods {
		if !t.Supports(m) {
			errs = append(errs, fmt.Errorf("default_auth %q is not one of the auth methods", m))
		}
	}
	for _, k := range t.Keys {
		if !slices.Contains([]string{"rsa", "ecdsa", "ed25519"}, k.Type) {
			errs = append(errs, fmt.Errorf("key %s: type %q: use rsa, ecdsa or ed25519", k.Purpose, k.Type))
		}
	}
	for _, c := range t.Status.Checks() {
		if !strings.HasPrefix(c.Path, "/") {
			errs = append(errs, fmt.Errorf("status path %q must start with /", c.Path))
		}
	}
	if t.Token != nil && !strings.HasPrefix(t.Token.Path, "/") {
		errs = append(errs, fmt.Errorf("token path %q must start with /", t.Token.Path))
	}
	ps, err := compileRoles(t.Roles)
	if err != nil {
		errs = append(errs, err)
	}
	t.rolePatterns = ps
	if err := compileAnswers(t.Answers); err != nil {
		errs = append(errs, err)
	}
	for id, note := range t.CauseNotes {
		if _, ok := cause.Lookup(id); !ok {
			errs = append(errs, fmt.Errorf("cause_notes: %q is not a cause of the catalog (onramp explain --list)", id))
		} else if strings.TrimSpace(note) == "" {
			errs = append(errs, fmt.Errorf("cause_notes: %s: empty note", id))
		}
	}
	for _, e := range t.Environments {
		if e.Status != nil && !strings.HasPrefix(e.Status.Path, "/") {
			errs = append(errs, fmt.Errorf("environment %s: status path %q must start with /", e.Name, e.Status.Path))
		}
	}
	return errors.Join(errs...)
}

// Parse decodes one template strictly (unknown fields are errors) and
// validates it; errors name the file.
func Parse(path string, data []byte) (*Template, error) {
	var t Template
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&t); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty template", path)
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
		return nil, fmt.Errorf("%s: %s", path, msg)
	}
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	t.Origin = path
	return &t, nil
}

// MaxTemplateSize bounds a template file: the built-in ones are a few KiB.
const MaxTemplateSize = 1 << 20

// Load reads the user templates in dir (*.yaml). A missing dir is no
// templates; a broken file is reported by name and the others still load.
func Load(dir string) ([]*Template, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var out []*Template
	var errs []error
	for _, p := range paths {
		data, err := limits.ReadRegular(p, MaxTemplateSize)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		t, err := Parse(p, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, t)
	}
	return out, errors.Join(errs...)
}

// UserDir is where user templates live: <config dir>/providers.
func UserDir() (string, error) {
	d, err := profile.Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "providers"), nil
}

// Templates returns the built-ins with the user's templates merged in (a
// user template replaces the built-in of the same id), and any error from
// broken user files (the good ones are still returned).
func Templates() ([]*Template, error) {
	out := slices.Clone(Builtin())
	dir, err := UserDir()
	if err != nil {
		return out, err
	}
	user, loadErr := Load(dir)
	for _, u := range user {
		if i := slices.IndexFunc(out, func(t *Template) bool { return t.ID == u.ID }); i >= 0 {
			out[i] = u
		} else {
			out = append(out, u)
		}
	}
	sortTemplates(out)
	return out, loadErr
}

// All returns every template, built-in and user (broken user files are
// left out; Templates or Get reports them).
func All() []*Template {
	ts, _ := Templates()
	return ts
}

// Get returns the template with the id.
func Get(id string) (*Template, error) {
	ts, loadErr := Templates()
	for _, t := range ts {
		if t.ID == id {
			return t, nil
		}
	}
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	err := fmt.Errorf("unknown provider %q: use one of %s", id, strings.Join(ids, ", "))
	if loadErr != nil {
		err = fmt.Errorf("%w\n(some user templates did not load: %v)", err, loadErr)
	}
	return nil, err
}
