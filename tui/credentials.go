package tui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/usecase"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/wizard"
)

// credRow is one line of the credentials list: a profile, or one of its
// secrets (by name: values are never read here).
type credRow struct {
	profile string
	secret  string // "" for the profile's own row
	setAt   time.Time
	detail  string
}

type credsLoadedMsg struct{ rows []credRow }

type credsDoneMsg struct {
	status string
	err    error
}

func loadCreds() tea.Msg {
	names, _ := profile.List()
	var rows []credRow
	for _, n := range names {
		p, err := profile.Load(n)
		row := credRow{profile: n}
		if err != nil {
			row.detail = "unreadable: " + err.Error()
			rows = append(rows, row)
			continue
		}
		row.detail = strings.Join(p.Auth, " + ")
		rows = append(rows, row)
		var secrets []string
		for s := range p.Secrets {
			secrets = append(secrets, s)
		}
		sort.Strings(secrets)
		for _, s := range secrets {
			rows = append(rows, credRow{profile: n, secret: s, setAt: p.Secrets[s]})
		}
	}
	return credsLoadedMsg{rows}
}

type credAction int

const (
	credList credAction = iota
	credPickName
	credEnterValue
	credConfirmDelete
	credBusy
)

type credentialsScreen struct {
	c      *Common
	rows   []credRow
	loaded bool
	// storeNote says why the secret store does not answer (empty when it
	// does), so the intro never claims secrets live in a keyring that is
	// not there.
	storeNote string
	cursor    int
	action    credAction
	form      *huh.Form
	target    credRow
	name      string
	value     string
	status    string
	w, h      int
}

func newCredentialsScreen(c *Common) *credentialsScreen { return &credentialsScreen{c: c} }

func (cs *credentialsScreen) Title() string { return "Credentials" }

func (cs *credentialsScreen) Init() tea.Cmd { return tea.Batch(loadCreds, checkStore(cs.c.Deps)) }

func (cs *credentialsScreen) SetSize(w, h int) { cs.w, cs.h = w, h }

func (cs *credentialsScreen) Typing() bool { return cs.action == credEnterValue }

func (cs *credentialsScreen) Bindings() []key.Binding {
	k := cs.c.Keys
	switch cs.action {
	case credConfirmDelete:
		return []key.Binding{k.Yes, k.No}
	case credPickName, credEnterValue:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save")), k.Back}
	}
	return []key.Binding{k.Up, k.Down, k.Set, k.Delete, k.Back}
}

func (cs *credentialsScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case storeCheckedMsg:
		cs.storeNote = storeNote(msg.err, secretstore.OnScreen)
		return cs, nil
	case credsLoadedMsg:
		cs.rows, cs.loaded = msg.rows, true
		cs.cursor = min(cs.cursor, max(len(cs.rows)-1, 0))
		return cs, nil
	case credsDoneMsg:
		cs.action = credList
		if msg.err != nil {
			cs.status = "✗ " + msg.err.Error()
			if c, ok := cause.Of(msg.err); ok {
				cs.status = "✗ " + cause.Show{Label: "Cause", Detail: msg.err.Error()}.Text(c)
			}
		} else {
			cs.status = "✓ " + msg.status
		}
		return cs, loadCreds
	case tea.KeyPressMsg:
		if msg.String() == "esc" {
			if cs.action != credList && cs.action != credBusy {
				cs.action, cs.form = credList, nil
				cs.value = ""
				return cs, nil
			}
			return cs, goHome
		}
		switch cs.action {
		case credList:
			return cs, cs.listKey(msg)
		case credConfirmDelete:
			switch {
			case key.Matches(msg, cs.c.Keys.Yes):
				cs.action = credBusy
				return cs, cs.deleteCmd(cs.target)
			case key.Matches(msg, cs.c.Keys.No):
				cs.action = credList
				cs.status = "Nothing deleted."
			}
			return cs, nil
		}
	}
	if cs.form != nil {
		var cmd tea.Cmd
		var done bool
		if cs.form, cmd, done = updateForm(cs.form, msg); done {
			return cs, cs.formDone()
		}
		return cs, cmd
	}
	return cs, nil
}

