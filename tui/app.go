package tui

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/secretstore"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/wizard"
)

// Match is one cause an error message points to (from explain.Text).
type Match struct {
	Cause    *cause.Cause
	Evidence string
	// Client is the program whose words named the cause ("java", …).
	Client string
	// Candidate: the text fits this match and the other candidates
	// equally and cannot tell them apart (they come first); the screen
	// shows each with its fix instead of one confident cause.
	Candidate bool
}

// Deps are the packages the TUI renders, wired in cmd/onramp: the TUI calls
// them through these fields so its tests can run without a keyring or a
// network, and so it never re-implements their logic.
type Deps struct {
	Version string
	// Diagnose runs the checks, sending progress events (diagnose.Run).
	Diagnose func(ctx context.Context, opts diagnose.Options, progress func(diagnose.Event)) *diagnose.Report
	// RenderMarkdown writes the redacted report (diagnose.RenderMarkdown).
	RenderMarkdown func(w io.Writer, r *diagnose.Report, version string)
	// Explain maps an error message to causes, best first, and says what
	// tells equally likely causes apart ("" when the best stands alone).
	Explain func(text string) (matches []Match, tellApart string)
	// ProfileOptions turns a profile into diagnose options, reading its
	// secrets from the keyring (a blocking call: the TUI runs it in a Cmd).
	ProfileOptions func(ctx context.Context, p *profile.Profile) (diagnose.Options, error)
	Keyring        secretstore.Keyring
	// NewFlow builds the onboarding wizard over a prompter.
	NewFlow func(p wizard.Prompter) *wizard.Flow
	// StartSandbox (re)starts the practice API in this process, failing
	// in practice mode brk ("" for none), and returns the name of its
	// ready profile; nil when the sandbox is not available. It runs until
	// ctx ends (the TUI quits).
	StartSandbox func(ctx context.Context, brk string) (profileName string, err error)
	// PracticeModes are the sandbox's practice modes (sandbox.Breaks).
	PracticeModes []PracticeMode
	// CheckStore asks the secret store whether it answers (nil: it does);
	// a blocking call the TUI runs in a Cmd. Nil skips the check.
	CheckStore func() error
	// FileStore is the encrypted file store's path and whether it exists.
	FileStore func() (path string, exists bool)
	// UseFileStore keeps the TUI's secrets in the encrypted file from now
	// on, opened (or created) with passphrase, and remembers the choice for
	// later commands. Nil when there is no file store to offer.
	UseFileStore func(passphrase string) error
	// ReportDir is where `s` saves reports (default: the current directory).
	ReportDir string
	Now       func() time.Time
}

func (d *Deps) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// Common is shared by every screen: styles, keys, size.
type Common struct {
	Styles *Styles
	Keys   KeyMap
	Width  int
	Height int
	Deps   *Deps
	Ctx    context.Context
}

// screen is one page of the TUI. Screens render strings; the App composes
// them with the header and the help line into the one tea.View.
type screen interface {
	Init() tea.Cmd
	Update(tea.Msg) (screen, tea.Cmd)
	View() string
	SetSize(w, h int)
	Title() string
	// Bindings are the keys shown in the help line.
	Bindings() []key.Binding
	// Typing is true while a text field has focus, so q and ? type
	// themselves instead of quitting or opening the help.
	Typing() bool
}

// Navigation messages.
type (
	goHomeMsg struct{}
	openMsg   struct{ s screen }
	// quitMsg ends the program with the given wizard outcome.
	quitMsg struct{}
)

func goHome() tea.Msg { return goHomeMsg{} }

func open(s screen) tea.Cmd { return func() tea.Msg { return openMsg{s} } }

// Start says which screen the App opens with.
type Start int

const (
	StartHome Start = iota
	StartWizard
)

// Options configure a TUI run.
type Options struct {
	Start   Start
	Profile string // for StartWizard: resume or name this profile
	Color   bool
	In      io.Reader
	Out     io.Writer
}

// App is the root model.
type App struct {
	c        *Common
	cancel   context.CancelFunc
	screen   screen
	help     help.Model
	fullHelp bool
	// sized is the body size the screen was last given.
	sized [2]int
	// home is kept so returning to it keeps the cursor where it was.
	home *home
	// wizard is the screen of `onramp init`, nil for the home TUI.
	wizard *wizardScreen
	// exitOnWizardDone: `onramp init` ends with the wizard instead of going home.
	exitOnWizardDone bool
	// Outcome of the wizard, for the exit status of `onramp init`.
	WizardResult *wizard.Result
	WizardErr    error
	Cancelled    bool
	// Interrupted is true when the user left with ctrl+c (exit 130), not q.
	Interrupted bool
}

// NewApp builds the root model.
func NewApp(ctx context.Context, deps *Deps, opts Options) *App {
	ctx, cancel := context.WithCancel(ctx)
	c := &Common{Styles: NewStyles(true, opts.Color), Keys: NewKeyMap(), Width: 80, Height: 24, Deps: deps, Ctx: ctx}
	a := &App{c: c, cancel: cancel, help: help.New()}
	a.help.Styles = c.Styles.Help
	if opts.Start == StartWizard {
		a.exitOnWizardDone = true
		a.wizard = newWizardScreen(c, opts.Profile, true)
		a.screen = a.wizard
	} else {
		a.home = newHome(c)
		a.screen = a.home
	}
	return a
}

