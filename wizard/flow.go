package wizard

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
)

// Step ids, as saved in profile.Profile.Wizard.
const (
	StepTarget  = "target"
	StepAuth    = "auth"
	StepKeys    = "keys"
	StepSend    = "send"
	StepSecrets = "secrets"
	StepCert    = "certificate"
	StepCheck   = "check"
)

var stepTitles = map[string]string{
	StepTarget:  "Provider",
	StepAuth:    "Authentication",
	StepKeys:    "Keys",
	StepSend:    "Send to the provider",
	StepSecrets: "API key",
	StepCert:    "Certificate",
	StepCheck:   "Checks",
}

// Flow is one run of the onboarding wizard.
type Flow struct {
	Prompter  Prompter
	Providers []Provider
	Keys      KeyMaker
	Certs     CertImporter
	Secrets   SecretStore
	Checker   Checker
	// Issuer is nil when no sandbox can sign CSRs.
	Issuer Issuer
	Now    func() time.Time
}

// Result says how the flow ended.
type Result struct {
	Profile *profile.Profile
	// Paused is true when the user stopped to wait (for a certificate); the
	// profile resumes at the first unfinished step.
	Paused bool
	// Connected is true when the final checks passed.
	Connected bool
}

// run holds one flow's working state.
type run struct {
	*Flow
	ctx      context.Context
	p        *profile.Profile
	provider *Provider
	resumed  bool
	// lastReport is this run's passing diagnosis, shown at the finish.
	lastReport *diagnose.Report
}

// Run walks the steps. With name set and a saved profile of that name, it
// resumes at the first unfinished step; otherwise it starts afresh (and
// uses name as the profile name when given). The profile is saved after
// every step, so a cancelled run loses at most the step in progress.
func (f *Flow) Run(ctx context.Context, name string) (*Result, error) {
	if f.Now == nil {
		f.Now = time.Now
	}
	r := &run{Flow: f, ctx: ctx}
	if name != "" {
		if err := profile.ValidateName(name); err != nil {
			return nil, err
		}
		p, err := profile.Load(name)
		switch {
		case err == nil:
			r.p, r.resumed = p, true
			r.provider = f.provider(p.Provider)
		case errors.Is(err, profile.ErrNotFound):
			r.p = &profile.Profile{Name: name}
		default:
			return nil, err
		}
	}
	if r.p == nil {
		r.p = &profile.Profile{}
	}
	if r.p.Wizard == nil {
		r.p.Wizard = map[string]bool{}
	}

	for {
		step := r.next()
		if step == "" {
			break
		}
		var err error
		switch step {
		case StepTarget:
			err = r.target()
		case StepAuth:
			err = r.auth()
		case StepKeys:
			err = r.keys()
		case StepSend:
			err = r.send()
		case StepSecrets:
			err = r.secrets()
		case StepCert:
			err = r.certificate()
		case StepCheck:
			err = r.check()
		}
		if errors.Is(err, errPaused) {
			return &Result{Profile: r.p, Paused: true}, nil
		}
		if err != nil {
			return &Result{Profile: r.p}, err
		}
	}
	return &Result{Profile: r.p, Connected: r.p.LastCheck != nil && r.p.LastCheck.OK}, r.finish()
}

// errPaused ends the flow early on the user's wish, to come back later.
var errPaused = errors.New("paused")

func (f *Flow) provider(id string) *Provider {
	for i := range f.Providers {
		if f.Providers[i].ID == id {
			return &f.Providers[i]
		}
	}
	return nil
}

// steps lists the steps that apply to this profile, in order.
func (r *run) steps() []string {
	s := []string{StepTarget, StepAuth}
	if r.uses(AuthMTLS) || r.uses(AuthSignedJWT) {
		s = append(s, StepKeys)
		if r.hasCSRorJWKS() || !r.p.Wizard[StepKeys] {
			s = append(s, StepSend)
		}
	}
	if r.uses(AuthAPIKey) || r.uses(AuthSignedJWT) {
		// A signed JWT's iss and sub are the API key (NHS API Management).
		s = append(s, StepSecrets)
	}
	if r.uses(AuthMTLS) {
		s = append(s, StepCert)
	}
	return append(s, StepCheck)
}

