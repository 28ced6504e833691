package wizard

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func (r *run) csrPath() string  { return siblingOf(r.p.Key, ".csr") }
func (r *run) jwksPath() string { return siblingOf(r.p.Key, ".jwks.json") }

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func siblingOf(key, ext string) string {
	if key == "" {
		return ""
	}
	return strings.TrimSuffix(key, filepath.Ext(key)) + ext
}

// The send step: what to send the provider.
func (r *run) send() error {
	pr := r.currentProvider()
	var paths, files []string // the lines shown; the files they name
	copyText, copyLabel, copyFile := "", "", ""
	if r.uses(AuthMTLS) {
		if data, err := os.ReadFile(r.csrPath()); err == nil {
			paths, files = append(paths, "CSR:  "+r.csrPath()), append(files, r.csrPath())
			copyText, copyLabel, copyFile = string(data), "the CSR", r.csrPath()
		}
		// The other key pairs carry the TLS key's suffix (made again: -DATE).
		suffix := strings.TrimPrefix(strings.TrimSuffix(filepath.Base(r.p.Key), filepath.Ext(r.p.Key)), "client")
		for _, purpose := range pr.ExtraKeys {
			if csr := filepath.Join(filepath.Dir(r.p.Key), purpose+suffix+".csr"); fileExists(csr) {
				paths, files = append(paths, "CSR:  "+csr+" ("+purpose+")"), append(files, csr)
			}
		}
	}
	if r.uses(AuthSignedJWT) {
		if data, err := os.ReadFile(r.jwksPath()); err == nil {
			paths, files = append(paths, "JWKS: "+r.jwksPath()), append(files, r.jwksPath())
			if r.p.KID != "" {
				paths = append(paths, "kid:  "+r.p.KID+" (register the JWKS under this key id)")
			}
			if copyText == "" {
				copyText, copyLabel, copyFile = string(data), "the JWKS", r.jwksPath()
			}
		}
	}
	if len(files) > 1 {
		// Several files to send (the DCS's three CSRs): c copies every
		// path, one a line, for an email's attachments or a script; no
		// one file's text stands for them all.
		copyText, copyFile = strings.Join(files, "\n")+"\n", ""
		copyLabel = fmt.Sprintf("the paths of the %d files", len(files))
		if len(files) == len(paths) && !r.uses(AuthSignedJWT) {
			copyLabel = fmt.Sprintf("the paths of the %d CSRs", len(files))
		}
	}
	if len(paths) == 0 {
		return r.nothingToSend(pr)
	}
	// The template's commands name "<profile>": this run knows which.
	body := strings.Join(paths, "\n") + "\n\n" + strings.ReplaceAll(cmp.Or(pr.Send, pr.Instructions,
		"Send the file above to your provider's onboarding contact; they send back your certificate."), "<profile>", r.p.Name)
	if err := r.Prompter.Note(r.ctx, NotePrompt{
		Frame: r.frame("Send this to "+pr.Name,
			"The provider signs your certificate (or registers your public key) from this file; the private key stays here."),
		Body: body, Copy: copyText, CopyLabel: copyLabel, CopyFile: copyFile,
	}); err != nil {
		return err
	}
	return r.done(StepSend)
}

// nothingToSend: the user's own key has no CSR or JWKS next to it. The
// step still shows (and counts), saying what the provider needs, unless
// the key was set up in an earlier run: that run (or an older onramp,
// which left this step out for such a key) had its say.
func (r *run) nothingToSend(pr *Provider) error {
	if r.before[StepKeys] {
		return r.done(StepSend)
	}
	var what, looked []string
	if r.uses(AuthMTLS) {
		what = append(what, "a CSR made from your key")
		looked = append(looked, "  "+r.csrPath())
	}
	if r.uses(AuthSignedJWT) {
		what = append(what, "your public key as a JWKS")
		looked = append(looked, "  "+r.jwksPath())
	}
	body := "onramp looked for:\n" + strings.Join(looked, "\n") + "\n\nIf " + pr.Name +
		" already has it, go on. If not, make it from your key with the tool that made the key, and send it to them."
	if err := r.Prompter.Note(r.ctx, NotePrompt{
		Frame: r.frame("Nothing to send from here",
			pr.Name+" needs "+strings.Join(what, " and ")+"; onramp found none next to the key."),
		Body: body,
	}); err != nil {
		return err
	}
	return r.done(StepSend)
}
