package diagnose

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/classify"
	"github.com/onramp-cli/onramp/keystore"
)

// localMaterial is what the local step loaded for the network steps.
type localMaterial struct {
	chain []*x509.Certificate // client certificate, leaf first
	key   crypto.Signer
	roots *x509.CertPool // nil: the system roots
}

func requestInfo(o Options) *RequestInfo {
	ri := &RequestInfo{Method: o.Method, CertFile: o.CertFile, KeyFile: o.KeyFile,
		CACertFile: o.CACertFile, KeyEncrypted: len(o.KeyPass) > 0,
		Bearer: o.BearerToken != "" || o.TokenSource != nil, Location: o.FollowRedirects}
	if ri.Method == "" {
		ri.Method = http.MethodGet
	}
	if ri.KeyFile == "" {
		ri.KeyFile = ri.CertFile
	}
	if o.APIKey != "" {
		ri.APIKeyName = o.APIKeyName
		ri.APIKeyHeader = o.APIKeyHeader
		if ri.APIKeyHeader == "" {
			ri.APIKeyHeader = "x-api-key"
		}
	}
	for name := range o.Headers {
		ri.HeaderNames = append(ri.HeaderNames, name)
	}
	sort.Strings(ri.HeaderNames)
	for hp, addr := range o.Resolve {
		ri.Resolve = append(ri.Resolve, hp+":"+addr)
	}
	sort.Strings(ri.Resolve)
	return ri
}

// stepLocal loads and checks everything on this machine. It collects every
// problem (the first failure is the step's cause, the rest are notes) so the
// user fixes them all at once, before anything is sent.
func (r *run) stepLocal(ctx context.Context, st *Step) {
	o := r.opts
	now := r.now()
	var loaded []string
	for _, f := range o.Findings {
		addFinding(st, f, true)
	}
	for _, f := range o.Warnings {
		addFinding(st, f, false)
	}

	keyFile := o.KeyFile
	if keyFile == "" {
		keyFile = o.CertFile // curl reads the key from the cert file when --key is absent
	}
	if o.CertFile != "" {
		chain, err := keystore.ReadCertificates(o.CertFile)
		if err != nil {
			addFinding(st, findingOf(err, "--cert"), true)
		} else {
			r.local.chain = chain
			loaded = append(loaded, fmt.Sprintf("client certificate %s", certName(chain[0])))
			for _, f := range ClientCertFindings(chain, now) {
				switch {
				case f.Cause.ID == cause.ClientChainIncomplete:
					// Only a guess from the issuer's name: a warning here,
					// confirmed or dropped by the server's acceptable CAs
					// (classify makes the same guess from the chain).
					addFinding(st, f, false)
				case IsExpiryWarning(f, chain, now):
					addFinding(st, f, false)
				default:
					addFinding(st, f, true)
				}
			}
		}
		key, err := keystore.ReadPrivateKey(keyFile, o.KeyPass)
		switch {
		case err != nil && o.KeyFile == "" && r.local.chain == nil:
			// The key was to come from the --cert file, already reported.
		case err != nil:
			flag := "--key"
			if o.KeyFile == "" {
				flag = "--cert (no --key given, so the key must be in the same file)"
			}
			addFinding(st, findingOf(err, flag), true)
		default:
			r.local.key = key
			if r.local.chain != nil {
				if f := KeyMatchFinding(r.local.chain[0], key); f != nil {
					addFinding(st, *f, true)
				}
			}
		}
	}
	var bundle []*x509.Certificate
	if o.CACertFile != "" {
		certs, err := keystore.ReadCertificates(o.CACertFile)
		if err != nil {
			f := findingOf(err, "--cacert")
			switch {
			case keystore.TooLarge(err) || keystore.NotRegular(err):
				// Say which cap, in the words every command uses.
				f = Finding{Cause: cause.Get(cause.CABundleInvalid), Detail: "--cacert " + err.Error()}
			case f.Cause.ID == cause.InputWrongFileType && !holdsOtherMaterial(err):
				f = Finding{Cause: cause.Get(cause.CABundleInvalid), Detail: "--cacert " + o.CACertFile + ": no certificates in the file"}
			}
			addFinding(st, f, true)
		} else {
			pool := x509.NewCertPool()
			for _, c := range certs {
				pool.AddCert(c)
			}
			r.local.roots = pool
			bundle = certs
			loaded = append(loaded, fmt.Sprintf("CA bundle of %d", len(certs)))
			if f := r.intermediateInBundle(certs); f != nil {
				replaceWarning(st, *f)
			}
		}
	}
	for _, m := range o.MessageKeys {
		for _, f := range MessageKeyFindings(m, nil, now) {
			addFinding(st, f, false)
		}
	}
	if o.CheckRevocation && r.local.chain != nil {
		loaded = append(loaded, r.checkRevocation(ctx, st, bundle))
	}
	r.checkAPIKey(st)
	if st.Status == Pass {
		if len(loaded) == 0 {
			st.Detail = "no client certificate; system CA roots"
		} else {
			st.Detail = strings.Join(loaded, "; ")
		}
	}
}

