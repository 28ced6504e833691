package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/usecase"
	"github.com/onramp-cli/onramp/wizard"
)

type (
	profileLoadedMsg struct {
		p   *profile.Profile
		err error
	}
	// profileSavedMsg is a change's outcome, with the profile as saved:
	// the status and the list it describes arrive together.
	profileSavedMsg struct {
		status string
		// command does the same from a shell, shown for scripts.
		command []string
		p       *profile.Profile
		err     error
	}
)

// profileScreen lists every setting of a profile with where its value
// comes from, and changes one (usecase.SetSetting checks it first) or
// stores a secret (usecase.Secrets); r re-runs the checks.
type profileScreen struct {
	c      *Common
	name   string
	p      *profile.Profile
	rows   []usecase.Setting
	err    error
	cursor int
	// editing is the key of the setting being changed, or the name of the
	// secret being stored when secret is true.
	editing string
	secret  bool
	// role is the API key role whose key is being stored (o: a role key)
	// or removed (x: removing, once confirmed).
	role      string
	removing  bool
	confirmed bool
	form      *huh.Form
	value     string
	status    string
	// command is the shell command that does what the status says.
	command []string
	// then is what to do once loaded: a setting key or "secret:NAME".
	then string
	// back is where esc goes; nil is home.
	back screen
	w, h int
}

func newProfileScreen(c *Common, name string, back screen) *profileScreen {
	return &profileScreen{c: c, name: name, back: back}
}

func (ps *profileScreen) Title() string { return "Profile · " + ps.name }

func (ps *profileScreen) Init() tea.Cmd {
	name := ps.name
	return func() tea.Msg {
		p, err := profile.Load(name)
		return profileLoadedMsg{p, err}
	}
}

func (ps *profileScreen) SetSize(w, h int) {
	ps.w, ps.h = w, h
	if ps.form != nil {
		ps.form = ps.form.WithWidth(formWidth(w))
	}
}

func (ps *profileScreen) Typing() bool { return ps.form != nil }

var (
	keyChange = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "change"))
	keyAPIKey = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "set API key"))
	keyRole   = key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "set a role key"))
	keyUnrole = key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "remove a role key"))
)

func (ps *profileScreen) Bindings() []key.Binding {
	k := ps.c.Keys
	if ps.form != nil {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))}
	}
	b := []key.Binding{k.Up, k.Down, keyChange, keyAPIKey}
	if ps.p != nil && len(usecase.Roles(ps.p)) > 0 {
		b = append(b, keyRole)
	}
	if ps.p != nil && len(ps.p.RoleKeys) > 0 {
		b = append(b, keyUnrole)
	}
	return append(b, k.Rerun, k.Back)
}

// ShortBindings leave the arrows to the full help (?), so the help line
// fits 60 columns.
func (ps *profileScreen) ShortBindings() []key.Binding {
	if ps.form != nil {
		return ps.Bindings()
	}
	return []key.Binding{keyChange, keyAPIKey, ps.c.Keys.Rerun, ps.c.Keys.Back}
}

func (ps *profileScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case profileLoadedMsg:
		ps.p, ps.err = msg.p, msg.err
		if ps.p != nil {
			ps.rows = usecase.Settings(ps.p)
			if then := ps.then; then != "" {
				ps.then = ""
				if name, ok := strings.CutPrefix(then, "secret:"); ok {
					return ps, ps.secretForm(name)
				}
				for i, r := range ps.rows {
					if r.Key == then {
						ps.cursor = i
						return ps, ps.settingForm()
					}
				}
			}
		}
		return ps, nil
	case profileSavedMsg:
		ps.command = msg.command
		if msg.err != nil {
			ps.status = "✗ " + msg.err.Error()
		} else {
			ps.status = "✓ " + msg.status
		}
		if msg.p != nil {
			ps.p, ps.rows = msg.p, usecase.Settings(msg.p)
		}
		return ps, nil
	case tea.KeyPressMsg:
		if msg.String() == "esc" {
			if ps.form != nil {
				ps.form, ps.value, ps.status, ps.removing = nil, "", "Nothing changed.", false
				return ps, nil
			}
			if ps.back != nil {
				return ps, open(ps.back)
			}
			return ps, goHome
		}
		if ps.form == nil {
			return ps, ps.listKey(msg)
		}
	}
	if ps.form != nil {
		var cmd tea.Cmd
		var done bool
		if ps.form, cmd, done = updateForm(ps.form, msg); done {
			return ps, ps.formDone()
		}
		return ps, cmd
	}
	return ps, nil
}