func (r *run) next() string {
	for _, s := range r.steps() {
		if !r.p.Wizard[s] && !r.skipped(s) {
			return s
		}
	}
	return ""
}

func (r *run) skipped(step string) bool {
	return r.p.Wizard["skip:"+step]
}

func (r *run) uses(method string) bool {
	auth := r.p.Auth
	if len(auth) == 0 && r.provider != nil && len(r.provider.AuthChoices) > 0 {
		auth = r.provider.AuthChoices[0] // until the user picks
	}
	for _, a := range auth {
		if a == method {
			return true
		}
	}
	return false
}

func (r *run) frame(step, title, why string) Frame {
	steps := r.steps()
	n := 1
	for i, s := range steps {
		if s == step {
			n = i + 1
		}
	}
	if len(r.p.Auth) == 0 && r.provider == nil {
		// The total depends on the provider's auth, not known yet.
		return Frame{Step: fmt.Sprintf("Step %d · %s", n, stepTitles[step]), Title: title, Why: why}
	}
	return Frame{Step: fmt.Sprintf("Step %d of %d · %s", n, len(steps), stepTitles[step]), Title: title, Why: why}
}

// done marks a step finished and saves the profile.
func (r *run) done(step string) error {
	r.p.Wizard[step] = true
	return r.save()
}

func (r *run) save() error {
	// Skip marks live only for this run; they are not progress.
	saved := r.p.Wizard
	r.p.Wizard = map[string]bool{}
	for k, v := range saved {
		if !strings.HasPrefix(k, "skip:") {
			r.p.Wizard[k] = v
		}
	}
	err := profile.Save(r.p)
	r.p.Wizard = saved
	if err != nil {
		return fmt.Errorf("saving profile %s: %w", r.p.Name, err)
	}
	return nil
}

func (r *run) skip(step string) { r.p.Wizard["skip:"+step] = true }

// filesDir is where this profile's keys and certificates live.
func (r *run) filesDir() (string, error) {
	dir, err := profile.Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "keys", r.p.Name), nil
}

// Step 1: provider, environment and profile name.
func (r *run) target() error {
	opts := make([]Option, 0, len(r.Providers))
	for _, pr := range r.Providers {
		opts = append(opts, Option{Value: pr.ID, Label: pr.Name})
	}
	def := ""
	if r.provider != nil {
		def = r.provider.ID
	}
	id, err := r.Prompter.Select(r.ctx, SelectPrompt{
		Frame: r.frame(StepTarget, "Which API are you connecting to?",
			"onramp fills in the hosts, headers and key rules that provider publishes, so you do not have to look them up."),
		Options: opts, Default: def,
	})
	if err != nil {
		return err
	}
	pr := r.provider
	if pr == nil || pr.ID != id {
		pr = r.Flow.provider(id)
	}
	if pr == nil {
		return fmt.Errorf("unknown provider %q", id)
	}
	r.provider = pr

	env := Environment{}
	if len(pr.Environments) == 1 {
		env = pr.Environments[0]
	} else if len(pr.Environments) > 1 {
		var eopts []Option
		for _, e := range pr.Environments {
			label := e.Name
			if e.URL != "" {
				label += " — " + e.URL
			}
			eopts = append(eopts, Option{Value: e.Name, Label: label})
		}
		name, err := r.Prompter.Select(r.ctx, SelectPrompt{
			Frame: r.frame(StepTarget, "Which "+pr.Name+" environment?",
				"Each environment has its own host and its own certificates: start with a test environment."),
			Options: eopts, Default: pr.Environments[0].Name,
		})
		if err != nil {
			return err
		}
		for _, e := range pr.Environments {
			if e.Name == name {
				env = e
			}
		}
	}
	u := env.URL
	if pr.AskURL || u == "" {
		u, err = r.Prompter.Input(r.ctx, InputPrompt{
			Frame: r.frame(StepTarget, "What is the API's URL?",
				"The checks connect to this address; include the port if it is not 443."),
			Placeholder: "https://api.example.com/status", Default: env.URL,
			Validate: CheckURL,
		})
		if err != nil {
			return err
		}
		u = strings.TrimSpace(u)
	}

	if r.p.Name == "" {
		name, err := r.Prompter.Input(r.ctx, InputPrompt{
			Frame: r.frame(StepTarget, "Name this connection",
				"The profile keeps paths and settings under this name (secrets go to the OS keyring); other commands take it as --profile."),
			Default:  suggestName(pr, env),
			Validate: checkNewProfileName,
		})
		if err != nil {
			return err
		}
		r.p.Name = strings.TrimSpace(name)
	}

	r.p.Provider = pr.ID
	r.p.Environment = env.Name
	r.p.URL = u
	r.p.APIKeyHeader = pr.APIKeyHeader
	r.p.StatusPath = pr.StatusPath
	r.p.ExpectJSON = pr.ExpectJSON
	if pr.TokenPath != "" {
		r.p.TokenURL = joinURL(u, pr.TokenPath)
	}
	return r.done(StepTarget)
}