// intermediateInBundle finds the intermediate CA that issued the client
// certificate in the CA bundle when the certificate file lacks it: the
// bundle only tells this machine whom to trust, so the server never gets
// it. A warning (a server that trusts the intermediate itself accepts the
// certificate alone); the TLS step names it the cause if the server refuses.
func (r *run) intermediateInBundle(bundle []*x509.Certificate) *Finding {
	chain := r.local.chain
	if len(chain) == 0 || classify.SelfIssued(chain[0]) {
		return nil
	}
	leaf := chain[0]
	for _, c := range chain[1:] {
		if bytes.Equal(c.RawSubject, leaf.RawIssuer) {
			return nil
		}
	}
	for _, c := range bundle {
		if classify.SelfIssued(c) || !bytes.Equal(c.RawSubject, leaf.RawIssuer) || leaf.CheckSignatureFrom(c) != nil {
			continue
		}
		r.facts.MissingIssuer = c
		f := Finding{Cause: cause.Get(cause.ClientChainIncomplete),
			Detail: fmt.Sprintf("%s is issued by the intermediate %s, which is in the CA bundle (--cacert %s) but not in the certificate file (--cert %s): the server gets only what --cert holds",
				name(leaf), certName(c), r.opts.CACertFile, r.opts.CertFile)}
		f.Cause.Fix = fmt.Sprintf("Copy the intermediate %s (its BEGIN/END CERTIFICATE block) from %s to the end of %s, after your certificate, so the certificate file holds the chain (leaf first).",
			certName(c), r.opts.CACertFile, r.opts.CertFile)
		return &f
	}
	return nil
}

// chainFix gives a refused certificate whose intermediate is in the CA
// bundle the local step's exact fix.
func (r *run) chainFix(st *Step) {
	if st.Cause != nil && st.Cause.ID == cause.ClientChainIncomplete && r.facts.MissingIssuer != nil {
		if f := r.intermediateInBundle([]*x509.Certificate{r.facts.MissingIssuer}); f != nil {
			st.Cause = f.Cause
		}
	}
}

// replaceWarning records f on st in place of an earlier warning of the
// same cause (the guess that f now confirms), or as a new warning.
func replaceWarning(st *Step, f Finding) {
	if st.Status == Warn && st.Cause != nil && st.Cause.ID == f.Cause.ID {
		st.Cause, st.Detail = f.Cause, f.Detail
		return
	}
	for i := range st.Notes {
		if st.Notes[i].Cause.ID == f.Cause.ID {
			f.Warning = true
			st.Notes[i] = f
			return
		}
	}
	addFinding(st, f, false)
}

// holdsOtherMaterial says whether a wrong-type error is about a file that
// holds some other known thing (a key, a CSR) rather than nothing usable.
func holdsOtherMaterial(err error) bool {
	var me *keystore.Error
	return errors.As(err, &me) && me.Holds != "" && me.Holds != keystore.KindUnknown
}

