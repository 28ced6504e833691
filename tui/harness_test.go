package tui

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

func init() {
	// Dates in goldens do not depend on the machine's zone.
	time.Local = time.UTC
}

// recorder wraps the App and keeps the last frame as plain text, so a test
// can wait for a screen and compare it with a golden file.
type recorder struct {
	app  *App
	mu   sync.Mutex
	last string
}

func (r *recorder) Init() tea.Cmd { return r.app.Init() }

func (r *recorder) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := r.app.Update(msg)
	return r, cmd
}

func (r *recorder) View() tea.View {
	v := r.app.View()
	r.mu.Lock()
	r.last = plain(v.Content)
	r.mu.Unlock()
	return v
}

func (r *recorder) screen() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// plain strips escapes and trailing spaces: what a person reads.
func plain(s string) string {
	lines := strings.Split(ansi.Strip(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

type session struct {
	t   *testing.T
	tm  *teatest.TestModel
	rec *recorder
}

// start runs the App at 80×24 with no colour, as teatest does it.
func start(t *testing.T, deps *Deps, opts Options) *session {
	t.Helper()
	return startSized(t, deps, opts, 80, 24)
}

// startSized runs the App at w×h.
func startSized(t *testing.T, deps *Deps, opts Options, w, h int) *session {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	rec := &recorder{app: NewApp(ctx, deps, opts)}
	tm := teatest.NewTestModel(t, rec,
		teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	s := &session{t: t, tm: tm, rec: rec}
	t.Cleanup(func() {
		_ = tm.Quit()
		tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	})
	return s
}

// waitFor waits until the screen shows want, on one line or wrapped over
// several, and returns the screen.
func (s *session) waitFor(want string) string {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		scr := s.rec.screen()
		if strings.Contains(scr, want) || strings.Contains(unwrap(scr), want) {
			return scr
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.t.Fatalf("screen never showed %q; last screen:\n%s", want, s.rec.screen())
	return ""
}

// unwrap joins a screen's lines with one space, without their margins: a
// sentence wrapped over lines reads as one line again.
func unwrap(scr string) string {
	lines := strings.Split(scr, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, " ")
}

// waitGoneLive waits until no live validation error shows.
func (s *session) waitGoneLive() {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if !strings.Contains(s.rec.screen(), "✗ ") {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.t.Fatalf("a validation error stays:\n%s", s.rec.screen())
}

func (s *session) key(k rune) { s.tm.Send(tea.KeyPressMsg{Code: k}) }

func (s *session) text(txt string) { s.tm.Type(txt) }

func (s *session) enter() { s.key(tea.KeyEnter) }
func (s *session) down()  { s.key(tea.KeyDown) }
func (s *session) esc()   { s.key(tea.KeyEscape) }

var msRE = regexp.MustCompile(`\s+\d+ ms`)

// snapshot compares the screen with a golden file, after replacing what
// changes between runs: temporary paths, timings.
func (s *session) snapshot(name, screen string, replace ...string) {
	s.t.Helper()
	for i := 0; i+1 < len(replace); i += 2 {
		screen = strings.ReplaceAll(screen, replace[i], replace[i+1])
	}
	screen = msRE.ReplaceAllStringFunc(screen, func(m string) string {
		return strings.Repeat(" ", len(m)-len(" N ms")) + " N ms"
	})
	s.t.Run(name, func(t *testing.T) {
		checkNoCut(t, screen)
		golden.RequireEqual(t, screen)
	})
}

// ellipsisWords are the words that end a progress message with "…"
// ("Starting…", "Talking to the keyring…"): whole words, not cut ones.
var ellipsisWords = map[string]bool{"Starting": true, "loading": true, "keyring": true, "file": true, "key": true, "sandbox": true, "here": true}

var cutRE = regexp.MustCompile(`([\p{L}\p{N}]+)…|…[\p{L}\p{N}]|(?:^|\s)…[/.~_-]`)

// cutMidWord returns the lines of a screen where "…" cuts a word or a
// value: a letter or digit right before it (unless it ends a progress
// message) or right after it (a value cut at its start).
func cutMidWord(scr string) []string {
	var bad []string
	for _, l := range strings.Split(scr, "\n") {
		for _, m := range cutRE.FindAllStringSubmatch(l, -1) {
			if m[1] == "" || !ellipsisWords[m[1]] {
				bad = append(bad, l)
				break
			}
		}
	}
	return bad
}

// checkNoCut fails when the screen cuts anything mid-word with "…": text
// wraps instead, and a clipped list says "N more".
func checkNoCut(t *testing.T, scr string) {
	t.Helper()
	for _, l := range cutMidWord(scr) {
		t.Errorf("cut mid-word: %q in\n%s", strings.TrimSpace(l), scr)
	}
}

// configDir is a config directory with a path of fixed length, so lines
// that show paths wrap the same way on every run.
func configDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("onramp-%08x", rand.Uint32()))
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	t.Setenv("ONRAMP_CONFIG_DIR", dir)
	return dir
}

var teatestTimeout = teatest.WithFinalTimeout(10 * time.Second)

func testCommon(deps *Deps) *Common {
	return &Common{Styles: NewStyles(true, false), Keys: NewKeyMap(), Deps: deps, Ctx: context.Background(), Width: 80, Height: 24}
}

func TestCutMidWord(t *testing.T) {
	for scr, cut := range map[string]bool{
		"  ▸ client-cert-wrong-issuer  asks for client certificates fr…": true,
		"matched: “curl: (35) error”":                                    false,
		"  …/certs/client.pem":                                           true,
		"  ⠋ Starting…":                                                  false,
		"Talking to the keyring…":                                        false,
		"  practice         … setup unfinished  sandbox":                 false,
		"The API's base URL (https://…); the":                            false,
	} {
		if got := len(cutMidWord(scr)) > 0; got != cut {
			t.Errorf("cutMidWord(%q) = %v, want %v", scr, got, cut)
		}
	}
}