func suggestName(pr *Provider, env Environment) string {
	name := pr.ID
	if pr.Sandbox {
		// "sandbox" is the sandbox's own ready profile.
		name = "practice"
	}
	if env.Name != "" && len(pr.Environments) > 1 {
		name += "-" + strings.ToLower(strings.Fields(env.Name)[0])
	}
	return name
}

func checkNewProfileName(name string) error {
	name = strings.TrimSpace(name)
	if err := profile.ValidateName(name); err != nil {
		return err
	}
	if _, err := profile.Load(name); err == nil {
		return fmt.Errorf("a profile %q exists: pick another name, or resume it with `onramp init --profile %s`", name, name)
	}
	return nil
}

// CheckURL accepts an https URL with a host.
func CheckURL(s string) error {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" {
		return errors.New("enter a full URL, like https://api.example.com/status")
	}
	if u.Scheme != "https" {
		return errors.New("the URL must start with https:// (mutual TLS and API keys need TLS)")
	}
	return nil
}

func joinURL(base, path string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base + path
	}
	u.Path = path
	u.RawQuery = ""
	return u.String()
}

// Step 2: authentication.
func (r *run) auth() error {
	pr := r.provider
	if pr == nil {
		pr = r.Flow.provider(r.p.Provider)
		r.provider = pr
	}
	if pr == nil || len(pr.AuthChoices) == 0 {
		return fmt.Errorf("profile %s names provider %q, which onramp does not know", r.p.Name, r.p.Provider)
	}
	choice := pr.AuthChoices[0]
	if len(pr.AuthChoices) > 1 {
		var opts []Option
		for _, c := range pr.AuthChoices {
			opts = append(opts, Option{Value: strings.Join(c, "+"), Label: authLabel(c)})
		}
		why := pr.AuthWhy
		if why == "" {
			why = pr.Name + " accepts more than one way to authenticate; pick the one your onboarding email names."
		}
		v, err := r.Prompter.Select(r.ctx, SelectPrompt{
			Frame:   r.frame(StepAuth, "How will you authenticate to "+pr.Name+"?", why),
			Options: opts, Default: opts[0].Value,
		})
		if err != nil {
			return err
		}
		choice = strings.Split(v, "+")
	}
	r.p.Auth = choice
	return r.done(StepAuth)
}

func authLabel(methods []string) string {
	names := map[string]string{AuthMTLS: "mutual TLS (client certificate)", AuthAPIKey: "API key", AuthSignedJWT: "signed JWT (OAuth client credentials)"}
	var parts []string
	for _, m := range methods {
		parts = append(parts, names[m])
	}
	return strings.Join(parts, " + ")
}

