package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"time"

	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
)

// StatusURL is the URL the `sandbox` profile checks.
func (s *Server) StatusURL() string {
	return s.BaseURL() + StatusPath
}

// BaseURL is https://localhost:PORT (or the listen host when it is not
// 127.0.0.1).
func (s *Server) BaseURL() string { return baseURL(s.Addr()) }

// APIMBaseURL is the base URL of the APIM-like token API.
func (s *Server) APIMBaseURL() string { return baseURL(s.APIMAddr()) }

func baseURL(addr string) string {
	host, port, _ := net.SplitHostPort(addr)
	if host == "127.0.0.1" || host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "https://" + net.JoinHostPort(host, port)
}

// SaveProfile writes the ready `sandbox` profile: this sandbox's URL, the
// client certificate it issued itself, its CA bundle and the API key's
// keyring name. Settings the user changed by hand are kept where they still
// work (another path on the sandbox, another client certificate issued by
// the sandbox, resolve entries, wizard progress); the file is written only
// when something changed. It reports whether it wrote the file.
func (s *Server) SaveProfile() (bool, error) {
	p, err := profile.Load(ProfileName)
	if errors.Is(err, profile.ErrNotFound) {
		p, err = &profile.Profile{Name: ProfileName}, nil
	}
	if err != nil {
		// A hand-edited file that no longer parses is the user's to fix:
		// overwriting it would lose their edits.
		return false, err
	}
	if p.Provider != "" && p.Provider != "sandbox" {
		// A profile the user named "sandbox" for something else (NHS API
		// Management has a sandbox environment) is theirs.
		return false, fmt.Errorf("a profile named %q already exists for provider %s, so the sandbox leaves it alone; rename it (onramp profile rm %s, then make it again under another name) to get the ready sandbox profile", ProfileName, p.Provider, ProfileName)
	}
	before := clone(p)

	p.Provider = "sandbox"
	p.Environment = "local"
	p.Auth = []string{"mtls", "api-key"}
	p.URL = s.profileURL(p.URL)
	if !s.issuedByClientCA(p.Cert, p.Key) {
		p.Cert, p.Key = s.pki.Path(ClientCertFile), s.pki.Path(ClientKeyFile)
		p.KeyPassSecret = ""
	}
	p.CACert = s.pki.CABundlePath()
	p.APIKeyHeader = "x-api-key"
	p.APIKeySecret = APIKeyName
	// The Securosys-like endpoints take one key per role: the sandbox
	// template's role table picks which for each path.
	p.RoleKeys = map[string]string{"serviceToken": ServiceKeyName, "keyOperationToken": OperationKeyName}
	if u, err := url.Parse(p.URL); err == nil && u.Path == StatusPath {
		p.ExpectJSON = StatusJSON
	}
	if s.keys.InKeyring {
		// go-keyring cannot list items: the profile records the names, so
		// `onramp secret ls --profile sandbox` shows all three keys.
		for _, name := range []string{APIKeyName, ServiceKeyName, OperationKeyName} {
			if _, ok := p.Secrets[name]; !ok {
				p.RecordSecret(name, s.cfg.Now())
			}
		}
	}
	if reflect.DeepEqual(before, p) {
		return false, nil
	}
	return true, profile.Save(p)
}

// profileURL keeps the path of an existing sandbox URL (a user may point
// the profile at another sandbox endpoint) and updates host and port.
func (s *Server) profileURL(old string) string {
	u, err := url.Parse(old)
	if err != nil || u.Scheme != "https" || u.Path == "" || u.Path == "/" || !isLocalHost(u.Hostname()) {
		return s.StatusURL()
	}
	base, _ := url.Parse(s.BaseURL())
	u.Host = base.Host
	return u.String()
}

func isLocalHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// issuedByClientCA says whether certFile is a current certificate from the
// sandbox's client CA with keyFile its (unencrypted) key.
func (s *Server) issuedByClientCA(certFile, keyFile string) bool {
	if certFile == "" || keyFile == "" {
		return false
	}
	chain, err := keystore.ReadCertificates(certFile)
	if err != nil || chain[0].CheckSignatureFrom(s.pki.ClientCA) != nil {
		return false
	}
	if now := s.cfg.Now(); now.After(chain[0].NotAfter) || now.Before(chain[0].NotBefore) {
		return false
	}
	key, err := keystore.ReadPrivateKey(keyFile, nil)
	return err == nil && keystore.PublicKeysEqual(key.Public(), chain[0].PublicKey)
}

func clone(p *profile.Profile) *profile.Profile {
	c := *p
	c.Auth = append([]string(nil), p.Auth...)
	if p.Secrets != nil {
		c.Secrets = map[string]time.Time{}
		for k, v := range p.Secrets {
			c.Secrets[k] = v
		}
	}
	return &c
}

// StartWithProfile starts a sandbox and writes its ready `sandbox` profile,
// as `onramp sandbox` does: for the TUI's "try the sandbox". The sandbox
// stops when ctx ends or on Close.
func StartWithProfile(ctx context.Context, cfg Config) (*Server, error) {
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if err := s.Start(ctx); err != nil {
		return nil, err
	}
	if _, err := s.SaveProfile(); err != nil {
		s.Close()
		return nil, fmt.Errorf("profile %s: %w", ProfileName, err)
	}
	return s, nil
}
