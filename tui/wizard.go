package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/onramp-cli/onramp/wizard"
)

// The wizard flow runs in its own goroutine over a bridge Prompter: each
// prompt is a request the UI picks up with a Cmd (re-issued after each), and
// the user's answer goes back on the request's reply channel. The flow
// never touches the model and the UI never waits on the flow.

type promptKind int

const (
	promptSelect promptKind = iota
	promptInput
	promptPassword
	promptConfirm
	promptNote
	promptWork
)

type promptRequest struct {
	kind  promptKind
	frame wizard.Frame
	sel   wizard.SelectPrompt
	in    wizard.InputPrompt
	conf  wizard.ConfirmPrompt
	note  wizard.NotePrompt
	reply chan promptReply
}

type promptReply struct {
	value string
	err   error
}

// bridge is the Prompter the flow goroutine talks to.
type bridge struct {
	reqs chan promptRequest
}

func (b *bridge) ask(ctx context.Context, req promptRequest) (string, error) {
	req.reply = make(chan promptReply, 1)
	select {
	case b.reqs <- req:
	case <-ctx.Done():
		return "", wizard.ErrCancelled
	}
	select {
	case r := <-req.reply:
		return r.value, r.err
	case <-ctx.Done():
		return "", wizard.ErrCancelled
	}
}

func (b *bridge) Select(ctx context.Context, p wizard.SelectPrompt) (string, error) {
	return b.ask(ctx, promptRequest{kind: promptSelect, frame: p.Frame, sel: p})
}

func (b *bridge) Input(ctx context.Context, p wizard.InputPrompt) (string, error) {
	return b.ask(ctx, promptRequest{kind: promptInput, frame: p.Frame, in: p})
}

func (b *bridge) Password(ctx context.Context, p wizard.InputPrompt) (string, error) {
	return b.ask(ctx, promptRequest{kind: promptPassword, frame: p.Frame, in: p})
}

func (b *bridge) Confirm(ctx context.Context, p wizard.ConfirmPrompt) (bool, error) {
	v, err := b.ask(ctx, promptRequest{kind: promptConfirm, frame: p.Frame, conf: p})
	return v == "yes", err
}

func (b *bridge) Note(ctx context.Context, p wizard.NotePrompt) error {
	_, err := b.ask(ctx, promptRequest{kind: promptNote, frame: p.Frame, note: p})
	return err
}

// Work tells the UI to show a spinner, then does the work here, in the
// flow's goroutine; the next request replaces the spinner.
func (b *bridge) Work(ctx context.Context, f wizard.Frame, fn func(context.Context) error) error {
	select {
	case b.reqs <- promptRequest{kind: promptWork, frame: f}:
	case <-ctx.Done():
		return wizard.ErrCancelled
	}
	return fn(ctx)
}

// Messages from a flow name their screen: after esc and a new start, a
// late message of the old flow must not drive the new screen.
type (
	promptMsg struct {
		from *wizardScreen
		req  promptRequest
	}
	wizardDoneMsg struct {
		from *wizardScreen
		res  *wizard.Result
		err  error
	}
	copiedMsg struct{}
)

type flowResult struct {
	res *wizard.Result
	err error
}

// wizardScreen shows the flow's current prompt.
type wizardScreen struct {
	c       *Common
	name    string
	ctx     context.Context
	cancel  context.CancelFunc
	bridge  *bridge
	done    chan flowResult
	cur     *promptRequest
	form    *huh.Form
	value   string
	choice  string
	spinner spinner.Model
	working string
	copied  bool
	live    string // what the input's check says of the text so far
	scroll  int    // first line shown of a note taller than the screen
	// lastStep is where the user is, shown above a spinner.
	lastStep string
	ended    *flowResult
	exit     bool
	w, h     int
}