// Step 3: keys.
func (r *run) keys() error {
	pr := r.currentProvider()
	how, err := r.Prompter.Select(r.ctx, SelectPrompt{
		Frame: r.frame(StepKeys, "Your private key",
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
			Frame: r.frame(StepKeys, "Where is the private key file?",
				"onramp reads it only to check it matches the certificate and to sign; it is never copied or sent."),
			Placeholder: "/path/to/client.key",
			Validate:    CheckKeyFile,
		})
		if err != nil {
			return err
		}
		r.p.Key = absPath(path)
		if r.uses(AuthSignedJWT) {
			if r.p.KID, err = r.askKID(pr); err != nil {
				return err
			}
		}
		return r.done(StepKeys)
	}

	req := KeyRequest{Name: "client", Spec: pr.Key, CSR: r.uses(AuthMTLS), JWKS: r.uses(AuthSignedJWT)}
	if req.Dir, err = r.filesDir(); err != nil {
		return err
	}
	if req.CSR {
		why := "The provider puts these details in your certificate."
		if pr.SubjectRule != "" {
			why = pr.SubjectRule
		}
		subject, err := r.fillSubject(pr)
		if err != nil {
			return err
		}
		req.Subject, err = r.Prompter.Input(r.ctx, InputPrompt{
			Frame:   r.frame(StepKeys, "Certificate subject for the CSR", why),
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
	err = r.Prompter.Work(r.ctx, "Generating an "+keyLabel(pr.Key)+" key…", func(ctx context.Context) error {
		var err error
		files, err = r.Keys.MakeKey(ctx, req)
		return err
	})
	if err != nil {
		return fmt.Errorf("generating the key: %w", err)
	}
	r.p.Key = files.Key
	r.p.KID = req.KID
	return r.done(StepKeys)
}

var placeholderRE = regexp.MustCompile(`\{([a-z_]+)\}`)

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
func (r *run) fillSubject(pr *Provider) (string, error) {
	subject := pr.Subject
	seen := map[string]bool{}
	for _, m := range placeholderRE.FindAllStringSubmatch(pr.Subject, -1) {
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
			Frame:   r.frame(StepKeys, f.title, f.why),
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
			return "", err
		}
		subject = strings.ReplaceAll(subject, m[0], strings.TrimSpace(v))
	}
	return subject, nil
}

// askKID asks for the key id the provider knows the public key by.
func (r *run) askKID(pr *Provider) (string, error) {
	kid, err := r.Prompter.Input(r.ctx, InputPrompt{
		Frame: r.frame(StepKeys, "Key id (kid) for the JWKS",
			"Every signed JWT names its key by this id, and the provider looks the public key up by it; it must match what you register."),
		Default: cmpOr(r.p.KID, pr.DefaultKID, "onramp-1"),
		Validate: func(s string) error {
			if strings.TrimSpace(s) == "" || strings.ContainsAny(s, " \t") {
				return errors.New("a kid is a short id without spaces, like test-1")
			}
			return nil
		},
	})
	return strings.TrimSpace(kid), err
}

func (r *run) currentProvider() *Provider {
	if r.provider == nil {
		r.provider = r.Flow.provider(r.p.Provider)
	}
	if r.provider == nil {
		return &Provider{ID: r.p.Provider, Name: r.p.Provider, Key: KeySpec{Type: "rsa", Bits: 2048}}
	}
	return r.provider
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
		return "ECDSA " + cmpOr(k.Curve, "P-256")
	case "ed25519":
		return "Ed25519"
	}
	bits := k.Bits
	if bits == 0 {
		bits = 2048
	}
	return fmt.Sprintf("RSA-%d", bits)
}

func cmpOr(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func absPath(p string) string {
	p = strings.TrimSpace(p)
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, p[2:])
		}
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// CheckKeyFile accepts a readable private key file (encrypted or not).
func CheckKeyFile(path string) error {
	return checkKind(path, "a private key", keystore.KindPrivateKey, keystore.KindEncryptedPrivateKey)
}

// CheckCertFile accepts a readable certificate or chain file.
func CheckCertFile(path string) error {
	return checkKind(path, "a certificate", keystore.KindCertificate, keystore.KindCertificateChain)
}

func checkKind(path, want string, kinds ...keystore.Kind) error {
	path = strings.TrimSpace(path)
	if path == "" {
		return errors.New("enter a file path")
	}
	data, err := keystore.ReadFile(absPath(path))
	if err != nil {
		return err
	}
	k := keystore.Sniff(data)
	for _, ok := range kinds {
		if k == ok {
			return nil
		}
	}
	return fmt.Errorf("this file holds %s, not %s", article(k), want)
}

func article(k keystore.Kind) string {
	switch k {
	case keystore.KindUnknown:
		return "nothing onramp recognises"
	case keystore.KindCSR:
		return "a CSR (the request, not the issued certificate)"
	case keystore.KindPrivateKey, keystore.KindEncryptedPrivateKey:
		return "a private key"
	}
	return "a " + strings.ReplaceAll(string(k), "-", " ")
}

func (r *run) csrPath() string  { return siblingOf(r.p.Key, ".csr") }
func (r *run) jwksPath() string { return siblingOf(r.p.Key, ".jwks.json") }

func siblingOf(key, ext string) string {
	if key == "" {
		return ""
	}
	return strings.TrimSuffix(key, filepath.Ext(key)) + ext
}

func (r *run) hasCSRorJWKS() bool {
	for _, p := range []string{r.csrPath(), r.jwksPath()} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return true
		}
	}
	return false
}

