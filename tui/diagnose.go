package tui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/usecase"
	"github.com/onramp-cli/onramp/wizard"
)

// Messages of a diagnosis run; id ties them to one run, so a re-run
// ignores the stragglers of the one before.
type (
	diagEventMsg struct {
		id   int
		ev   diagnose.Event
		next tea.Cmd
	}
	diagDoneMsg struct {
		id     int
		report *diagnose.Report
		err    error
	}
	reportSavedMsg struct {
		path string
		err  error
	}
	// diagTargetMsg names the URL a run checks, before its first step.
	diagTargetMsg struct {
		id   int
		url  string
		next tea.Cmd
	}
)

var runIDs atomic.Int64

type diagStage int

const (
	stagePick diagStage = iota
	stageForm
	stageRun
)

// diagnoseScreen is the diagnose console: pick a target (a profile or a
// one-off URL with files), then watch the steps run.
type diagnoseScreen struct {
	c       *Common
	stage   diagStage
	profile string
	oneOff  diagnose.Options
	target  string

	form               *huh.Form
	pick               string
	fURL, fCert, fKey  string
	fCA, fAPIKey, fHdr string
	profiles           []string

	id      int
	cancel  context.CancelFunc
	steps   []diagnose.Step
	running string
	report  *diagnose.Report
	err     error
	showTLS bool
	// jumpToTLS scrolls to the TLS details on the next render.
	jumpToTLS bool
	status    string
	spinner   spinner.Model
	scroll    int
	// url is the URL the checks go to, once known.
	url string
	// back is where esc goes; nil is home.
	back screen
	w, h int
}

// returnTo makes esc go back to s instead of home.
func (d *diagnoseScreen) returnTo(s screen) *diagnoseScreen {
	d.back = s
	return d
}

// newDiagnoseScreen opens the console on a profile, or on the target
// picker when name is "".
func newDiagnoseScreen(c *Common, name string) *diagnoseScreen {
	d := &diagnoseScreen{c: c, profile: name, spinner: spinner.New(spinner.WithSpinner(spinner.Dot))}
	if name != "" {
		d.stage = stageRun
		d.target = "profile " + name
	}
	return d
}

func (d *diagnoseScreen) Title() string {
	if d.target != "" {
		return "Diagnose · " + d.target
	}
	return "Diagnose a connection"
}

func (d *diagnoseScreen) Init() tea.Cmd {
	switch d.stage {
	case stageRun:
		return tea.Batch(d.start(), d.spinner.Tick)
	default:
		names, _ := profile.List()
		d.profiles = names
		if len(names) == 0 {
			return d.showForm()
		}
		var opts []huh.Option[string]
		for _, n := range names {
			opts = append(opts, huh.NewOption(n, n))
		}
		opts = append(opts, huh.NewOption("Another URL (type it and the files in)", ""))
		if d.fURL == "" {
			d.pick = names[0]
		} // else back from Another URL: keep it chosen
		d.form = d.newForm(huh.NewGroup(huh.NewSelect[string]().
			Title("Which connection?").Options(opts...).Value(&d.pick)))
		return d.form.Init()
	}
}

func (d *diagnoseScreen) newForm(groups ...*huh.Group) *huh.Form {
	return baseForm(d.c.Styles, d.w, groups...)
}

func optionalFile(check func(string) error) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return nil
		}
		return check(s)
	}
}

func (d *diagnoseScreen) showForm() tea.Cmd {
	d.stage = stageForm
	if d.fHdr == "" {
		d.fHdr = "x-api-key"
	}
	d.form = d.newForm(huh.NewGroup(
		huh.NewInput().Title("URL").Placeholder(d.c.Styles.Placeholder("https://api.example.com/status")).Value(&d.fURL).Validate(wizard.CheckURL).
			Description("With the path of a status endpoint, if the API has one."),
	), huh.NewGroup(
		huh.NewInput().Title("Client certificate (optional)").Value(&d.fCert).Validate(optionalFile(wizard.CheckCertFile)),
		huh.NewInput().Title("Private key (optional)").Value(&d.fKey).Validate(optionalFile(wizard.CheckKeyFile)),
		huh.NewInput().Title("CA bundle (optional; default: system roots)").Value(&d.fCA).Validate(optionalFile(checkCABundle)),
		huh.NewInput().Title("API key (optional; kept in memory only)").EchoMode(huh.EchoModePassword).Value(&d.fAPIKey),
		huh.NewInput().Title("API key header").Value(&d.fHdr),
	))
	return d.form.Init()
}

