package sandbox

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
)

func TestSaveProfile(t *testing.T) {
	cfgDir := t.TempDir()
	t.Setenv("ONRAMP_CONFIG_DIR", cfgDir)
	dir := filepath.Join(cfgDir, "sandbox")
	s := startIn(t, dir, "")

	wrote, err := s.SaveProfile()
	if err != nil || !wrote {
		t.Fatalf("SaveProfile: %v %v", wrote, err)
	}
	p, err := profile.Load(ProfileName)
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := strings.Cut(s.Addr(), ":")
	if p.URL != "https://localhost:"+port+StatusPath || p.CACert != s.pki.CABundlePath() ||
		p.Cert != s.pki.Path(ClientCertFile) || p.Key != s.pki.Path(ClientKeyFile) ||
		p.APIKeyHeader != "x-api-key" || p.APIKeySecret != APIKeyName || p.KeyFiles[APIKeyName] != filepath.Join(dir, APIKeyName) || p.ExpectJSON != StatusJSON {
		t.Errorf("profile: %+v", p)
	}
	if v, err := profile.ReadKeyFile(p.KeyFiles[APIKeyName]); err != nil || v != s.Keys().API {
		t.Errorf("the profile's key file does not hold the sandbox's key: %v", err)
	}
	data, _ := os.ReadFile(mustPath(t))
	if strings.Contains(string(data), s.Keys().API) {
		t.Error("the profile file holds the API key")
	}

	// Nothing changed: the file is left alone.
	if wrote, err := s.SaveProfile(); err != nil || wrote {
		t.Errorf("second SaveProfile rewrote an unchanged profile: %v %v", wrote, err)
	}

	// A user's edits that still work survive a restart on another port: a
	// different sandbox endpoint, their own sandbox-signed certificate,
	// wizard progress.
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	csrDER, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "me"}}, key)
	certPEM, err := s.pki.SignCSR(csrDER, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mine := t.TempDir()
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	os.WriteFile(filepath.Join(mine, "me.pem"), certPEM, 0o644)
	os.WriteFile(filepath.Join(mine, "me.key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	p.URL = "https://localhost:" + port + "/v1/persons/X802678/risks/scores"
	p.Cert, p.Key = filepath.Join(mine, "me.pem"), filepath.Join(mine, "me.key")
	p.Wizard = map[string]bool{"keygen": true}
	if err := profile.Save(p); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2 := startIn(t, dir, "")
	if _, err := s2.SaveProfile(); err != nil {
		t.Fatal(err)
	}
	p2, _ := profile.Load(ProfileName)
	_, port2, _ := strings.Cut(s2.Addr(), ":")
	if p2.URL != "https://localhost:"+port2+"/v1/persons/X802678/risks/scores" || p2.Cert != p.Cert || p2.Key != p.Key || !p2.Wizard["keygen"] {
		t.Errorf("user edits lost: %+v", p2)
	}

	// A certificate the sandbox did not issue is replaced by its own.
	p2.Cert = s2.pki.Path(RootCertFile)
	profile.Save(p2)
	s2.SaveProfile()
	p3, _ := profile.Load(ProfileName)
	if p3.Cert != s2.pki.Path(ClientCertFile) {
		t.Errorf("profile kept a certificate the sandbox does not accept: %s", p3.Cert)
	}

	// A "sandbox" profile for another provider is the user's own.
	theirs := &profile.Profile{Name: ProfileName, Provider: "nhs-apim", Environment: "sandbox", URL: "https://sandbox.api.service.nhs.uk"}
	profile.Save(theirs)
	if wrote, err := s2.SaveProfile(); err == nil || wrote || !strings.Contains(err.Error(), "nhs-apim") {
		t.Errorf("SaveProfile over another provider's profile: wrote=%v %v", wrote, err)
	}
	if p4, _ := profile.Load(ProfileName); p4.Provider != "nhs-apim" || p4.URL != theirs.URL {
		t.Errorf("the user's own sandbox profile was changed: %+v", p4)
	}

	// A profile file the user broke by hand is not overwritten.
	os.WriteFile(mustPath(t), []byte("url: [unclosed\n"), 0o600)
	if _, err := s2.SaveProfile(); err == nil {
		t.Error("SaveProfile overwrote a profile it could not read")
	}
	if data, _ := os.ReadFile(mustPath(t)); string(data) != "url: [unclosed\n" {
		t.Error("the broken profile was changed")
	}
}

func mustPath(t *testing.T) string {
	t.Helper()
	p, err := profile.Path(ProfileName)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The practice keys live in 0600 files beside the PKI, keyring or not, and
// the ready profile names the API key's file.
func TestKeysInFiles(t *testing.T) {
	dir := t.TempDir()
	k, err := loadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{APIKeyName, ServiceKeyName, OperationKeyName} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, want a 0600 file", name, err)
		}
	}
	if k.API == k.Service || k.Service == k.Operation || len(k.API) != 40 {
		t.Errorf("keys are not distinct 40-character keys")
	}
	again, _ := loadKeys(dir)
	if again.API != k.API {
		t.Error("the file-kept key changed between starts")
	}
	if !strings.Contains(k.String(), "redacted") {
		t.Error("Keys prints its values")
	}
}

func TestKeyFileReadableByOthersRefused(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, APIKeyName), []byte("k"), 0o644)
	if _, err := loadKeys(dir); err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Fatalf("loadKeys with a 0644 key file: %v", err)
	}
}

// The built-in provider template for the sandbox describes this server.
func TestProviderTemplateMatchesServer(t *testing.T) {
	tmpl, err := provider.Get("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	if tmpl.Status == nil || tmpl.Status.Path != StatusPath || tmpl.Status.ExpectJSON != StatusJSON || tmpl.APIKeyHeader != "x-api-key" {
		t.Errorf("provider template sandbox: status %+v, api key header %q", tmpl.Status, tmpl.APIKeyHeader)
	}
	if len(tmpl.Environments) == 0 || tmpl.Environments[0].URL != "https://localhost:8443" {
		t.Errorf("provider template sandbox: environments %+v, want https://localhost:8443 (DefaultAddr)", tmpl.Environments)
	}
}

func TestStartWithProfile(t *testing.T) {
	cfgDir := t.TempDir()
	t.Setenv("ONRAMP_CONFIG_DIR", cfgDir)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := StartWithProfile(ctx, Config{Addr: "127.0.0.1:0", APIMAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	p, err := profile.Load(ProfileName)
	if err != nil || p.URL != s.StatusURL() {
		t.Fatalf("profile after StartWithProfile: %v %+v", err, p)
	}
	if s.pki.Dir != filepath.Join(cfgDir, "sandbox") {
		t.Errorf("data directory %s, want sandbox/ in the config directory", s.pki.Dir)
	}
	cancel()
	// The context's end stops it: the port is free again.
	deadline := time.Now().Add(5 * time.Second)
	for {
		ln, err := net.Listen("tcp", s.Addr())
		if err == nil {
			ln.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sandbox still holds %s after its context ended", s.Addr())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