func newWizardScreen(c *Common, name string, exit bool) *wizardScreen {
	ctx, cancel := context.WithCancel(c.Ctx)
	return &wizardScreen{
		c: c, name: name, ctx: ctx, cancel: cancel, exit: exit,
		bridge:  &bridge{reqs: make(chan promptRequest)},
		done:    make(chan flowResult, 1),
		spinner: spinner.New(spinner.WithSpinner(spinner.Dot)),
		working: "Starting…",
	}
}

func (w *wizardScreen) Title() string {
	if w.name != "" {
		return "Set up a connection · " + w.name
	}
	return "Set up a connection"
}

func (w *wizardScreen) Init() tea.Cmd {
	if w.c.Deps.NewFlow == nil {
		w.ended = &flowResult{err: errors.New("the wizard is not available in this build")}
		return nil
	}
	flow := w.c.Deps.NewFlow(w.bridge)
	go func() {
		res, err := flow.Run(w.ctx, w.name)
		w.done <- flowResult{res, err}
	}()
	return tea.Batch(w.wait(), w.spinner.Tick)
}

// wait is the Cmd that picks up the flow's next request, or its end.
func (w *wizardScreen) wait() tea.Cmd {
	reqs, done := w.bridge.reqs, w.done
	return func() tea.Msg {
		select {
		case req := <-reqs:
			return promptMsg{from: w, req: req}
		case r := <-done:
			return wizardDoneMsg{from: w, res: r.res, err: r.err}
		}
	}
}

func (w *wizardScreen) SetSize(width, height int) {
	w.w, w.h = width, height
	if w.form != nil {
		w.form = w.form.WithWidth(min(width, 76))
	}
}

func (w *wizardScreen) Typing() bool {
	return w.cur != nil && (w.cur.kind == promptInput || w.cur.kind == promptPassword)
}

var keyWizardBack = key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "back"))

// ShortBindings leave the arrows to the full help (?), so back fits.
func (w *wizardScreen) ShortBindings() []key.Binding {
	b := w.Bindings()
	if w.cur == nil || w.ended != nil {
		return b
	}
	var out []key.Binding
	for _, k := range b {
		if k.Help().Key != w.c.Keys.Up.Help().Key && k.Help().Key != w.c.Keys.Down.Help().Key {
			out = append(out, k)
		}
	}
	return out
}