// optionalPath is a typed path with ~ expanded, or "".
func optionalPath(p string) string {
	if strings.TrimSpace(p) == "" {
		return ""
	}
	return usecase.ExpandPath(p)
}

func checkCABundle(path string) error {
	certs, err := keystore.ReadCertificates(usecase.ExpandPath(path))
	if err != nil {
		return err
	}
	if len(certs) == 0 {
		return errors.New("no certificates in this file")
	}
	return nil
}

// start runs the diagnosis in a goroutine that only sends on channels; the
// returned Cmd reads one event at a time and Update re-issues it.
func (d *diagnoseScreen) start() tea.Cmd {
	if d.cancel != nil {
		d.cancel()
	}
	// Ids are unique across screens: a run left with esc may still answer
	// after a new console opened.
	d.id = int(runIDs.Add(1))
	d.steps, d.running, d.report, d.err, d.status, d.scroll = nil, "", nil, nil, "", 0
	ctx, cancel := context.WithCancel(d.c.Ctx)
	d.cancel = cancel
	events := make(chan any, 16)
	done := make(chan diagDoneMsg, 1)
	deps, name, oneOff, id := d.c.Deps, d.profile, d.oneOff, d.id
	go func() {
		defer close(events)
		opts := oneOff
		var p *profile.Profile
		if name != "" {
			var err error
			if p, err = profile.Load(name); err == nil {
				if deps.ProfileOptions == nil {
					err = errors.New("profiles cannot be diagnosed in this build")
				} else {
					opts, err = deps.ProfileOptions(ctx, p)
				}
			}
			if err != nil {
				done <- diagDoneMsg{id: id, err: err}
				return
			}
		}
		if deps.Diagnose == nil {
			done <- diagDoneMsg{id: id, err: errors.New("diagnose is not available in this build")}
			return
		}
		select {
		case events <- opts.URL:
		case <-ctx.Done():
		}
		rep := deps.Diagnose(ctx, opts, func(ev diagnose.Event) {
			select {
			case events <- ev:
			case <-ctx.Done():
			}
		})
		if p != nil && rep != nil && ctx.Err() == nil {
			_ = usecase.SaveCheck(p, rep) // the last result is a convenience; the report is what matters
		}
		done <- diagDoneMsg{id: id, report: rep}
	}()
	return waitDiag(id, events, done)
}

// waitDiag reads the run's next event: the URL it checks (a string) or a
// diagnose.Event.
func waitDiag(id int, events <-chan any, done <-chan diagDoneMsg) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-events
		if !ok {
			return <-done
		}
		if u, isURL := ev.(string); isURL {
			return diagTargetMsg{id: id, url: u, next: waitDiag(id, events, done)}
		}
		return diagEventMsg{id: id, ev: ev.(diagnose.Event), next: waitDiag(id, events, done)}
	}
}

func (d *diagnoseScreen) SetSize(w, h int) {
	d.w, d.h = w, h
	if d.form != nil {
		d.form = d.form.WithWidth(min(w, 76))
	}
}

func (d *diagnoseScreen) Typing() bool { return d.stage == stageForm }

func (d *diagnoseScreen) Bindings() []key.Binding {
	k := d.c.Keys
	if d.stage != stageRun {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next")), k.Back}
	}
	if d.report == nil && d.err == nil {
		return []key.Binding{k.Back}
	}
	return append(d.ShortBindings()[:len(d.ShortBindings())-1], k.Details, k.Back)
}

// ShortBindings leave the TLS details to the full help (?) once a run has
// finished, so the help line fits 80 columns.
func (d *diagnoseScreen) ShortBindings() []key.Binding {
	k := d.c.Keys
	if d.stage != stageRun || (d.report == nil && d.err == nil) {
		return d.Bindings()
	}
	b := []key.Binding{k.Rerun}
	if _, ok := d.fix(); ok {
		b = append(b, k.Fix)
	}
	if d.profile != "" {
		b = append(b, k.Edit)
	}
	if d.report != nil {
		b = append(b, k.Save)
	}
	return append(b, k.Back)
}

// fix is what onramp can do about the cause found, for a profile.
func (d *diagnoseScreen) fix() (usecase.FixAction, bool) {
	if d.profile == "" || d.report == nil || d.report.Cause == nil {
		return usecase.FixAction{}, false
	}
	return usecase.FixFor(d.report.Cause.ID)
}

