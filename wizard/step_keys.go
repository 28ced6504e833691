package wizard

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"sync"

	"github.com/onramp-cli/onramp/provider"
	"github.com/onramp-cli/onramp/usecase"
)

// The keys step: generate a key (with its CSR or JWKS) or use one the user
// has.
func (r *run) keys() error {
	pr := r.currentProvider()
	how, err := r.Prompter.Select(r.ctx, SelectPrompt{
		Frame: r.frame("Your private key",
			"The key never leaves this machine: the provider only ever sees the CSR or public key made from it."),
		Options: []Option{
			{Value: "generate", Label: "Generate a new " + keyLabel(pr.Key) + " key and " + r.sendWhat()},
			{Value: "existing", Label: "Use a key file I already have"},
		},
		Default: "generate",
	})
	if err != nil {
		return err
	}
	if how == "existing" {
		path, err := r.Prompter.Input(r.ctx, InputPrompt{
			Frame: r.frame("Where is the private key file?",
				"onramp reads it only to check it matches the certificate and to sign; it is never copied or sent."),
			Placeholder: "/path/to/client.key",
			Validate:    CheckKeyFile,
		})
		if err != nil {
			return err
		}
		r.p.Key = usecase.ExpandPath(path)
		if r.uses(AuthSignedJWT) {
			if r.p.KID, err = r.askKID(pr); err != nil {
				return err
			}
		}
		return r.done(StepKeys)
	}

	req := KeyRequest{Name: "client", Spec: pr.Key, CSR: r.uses(AuthMTLS), JWKS: r.uses(AuthSignedJWT)}
	if r.p.Key != "" {
		// Done again (back, or "change" on resume): a key is never
		// overwritten, so the new one gets a name of its own.
		req.Name = "client-" + r.Now().UTC().Format("20060102-150405")
	}
	var extra map[string]string // the subject's values, for the extra key pairs
	if req.Dir, err = r.filesDir(); err != nil {
		return err
	}
	if req.CSR {
		why := "The provider puts these details in your certificate."
		if pr.SubjectRule != "" {
			why = pr.SubjectRule
		}
		subject, values, err := r.fillSubject(pr)
		if err != nil {
			return err
		}
		extra = values
		req.Subject, err = r.Prompter.Input(r.ctx, InputPrompt{
			Frame:   r.frame("Certificate subject for the CSR", why),
			Default: subject, Placeholder: "/C=GB/O=Your Organisation/CN=your-client-id",
			Validate: r.Keys.CheckSubject,
		})
		if err != nil {
			return err
		}
		req.Subject = strings.TrimSpace(req.Subject)
	}
	if req.JWKS {
		if req.KID, err = r.askKID(pr); err != nil {
			return err
		}
	}
	var files KeyFiles
	err = r.Prompter.Work(r.ctx, r.frame("Generating an "+keyLabel(pr.Key)+" key…", ""), func(ctx context.Context) error {
		var err error
		files, err = r.Keys.MakeKey(ctx, req)
		return err
	})
	if err != nil {
		return fmt.Errorf("generating the key: %w", err)
	}
	if req.CSR && len(pr.ExtraKeys) > 0 {
		if err := r.extraKeys(pr, req, extra); err != nil {
			return err
		}
	}
	r.p.Key = files.Key
	r.p.KID = req.KID
	return r.done(StepKeys)
}

// extraKeys makes the provider's other key pairs (GOV.UK DCS: JSON signing
// and encryption), each with its own CSR, next to the TLS key: NAME.key
// and NAME.csr with the purpose as NAME.
func (r *run) extraKeys(pr *Provider, req KeyRequest, values map[string]string) error {
	made := map[string]string{} // purpose -> key file
	err := r.Prompter.Work(r.ctx, r.frame("Generating the "+strings.Join(pr.ExtraKeys, " and ")+" key pairs…",
		pr.Name+" wants a key pair per purpose, each with its own CSR."), func(ctx context.Context) error {
		for _, purpose := range pr.ExtraKeys {
			vals := maps.Clone(values)
			vals["purpose"] = strings.ToUpper(purpose[:1]) + purpose[1:]
			x := req
			// Made again (back, or "change"), each gets the TLS key's new suffix.
			x.Name, x.JWKS, x.Subject = purpose+strings.TrimPrefix(req.Name, "client"), false, provider.Expand(pr.Subject, vals)
			files, err := r.Keys.MakeKey(ctx, x)
			if err != nil {
				return fmt.Errorf("generating the %s key: %w", purpose, err)
			}
			made[purpose] = files.Key
		}
		return nil
	})
	// The profile keeps the message key pairs too (profile set
	// signing_cert/encryption_cert when their certificates arrive).
	r.p.SigningKey = cmp.Or(made["signing"], r.p.SigningKey)
	r.p.EncryptionKey = cmp.Or(made["encryption"], r.p.EncryptionKey)
	return err
}

var placeholderRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{([a-z_]+)\}`) })

// subjectFields name the {placeholders} of the providers' subject
// templates, with a sentence of why and a default where one is known.
var subjectFields = map[string]struct{ title, why string }{
	"client_id":    {"Your client id", "The CN of your certificate; the provider registered your client under this name."},
	"organisation": {"Your organisation's name", "As the provider knows it; it goes into the subject (O, or the CN's first words)."},
	"state":        {"County or state (ST)", "Where your organisation is registered, as in its address."},
	"locality":     {"Town or city (L)", "Where your organisation is registered, as in its address."},
	"purpose":      {"What this key is for", "GOV.UK DCS names each key pair by purpose: TLS, Signing or Encryption."},
	"environment":  {"The environment, as the CN names it", "For example Integration or Production."},
	"date":         {"The date in the CN", "Today's date, so each renewal's certificate has its own name."},
}

// fillSubject asks for each {placeholder} of the provider's subject
// template in turn, one field a screen, and returns the subject with the
// answers filled in (the user still sees and may edit the whole subject).
func (r *run) fillSubject(pr *Provider) (string, map[string]string, error) {
	subject := pr.Subject
	seen := map[string]bool{}
	values := map[string]string{}
	for _, m := range placeholderRE().FindAllStringSubmatch(pr.Subject, -1) {
		name := m[1]
		if seen[name] {
			continue
		}
		seen[name] = true
		f, ok := subjectFields[name]
		if !ok {
			f.title, f.why = strings.ReplaceAll(name, "_", " "), "The provider's subject template asks for it."
		}
		if name == "client_id" && pr.SubjectRule != "" {
			f.why = pr.SubjectRule // the provider's own rule for the CN
		}
		def := ""
		switch name {
		case "date":
			def = r.Now().Format("2006-01-02")
		case "environment":
			if env := r.p.Environment; env != "" {
				def = strings.ToUpper(env[:1]) + env[1:]
			}
		case "purpose":
			def = "TLS"
		}
		v, err := r.Prompter.Input(r.ctx, InputPrompt{
			Frame:   r.frame(f.title, f.why),
			Default: def,
			Validate: func(s string) error {
				switch {
				case strings.TrimSpace(s) == "":
					return errors.New("this field is needed for the certificate subject")
				case strings.ContainsAny(s, "/=+"):
					return errors.New("leave out / = and +: they separate the subject's fields")
				}
				return nil
			},
		})
		if err != nil {
			return "", nil, err
		}
		values[name] = strings.TrimSpace(v)
		subject = strings.ReplaceAll(subject, m[0], values[name])
	}
	return subject, values, nil
}

// askKID asks for the key id the provider knows the public key by.
func (r *run) askKID(pr *Provider) (string, error) {
	kid, err := r.Prompter.Input(r.ctx, InputPrompt{
		Frame: r.frame("Key id (kid) for the JWKS",
			"Every signed JWT names its key by this id, and the provider looks the public key up by it; it must match what you register."),
		Default: cmp.Or(r.p.KID, pr.DefaultKID, "onramp-1"),
		Validate: func(s string) error {
			if strings.TrimSpace(s) == "" || strings.ContainsAny(s, " \t") {
				return errors.New("a kid is a short id without spaces, like test-1")
			}
			return nil
		},
	})
	return strings.TrimSpace(kid), err
}

func (r *run) sendWhat() string {
	switch {
	case r.uses(AuthMTLS) && r.uses(AuthSignedJWT):
		return "a CSR and JWKS"
	case r.uses(AuthSignedJWT):
		return "a JWKS"
	}
	return "a CSR"
}

func keyLabel(k KeySpec) string {
	switch k.Type {
	case "ecdsa":
		return "ECDSA " + cmp.Or(k.Curve, "P-256")
	case "ed25519":
		return "Ed25519"
	}
	bits := k.Bits
	if bits == 0 {
		bits = 2048
	}
	return fmt.Sprintf("RSA-%d", bits)
}
