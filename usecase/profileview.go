package usecase

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/redact"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
)

// SecretEntry is one recorded secret: its name and when it was set.
type SecretEntry struct {
	Name  string    `json:"name"`
	SetAt time.Time `json:"set_at"`
	// Roles are the API key roles (role_keys) whose key this secret is.
	Roles []string `json:"roles,omitempty"`
}

// SecretEntries lists p's recorded secrets by name (never their values),
// with the API key roles each is the key of.
func SecretEntries(p *profile.Profile) []SecretEntry {
	entries := []SecretEntry{}
	for _, n := range p.SecretNames() {
		e := SecretEntry{Name: n, SetAt: p.Secrets[n]}
		for _, role := range slices.Sorted(maps.Keys(p.RoleKeys)) {
			if p.RoleKeys[role] == n {
				e.Roles = append(e.Roles, role)
			}
		}
		entries = append(entries, e)
	}
	return entries
}

// ShowProfile is "show a profile": its settings, its provider's name, the
// days left on its certificate at now, its secrets' names and its last
// check.
func ShowProfile(p *profile.Profile, now time.Time) ProfileView {
	path, _ := profile.Path(p.Name)
	v := ProfileView{Name: p.Name, Path: path, Provider: p.Provider, Environment: p.Environment, URL: redact.URL(p.URL),
		Auth: p.Auth, Key: p.Key, CACert: p.CACert, APIKeyHeader: p.APIKeyHeader, APIKeySecret: p.APIKeySecret, KeyFiles: p.KeyFiles,
		BearerSecret: p.BearerSecret, RoleKeys: p.RoleKeys,
		KeyPass: p.KeyPassSecret, KID: p.KID, TokenURL: redact.URL(p.TokenURL), StatusPath: p.StatusPath, StatusMethod: p.StatusMethod, ExpectJSON: p.ExpectJSON,
		Resolve: p.Resolve, Client: p.Client, LastCheck: p.LastCheck, Secrets: SecretEntries(p)}
	if v.Auth == nil {
		v.Auth = []string{}
	}
	if t := provider.OfProfile(p); t != nil {
		v.ProviderName = t.Name
	}
	if p.Cert != "" {
		v.Certificate = certificateSummary(p.Cert, now)
	}
	for _, m := range MessageKeys(p) {
		mv := MessageKeyView{Purpose: m.Purpose, Key: m.KeyFile}
		if m.CertFile != "" {
			mv.Certificate = certificateSummary(m.CertFile, now)
			if m.KeyFile != "" && mv.Certificate.Error == "" {
				if key, err := keystore.ReadPrivateKey(m.KeyFile, nil); err == nil {
					certs, _ := keystore.ReadCertificates(m.CertFile)
					match := keystore.PublicKeysEqual(key.Public(), certs[0].PublicKey)
					mv.KeyMatches = &match
				}
			}
		}
		v.MessageKeys = append(v.MessageKeys, mv)
	}
	return v
}

// WriteText writes the view as aligned "Label: value" lines.
func (v ProfileView) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(label, value string) {
		if value != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", label, value)
		}
	}
	row("Profile", fmt.Sprintf("%s (%s)", v.Name, v.Path))
	prov := v.Provider
	if v.ProviderName != "" {
		prov += " (" + v.ProviderName + ")"
	}
	row("Provider", prov)
	row("Environment", v.Environment)
	row("URL", v.URL)
	row("Auth", strings.Join(v.Auth, ", "))
	if v.Certificate != nil {
		row("Certificate", v.Certificate.describe())
	}
	row("Key", v.Key)
	for _, m := range v.MessageKeys {
		title := strings.ToUpper(m.Purpose[:1]) + m.Purpose[1:]
		if m.Certificate != nil {
			row(title+" certificate", m.Certificate.describe())
		}
		key := m.Key
		switch {
		case m.KeyMatches == nil:
		case *m.KeyMatches:
			key += " (the certificate's key)"
		default:
			key += " (NOT the certificate's key: key-cert-mismatch)"
		}
		row(title+" key", key)
	}
	row("CA bundle", v.CACert)
	apiKey := cmp.Or(v.APIKeySecret, provider.SecretAPIKey)
	if file, ok := v.KeyFiles[apiKey]; ok {
		row("API key", fmt.Sprintf("header %s, from the file %s (a practice key, not a secret)", cmp.Or(v.APIKeyHeader, "x-api-key"), file))
	} else if v.APIKeyHeader != "" {
		row("API key", fmt.Sprintf("header %s, secret %s", v.APIKeyHeader, apiKey))
	} else if v.APIKeySecret != "" {
		row("API key", fmt.Sprintf("secret %s (the signed JWT's iss and sub)", v.APIKeySecret))
	}
	if v.BearerSecret != "" {
		row("Bearer token", "secret "+v.BearerSecret+", sent as Authorization: Bearer")
	}
	var roles []string
	for _, r := range slices.Sorted(maps.Keys(v.RoleKeys)) {
		roles = append(roles, r+" → secret "+v.RoleKeys[r])
	}
	row("Role keys", strings.Join(roles, ", "))
	row("Key passphrase", v.KeyPass)
	row("kid", v.KID)
	row("Token URL", v.TokenURL)
	if v.StatusPath != "" {
		st := v.StatusPath
		if v.StatusMethod != "" {
			st = v.StatusMethod + " " + st
		}
		if v.ExpectJSON != "" {
			st += " expecting " + v.ExpectJSON
		}
		row("Status", st)
	}
	row("Resolve", strings.Join(v.Resolve, ", "))
	row("Client", v.Client)
	var secrets []string
	for _, s := range v.Secrets {
		secrets = append(secrets, fmt.Sprintf("%s (set %s)", s.Name, s.SetAt.Local().Format("2006-01-02")))
	}
	row("Secrets", strings.Join(secrets, ", "))
	if c := v.LastCheck; c != nil {
		res := "passed"
		if !c.OK {
			res = "failed: " + string(c.CauseID)
		}
		row("Last check", fmt.Sprintf("%s, %s", res, c.At.Local().Format("2006-01-02 15:04")))
	}
	return tw.Flush()
}