func (w *wizardScreen) Bindings() []key.Binding {
	k := w.c.Keys
	back := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "save & leave"))
	prev := []key.Binding{keyWizardBack, back}
	if w.cur != nil && w.cur.frame.NoBack {
		prev = prev[1:] // nothing before this screen
	}
	switch {
	case w.ended != nil:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "done"))}
	case w.cur == nil:
		return []key.Binding{back}
	case w.cur.kind == promptNote:
		b := []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue")), k.Down}
		if w.cur.note.Copy != "" {
			cp := k.Copy
			cp.SetHelp("c", "copy "+w.cur.note.CopyLabel)
			b = append(b, cp)
		}
		return append(b, prev...)
	case w.cur.kind == promptInput || w.cur.kind == promptPassword:
		return append([]key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next"))}, prev...)
	}
	return append([]key.Binding{k.Up, k.Down, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose"))}, prev...)
}

func (w *wizardScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case promptMsg:
		if msg.from != w {
			return w, nil
		}
		req := msg.req
		if req.kind == promptWork {
			w.cur, w.form, w.working = nil, nil, req.frame.Title
			if req.frame.Step != "" {
				w.lastStep = req.frame.Step
			}
			return w, w.wait()
		}
		w.cur, w.working, w.copied, w.live, w.scroll = &req, "", false, "", 0
		w.lastStep = req.frame.Step
		w.form = w.buildForm(&req)
		w.live = w.liveCheck() // a pre-filled answer may need changing
		if w.form != nil {
			return w, w.form.Init()
		}
		return w, nil
	case wizardDoneMsg:
		if msg.from != w {
			return w, nil
		}
		w.cur, w.form = nil, nil
		w.ended = &flowResult{msg.res, msg.err}
		switch {
		case errors.Is(msg.err, wizard.ErrCancelled) || msg.err == nil:
			if w.exit {
				return w, tea.Quit
			}
			return w, goHome
		}
		return w, nil
	case spinner.TickMsg:
		var cmd tea.Cmd
		w.spinner, cmd = w.spinner.Update(msg)
		return w, cmd
	case copiedMsg:
		w.copied = true
		return w, nil
	case tea.KeyPressMsg:
		if w.ended != nil {
			if msg.String() == "enter" || msg.String() == "esc" {
				return w, goHome
			}
			return w, nil
		}
		if msg.String() == "esc" {
			// Leave: the flow stops at its next prompt; the profile holds
			// every finished step.
			w.cancel()
			return w, goHome
		}
		if key.Matches(msg, keyWizardBack) && w.cur != nil && !w.cur.frame.NoBack {
			// Back: this step again, or the one before from its first question.
			return w, w.answer("", wizard.ErrBack)
		}
		if w.cur != nil && w.cur.kind == promptNote {
			switch {
			case msg.String() == "enter":
				return w, w.answer("", nil)
			case key.Matches(msg, w.c.Keys.Copy) && w.cur.note.Copy != "":
				return w, tea.Batch(tea.SetClipboard(w.cur.note.Copy), func() tea.Msg { return copiedMsg{} })
			case key.Matches(msg, w.c.Keys.Down):
				w.scroll++
			case key.Matches(msg, w.c.Keys.Up):
				w.scroll = max(w.scroll-1, 0)
			}
			return w, nil
		}
	}
	if w.form != nil {
		m, cmd := w.form.Update(msg)
		if f, ok := m.(*huh.Form); ok {
			w.form = f
		}
		if w.form.State == huh.StateCompleted {
			return w, w.answer(w.result(), nil)
		}
		if _, ok := msg.(tea.KeyPressMsg); ok {
			w.live = w.liveCheck()
		}
		return w, cmd
	}
	return w, nil
}

// liveCheck runs the prompt's validation on what is typed so far, so a
// wrong path or a stray space shows before the user presses enter.
func (w *wizardScreen) liveCheck() string {
	if w.cur == nil || (w.cur.kind != promptInput && w.cur.kind != promptPassword) || w.cur.in.Validate == nil || w.value == "" {
		return ""
	}
	if err := w.cur.in.Validate(w.value); err != nil {
		return err.Error()
	}
	return ""
}

func (w *wizardScreen) result() string {
	switch w.cur.kind {
	case promptSelect, promptConfirm:
		return w.choice
	}
	return w.value
}

// answer replies to the flow and waits for its next request.
func (w *wizardScreen) answer(v string, err error) tea.Cmd {
	w.cur.reply <- promptReply{value: v, err: err}
	w.cur, w.form = nil, nil
	w.working = ""
	return w.wait()
}

func (w *wizardScreen) buildForm(req *promptRequest) *huh.Form {
	var field huh.Field
	switch req.kind {
	case promptSelect:
		w.choice = req.sel.Default
		var opts []huh.Option[string]
		for _, o := range req.sel.Options {
			opts = append(opts, huh.NewOption(o.Label, o.Value))
		}
		field = huh.NewSelect[string]().Options(opts...).Value(&w.choice)
	case promptConfirm:
		// A two-line select instead of huh's buttons: buttons tell focus
		// apart by colour alone, which NO_COLOR takes away.
		w.choice = "no"
		if req.conf.Default {
			w.choice = "yes"
		}
		field = huh.NewSelect[string]().Options(
			huh.NewOption(req.conf.Affirmative, "yes"),
			huh.NewOption(req.conf.Negative, "no"),
		).Value(&w.choice)
	case promptInput, promptPassword:
		w.value = req.in.Default
		in := huh.NewInput().Value(&w.value).Placeholder(w.c.Styles.Placeholder(req.in.Placeholder))
		if req.in.Validate != nil {
			in = in.Validate(req.in.Validate)
		}
		if req.kind == promptPassword {
			in = in.EchoMode(huh.EchoModePassword)
		}
		field = in
	default:
		return nil
	}
	f := huh.NewForm(huh.NewGroup(field)).
		WithShowHelp(false).
		WithTheme(formTheme(w.c.Styles)).
		WithWidth(min(w.w, 76))
	return f
}