func (ps *profileScreen) listKey(msg tea.KeyPressMsg) tea.Cmd {
	k := ps.c.Keys
	if ps.p == nil {
		return nil
	}
	switch {
	case key.Matches(msg, k.Up):
		ps.cursor = max(ps.cursor-1, 0)
	case key.Matches(msg, k.Down):
		ps.cursor = min(ps.cursor+1, len(ps.rows)-1)
	case key.Matches(msg, keyChange):
		ps.status = ""
		return ps.settingForm()
	case key.Matches(msg, keyAPIKey):
		ps.status = ""
		name := ps.p.APIKeySecret
		if name == "" {
			name = provider.SecretAPIKey
		}
		return ps.secretForm(name)
	case key.Matches(msg, keyRole) && len(usecase.Roles(ps.p)) > 0:
		ps.status = ""
		return ps.roleForm()
	case key.Matches(msg, keyUnrole) && len(ps.p.RoleKeys) > 0:
		ps.status = ""
		return ps.removeRoleForm()
	case key.Matches(msg, k.Rerun):
		return open(newDiagnoseScreen(ps.c, ps.name).returnTo(ps))
	}
	return nil
}

func (ps *profileScreen) newForm(field huh.Field) *huh.Form {
	return newForm(ps.c.Styles, ps.w, ps.h-6, huh.NewGroup(field))
}

// settingForm asks for the selected setting's new value: a list when the
// setting has a closed set of values, else a text field checked as
// `profile set` checks it.
func (ps *profileScreen) settingForm() tea.Cmd {
	row := ps.rows[ps.cursor]
	ps.editing, ps.secret, ps.value, ps.removing = row.Key, false, row.Value, false
	title := fmt.Sprintf("%s of %s", row.Label, ps.name)
	if len(row.Choices) > 0 {
		var opts []huh.Option[string]
		for _, c := range row.Choices {
			label := c
			if c == "" {
				label = "(none)"
			}
			opts = append(opts, huh.NewOption(label, c))
		}
		ps.form = ps.newForm(huh.NewSelect[string]().Title(title).Description(row.Help).Options(opts...).Value(&ps.value))
		return ps.form.Init()
	}
	desc := row.Help + ". Empty clears it."
	if row.Kind == usecase.SettingFile {
		desc = row.Help + ". ~ is your home; empty clears it."
	}
	p := *ps.p
	in := huh.NewInput().Title(title).Description(desc).Value(&ps.value).Validate(func(v string) error {
		cp := p
		_, err := usecase.SetSetting(&cp, row.Key, v)
		return err
	})
	ps.form = ps.newForm(in)
	return ps.form.Init()
}

// roleForm asks which API key role (the provider's role table) and its
// key, masked: stored with usecase.Secrets.SetRole, which records it in
// the profile's role_keys.
func (ps *profileScreen) roleForm() tea.Cmd {
	ps.editing, ps.secret, ps.value, ps.role, ps.removing = "", true, "", "", false
	t, _ := provider.Get(ps.p.Provider)
	var opts []huh.Option[string]
	for _, r := range t.Roles {
		label := r.Name
		if name, ok := ps.p.RoleKeys[r.Name]; ok {
			label += " (now: " + name + ")"
		}
		opts = append(opts, huh.NewOption(label, r.Name))
	}
	sel := huh.NewSelect[string]().Title("Which role's key?").
		Description("Each key has one role; the role table says which paths it may call.").Options(opts...).Value(&ps.role)
	in := huh.NewInput().TitleFunc(func() string { return fmt.Sprintf("The %s key of %s", ps.role, ps.name) }, &ps.role).
		EchoMode(huh.EchoModePassword).Value(&ps.value).Validate(wizard.CheckAPIKey).
		Description("Masked; kept in the secret store, never in the profile.")
	ps.form = newForm(ps.c.Styles, ps.w, ps.h-6, huh.NewGroup(sel), huh.NewGroup(in))
	return ps.form.Init()
}

func (ps *profileScreen) secretForm(name string) tea.Cmd {
	ps.editing, ps.secret, ps.value, ps.role, ps.removing = name, true, "", "", false
	in := huh.NewInput().Title(fmt.Sprintf("%s of %s", name, ps.name)).EchoMode(huh.EchoModePassword).Value(&ps.value).
		Description("Masked; kept in the secret store, never in the profile.")
	if name == provider.SecretAPIKey || (ps.p != nil && name == ps.p.APIKeySecret) {
		in = in.Validate(wizard.CheckAPIKey)
	}
	ps.form = ps.newForm(in)
	return ps.form.Init()
}