// CertificateView is the profile's client certificate as `profile show` tells it.
type CertificateView struct {
	Path     string    `json:"path"`
	Subject  string    `json:"subject,omitempty"`
	Issuer   string    `json:"issuer,omitempty"`
	NotAfter time.Time `json:"not_after,omitzero"`
	DaysLeft *int      `json:"days_left,omitempty"`
	Error    string    `json:"error,omitempty"`
	CauseID  cause.ID  `json:"cause,omitempty"`
}

// MessageKeyView is a message key pair (GOV.UK DCS JSON signing or
// encryption) as `profile show` tells it.
type MessageKeyView struct {
	Purpose     string           `json:"purpose"`
	Certificate *CertificateView `json:"certificate,omitempty"`
	Key         string           `json:"key,omitempty"`
	// KeyMatches says whether Key is the certificate's key; absent when
	// either cannot be read (an encrypted key).
	KeyMatches *bool `json:"key_matches,omitempty"`
}

// ProfileView is what `profile show` tells about a profile; its JSON is
// the --json output.
type ProfileView struct {
	Name         string            `json:"name"`
	Path         string            `json:"path"`
	Provider     string            `json:"provider,omitempty"`
	ProviderName string            `json:"provider_name,omitempty"`
	Environment  string            `json:"environment,omitempty"`
	URL          string            `json:"url,omitempty"`
	Auth         []string          `json:"auth"`
	Certificate  *CertificateView  `json:"certificate,omitempty"`
	Key          string            `json:"key,omitempty"`
	MessageKeys  []MessageKeyView  `json:"message_keys,omitempty"`
	CACert       string            `json:"cacert,omitempty"`
	APIKeyHeader string            `json:"api_key_header,omitempty"`
	APIKeySecret string            `json:"api_key_secret,omitempty"`
	KeyFiles     map[string]string `json:"key_files,omitempty"`
	BearerSecret string            `json:"bearer_secret,omitempty"`
	RoleKeys     map[string]string `json:"role_keys,omitempty"`
	KeyPass      string            `json:"key_pass_secret,omitempty"`
	KID          string            `json:"kid,omitempty"`
	TokenURL     string            `json:"token_url,omitempty"`
	StatusPath   string            `json:"status_path,omitempty"`
	StatusMethod string            `json:"status_method,omitempty"`
	ExpectJSON   string            `json:"expect_json,omitempty"`
	Resolve      []string          `json:"resolve,omitempty"`
	Client       string            `json:"client,omitempty"`
	Secrets      []SecretEntry     `json:"secrets"`
	LastCheck    *profile.Check    `json:"last_check,omitempty"`
}

func certificateSummary(path string, now time.Time) *CertificateView {
	v := &CertificateView{Path: path}
	certs, err := keystore.ReadCertificates(path)
	if err != nil {
		v.Error = err.Error()
		if c, ok := cause.Of(err); ok {
			v.CauseID = c.ID
		}
		return v
	}
	leaf := certs[0]
	v.Subject, v.Issuer, v.NotAfter = leaf.Subject.String(), leaf.Issuer.String(), leaf.NotAfter.UTC()
	days := int(math.Floor(leaf.NotAfter.Sub(now).Hours() / 24))
	v.DaysLeft = &days
	return v
}

func (c *CertificateView) describe() string {
	if c.Error != "" {
		return fmt.Sprintf("%s (unreadable: %s)", c.Path, c.Error)
	}
	d := *c.DaysLeft
	var left string
	switch {
	case d < 0:
		left = fmt.Sprintf("EXPIRED %d days ago", -d)
	case d < 30:
		left = fmt.Sprintf("%d days left: renew now", d)
	default:
		left = fmt.Sprintf("%d days left", d)
	}
	return fmt.Sprintf("%s\n\t%s, expires %s (%s)", c.Path, c.Subject, c.NotAfter.Format("2006-01-02"), left)
}
