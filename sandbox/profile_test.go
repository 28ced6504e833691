package sandbox

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/profile"
)

func TestSaveProfile(t *testing.T) {
	cfgDir := t.TempDir()
	t.Setenv("ONRAMP_CONFIG_DIR", cfgDir)
	dir := filepath.Join(cfgDir, "sandbox")
	s := startIn(t, dir, "", newMemKeyring())

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
		p.APIKeyHeader != "x-api-key" || p.APIKeySecret != APIKeyName || p.ExpectJSON != StatusJSON {
		t.Errorf("profile: %+v", p)
	}
	if _, ok := p.Secrets[APIKeyName]; !ok {
		t.Errorf("profile does not record the api-key secret: %v", p.Secrets)
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
	s2 := startIn(t, dir, "", s.kr)
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

func TestKeysWithoutKeyring(t *testing.T) {
	dir := t.TempDir()
	kr := newMemKeyring()
	kr.unavailable = true
	k, err := loadKeys(kr, dir)
	if err != nil {
		t.Fatal(err)
	}
	if k.InKeyring || k.KeyringErr == nil {
		t.Fatalf("keys claim to be in an unavailable keyring")
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
	again, _ := loadKeys(kr, dir)
	if again.API != k.API {
		t.Error("the file-kept key changed between starts")
	}

	// Once a keyring answers, the keys move into it and the files go.
	kr.unavailable = false
	moved, err := loadKeys(kr, dir)
	if err != nil || !moved.InKeyring || moved.API != k.API {
		t.Fatalf("after the keyring came back: %v in keyring=%v same=%v", err, moved.InKeyring, moved.API == k.API)
	}
	if v, _ := kr.Get(ProfileName, APIKeyName); v != k.API {
		t.Error("the API key is not in the keyring")
	}
	if _, err := os.Stat(filepath.Join(dir, APIKeyName)); !os.IsNotExist(err) {
		t.Error("the key file stayed after the key moved into the keyring")
	}
	if !strings.Contains(k.String(), "redacted") {
		t.Error("Keys prints its values")
	}
}

func TestKeyFileReadableByOthersRefused(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, APIKeyName), []byte("k"), 0o644)
	if _, err := loadKeys(nil, dir); err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Fatalf("loadKeys with a 0644 key file: %v", err)
	}
}
