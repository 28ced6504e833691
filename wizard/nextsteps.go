package wizard

import (
	"cmp"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
)

// finish shows what to run next.
func (r *run) finish() error {
	title := "You're connected"
	why := "Every check passed; the profile is ready for scripts and CI."
	if r.p.LastCheck == nil || !r.p.LastCheck.OK {
		title, why = "Set up, not yet connected", "Some steps are left; they are saved in the profile."
	}
	err := r.Prompter.Note(r.ctx, NotePrompt{
		Frame:  Frame{Step: "Done", Title: title, Why: why, NoBack: true},
		Body:   NextSteps(r.p),
		Report: r.lastReport,
	})
	if errors.Is(err, ErrBack) {
		return nil // all is done: nothing to go back to
	}
	return err
}

// NextSteps tells the user what to run next for a profile.
func NextSteps(p *profile.Profile) string {
	var b strings.Builder
	if _, stored := p.Secrets[provider.SecretAPIKey]; !stored && p.KeyFiles[provider.SecretAPIKey] == "" && slices.Contains(p.Auth, AuthAPIKey) {
		// The checks here used a key kept for this session only.
		fmt.Fprintf(&b, "The API key is not stored yet; until it is, the commands below cannot read it:\n  onramp secret set api-key --profile %s\n\n", p.Name)
	}
	if p.Provider == "sandbox" {
		// The practice API runs only while something runs it: the one the
		// TUI started stops when onramp quits.
		fmt.Fprintf(&b, "Check the connection while the sandbox runs (start it on its own with: onramp sandbox &):\n  onramp diagnose --profile %s\n\n", p.Name)
	} else {
		fmt.Fprintf(&b, "Check the connection any time:\n  onramp diagnose --profile %s\n\n", p.Name)
	}
	fmt.Fprintf(&b, "Call the API with curl:\n  %s", CurlCommand(p))
	for _, m := range []struct{ purpose, cert, key string }{
		{"signing", p.SigningCert, p.SigningKey}, {"encryption", p.EncryptionCert, p.EncryptionKey},
	} {
		if m.key != "" && m.cert == "" { // a message key pair whose certificate is still to come
			fmt.Fprintf(&b, "\n\nWhen the %s certificate arrives, add it to the profile:\n  onramp import --cert FILE --key %s --out %s --profile %s --purpose %s",
				m.purpose, ShellQuote(m.key), ShellQuote(filepath.Dir(m.key)), p.Name, m.purpose)
		}
	}
	return b.String()
}

// CurlCommand is a curl command line for the profile; secrets come from
// onramp at run time, never written out.
func CurlCommand(p *profile.Profile) string {
	parts := []string{"curl"}
	if p.Cert != "" {
		parts = append(parts, "--cert "+ShellQuote(p.Cert))
	}
	if p.Key != "" && p.Cert != "" {
		parts = append(parts, "--key "+ShellQuote(p.Key))
	}
	if p.CACert != "" {
		parts = append(parts, "--cacert "+ShellQuote(p.CACert))
	}
	for _, r := range p.Resolve {
		parts = append(parts, "--resolve "+r)
	}
	// Secrets reach curl on stdin, never its argv (see diagnose.CurlSecretHeaders).
	var secret []diagnose.SecretHeader
	if p.APIKeySecret != "" && slices.Contains(p.Auth, AuthAPIKey) {
		secret = append(secret, diagnose.SecretHeader{Name: cmp.Or(p.APIKeyHeader, "x-api-key"),
			Value: fmt.Sprintf(`"$(onramp secret get %s --profile %s)"`, p.APIKeySecret, p.Name)})
	}
	if p.BearerSecret != "" && slices.Contains(p.Auth, AuthBearerJWT) {
		secret = append(secret, diagnose.SecretHeader{Name: "Authorization",
			Value: fmt.Sprintf(`"Bearer $(onramp secret get %s --profile %s)"`, p.BearerSecret, p.Name)})
	}
	if slices.Contains(p.Auth, AuthSignedJWT) {
		secret = append(secret, diagnose.SecretHeader{Name: "Authorization",
			Value: fmt.Sprintf(`"Bearer $(onramp token --profile %s)"`, p.Name)})
	}
	if len(secret) > 0 {
		parts = append(parts, "-H @-")
	}
	target := p.URL
	if p.StatusPath != "" {
		target = joinURL(p.URL, p.StatusPath)
	}
	parts = append(parts, ShellQuote(target))
	cmd := strings.Join(parts, " \\\n    ")
	if len(secret) > 0 {
		cmd = diagnose.CurlSecretHeaders(secret) + cmd
	}
	return cmd
}

// ShellQuote leaves a plain word alone and single-quotes anything else, so
// a command shown on screen runs as shown when pasted into a shell.
func ShellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("/._-:=@%+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