// Step 4: what to send the provider.
func (r *run) send() error {
	pr := r.currentProvider()
	var paths []string
	copyText, copyLabel := "", ""
	if r.uses(AuthMTLS) {
		if data, err := os.ReadFile(r.csrPath()); err == nil {
			paths = append(paths, "CSR:  "+r.csrPath())
			copyText, copyLabel = string(data), "the CSR"
		}
	}
	if r.uses(AuthSignedJWT) {
		if data, err := os.ReadFile(r.jwksPath()); err == nil {
			paths = append(paths, "JWKS: "+r.jwksPath())
			if r.p.KID != "" {
				paths = append(paths, "kid:  "+r.p.KID+" (register the JWKS under this key id)")
			}
			if copyText == "" {
				copyText, copyLabel = string(data), "the JWKS"
			}
		}
	}
	if len(paths) == 0 {
		// An existing key without a CSR or JWKS next to it: nothing to send
		// from here.
		return r.done(StepSend)
	}
	body := strings.Join(paths, "\n") + "\n\n" + cmpOr(pr.Instructions,
		"Send the file above to your provider's onboarding contact; they send back your certificate.")
	if err := r.Prompter.Note(r.ctx, NotePrompt{
		Frame: r.frame(StepSend, "Send this to "+pr.Name,
			"The provider signs your certificate (or registers your public key) from this file; the private key stays here."),
		Body: body, Copy: copyText, CopyLabel: copyLabel,
	}); err != nil {
		return err
	}
	return r.done(StepSend)
}

