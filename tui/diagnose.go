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
	"github.com/charmbracelet/x/ansi"

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
	w, h      int
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
		d.pick = names[0]
		d.form = d.newForm(huh.NewGroup(huh.NewSelect[string]().
			Title("Which connection?").Options(opts...).Value(&d.pick)))
		return d.form.Init()
	}
}

func (d *diagnoseScreen) newForm(groups ...*huh.Group) *huh.Form {
	s := d.c.Styles
	theme := huh.ThemeFunc(func(bool) *huh.Styles {
		if !s.Color {
			return huh.ThemeBase(s.IsDark)
		}
		return huh.ThemeCharm(s.IsDark)
	})
	return huh.NewForm(groups...).WithShowHelp(false).WithTheme(theme).WithWidth(min(max(d.w, 40), 76))
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
	d.fHdr = "x-api-key"
	d.form = d.newForm(huh.NewGroup(
		huh.NewInput().Title("URL").Placeholder("https://api.example.com/status").Value(&d.fURL).Validate(wizard.CheckURL).
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

func checkCABundle(path string) error {
	certs, err := keystore.ReadCertificates(strings.TrimSpace(path))
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
	events := make(chan diagnose.Event, 16)
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

func waitDiag(id int, events <-chan diagnose.Event, done <-chan diagDoneMsg) tea.Cmd {
	return func() tea.Msg {
		if ev, ok := <-events; ok {
			return diagEventMsg{id: id, ev: ev, next: waitDiag(id, events, done)}
		}
		return <-done
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
	return []key.Binding{k.Rerun, k.Details, k.Save, k.Back}
}

func (d *diagnoseScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
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
			if d.cancel != nil {
				d.cancel()
			}
			return d, goHome
		}
		if d.stage == stageRun {
			return d, d.runKey(msg)
		}
	}
	if d.form != nil {
		m, cmd := d.form.Update(msg)
		if f, ok := m.(*huh.Form); ok {
			d.form = f
		}
		if d.form.State == huh.StateCompleted {
			return d, d.formDone()
		}
		return d, cmd
	}
	return d, nil
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
		URL: strings.TrimSpace(d.fURL), CertFile: strings.TrimSpace(d.fCert), KeyFile: strings.TrimSpace(d.fKey),
		CACertFile: strings.TrimSpace(d.fCA), APIKey: d.fAPIKey, APIKeyHeader: strings.TrimSpace(d.fHdr),
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
		intro := d.c.Styles.Why.Render(wrap("onramp runs each check in order (local files, DNS, TCP, TLS, HTTP) and names the cause of the first failure.", min(d.w, 78)))
		return intro + "\n\n" + d.form.View()
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
	return scrollView(d.c.Styles, body, d.h, &d.scroll, "↓/j")
}

func (d *diagnoseScreen) runView() string {
	s := d.c.Styles
	width := min(d.w, 78)
	var b strings.Builder
	spin := ""
	if d.running != "" || (d.report == nil && d.err == nil) {
		spin = s.Cursor.Render(d.spinner.View())
	}
	b.WriteString(renderSteps(s, d.steps, d.running, spin, width))
	switch {
	case d.err != nil:
		b.WriteString("\n" + s.Fail.Render("✗ Could not run the checks") + "\n" + wrap(d.err.Error(), width) + "\n")
	case d.report != nil && d.report.OK:
		msg := "✓ Connected: every check passed"
		if d.report.HTTPStatus != 0 {
			msg += fmt.Sprintf(" (HTTP %d)", d.report.HTTPStatus)
		}
		b.WriteString("\n" + s.Pass.Bold(true).Render(msg) + "\n")
	case d.report != nil && d.report.Cause != nil:
		b.WriteString("\n" + s.Fail.Render(wrap("✗ "+d.report.Cause.Title+"  ["+string(d.report.Cause.ID)+"]", width)) + "\n")
	case d.report == nil && d.running == "" && len(d.steps) == 0:
		b.WriteString(spin + " Starting…\n")
	}
	if d.showTLS && d.report != nil {
		b.WriteString("\n" + renderTLS(s, d.report.TLS, d.c.Deps.now(), width))
	}
	if d.status != "" {
		st := s.Pass
		if strings.HasPrefix(d.status, "✗") {
			st = s.Error
		}
		b.WriteString("\n" + st.Render(wrap(d.status, width)) + "\n")
	}
	return b.String()
}

var stepLabels = map[string]string{
	diagnose.StepLocal: "local files", diagnose.StepProxy: "proxy tunnel", diagnose.StepDNS: "DNS", diagnose.StepTCP: "TCP connect",
	diagnose.StepTLS: "TLS handshake", diagnose.StepToken: "OAuth token", diagnose.StepHTTP: "HTTP request",
	diagnose.StepExpect: "response",
}

func stepLabel(name string) string {
	if l, ok := stepLabels[name]; ok {
		return l
	}
	return name
}

// renderSteps draws the live step list: ✓ ✗ ! - with timings, the running
// step with the spinner, and a failed or warning step expanded to its
// cause's title, meaning and fix.
func renderSteps(s *Styles, steps []diagnose.Step, running, spin string, width int) string {
	var b strings.Builder
	indent := "      "
	for _, st := range steps {
		sym, style := "✓", s.Pass
		switch st.Status {
		case diagnose.Fail:
			sym, style = "✗", s.Fail
		case diagnose.Warn:
			sym, style = "!", s.Warn
		case diagnose.Skip:
			sym, style = "-", s.Skip
		}
		ms := fmt.Sprintf("%6.0f ms", st.MS)
		if st.Status == diagnose.Skip {
			ms = fmt.Sprintf("%9s", "skipped")
		}
		fmt.Fprintf(&b, "  %s %-14s %s\n", style.Render(sym), stepLabel(st.Name), s.Muted.Render(ms))
		if st.Cause != nil && (st.Status == diagnose.Fail || st.Status == diagnose.Warn) {
			b.WriteString(indent + style.Render(st.Cause.Title) + "\n")
			tw := width - len(indent)
			if st.Detail != "" {
				b.WriteString(indentLines(s.Muted.Render(wrap(st.Detail, tw)), indent) + "\n")
			}
			if st.Status == diagnose.Fail {
				if st.Cause.Meaning != "" {
					b.WriteString(indentLines(wrap(st.Cause.Meaning, tw), indent) + "\n")
				}
				b.WriteString(indentLines(hanging(s.Label.Render("Fix:"), st.Cause.Fix, tw), indent) + "\n")
			}
		}
		for _, n := range st.Notes {
			if n.Cause != nil {
				b.WriteString(indent + s.Warn.Render("! "+n.Cause.Title) + "\n")
			}
		}
	}
	if running != "" {
		fmt.Fprintf(&b, "  %s %-14s %s\n", spin, stepLabel(running), s.Muted.Render("…"))
	}
	return b.String()
}

// renderReport is a finished diagnosis in a note: one line of ✓ when every
// check passed, the full step list with the cause when one failed.
func renderReport(s *Styles, r *diagnose.Report, width int) string {
	if !r.OK {
		return renderSteps(s, r.Steps, "", "", width)
	}
	var parts []string
	for _, st := range r.Steps {
		sym := s.Pass.Render("✓")
		switch st.Status {
		case diagnose.Warn:
			sym = s.Warn.Render("!")
		case diagnose.Skip:
			continue
		}
		parts = append(parts, sym+" "+stepLabel(st.Name))
	}
	return joinWrapped(parts, " · ", width)
}

// joinWrapped joins items with sep, breaking lines only between items.
func joinWrapped(items []string, sep string, width int) string {
	var lines []string
	line := ""
	for _, it := range items {
		switch {
		case line == "":
			line = it
		case ansi.StringWidth(line+sep+it) <= width:
			line += sep + it
		default:
			lines = append(lines, line)
			line = it
		}
	}
	return strings.Join(append(lines, line), "\n")
}

func indentLines(s, indent string) string {
	return indent + strings.ReplaceAll(s, "\n", "\n"+indent)
}

// renderTLS shows what the handshake revealed: version, the server chain
// and the CAs the server accepts client certificates from.
func renderTLS(s *Styles, t *diagnose.TLSInfo, now time.Time, width int) string {
	var b strings.Builder
	b.WriteString(s.Title.Render("TLS details") + "\n")
	if t == nil {
		b.WriteString(s.Muted.Render("  No TLS handshake took place.") + "\n")
		return b.String()
	}
	if t.Version != "" {
		fmt.Fprintf(&b, "  %s %s  %s\n", s.Label.Render("Version:"), t.Version, s.Muted.Render(t.CipherSuite))
	}
	b.WriteString("  " + s.Label.Render("Server chain:") + "\n")
	if len(t.ServerChain) == 0 {
		b.WriteString(s.Muted.Render("    (none received)") + "\n")
	}
	for i, c := range t.ServerChain {
		days := int(c.NotAfter.Sub(now).Hours() / 24)
		fmt.Fprintf(&b, "    %d %s\n", i, truncate(c.Subject, width-6))
		fmt.Fprintf(&b, "      %s %s\n", s.Muted.Render("issuer"), truncate(c.Issuer, width-13))
		fmt.Fprintf(&b, "      %s %s (%d days left)\n", s.Muted.Render("until "), c.NotAfter.UTC().Format("2006-01-02"), days)
	}
	req := "no"
	if t.ClientCertRequested {
		req = "yes"
	}
	sent := "no"
	if t.ClientCertSent {
		sent = "yes"
	}
	fmt.Fprintf(&b, "  %s %s   %s %s\n", s.Label.Render("Client certificate requested:"), req, s.Label.Render("sent:"), sent)
	if t.ClientCertRequested {
		b.WriteString("  " + s.Label.Render("Acceptable client CAs:") + "\n")
		if len(t.AcceptableCAs) == 0 {
			b.WriteString(s.Muted.Render("    (any: the server named none)") + "\n")
		}
		for _, ca := range t.AcceptableCAs {
			b.WriteString("    " + truncate(ca, width-4) + "\n")
		}
	}
	return b.String()
}

func truncate(s string, n int) string {
	r := []rune(s)
	if n < 4 || len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
