package tokens

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/onramp-cli/onramp/cause"

	"gopkg.in/yaml.v3"

	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
)

// The CGP client's defaults (its get_nhs_oauth_token script): production
// host and kid test-1.
const (
	cgpDefaultHost = "api.service.nhs.uk"
	cgpDefaultKID  = "test-1"
	// NHSAPIKeyHeader is the header NHS API Management reads the API key from.
	NHSAPIKeyHeader = "apikey"
)

// cgpConfig is ~/.cgpclient/config.yaml. Unknown keys are allowed: the
// CGP client has more settings than onramp needs.
type cgpConfig struct {
	APIHost           string `yaml:"api_host"`
	APIName           string `yaml:"api_name"`
	APIKey            string `yaml:"api_key"`
	PrivateKeyPEMFile string `yaml:"private_key_pem_file"`
	APIMKID           string `yaml:"apim_kid"`
	OutputDir         string `yaml:"output_dir"`
}

// DefaultCGPConfigPath is where the CGP client looks for its config file.
func DefaultCGPConfigPath() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(".cgpclient", "config.yaml")
	}
	return filepath.Join(home, ".cgpclient", "config.yaml")
}

// ImportCGPConfig reads a CGP client config.yaml and returns the profile it
// describes (no Name set) and the API key, which belongs in the keyring and
// never in the profile. The profile uses signed JWT when the file names a
// private key (kid defaulting to test-1 as in the CGP client), else API-key
// auth.
func ImportCGPConfig(path string) (p *profile.Profile, apiKey string, err error) {
	data, err := keystore.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	var c cgpConfig
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		// yaml's messages name lines and types, not values.
		return nil, "", &keystore.Error{ID: cause.InputWrongFileType, Path: path, Msg: "not a CGP client config.yaml: " + strings.TrimPrefix(err.Error(), "yaml: "), Err: err}
	}
	if c.APIHost == "" && c.APIKey == "" && c.PrivateKeyPEMFile == "" && c.APIMKID == "" {
		return nil, "", &keystore.Error{ID: cause.InputWrongFileType, Path: path, Msg: "none of api_host, api_key, private_key_pem_file or apim_kid is set: not a CGP client config.yaml"}
	}
	host := strings.TrimSpace(c.APIHost)
	host = strings.TrimPrefix(strings.TrimPrefix(host, "https://"), "http://")
	host = strings.TrimRight(host, "/")
	if host == "" {
		host = cgpDefaultHost
	}
	if strings.ContainsAny(host, "/ ?#@") {
		return nil, "", &keystore.Error{ID: cause.InputWrongFileType, Path: path, Msg: fmt.Sprintf("api_host %q is not a host name", host)}
	}
	p = &profile.Profile{
		Provider:     nhsTemplateID,
		Environment:  nhsEnvironment(host),
		URL:          "https://" + host,
		TokenURL:     "https://" + host + "/oauth2/token",
		APIKeyHeader: NHSAPIKeyHeader,
	}
	if p.Environment == "sandbox" {
		// The sandbox needs no authentication at all.
		p.TokenURL, p.APIKeyHeader = "", ""
		return p, strings.TrimSpace(c.APIKey), nil
	}
	if c.PrivateKeyPEMFile != "" {
		p.Key = resolveCGPPath(path, c.PrivateKeyPEMFile)
		p.KID = strings.TrimSpace(c.APIMKID)
		if p.KID == "" {
			p.KID = cgpDefaultKID
		}
		p.Auth = []string{"signed-jwt"}
	} else {
		p.Auth = []string{"api-key"}
	}
	return p, strings.TrimSpace(c.APIKey), nil
}

// nhsTemplateID is the built-in provider template of NHS API Management.
const nhsTemplateID = "nhs-apim"

// nhsEnvironment names the NHS API Management environment of a host, from
// the provider template's list ("" for a host it does not know).
func nhsEnvironment(host string) string {
	t, err := provider.Get(nhsTemplateID)
	if err != nil {
		return ""
	}
	for _, e := range t.Environments {
		if u, err := url.Parse(e.URL); err == nil && strings.EqualFold(u.Host, host) {
			return e.Name
		}
	}
	if IsSandboxHost(host) {
		return "sandbox"
	}
	return ""
}

// IsSandboxHost says whether the host is an APIM sandbox, which needs no
// authentication at all.
func IsSandboxHost(host string) bool {
	return strings.HasPrefix(strings.ToLower(host), "sandbox.")
}

// resolveCGPPath makes a key path from the config absolute: ~ is the home
// directory; a relative path is taken from the working directory when the
// file is there (as the CGP client would), else from the config's directory.
func resolveCGPPath(configPath, p string) string {
	p = strings.TrimSpace(p)
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	if filepath.IsAbs(p) {
		return p
	}
	if abs, err := filepath.Abs(p); err == nil {
		if _, err := os.Stat(abs); err == nil {
			return abs
		}
	}
	dir, err := filepath.Abs(filepath.Dir(configPath))
	if err != nil {
		return p
	}
	return filepath.Join(dir, p)
}