func (w *wizardScreen) View() string {
	s := w.c.Styles
	width := min(w.w, 78)
	if w.ended != nil {
		if w.ended.err != nil && !errors.Is(w.ended.err, wizard.ErrCancelled) {
			return s.Fail.Render("✗ The wizard stopped") + "\n\n" + wrap(w.ended.err.Error(), width) +
				"\n\n" + s.Muted.Render(wrap("Every finished step is saved in the profile; run `onramp init --profile NAME` to go on.", width))
		}
		return s.Muted.Render("Done.")
	}
	if w.cur == nil {
		crumb := ""
		if w.lastStep != "" {
			crumb = s.Crumb.Render(w.lastStep) + "\n\n"
		}
		return crumb + s.Cursor.Render(strings.TrimSpace(w.spinner.View())) + " " + w.working
	}
	var b strings.Builder
	f := w.cur.frame
	if f.Step != "" {
		b.WriteString(s.Crumb.Render(f.Step) + "\n")
	}
	b.WriteString(s.Title.Render(wrap(f.Title, width)) + "\n")
	if f.Why != "" {
		b.WriteString(s.Why.Render(wrap(f.Why, width)) + "\n")
	}
	b.WriteString("\n")
	if w.form != nil {
		b.WriteString(w.form.View())
		if w.live != "" {
			b.WriteString("\n" + s.Error.Render(wrap("✗ "+w.live, width)))
		}
		return b.String()
	}
	n := w.cur.note
	if n.Report != nil && n.Report.OK {
		// The green result first, then what to do with it.
		b.WriteString(renderReport(s, n.Report, width) + "\n\n")
	}
	if n.Body != "" {
		b.WriteString(wrapKeepIndent(n.Body, width) + "\n")
	}
	if n.Report != nil && !n.Report.OK {
		if n.Body != "" {
			b.WriteString("\n")
		}
		b.WriteString(renderReport(s, n.Report, width) + "\n")
	}
	foot := ""
	if w.copied {
		// OSC 52 cannot be confirmed: say what was done, and where else
		// the text is. Below the scrolled part, so it is always seen.
		msg := fmt.Sprintf("Sent %s to the terminal's clipboard (if it supports OSC 52).", n.CopyLabel)
		if n.CopyFile != "" {
			msg += " Nothing to paste? The same text is in " + n.CopyFile
		} else {
			msg += " Nothing to paste? Select it on the screen above."
		}
		foot = "\n\n" + s.Pass.Render(wrap(msg, width))
	}
	return scrollView(w.c.Styles, strings.TrimRight(b.String(), "\n"), w.h-lineCount(foot), &w.scroll, "↓/j") + foot
}

// scrollView shows the part of a long body that fits in h lines, with a
// marker saying there is more, so nothing is silently cut off at 80×24.
func scrollView(s *Styles, body string, h int, scroll *int, keys string) string {
	lines := strings.Split(strings.TrimRight(body, "\n"), "\n")
	if len(lines) <= h || h < 3 {
		*scroll = 0
		return body
	}
	*scroll = max(min(*scroll, len(lines)-(h-1)), 0)
	end := *scroll + h - 1
	more := s.Muted.Render(fmt.Sprintf("↓ %s (%s to scroll)", moreLines(len(lines)-end), keys))
	if end >= len(lines) {
		end = len(lines)
		more = s.Muted.Render("(end; scroll back up for the rest)")
	}
	return strings.Join(lines[*scroll:end], "\n") + "\n" + more
}