func (a *App) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, a.screen.Init())
}

// chromeHeight is a one-line header and a one-line help, each with a
// blank line.
const chromeHeight = 4

// bodySize is what the screen has: the frame less the header and the
// help, however many lines each takes.
func (a *App) bodySize() (int, int) {
	w := max(a.c.Width-2, 20)
	h := max(a.c.Height-chromeHeight-(lipgloss.Height(a.helpView())-1)-(lipgloss.Height(a.headerView(w))-1), 5)
	return w, h
}

func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := a.update(msg)
	// The screen's keys change with what it shows, and with them the
	// help's height: the screen gets the height that is left.
	if w, h := a.bodySize(); w != a.sized[0] || h != a.sized[1] {
		a.sized = [2]int{w, h}
		a.screen.SetSize(w, h)
	}
	return m, cmd
}

func (a *App) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.c.Width, a.c.Height = msg.Width, msg.Height
		a.screen.SetSize(a.bodySize())
	case tea.BackgroundColorMsg:
		a.c.Styles = NewStyles(msg.IsDark(), a.c.Styles.Color)
		a.help.Styles = a.c.Styles.Help
	case tea.KeyPressMsg:
		if key.Matches(msg, a.c.Keys.ForceQuit) {
			a.Interrupted = true
			return a, a.quit()
		}
		if !a.screen.Typing() {
			switch {
			case key.Matches(msg, a.c.Keys.Quit):
				return a, a.quit()
			case key.Matches(msg, a.c.Keys.Help):
				a.fullHelp = !a.fullHelp
				a.screen.SetSize(a.bodySize())
				return a, nil
			}
		}
	case goHomeMsg:
		if a.exitOnWizardDone {
			// Leaving with esc before the flow ended is a cancel.
			a.Cancelled = a.Cancelled || (a.WizardResult == nil && a.WizardErr == nil)
			return a, tea.Quit
		}
		if a.home == nil {
			a.home = newHome(a.c)
		}
		a.home.status = ""
		a.screen = a.home
		a.screen.SetSize(a.bodySize())
		return a, a.screen.Init()
	case openMsg:
		a.screen = msg.s
		a.screen.SetSize(a.bodySize())
		return a, a.screen.Init()
	case wizardDoneMsg:
		if msg.from == a.wizard {
			a.WizardResult, a.WizardErr = msg.res, msg.err
			a.Cancelled = errors.Is(msg.err, wizard.ErrCancelled)
		}
	case quitMsg:
		return a, a.quit()
	}
	var cmd tea.Cmd
	a.screen, cmd = a.screen.Update(msg)
	return a, cmd
}

func (a *App) quit() tea.Cmd {
	a.Cancelled = a.Cancelled || (a.exitOnWizardDone && a.WizardResult == nil && a.WizardErr == nil)
	a.cancel()
	return tea.Quit
}

// helpView is the help line, wrapped between keys so every key shows (at
// 60 columns too), or the full help (?), cut to the width.
func (a *App) helpView() string {
	width := max(a.c.Width-2, 10)
	if !a.fullHelp {
		return a.shortHelp(width)
	}
	return fullHelpView(a.help.Styles, a.help.FullSeparator, helpKeys{a}.FullHelp(), width)
}

// shortHelp lays the help line's keys out as bubbles help does ("key what
// • key what"), starting a new line where the next key would not fit:
// never inside a key's words, never cut off with "…".
func (a *App) shortHelp(width int) string {
	st := a.help.Styles
	var items []string
	for _, b := range (helpKeys{a}).ShortHelp() {
		if b.Enabled() {
			items = append(items, st.ShortKey.Inline(true).Render(b.Help().Key)+" "+st.ShortDesc.Inline(true).Render(b.Help().Desc))
		}
	}
	lines := strings.Split(joinWrapped(items, st.ShortSeparator.Inline(true).Render(a.help.ShortSeparator), width), "\n")
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, width, "…") // one key wider than the screen
	}
	return strings.Join(lines, "\n")
}

// helpKeys adapts the current screen's bindings to bubbles help.
type helpKeys struct{ a *App }

// shortHelper is a screen whose help line shows fewer keys than its full
// help (? shows them all).
type shortHelper interface{ ShortBindings() []key.Binding }

func (h helpKeys) ShortHelp() []key.Binding {
	shown := h.a.screen.Bindings()
	if sh, ok := h.a.screen.(shortHelper); ok {
		shown = sh.ShortBindings()
	}
	b := append([]key.Binding{}, shown...)
	if h.a.screen.Typing() {
		return append(b, h.a.c.Keys.ForceQuit)
	}
	return append(b, h.a.c.Keys.Help, h.a.c.Keys.Quit)
}