func (cs *credentialsScreen) listKey(msg tea.KeyPressMsg) tea.Cmd {
	k := cs.c.Keys
	if len(cs.rows) == 0 {
		return nil
	}
	switch {
	case key.Matches(msg, k.Up):
		cs.cursor = max(cs.cursor-1, 0)
	case key.Matches(msg, k.Down):
		cs.cursor = min(cs.cursor+1, len(cs.rows)-1)
	case key.Matches(msg, k.Set), key.Matches(msg, k.Enter):
		cs.target = cs.rows[cs.cursor]
		cs.status = ""
		if cs.target.secret != "" {
			cs.name = cs.target.secret
			return cs.valueForm()
		}
		cs.action = credPickName
		cs.name = "api-key"
		cs.form = cs.newForm(huh.NewSelect[string]().Title("Which secret of "+cs.target.profile+"?").
			Options(huh.NewOption("api-key (the provider's API key)", "api-key"),
				huh.NewOption("key-pass (the private key's passphrase)", "key-pass")).
			Value(&cs.name))
		return cs.form.Init()
	case key.Matches(msg, k.Delete):
		row := cs.rows[cs.cursor]
		if row.secret == "" {
			cs.status = "Choose a secret (the indented lines) to delete it."
			return nil
		}
		cs.target, cs.action, cs.status = row, credConfirmDelete, ""
	}
	return nil
}

func (cs *credentialsScreen) newForm(field huh.Field) *huh.Form {
	return newForm(cs.c.Styles, cs.w, cs.h-4, huh.NewGroup(field))
}

func (cs *credentialsScreen) valueForm() tea.Cmd {
	cs.action = credEnterValue
	cs.value = ""
	title := fmt.Sprintf("New value for %s of %s", cs.name, cs.target.profile)
	in := huh.NewInput().Title(title).EchoMode(huh.EchoModePassword).Value(&cs.value).
		Description("Masked; stored in onramp's secret store only.")
	if cs.name == "api-key" {
		in = in.Validate(wizard.CheckAPIKey)
	}
	cs.form = cs.newForm(in)
	return cs.form.Init()
}

func (cs *credentialsScreen) formDone() tea.Cmd {
	cs.form = nil
	if cs.action == credPickName {
		return cs.valueForm()
	}
	v := cs.value
	cs.value = ""
	cs.action = credBusy
	return cs.setCmd(cs.target.profile, cs.name, v)
}

// setCmd stores a secret in the keyring and records its name in the
// profile, in a Cmd: keyring calls can take seconds.
func (cs *credentialsScreen) setCmd(prof, name, value string) tea.Cmd {
	secrets := usecase.Secrets{Store: cs.c.Deps.Keyring, Now: cs.c.Deps.now}
	return func() tea.Msg {
		p, err := profile.Load(prof)
		if err != nil {
			return credsDoneMsg{err: err}
		}
		if err := secrets.Set(p, name, value); err != nil {
			return credsDoneMsg{err: err}
		}
		return credsDoneMsg{status: fmt.Sprintf("Stored %s for %s %s.", name, prof, secretstore.Where(secrets.Store, prof, name))}
	}
}

func (cs *credentialsScreen) deleteCmd(row credRow) tea.Cmd {
	secrets := usecase.Secrets{Store: cs.c.Deps.Keyring, Now: cs.c.Deps.now}
	return func() tea.Msg {
		p, err := profile.Load(row.profile)
		if err != nil {
			return credsDoneMsg{err: err}
		}
		if _, err := secrets.Remove(p, row.profile, row.secret); err != nil {
			return credsDoneMsg{err: err}
		}
		return credsDoneMsg{status: fmt.Sprintf("Deleted %s of %s from %s.", row.secret, row.profile, strings.TrimPrefix(secretstore.Where(secrets.Store, row.profile, row.secret), "in "))}
	}
}

