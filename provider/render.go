package provider

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// WriteText tells a person what the template holds: its environments,
// authentication, keys, CSR subject, status and token endpoints, API key
// roles, what to send the provider and what is not settled.
func (t *Template) WriteText(w io.Writer) {
	fmt.Fprintf(w, "%s (%s)\n%s\n", t.Name, t.ID, t.Description)
	if t.Source != "" {
		fmt.Fprintf(w, "Source: %s\n", t.Source)
	}
	fmt.Fprintln(w, "\nEnvironments:")
	for _, e := range t.Environments {
		u := e.URL
		if u == "" {
			u = "(your URL, given with --url)"
		}
		fmt.Fprintf(w, "  %-14s %s", e.Name, u)
		if e.NoAuth {
			fmt.Fprint(w, "  (no authentication)")
		}
		fmt.Fprintln(w)
		if e.Notes != "" {
			fmt.Fprintf(w, "  %-14s %s\n", "", e.Notes)
		}
	}
	fmt.Fprintln(w, "\nAuthentication:")
	for _, a := range t.Auth {
		need := a.Need
		if need == NeedChoice {
			need = "one of these"
		}
		fmt.Fprintf(w, "  %-11s %s", a.Method, need)
		if a.Notes != "" {
			fmt.Fprintf(w, ": %s", a.Notes)
		}
		fmt.Fprintln(w)
	}
	if t.APIKeyHeader != "" {
		fmt.Fprintf(w, "  API key header: %s\n", t.APIKeyHeader)
	}
	if len(t.Keys) > 0 {
		fmt.Fprintln(w, "\nKeys:")
		for _, k := range t.Keys {
			fmt.Fprintf(w, "  %-11s %s", k.Purpose, k.String())
			if k.Hash != "" {
				fmt.Fprintf(w, ", %s", k.Hash)
			}
			if k.Notes != "" {
				fmt.Fprintf(w, ": %s", k.Notes)
			}
			fmt.Fprintln(w)
		}
	}
	if t.CSR != nil {
		fmt.Fprintf(w, "\nCSR subject: %s\n  %s\n", t.CSR.Subject, t.CSR.CNRule)
	}
	switch {
	case t.Status != nil && len(t.Status.Alternatives) > 0:
		fmt.Fprintln(w, "\nStatus endpoints (none is a documented health check; the first is the default):")
		for _, c := range t.Status.Checks() {
			fmt.Fprintf(w, "  %s %s: %s\n", orDash(c.Method), c.Path, c.Notes)
		}
	case t.Status != nil:
		fmt.Fprintf(w, "\nStatus endpoint: %s %s", orDash(t.Status.Method), t.Status.Path)
		if t.Status.ExpectJSON != "" {
			fmt.Fprintf(w, " -> %s", t.Status.ExpectJSON)
		}
		fmt.Fprintln(w)
	}
	if t.Token != nil {
		fmt.Fprintf(w, "Token endpoint: %s %s\n", orDash(t.Token.Method), t.Token.Path)
	}
	if len(t.Roles) > 0 {
		fmt.Fprintln(w, "\nAPI key roles:")
		for _, r := range t.Roles {
			fmt.Fprintf(w, "  %s: %s\n", r.Name, strings.Join(r.Patterns, " "))
		}
	}
	if t.CABundle != nil {
		need := "optional"
		if t.CABundle.Required {
			need = "required (--cacert)"
		}
		fmt.Fprintf(w, "\nCA bundle: %s", need)
		if t.CABundle.Notes != "" {
			fmt.Fprintf(w, ": %s", t.CABundle.Notes)
		}
		fmt.Fprintln(w)
	}
	if len(t.Answers) > 0 {
		fmt.Fprintln(w, "\nDocumented answers and what they mean:")
		for _, a := range t.Answers {
			body := a.Body
			if body == "" {
				body = "any body"
			}
			where := ""
			if a.Endpoint == EndpointToken {
				where = " (token endpoint)"
			}
			fmt.Fprintf(w, "  %v %s -> %s%s\n", a.Status, body, a.Cause, where)
		}
	}
	if len(t.CauseNotes) > 0 {
		fmt.Fprintln(w, "\nAdvice shown with these causes:")
		ids := slices.Sorted(maps.Keys(t.CauseNotes))
		for _, id := range ids {
			fmt.Fprintf(w, "  %s: %s\n", id, t.CauseNotes[id])
		}
	}
	fmt.Fprintf(w, "\nWhat to send and what comes back:\n%s", indent(t.Instructions, "  "))
	if len(t.Uncertain) > 0 {
		fmt.Fprintln(w, "\nNot settled by the public documentation (settings you can change):")
		for _, u := range t.Uncertain {
			fmt.Fprintf(w, "  - %s\n", u)
		}
	}
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