func (h helpKeys) FullHelp() [][]key.Binding {
	k := h.a.c.Keys
	screenKeys := h.a.screen.Bindings()
	var general []key.Binding
	for _, b := range []key.Binding{k.Back, k.Help, k.Quit, k.ForceQuit} {
		if !hasBinding(screenKeys, b) {
			general = append(general, b)
		}
	}
	return [][]key.Binding{screenKeys, general}
}

func hasBinding(list []key.Binding, b key.Binding) bool {
	for _, x := range list {
		if x.Help().Key == b.Help().Key {
			return true
		}
	}
	return false
}

func (a *App) View() tea.View {
	s := a.c.Styles
	w, h := a.bodySize()
	header := a.headerView(w)
	hidden := "(the screen is taller than the terminal)"
	if a.fullHelp {
		hidden = "(? hides the keys)"
	}
	body := fitHeight(a.screen.View(), h, s.Muted.Render, hidden)
	body = lipgloss.NewStyle().MaxWidth(w).Render(body)
	content := s.App.Render(header + "\n\n" + body + "\n\n" + a.helpView())
	v := tea.NewView(content)
	v.AltScreen = true
	v.WindowTitle = "onramp"
	return v
}

// fitHeight pads or cuts s to exactly h lines, so the help line stays at
// the bottom and a long body never pushes the frame off the screen; a cut
// body says how many lines it hides, and why.
func fitHeight(s string, h int, muted func(...string) string, why string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > h {
		n := len(lines) - (h - 1)
		lines = append(lines[:h-1], muted("↓ "+moreLines(n)+" "+why))
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// wrap fits text to width, breaking only at spaces (never inside a word,
// a path or a quoted '-'; a quoted command only when it is wider than the
// screen); a word longer than the width breaks after its last '-', '_',
// '.' or '/' that fits, or else at the width.
func wrap(s string, width int) string {
	if width < 10 {
		width = 10
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		var words []string
		for _, w := range unbreakableWords(para) {
			if ansi.StringWidth(w) > width {
				// A command wider than the screen breaks at its spaces
				// rather than inside an argument.
				words = append(words, strings.Fields(w)...)
			} else {
				words = append(words, w)
			}
		}
		for _, w := range words {
			for ansi.StringWidth(w) > width {
				if line != "" {
					out = append(out, line)
					line = ""
				}
				cut := ansi.Truncate(w, width, "")
				if i := strings.LastIndexAny(cut, "-_./"); i > 0 && cut == ansi.Strip(cut) {
					cut = cut[:i+1] // a long name breaks after a separator
				}
				out = append(out, cut)
				w = ansi.TruncateLeft(w, ansi.StringWidth(cut), "")
			}
			switch {
			case line == "":
				line = w
			case ansi.StringWidth(line)+1+ansi.StringWidth(w) <= width:
				line += " " + w
			default:
				out = append(out, line)
				line = w
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// unbreakableWords splits a paragraph at spaces, except inside a
// `backquoted` command or a double-quoted argument of one (after a flag,
// or NAME="…"): it stays on one line, so the command still works when
// copied from the screen. Quotes in prose break as usual.
func unbreakableWords(para string) []string {
	var words []string
	open := rune(0)
	for _, f := range strings.Fields(para) {
		if open != 0 {
			words[len(words)-1] += " " + f
		} else {
			words = append(words, f)
		}
		argument := len(words) > 1 && strings.HasPrefix(words[len(words)-2], "-") || strings.Contains(f, `="`)
		for _, r := range f {
			switch {
			case open == 0 && (r == '`' || r == '"' && argument):
				open = r
			case r == open:
				open = 0
			}
		}
	}
	return words
}

// SettleWizard waits (up to d) for the wizard's flow to stop after the
// program quit mid-flow, so `onramp init` can name the profile to resume.
func (a *App) SettleWizard(d time.Duration) {
	if a.wizard == nil || a.WizardResult != nil || a.WizardErr != nil {
		return
	}
	a.wizard.cancel()
	select {
	case r := <-a.wizard.done:
		a.WizardResult, a.WizardErr = r.res, r.err
	case <-time.After(d):
	}
}

// ProgramOptions are the tea options for a run: output, input and, with
// colour off, the ASCII profile (bold and faint only).
func ProgramOptions(ctx context.Context, opts Options) []tea.ProgramOption {
	po := []tea.ProgramOption{tea.WithContext(ctx)}
	if opts.In != nil {
		po = append(po, tea.WithInput(opts.In))
	}
	if opts.Out != nil {
		po = append(po, tea.WithOutput(opts.Out))
	}
	if !opts.Color {
		po = append(po, tea.WithColorProfile(colorprofile.Ascii))
	}
	return po
}

// Run runs the TUI until the user quits.
func Run(ctx context.Context, deps *Deps, opts Options) (*App, error) {
	app := NewApp(ctx, deps, opts)
	m, err := tea.NewProgram(app, ProgramOptions(ctx, opts)...).Run()
	if a, ok := m.(*App); ok && a != nil {
		app = a
	}
	if errors.Is(err, tea.ErrInterrupted) || errors.Is(err, context.Canceled) {
		app.Cancelled, app.Interrupted = true, true
		return app, nil
	}
	return app, err
}