// formDone saves in a Cmd: the profile file and the secret store are IO.
func (ps *profileScreen) formDone() tea.Cmd {
	ps.form = nil
	name, k, v, isSecret, role := ps.name, ps.editing, ps.value, ps.secret, ps.role
	ps.value, ps.role = "", ""
	if ps.removing {
		ps.removing = false
		return ps.removeRole(role, ps.confirmed)
	}
	if isSecret {
		secrets := usecase.Secrets{Store: ps.c.Deps.Keyring, Now: ps.c.Deps.now}
		return func() tea.Msg {
			p, err := profile.Load(name)
			var command []string
			switch {
			case err == nil && role != "":
				k = usecase.RoleSecret(p, role)
				err = secrets.SetRole(p, role, k, v)
				command = []string{"onramp", "secret", "set", k, "--role", role, "--profile", name}
			case err == nil:
				err = secrets.Set(p, k, v)
			}
			if err != nil {
				return profileSavedMsg{p: p, err: err}
			}
			msg := fmt.Sprintf("Stored %s %s.", k, secretstore.Where(secrets.Store, name, k))
			if role != "" {
				msg += fmt.Sprintf(" It is the %s key.", role)
			}
			return profileSavedMsg{p: p, status: msg + " r re-runs the checks.", command: command}
		}
	}
	return func() tea.Msg {
		p, err := profile.Load(name)
		if err != nil {
			return profileSavedMsg{err: err}
		}
		also, err := usecase.SetSetting(p, k, v)
		if err == nil {
			err = profile.Save(p)
		}
		if err != nil {
			p, _ = profile.Load(name)
			return profileSavedMsg{p: p, err: err}
		}
		msg := fmt.Sprintf("Set %s to %s.", k, describeSetting(v))
		if v == "" {
			msg = fmt.Sprintf("Cleared %s.", k)
		}
		for _, a := range also {
			for _, s := range usecase.Settings(p) {
				if s.Key == a {
					msg += fmt.Sprintf(" %s is now %s.", a, describeSetting(s.Value))
				}
			}
		}
		return profileSavedMsg{p: p, status: msg + " r re-runs the checks.", command: []string{"onramp", "profile", "set", name, k, v}}
	}
}

func describeSetting(v string) string {
	if v == "" {
		return "nothing"
	}
	return v
}

func (ps *profileScreen) View() string {
	s := ps.c.Styles
	width := min(ps.w, 78)
	if ps.err != nil {
		return s.Error.Render(wrap("✗ "+ps.err.Error(), width))
	}
	if ps.p == nil {
		return s.Muted.Render("loading…")
	}
	var head strings.Builder
	secrets := "none stored (a sets the API key)"
	if entries := usecase.SecretEntries(ps.p); len(entries) > 0 {
		var names []string
		for _, e := range entries {
			if len(e.Roles) > 0 {
				e.Name += " (" + strings.Join(e.Roles, ", ") + " key)"
			}
			names = append(names, e.Name)
		}
		secrets = strings.Join(names, ", ") + " stored"
	}
	if len(usecase.Roles(ps.p)) > 0 {
		secrets += "; o stores a role key"
		if len(ps.p.RoleKeys) > 0 {
			secrets += ", x removes one"
		}
	}
	head.WriteString(s.Muted.Render(wrap("Secrets: "+secrets, width)) + "\n\n")

	if ps.form != nil {
		// Changing one setting: its current value, then the field.
		if !ps.secret && !ps.removing {
			r := ps.rows[ps.cursor]
			head.WriteString(s.Muted.Render("Now: ") + wrap(describeSetting(r.Value), width-5) + "\n" +
				s.Muted.Render(wrap(capitalise(r.Source)+".", width)) + "\n\n")
		}
		return head.String() + ps.form.View()
	}
	var detail, status strings.Builder
	if len(ps.rows) > 0 {
		r := ps.rows[ps.cursor]
		detail.WriteString("\n" + s.Label.Render(r.Label) + " " + s.Muted.Render("("+r.Key+")") + "\n")
		if r.Value != "" {
			detail.WriteString(wrap(r.Value, width) + "\n")
		}
		detail.WriteString(s.Muted.Render(wrap(capitalise(r.Source)+". "+capitalise(r.Help)+".", width)) + "\n")
	}
	if ps.status != "" {
		st := s.Pass
		if strings.HasPrefix(ps.status, "✗") {
			st = s.Error
		}
		status.WriteString("\n" + st.Render(wrap(ps.status, width)) + "\n")
		if len(ps.command) > 0 {
			status.WriteString(s.Muted.Render("From a script:") + "\n" + shellCommand(ps.command, width) + "\n")
		}
	}
	// The status (and its command, whole) comes first; then the list with
	// at least the cursor's row and its "more" lines; the selected
	// setting's detail only where it still fits.
	room := ps.h - lineCount(head.String()) - lineCount(status.String())
	foot := detail.String() + status.String()
	if room-lineCount(detail.String()) < min(3, len(ps.rows)) {
		foot = status.String()
	} else {
		room -= lineCount(detail.String())
	}
	return head.String() + ps.list(room, width) + foot
}