func (d *diagnoseScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case diagTargetMsg:
		if msg.id != d.id {
			return d, nil
		}
		d.url = msg.url
		return d, msg.next
	case diagEventMsg:
		if msg.id != d.id {
			return d, nil
		}
		switch msg.ev.Kind {
		case diagnose.StepStarted:
			d.running = msg.ev.Step.Name
		case diagnose.StepFinished:
			d.running = ""
			d.steps = append(d.steps, msg.ev.Step)
		}
		return d, msg.next
	case diagDoneMsg:
		if msg.id != d.id {
			return d, nil
		}
		d.running, d.report, d.err = "", msg.report, msg.err
		if msg.report != nil {
			d.steps = msg.report.Steps
			if msg.report.Target != "" {
				d.url = msg.report.Target
			}
		}
		return d, nil
	case reportSavedMsg:
		if msg.err != nil {
			d.status = "✗ Could not save the report: " + msg.err.Error()
		} else {
			d.status = "✓ Saved the redacted report to " + msg.path
		}
		return d, nil
	case spinner.TickMsg:
		var cmd tea.Cmd
		d.spinner, cmd = d.spinner.Update(msg)
		return d, cmd
	case tea.KeyPressMsg:
		if msg.String() == "esc" {
			return d, d.escape()
		}
		if d.stage == stageRun {
			return d, d.runKey(msg)
		}
	}
	if d.form != nil {
		var cmd tea.Cmd
		var done bool
		if d.form, cmd, done = updateForm(d.form, msg); done {
			return d, d.formDone()
		}
		return d, cmd
	}
	return d, nil
}

// escape goes back one step, keeping what was typed: from a one-off run
// to its form, from the form to the list of profiles, else to where the
// console was opened from.
func (d *diagnoseScreen) escape() tea.Cmd {
	if d.cancel != nil {
		d.cancel()
	}
	switch {
	case d.back != nil:
		return open(d.back)
	case d.stage == stageRun && d.profile == "" && d.oneOff.URL != "":
		d.target, d.report, d.err, d.steps, d.url = "", nil, nil, nil, ""
		return d.showForm()
	case d.stage == stageForm && len(d.profiles) > 0:
		d.stage, d.form = stagePick, nil
		return d.Init()
	}
	return goHome
}

func (d *diagnoseScreen) formDone() tea.Cmd {
	d.form = nil
	if d.stage == stagePick {
		if d.pick == "" {
			return d.showForm()
		}
		d.profile, d.target, d.stage = d.pick, "profile "+d.pick, stageRun
		return tea.Batch(d.start(), d.spinner.Tick)
	}
	d.oneOff = diagnose.Options{
		URL: strings.TrimSpace(d.fURL), CertFile: optionalPath(d.fCert), KeyFile: optionalPath(d.fKey),
		CACertFile: optionalPath(d.fCA), APIKey: d.fAPIKey, APIKeyHeader: strings.TrimSpace(d.fHdr),
		Timeout: 15 * time.Second,
	}
	d.fAPIKey = ""
	d.target = d.oneOff.URL
	d.stage = stageRun
	return tea.Batch(d.start(), d.spinner.Tick)
}

func (d *diagnoseScreen) runKey(msg tea.KeyPressMsg) tea.Cmd {
	k := d.c.Keys
	finished := d.report != nil || d.err != nil
	switch {
	case key.Matches(msg, k.Rerun) && finished:
		return d.start()
	case key.Matches(msg, k.Details):
		d.showTLS = !d.showTLS
		d.jumpToTLS = d.showTLS
		if !d.showTLS {
			d.scroll = 0
		}
	case key.Matches(msg, k.Save) && d.report != nil:
		return d.save()
	case key.Matches(msg, k.Edit) && d.profile != "" && finished:
		return open(newProfileScreen(d.c, d.profile, d.back))
	case key.Matches(msg, k.Fix) && finished:
		fix, ok := d.fix()
		if !ok {
			return nil
		}
		ps := newProfileScreen(d.c, d.profile, d.back)
		ps.then = fix.Setting
		if fix.Secret != "" {
			ps.then = "secret:" + fix.Secret
		}
		return open(ps)
	case key.Matches(msg, k.Down):
		d.scroll++
	case key.Matches(msg, k.Up):
		d.scroll = max(d.scroll-1, 0)
	}
	return nil
}