// findingOf turns a keystore error into a finding naming the flag.
func findingOf(err error, flag string) Finding {
	c, ok := cause.Of(err)
	if !ok {
		c = cause.Get(cause.InputFileUnreadable)
	}
	return Finding{Cause: c, Detail: flag + " " + err.Error()}
}

func certName(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return fmt.Sprintf("%q", c.Subject.CommonName)
	}
	return c.Subject.String()
}

// missingSecrets are the secrets the auth needs and the run does not have,
// each with what supplies it: the caller's findings (which name the exact
// command), else a generic one per missing secret.
func missingSecrets(o Options) []Finding {
	out := append([]Finding(nil), o.MissingSecrets...)
	has := func(id cause.ID) bool {
		return slices.ContainsFunc(out, func(f Finding) bool { return f.Cause.ID == id })
	}
	if o.APIKeyRequired && o.APIKey == "" && len(o.MissingSecrets) == 0 && !has(cause.APIKeyMissing) {
		out = append(out, Finding{Cause: cause.Get(cause.APIKeyMissing),
			Detail: "this API needs an API key and none was given: pass --api-key-env VAR, or use a profile with the key stored (onramp secret set api-key --profile NAME)"})
	}
	if o.BearerRequired && o.BearerToken == "" && o.TokenSource == nil && len(o.MissingSecrets) == 0 && !has(cause.TokenMissing) {
		out = append(out, Finding{Cause: cause.Get(cause.TokenMissing),
			Detail: "this API needs a bearer token and none was given: pass --bearer-env VAR, or store it (onramp secret set bearer-token --profile NAME)"})
	}
	return out
}

// checkAPIKey looks at the API key's shape, never printing it.
func (r *run) checkAPIKey(st *Step) {
	key := r.opts.APIKey
	if key == "" {
		// Reported at the HTTP step (missingSecrets): the network steps,
		// mutual TLS included, do not need the key.
		return
	}
	if strings.TrimSpace(key) != key {
		addFinding(st, Finding{Cause: cause.Get(cause.APIKeyWhitespace),
			Detail: fmt.Sprintf("the API key (%d characters) has %s", len(key), describeWhitespace(key))}, true)
		return
	}
	if strings.ContainsFunc(key, unicode.IsSpace) {
		addFinding(st, Finding{Cause: cause.Get(cause.APIKeyWhitespace),
			Detail: "the API key contains a space or line break inside it"}, true)
		return
	}
	if looksBase64Key(key) {
		addFinding(st, Finding{Cause: cause.Get(cause.APIKeyBase64Encoded),
			Detail: "the API key decodes from Base64 to another key-like string; providers expect it sent as issued"}, false)
	}
}

func describeWhitespace(s string) string {
	var parts []string
	lead := s[:len(s)-len(strings.TrimLeftFunc(s, unicode.IsSpace))]
	trail := s[len(strings.TrimRightFunc(s, unicode.IsSpace)):]
	if lead != "" {
		parts = append(parts, "leading "+nameSpace(lead))
	}
	if trail != "" {
		parts = append(parts, "trailing "+nameSpace(trail))
	}
	return strings.Join(parts, " and ")
}

func nameSpace(ws string) string {
	switch {
	case strings.Contains(ws, "\n") || strings.Contains(ws, "\r"):
		return "line break (copied with a newline?)"
	case strings.Contains(ws, "\t"):
		return "tab"
	}
	return "space"
}

// looksBase64Key: the key is valid Base64 of at least 12 bytes and decodes
// to printable text that itself looks like a key (no spaces, mostly
// alphanumeric). Random key bytes are almost never all printable.
func looksBase64Key(key string) bool {
	if len(key) < 16 {
		return false
	}
	var dec []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		dec, err = enc.Strict().DecodeString(key)
		if err == nil {
			break
		}
	}
	if err != nil || len(dec) < 12 {
		return false
	}
	dec = bytes.TrimRight(dec, "\n")
	alnum := 0
	for _, b := range dec {
		if b <= ' ' || b >= 0x7f {
			return false
		}
		if b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' {
			alnum++
		}
	}
	return alnum*10 >= len(dec)*8
}