// list renders the settings around the cursor in room lines, with a
// count of those above and below. A value too long for its column wraps
// in it (a path after its slashes), never cut.
func (ps *profileScreen) list(room, width int) string {
	s := ps.c.Styles
	labelW := 21 // the longest label: never cut mid-word
	valueW := max(width-2-labelW-1-1-8, 8)
	rows := make([][]string, len(ps.rows))
	for i, r := range ps.rows {
		cursor, style := "  ", s.Title.UnsetBold()
		if i == ps.cursor && ps.form == nil {
			cursor, style = s.Cursor.Render("▸ "), s.Selected
		}
		pad := strings.Repeat(" ", 2+labelW+1)
		for j, v := range breakValue(r.Shown(), valueW) {
			if j == 0 {
				rows[i] = append(rows[i], fmt.Sprintf("%s%s %s %s", cursor, style.Render(fmt.Sprintf("%-*s", labelW, truncate(r.Label, labelW))),
					padRight(v, valueW), s.Muted.Render(r.SourceKind)))
				continue
			}
			rows[i] = append(rows[i], pad+v)
		}
	}
	height := func(first, last int) int {
		n := 0
		for _, r := range rows[first:last] {
			n += len(r)
		}
		if first > 0 {
			n++
		}
		if last < len(rows) {
			n++
		}
		return n
	}
	// The cursor's row, then rows below and above it while they fit.
	first, last := ps.cursor, min(ps.cursor+1, len(rows))
	for grew := true; grew; {
		grew = false
		if last < len(rows) && height(first, last+1) <= room {
			last, grew = last+1, true
		}
		if first > 0 && height(first-1, last) <= room {
			first, grew = first-1, true
		}
	}
	var b strings.Builder
	if first > 0 {
		b.WriteString(s.Muted.Render(fmt.Sprintf("  ↑ %d more", first)) + "\n")
	}
	for _, r := range rows[first:last] {
		b.WriteString(strings.Join(r, "\n") + "\n")
	}
	if rest := len(ps.rows) - last; rest > 0 {
		b.WriteString(s.Muted.Render(fmt.Sprintf("  ↓ %d more", rest)) + "\n")
	}
	return b.String()
}

// breakValue lays a setting's value out on lines of width w: a path or
// URL breaks after a slash, anything else between words; only a part
// wider than w is broken inside.
func breakValue(v string, w int) []string {
	if ansi.StringWidth(v) <= w {
		return []string{v}
	}
	var parts []string
	for rest := v; rest != ""; {
		i := strings.IndexAny(rest, "/ ")
		if i < 0 {
			parts = append(parts, rest)
			break
		}
		parts = append(parts, rest[:i+1])
		rest = rest[i+1:]
	}
	var lines []string
	line := ""
	for _, p := range parts {
		if line != "" && ansi.StringWidth(line+p) > w {
			lines = append(lines, strings.TrimRight(line, " "))
			line = ""
		}
		line += p
		for ansi.StringWidth(line) > w {
			cut := ansi.Truncate(line, w, "")
			lines = append(lines, cut)
			line = ansi.TruncateLeft(line, ansi.StringWidth(cut), "")
		}
	}
	if line != "" {
		lines = append(lines, strings.TrimRight(line, " "))
	}
	return lines
}

func padRight(s string, w int) string {
	return s + strings.Repeat(" ", max(w-ansi.StringWidth(s), 0))
}

// lineCount counts the lines of text whose every line ends in "\n".
func lineCount(s string) int { return strings.Count(s, "\n") }

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// shellCommand shows a command so that it runs when copied from the
// screen: each argument quoted for the shell, and when it does not fit the
// width, the last argument (a path, a URL) on its own line after a " \\"
// continuation, never broken inside.
func shellCommand(args []string, width int) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = wizard.ShellQuote(a)
	}
	line := strings.Join(q, " ")
	if ansi.StringWidth(line) <= width || len(q) < 2 {
		return line
	}
	return strings.Join(q[:len(q)-1], " ") + " \\\n    " + q[len(q)-1]
}
