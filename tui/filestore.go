package tui

import (
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/onramp-cli/onramp/secretstore"
)

// fileStoreKey opens the file store screen from Home when the secret store
// does not answer.
var fileStoreKey = key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "file store"))

// storeNote is a screen's one note about a store that does not answer,
// with the fix as seen from at (empty when the store answers).
func storeNote(err error, at secretstore.Place) string {
	p := secretstore.ProblemOf(err)
	if p == secretstore.Usable {
		return ""
	}
	return p.Headline() + ". " + p.FixAt(at)
}

type storeCheckedMsg struct{ err error }

// checkStore asks the store whether it answers, in a Cmd (a keyring call
// can take seconds).
func checkStore(d *Deps) tea.Cmd {
	if d.CheckStore == nil {
		return nil
	}
	return func() tea.Msg { return storeCheckedMsg{d.CheckStore()} }
}

type fileStoreDoneMsg struct{ err error }

// fileStoreScreen opens (or creates) the encrypted file store with a
// passphrase typed here, and moves the TUI's secrets to it.
type fileStoreScreen struct {
	c           *Common
	path        string
	creating    bool
	form        *huh.Form
	pass, again string
	busy        bool
	err         error
	w, h        int
}

func newFileStoreScreen(c *Common) *fileStoreScreen {
	fs := &fileStoreScreen{c: c}
	fs.path, fs.creating = c.Deps.FileStore()
	fs.creating = !fs.creating
	fs.newForm()
	return fs
}

func (fs *fileStoreScreen) newForm() {
	fs.pass, fs.again = "", ""
	fields := []huh.Field{huh.NewInput().Title("Passphrase").EchoMode(huh.EchoModePassword).Value(&fs.pass).
		Validate(func(s string) error {
			if s == "" {
				return errors.New("type a passphrase")
			}
			return nil
		})}
	if fs.creating {
		fields = append(fields, huh.NewInput().Title("Same passphrase again").EchoMode(huh.EchoModePassword).Value(&fs.again).
			Validate(func(s string) error {
				if s != fs.pass {
					return errors.New("the two passphrases differ")
				}
				return nil
			}))
	}
	fs.form = baseForm(fs.c.Styles, fs.w, huh.NewGroup(fields...))
}

func (fs *fileStoreScreen) Title() string { return "Encrypted file store" }

func (fs *fileStoreScreen) Init() tea.Cmd { return fs.form.Init() }

func (fs *fileStoreScreen) SetSize(w, h int) { fs.w, fs.h = w, h }

func (fs *fileStoreScreen) Typing() bool { return !fs.busy }

func (fs *fileStoreScreen) Bindings() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next")), fs.c.Keys.Back}
}

func (fs *fileStoreScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case fileStoreDoneMsg:
		fs.busy = false
		if msg.err != nil {
			fs.err = msg.err
			fs.newForm()
			return fs, fs.form.Init()
		}
		return fs, tea.Sequence(goHome, func() tea.Msg { return fileStoreChosenMsg{fs.path} })
	case tea.KeyPressMsg:
		if msg.String() == "esc" && !fs.busy {
			return fs, goHome
		}
	}
	if fs.busy {
		return fs, nil
	}
	var cmd tea.Cmd
	var done bool
	if fs.form, cmd, done = updateForm(fs.form, msg); done {
		fs.busy, fs.err = true, nil
		pass, use := fs.pass, fs.c.Deps.UseFileStore
		fs.pass, fs.again = "", ""
		return fs, func() tea.Msg { return fileStoreDoneMsg{use(pass)} }
	}
	return fs, cmd
}

// fileStoreChosenMsg tells Home the secrets now live in the file.
type fileStoreChosenMsg struct{ path string }

func (fs *fileStoreScreen) View() string {
	s := fs.c.Styles
	width := min(fs.w, 78)
	var b strings.Builder
	intro := "Secrets you store from now on are kept in " + fs.path + ", encrypted with a passphrase you choose (age, scrypt). " +
		"It protects them if the disk or a backup is stolen, not from programs running as you. onramp remembers the choice, so later commands (diagnose --profile, token, secret) use the file without flags; each asks for the passphrase, or reads ONRAMP_STORE_PASSPHRASE."
	if !fs.creating {
		intro = "Your secrets are kept in " + fs.path + ", encrypted. Type its passphrase to use them in this session."
	}
	b.WriteString(s.Why.Render(wrap(intro, width)) + "\n\n")
	switch {
	case fs.busy:
		b.WriteString(s.Muted.Render("Opening the encrypted file…") + "\n")
	default:
		b.WriteString(fs.form.View() + "\n")
	}
	if fs.err != nil {
		b.WriteString("\n" + s.Error.Render(wrap("✗ "+fs.err.Error(), width)) + "\n")
	}
	return b.String()
}
