package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/explain"
	"github.com/onramp-cli/onramp/provider"

	"github.com/spf13/cobra"

	"github.com/onramp-cli/onramp/iostreams"
)

type explainOptions struct {
	file string
	id   string
	list bool
	json bool
	// client (--client) says the fix in that client's words; profile and
	// provider add the provider's own notes (and the profile's client).
	client   string
	profile  string
	provider string
}

func newExplainCmd(fac *factory) *cobra.Command {
	io := fac.IO
	opts := &explainOptions{}
	cmd := &cobra.Command{
		Use:   "explain [TEXT | -]",
		Short: "Map an error message or a whole log to its cause and fix",
		Long: `explain reads error text (a curl line from a ticket, a Java stack trace, an
nginx error page, a whole log) and names the causes it recognises, most
likely first, with the fix and the line each came from.

The text comes from the arguments, from stdin ("-", or a pipe), or from a
file (--file). --id prints one cause from the catalog; --list shows them all.

A fix is said in your client's words (keytool for Java, verify= for Python,
ca/cert/key for Node, .NET, curl, Go) when the text shows which client
printed it, or with --client. --profile NAME (or --provider ID) adds the
provider's own advice, and the profile's client setting.`,
		Example: `  onramp explain 'curl: (60) SSL certificate problem: unable to get local issuer certificate'
  kubectl logs my-pod | onramp explain
  onramp explain --file app.log --json
  onramp explain --id client-cert-not-sent --client python
  onramp explain --profile hmpps-dev 'alert certificate expired'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExplain(cmd.Context(), io, opts, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.file, "file", "", "read the text from `LOG` (a file of any size)")
	f.StringVar(&opts.id, "id", "", "print the title, meaning and fix of cause `ID`")
	f.BoolVar(&opts.list, "list", false, "list every cause id with its title")
	f.BoolVar(&opts.json, "json", false, "machine-readable output on stdout")
	f.StringVar(&opts.client, "client", "", clientFlagUsage+" (default: the client whose words the text uses)")
	f.StringVar(&opts.profile, "profile", "", "add the advice of profile `NAME`'s provider, in its client's words")
	f.StringVar(&opts.provider, "provider", "", "add the advice of provider template `ID` (onramp profile providers)")
	return cmd
}

// clientFlagUsage is the help of every --client flag.
var clientFlagUsage = "say fixes also in `CLIENT`'s words: " + strings.Join(cause.Clients(), ", ")

// checkClientFlag checks a --client value.
func checkClientFlag(v string) (string, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	if v != "" && !slices.Contains(cause.Clients(), v) {
		return "", usageErrorf("--client %q: use one of %s", v, strings.Join(cause.Clients(), ", "))
	}
	return v, nil
}

// advice is what explain adds to each cause: the provider's notes from
// --profile or --provider, and the client of --client, else the one whose
// words the text uses (per match), else the profile's.
func (opts *explainOptions) advice() (func(textClient string) cause.Advice, error) {
	client, err := checkClientFlag(opts.client)
	if err != nil {
		return nil, err
	}
	if opts.profile != "" && opts.provider != "" {
		return nil, usageErrorf("give --profile or --provider, not both: a profile names its provider")
	}
	var t *provider.Template
	var profileClient string
	switch {
	case opts.profile != "":
		p, err := loadNamed(opts.profile)
		if err != nil {
			return nil, err
		}
		profileClient = p.Client
		if p.Provider != "" {
			if t, err = provider.Get(p.Provider); err != nil {
				return nil, failedErrorf("profile %s: %v", p.Name, err)
			}
		}
	case opts.provider != "":
		if t, err = provider.Get(opts.provider); err != nil {
			return nil, usageErrorf("--provider: %v", err)
		}
	}
	return func(textClient string) cause.Advice {
		return t.Advice(cmp.Or(client, textClient, profileClient))
	}, nil
}

func runExplain(ctx context.Context, io *iostreams.IO, opts *explainOptions, args []string) error {
	stdin := len(args) == 1 && args[0] == "-"
	switch {
	case opts.id != "" && (len(args) > 0 || opts.file != "" || opts.list):
		return usageErrorf("--id takes no text, --file or --list")
	case opts.list && (len(args) > 0 || opts.file != ""):
		return usageErrorf("--list takes no text or --file")
	case opts.file != "" && len(args) > 0:
		return usageErrorf("give the text either as arguments or with --file, not both")
	}
	advice, err := opts.advice()
	if err != nil {
		return err
	}
	if opts.id != "" {
		return explainID(io, opts.id, opts.json, advice(""))
	}
	if opts.list {
		return explainList(io, opts.json)
	}

	var matches []explain.Match
	switch {
	case opts.file != "":
		f, ferr := os.Open(opts.file)
		if ferr != nil {
			return usageErrorf("--file: %v", ferr)
		}
		defer f.Close()
		matches, err = explain.Read(ctxReader{ctx, f})
		if err != nil {
			return usageErrorf("--file %s: %v", opts.file, err)
		}
	case stdin || (len(args) == 0 && !io.IsStdinTTY()):
		matches, err = explain.Read(ctxReader{ctx, io.In})
		if err != nil {
			return usageErrorf("reading stdin: %v", err)
		}
	case len(args) == 0:
		return usageErrorf("give the error text as an argument, \"-\" to read stdin, or --file LOG\nRun 'onramp explain --help' for usage.")
	default:
		matches = explain.Text(strings.Join(args, " "))
	}

	for i := range matches {
		matches[i].Cause = advice(matches[i].Client).Apply(matches[i].Cause)
	}
	if opts.json {
		if err := writeExplainJSON(io.Out, matches); err != nil {
			return err
		}
		if len(matches) == 0 {
			return errDiagnosed
		}
		return nil
	}
	if len(matches) == 0 {
		return failedErrorf("not recognised: no known error message in the text.\n" +
			"To find the cause by testing the connection itself, run:\n" +
			"  onramp diagnose https://HOST/PATH --cert CERT --key KEY --cacert CA")
	}
	renderExplain(io, matches)
	return nil
}

// explainJSON is the --json shape of ../shared/CONTRACT.md.
type explainJSON struct {
	Matches []explainMatchJSON `json:"matches"`
	// Ambiguous: the text fits the first Candidates matches equally and
	// cannot tell them apart (a bare 401 through a client that hides the
	// answer); Hint says what would. Absent when matches[0] is the answer.
	Ambiguous  bool   `json:"ambiguous,omitempty"`
	Candidates int    `json:"candidates,omitempty"`
	Hint       string `json:"hint,omitempty"`
}

type explainMatchJSON struct {
	ID       cause.ID `json:"id"`
	Title    string   `json:"title"`
	Fix      string   `json:"fix"`
	Evidence string   `json:"evidence"`
	// Client is the user's program (--client, else the one whose words
	// named the cause) and ClientFix the fix in its terms; Provider and
	// ProviderNote the provider's own advice (--profile, --provider).
	Client       string `json:"client,omitempty"`
	ClientFix    string `json:"client_fix,omitempty"`
	Provider     string `json:"provider,omitempty"`
	ProviderNote string `json:"provider_note,omitempty"`
}

func writeExplainJSON(w io.Writer, matches []explain.Match) error {
	out := explainJSON{Matches: []explainMatchJSON{}}
	for _, m := range matches {
		c := m.Cause
		out.Matches = append(out.Matches, explainMatchJSON{ID: c.ID, Title: c.Title, Fix: c.Fix, Evidence: m.Evidence,
			Client: cmp.Or(c.Client, m.Client), ClientFix: c.ClientFix, Provider: c.Provider, ProviderNote: c.ProviderNote})
	}
	if n := len(explain.Candidates(matches)); n > 0 {
		out.Ambiguous, out.Candidates = true, n
	}
	out.Hint = explain.Disambiguate(matches)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// bold styles a cause's first line on a colour terminal.
func bold(io *iostreams.IO) func(string) string {
	if !io.ColorEnabled() {
		return nil
	}
	return func(s string) string { return "\x1b[1m" + s + "\x1b[0m" }
}

func renderExplain(io *iostreams.IO, matches []explain.Match) {
	w := io.Out
	best := matches[0]
	// A text that cannot tell its causes apart gets them all, each with its
	// fix, not a confident "Cause:" for the first.
	cands := explain.Candidates(matches)
	if len(cands) > 0 {
		fmt.Fprintf(w, "Could be one of (the text cannot tell them apart):\n")
		for i, m := range cands {
			if i > 0 {
				fmt.Fprintln(w)
			}
			cause.Fprint(w, m.Cause, cause.Show{Label: fmt.Sprintf("%d", i+1), Indent: "  ", Head: bold(io)})
		}
	} else {
		cause.Fprint(w, best.Cause, cause.Show{Label: "Cause", Head: bold(io)})
	}
	fmt.Fprintf(w, "  Evidence (%s): %s\n", lineCount(best), best.Evidence)
	if rest := matches[max(1, len(cands)):]; len(rest) > 0 {
		fmt.Fprintf(w, "\nAlso recognised:\n")
		for _, m := range rest {
			fmt.Fprintf(w, "  %s  %s (%s)\n      %s\n", m.Cause.ID, m.Cause.Title, lineCount(m), m.Evidence)
		}
		fmt.Fprintf(w, "For the fix of any of them: onramp explain --id ID\n")
	}
	if hint := explain.Disambiguate(matches); hint != "" {
		fmt.Fprintf(w, "\nWhich one? %s\n", hint)
	}
}

func lineCount(m explain.Match) string {
	if m.Count > 1 {
		if m.Count == 2 {
			return fmt.Sprintf("line %d, and 1 more line", m.Line)
		}
		return fmt.Sprintf("line %d, and %d more lines", m.Line, m.Count-1)
	}
	return fmt.Sprintf("line %d", m.Line)
}

func explainID(io *iostreams.IO, id string, asJSON bool, advice cause.Advice) error {
	found, ok := cause.Lookup(cause.ID(id))
	if !ok {
		return usageErrorf("unknown cause id %q; 'onramp explain --list' shows every id", id)
	}
	c := advice.Apply(&found)
	if asJSON {
		enc := json.NewEncoder(io.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(c)
	}
	cause.Fprint(io.Out, c, cause.Show{Head: bold(io)})
	if c.Source != "" {
		fmt.Fprintf(io.Out, "  Source: %s\n", c.Source)
	}
	return nil
}

func explainList(io *iostreams.IO, asJSON bool) error {
	causes := cause.All()
	if asJSON {
		enc := json.NewEncoder(io.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(causes)
	}
	width := 0
	for _, c := range causes {
		width = max(width, len(c.ID))
	}
	for _, c := range causes {
		fmt.Fprintf(io.Out, "%-*s  %s\n", width, c.ID, c.Title)
	}
	return nil
}

// ctxReader stops a long read (a log of gigabytes, an endless pipe) when
// ctx ends: Ctrl+C, SIGTERM.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