// Step 5: the API key.
func (r *run) secrets() error {
	pr := r.currentProvider()
	header := cmpOr(r.p.APIKeyHeader, pr.APIKeyHeader, "x-api-key")
	for {
		why := "It goes to the OS keyring, never to a file or your shell history; onramp sends it in the " + header + " header."
		if !r.uses(AuthAPIKey) {
			why = "It goes to the OS keyring, never to a file or your shell history; onramp signs it into each token request as the JWT's iss and sub."
		}
		if pr.APIKeyHint != "" {
			why += " " + pr.APIKeyHint
		}
		key, err := r.Prompter.Password(r.ctx, InputPrompt{
			Frame:       r.frame(StepSecrets, "Paste your API key", why),
			Placeholder: "not issued yet? leave it empty and press enter",
			Validate: func(s string) error {
				if s == "" {
					return nil // skip for now
				}
				return CheckAPIKey(s)
			},
		})
		if err != nil {
			return err
		}
		if key == "" {
			// Not issued yet (HMPPS sends it with the certificate): the
			// step stays unfinished, so resuming asks again.
			r.skip(StepSecrets)
			return r.save()
		}
		if LooksBase64Text(key) {
			ok, err := r.Prompter.Confirm(r.ctx, ConfirmPrompt{
				Frame: r.frame(StepSecrets, "This key looks Base64-encoded",
					cause.Get(cause.APIKeyBase64Encoded).Meaning),
				Affirmative: "Store it as it is", Negative: "Paste it again", Default: false,
			})
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
		}
		err = r.Prompter.Work(r.ctx, "Storing the key in the OS keyring…", func(context.Context) error {
			return r.Secrets.Set(r.p.Name, "api-key", key)
		})
		if err != nil {
			if err := r.keyringFailed(err); err != nil {
				return err
			}
			// Continue without storing: the step stays unfinished, so the
			// next `onramp init --profile NAME` asks again.
			r.skip(StepSecrets)
			return r.save()
		}
		if r.p.Secrets == nil {
			r.p.Secrets = map[string]time.Time{}
		}
		r.p.Secrets["api-key"] = r.Now().UTC().Truncate(time.Second)
		r.p.APIKeySecret = "api-key"
		r.p.APIKeyHeader = header
		return r.done(StepSecrets)
	}
}

func (r *run) keyringFailed(err error) error {
	c, ok := cause.Of(err)
	if !ok {
		c = cause.Get(cause.KeyringUnavailable)
	}
	body := c.Meaning + "\n\n" + c.Fix + "\n\nonramp goes on without storing the key. Once the keyring works, store it with:\n  onramp secret set api-key --profile " + r.p.Name
	return r.Prompter.Note(r.ctx, NotePrompt{
		Frame: r.frame(StepSecrets, c.Title, "A key that is not stored has to be given each time (e.g. --api-key-env)."),
		Body:  body,
	})
}

// CheckAPIKey rejects an empty key or one with whitespace in it (a stray
// newline from copying is the usual cause of a 403); the same shape check
// as `onramp secret set` and diagnose.
func CheckAPIKey(s string) error {
	if s == "" {
		return errors.New("paste the key the provider issued")
	}
	if slices.Contains(keystore.APIKeyShape(s), cause.APIKeyWhitespace) {
		return errors.New("the key has a space or line break in it: paste it exactly as issued")
	}
	return nil
}

// LooksBase64Text says whether the key looks like a Base64 encoding of a
// text key (HMPPS refuses those).
func LooksBase64Text(s string) bool {
	return slices.Contains(keystore.APIKeyShape(s), cause.APIKeyBase64Encoded)
}