func (cs *credentialsScreen) View() string {
	s := cs.c.Styles
	width := min(cs.w, 78)
	where := "in the OS keyring (service onramp, account PROFILE/NAME)"
	if cs.c.Deps.Keyring != nil {
		where = secretstore.Where(cs.c.Deps.Keyring, "PROFILE", "NAME")
	}
	intro := s.Why.Render(wrap("Secrets live "+where+"; onramp lists their names, never their values.", width)) + "\n\n"
	if cs.storeNote != "" {
		intro = s.Warn.Render(wrap(cs.storeNote, width)) + "\n\n"
	}
	if !cs.loaded {
		return intro + s.Muted.Render("loading…")
	}
	nameW := 10
	for _, r := range cs.rows {
		nameW = max(nameW, len(r.secret))
	}
	var list []string
	cursorLine := 0
	if len(cs.rows) == 0 {
		list = append(list, s.Muted.Render("No profiles yet: Set up a connection first."))
	}
	for i, r := range cs.rows {
		cursor := "  "
		if i == cs.cursor {
			cursor = s.Cursor.Render("▸ ")
			cursorLine = len(list)
		}
		if r.secret == "" {
			list = append(list, fmt.Sprintf("%s%s  %s", cursor, s.Title.Render(r.profile), s.Muted.Render(r.detail)))
			if i+1 >= len(cs.rows) || cs.rows[i+1].profile != r.profile {
				list = append(list, s.Muted.Render("      (no secrets stored)"))
			}
			continue
		}
		list = append(list, fmt.Sprintf("%s    %-*s %s", cursor, nameW, r.secret, s.Muted.Render("set "+r.setAt.Local().Format("2006-01-02 15:04"))))
	}

	var foot strings.Builder
	switch cs.action {
	case credConfirmDelete:
		foot.WriteString("\n" + s.Warn.Render(wrap(fmt.Sprintf("Delete %s of %s from the keyring? This cannot be undone.", cs.target.secret, cs.target.profile), width)) + "  " + s.Label.Render("y/n") + "\n")
	case credBusy:
		foot.WriteString("\n" + s.Muted.Render("Talking to the keyring…") + "\n")
	case credPickName, credEnterValue:
		if cs.form != nil {
			foot.WriteString("\n" + cs.form.View() + "\n")
		}
	}
	if cs.status != "" {
		st := s.Pass
		if strings.HasPrefix(cs.status, "✗") {
			st = s.Error
		}
		foot.WriteString("\n" + st.Render(wrap(cs.status, width)) + "\n")
	}
	// Many profiles: show the part of the list around the cursor, so the
	// question or form below it always stays on screen.
	room := cs.h - lineCount(intro) - lineCount(foot.String())
	if room >= 3 && len(list) > room {
		rows := room - 2 // the "more" lines
		start := min(max(cursorLine-rows/2, 0), len(list)-rows)
		switch { // clipped at one end only: one "more" line, one more row
		case start == 0:
			rows++
		case start+rows == len(list):
			start, rows = start-1, rows+1
		}
		above, below := start, len(list)-start-rows
		list = list[start : start+rows]
		if above > 0 {
			list = append([]string{s.Muted.Render("  ↑ " + moreLines(above))}, list...)
		}
		if below > 0 {
			list = append(list, s.Muted.Render("  ↓ "+moreLines(below)))
		}
	}
	return intro + strings.Join(list, "\n") + "\n" + foot.String()
}

// moreLines counts hidden lines for a "more" hint: "1 more line", "3 more
// lines".
func moreLines(n int) string {
	if n == 1 {
		return "1 more line"
	}
	return fmt.Sprintf("%d more lines", n)
}