// save writes the redacted Markdown report in a Cmd (file IO).
func (d *diagnoseScreen) save() tea.Cmd {
	rep, deps := d.report, d.c.Deps
	name := "onramp-report-" + reportSlug(d.profile, rep.Target) + "-" + deps.now().UTC().Format("20060102-150405") + ".md"
	dir := deps.ReportDir
	if dir == "" {
		dir = "."
	}
	return func() tea.Msg {
		if deps.RenderMarkdown == nil {
			return reportSavedMsg{err: errors.New("reports are not available in this build")}
		}
		var buf bytes.Buffer
		deps.RenderMarkdown(&buf, rep, deps.Version)
		path, _ := filepath.Abs(filepath.Join(dir, name))
		err := keystore.WriteFileAtomic(path, buf.Bytes(), 0o600, false)
		return reportSavedMsg{path: path, err: err}
	}
}

func reportSlug(profileName, target string) string {
	if profileName != "" {
		return profileName
	}
	if u, err := url.Parse(target); err == nil && u.Hostname() != "" {
		return strings.ReplaceAll(u.Hostname(), ":", "_")
	}
	return "target"
}

func (d *diagnoseScreen) View() string {
	if d.stage != stageRun {
		if d.form == nil {
			return ""
		}
		form := strings.TrimRight(d.form.View(), "\n")
		intro := d.c.Styles.Why.Render(wrap("onramp runs each check in order (local files, DNS, TCP, TLS, HTTP) and names the cause of the first failure.", min(d.w, 78)))
		if lines := lineCount(intro) + 1 + 1 + lineCount(form) + 1; d.h > 0 && lines > d.h { // intro, a blank line, the form
			// On a short terminal the fields come first: every one stays
			// on the screen, the introduction gives way.
			return form
		}
		return intro + "\n\n" + form
	}
	body := d.runView()
	if d.jumpToTLS {
		// Just opened: bring the TLS details into view.
		d.jumpToTLS = false
		for i, l := range strings.Split(body, "\n") {
			if strings.Contains(l, "TLS details") && !strings.Contains(l, "t TLS") {
				d.scroll = i
			}
		}
	}
	foot := d.statusView()
	body = strings.TrimRight(body, "\n")
	return scrollView(d.c.Styles, body, d.h-lineCount(foot), &d.scroll, "↓/j") + foot
}

// statusView is the last action's outcome, kept below the scrolled part
// so it is always on screen.
// The verdict and the fix onramp can make stay there too.
func (d *diagnoseScreen) statusView() string {
	s := d.c.Styles
	width := min(d.w, 78)
	var out string
	switch r := d.report; {
	case r != nil && r.OK:
		msg := "✓ Connected: every check passed"
		if r.HTTPStatus != 0 {
			msg += fmt.Sprintf(" (HTTP %d)", r.HTTPStatus)
		}
		out += "\n" + s.Pass.Bold(true).Render(msg)
	case r != nil && r.Cause != nil:
		out += "\n" + s.Fail.Render(wrap("✗ "+r.Cause.Title+"  ["+string(r.Cause.ID)+"]", width))
	}
	if fix, ok := d.fix(); ok {
		out += "\n" + wrap("Press "+s.Label.Render("f")+" to "+fix.Label+", then r to run again.", width)
	}
	if d.status != "" {
		st := s.Pass
		if strings.HasPrefix(d.status, "✗") {
			st = s.Error
		}
		out += "\n" + st.Render(wrap(d.status, width))
	}
	if out == "" {
		return ""
	}
	return "\n" + out
}

func (d *diagnoseScreen) runView() string {
	s := d.c.Styles
	width := min(d.w, 78)
	var b strings.Builder
	if d.url != "" {
		b.WriteString(s.Muted.Render("URL ") + strings.ReplaceAll(wrap(d.url, width-4), "\n", "\n    ") + "\n\n")
	}
	spin := ""
	if d.running != "" || (d.report == nil && d.err == nil) {
		spin = s.Cursor.Render(d.spinner.View())
	}
	b.WriteString(renderSteps(s, d.steps, d.running, spin, width))
	switch {
	case d.err != nil:
		b.WriteString("\n" + s.Fail.Render("✗ Could not run the checks") + "\n" + wrap(d.err.Error(), width) + "\n")
	case d.report == nil && d.running == "" && len(d.steps) == 0:
		b.WriteString(spin + " Starting…\n")
	}
	if d.showTLS && d.report != nil {
		b.WriteString("\n" + renderTLS(s, d.report.TLS, d.c.Deps.now(), width))
	}
	return b.String()
}