// Step 6: the certificate.
func (r *run) certificate() error {
	pr := r.currentProvider()
	for {
		opts := []Option{}
		if pr.Sandbox && r.Issuer != nil {
			opts = append(opts, Option{Value: "sandbox", Label: "Have the sandbox issue my certificate now"})
		}
		opts = append(opts,
			Option{Value: "file", Label: "The certificate has arrived: import the file"},
			Option{Value: "later", Label: "Not yet: stop here and resume later"})
		how, err := r.Prompter.Select(r.ctx, SelectPrompt{
			Frame: r.frame(StepCert, "Your client certificate",
				"The provider's answer to your CSR; onramp checks it matches your key and allows client authentication before using it."),
			Options: opts, Default: opts[0].Value,
		})
		if err != nil {
			return err
		}
		var certFile, caFile string
		switch how {
		case "later":
			return r.pause()
		case "sandbox":
			certFile, caFile, err = r.issueFromSandbox()
			if err != nil {
				if err := r.showError("The sandbox could not issue the certificate", err); err != nil {
					return err
				}
				continue
			}
		case "file":
			certFile, err = r.Prompter.Input(r.ctx, InputPrompt{
				Frame: r.frame(StepCert, "Where is the certificate file?",
					"The file the provider sent back (PEM, BEGIN CERTIFICATE), with any intermediates after it."),
				Placeholder: "/path/to/client.crt",
				Validate:    CheckCertFile,
			})
			if err != nil {
				return err
			}
			certFile = absPath(certFile)
		}
		dir, err := r.filesDir()
		if err != nil {
			return err
		}
		var imported string
		var findings []diagnose.Finding
		err = r.Prompter.Work(r.ctx, "Checking the certificate against your key…", func(ctx context.Context) error {
			var err error
			// caFile is the server's CA (the profile's cacert), not the client
			// certificate's issuer, so the import does not check against it.
			imported, findings, err = r.Certs.Import(ctx, ImportRequest{CertFile: certFile, KeyFile: r.p.Key, Dir: dir})
			return err
		})
		if err != nil {
			if err := r.showError("The certificate cannot be used", err); err != nil {
				return err
			}
			continue
		}
		r.p.Cert = imported
		if caFile != "" {
			r.p.CACert = caFile
		}
		if r.p.CACert == "" {
			ca, err := r.Prompter.Input(r.ctx, InputPrompt{
				Frame: r.frame(StepCert, "The provider's CA bundle, if they sent one",
					"Some providers (GOV.UK DCS) run their servers on a private CA; without its bundle the TLS check fails as untrusted. Leave it empty for public CAs."),
				Placeholder: "empty: the system's trusted CAs",
				Validate: func(s string) error {
					if strings.TrimSpace(s) == "" {
						return nil
					}
					return CheckCertFile(s)
				},
			})
			if err != nil {
				return err
			}
			if strings.TrimSpace(ca) != "" {
				r.p.CACert = absPath(ca)
			}
		}
		if err := r.done(StepCert); err != nil {
			return err
		}
		if len(findings) > 0 {
			var b strings.Builder
			for _, f := range findings {
				fmt.Fprintf(&b, "! %s\n  %s\n  %s\n", f.Cause.Title, f.Detail, f.Cause.Fix)
			}
			return r.Prompter.Note(r.ctx, NotePrompt{
				Frame: r.frame(StepCert, "Imported, with a warning", "The certificate works now, but needs attention soon."),
				Body:  strings.TrimSpace(b.String()),
			})
		}
		return nil
	}
}

func (r *run) issueFromSandbox() (certFile, caFile string, err error) {
	csr, err := os.ReadFile(r.csrPath())
	if err != nil {
		return "", "", fmt.Errorf("no CSR to send (%w): generate a key and CSR first", err)
	}
	dir, err := r.filesDir()
	if err != nil {
		return "", "", err
	}
	var issued Issued
	err = r.Prompter.Work(r.ctx, "The sandbox is signing your CSR…", func(ctx context.Context) error {
		var err error
		issued, err = r.Issuer.Issue(ctx, csr)
		return err
	})
	if err != nil {
		return "", "", err
	}
	// The sandbox's answer lands where a provider's email attachment would.
	certFile = filepath.Join(dir, "sandbox-issued.crt")
	if err := keystore.WriteFileAtomic(certFile, issued.CertPEM, 0o644, true); err != nil {
		return "", "", err
	}
	return certFile, issued.CACertFile, nil
}

func (r *run) showError(title string, err error) error {
	body := err.Error()
	if c, ok := cause.Of(err); ok {
		body = c.Title + "\n\n" + c.Meaning + "\n\nFix: " + c.Fix + "\n\n(" + err.Error() + ")"
	}
	return r.Prompter.Note(r.ctx, NotePrompt{
		Frame: r.frame(StepCert, title, "Nothing was saved; choose again when you are ready."),
		Body:  body,
	})
}

func (r *run) pause() error {
	if err := r.save(); err != nil {
		return err
	}
	if err := r.Prompter.Note(r.ctx, NotePrompt{
		Frame: r.frame(StepCert, "Saved: come back when the certificate arrives",
			"Everything so far is in the profile; the wizard picks up at this step."),
		Body: "When the provider sends the certificate, run:\n  onramp init --profile " + r.p.Name,
	}); err != nil {
		return err
	}
	return errPaused
}

// Step 7: the checks.
func (r *run) check() error {
	for {
		var rep *diagnose.Report
		_ = r.Prompter.Work(r.ctx, "Running the checks against "+r.p.URL+"…", func(ctx context.Context) error {
			rep = r.Checker.Check(ctx, r.p)
			return nil
		})
		if r.ctx.Err() != nil {
			return ErrCancelled
		}
		if rep == nil {
			return errors.New("the checks returned no report")
		}
		r.p.LastCheck = &profile.Check{At: r.Now().UTC().Truncate(time.Second), OK: rep.OK}
		if rep.Cause != nil {
			r.p.LastCheck.CauseID = rep.Cause.ID
		}
		if rep.OK {
			r.lastReport = rep
			return r.done(StepCheck)
		}
		if err := r.save(); err != nil {
			return err
		}
		if err := r.Prompter.Note(r.ctx, NotePrompt{
			Frame:  r.frame(StepCheck, "The checks failed", "Each step below ran in order; the first failure names the cause and its fix."),
			Report: rep,
		}); err != nil {
			return err
		}
		title, fix := "The checks failed", "Fix what the report says, then run them again."
		if rep.Cause != nil {
			title, fix = "The checks failed: "+rep.Cause.Title, "Fix: "+rep.Cause.Fix
		}
		again, err := r.Prompter.Select(r.ctx, SelectPrompt{
			Frame: r.frame(StepCheck, title, fix),
			Options: []Option{
				{Value: "again", Label: "Run the checks again"},
				{Value: "later", Label: "Stop here; resume with onramp init --profile " + r.p.Name},
			},
			Default: "again",
		})
		if err != nil {
			return err
		}
		if again == "later" {
			return errPaused
		}
	}
}

// finish shows what to run next.
func (r *run) finish() error {
	title := "You're connected"
	why := "Every check passed; the profile is ready for scripts and CI."
	if r.p.LastCheck == nil || !r.p.LastCheck.OK {
		title, why = "Set up, not yet connected", "Some steps are left; they are saved in the profile."
	}
	return r.Prompter.Note(r.ctx, NotePrompt{
		Frame:  Frame{Step: "Done", Title: title, Why: why},
		Body:   NextSteps(r.p),
		Report: r.lastReport,
	})
}

// NextSteps tells the user what to run next for a profile.
func NextSteps(p *profile.Profile) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Check the connection any time:\n  onramp diagnose --profile %s\n\n", p.Name)
	fmt.Fprintf(&b, "Call the API with curl:\n  %s", CurlCommand(p))
	return b.String()
}

// CurlCommand is a curl command line for the profile; secrets come from
// onramp at run time, never written out.
func CurlCommand(p *profile.Profile) string {
	parts := []string{"curl"}
	if p.Cert != "" {
		parts = append(parts, "--cert "+shellQuote(p.Cert))
	}
	if p.Key != "" && p.Cert != "" {
		parts = append(parts, "--key "+shellQuote(p.Key))
	}
	if p.CACert != "" {
		parts = append(parts, "--cacert "+shellQuote(p.CACert))
	}
	for _, r := range p.Resolve {
		parts = append(parts, "--resolve "+r)
	}
	// Secrets reach curl on stdin, never its argv (see diagnose.CurlSecretHeaders).
	var secret []diagnose.SecretHeader
	if p.APIKeySecret != "" && slices.Contains(p.Auth, AuthAPIKey) {
		secret = append(secret, diagnose.SecretHeader{Name: cmpOr(p.APIKeyHeader, "x-api-key"),
			Value: fmt.Sprintf(`"$(onramp secret get %s --profile %s)"`, p.APIKeySecret, p.Name)})
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
	parts = append(parts, shellQuote(target))
	cmd := strings.Join(parts, " \\\n    ")
	if len(secret) > 0 {
		cmd = diagnose.CurlSecretHeaders(secret) + cmd
	}
	return cmd
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("/._-:=@%+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
