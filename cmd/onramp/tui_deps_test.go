package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/provider"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/wizard"
)

func TestWizardProvidersFromTemplates(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	byID := map[string]wizard.Provider{}
	for _, p := range wizardProviders() {
		byID[p.ID] = p
	}
	want := map[string][][]string{
		"hmpps":    {{"mtls", "api-key"}},
		"nhs-apim": {{"signed-jwt"}, {"api-key"}},
		"generic": {{"mtls", "api-key"}, {"mtls", "api-key", "bearer-jwt"}, {"mtls", "bearer-jwt"}, {"api-key", "bearer-jwt"},
			{"mtls"}, {"api-key"}, {"bearer-jwt"}},
	}
	for id, choices := range want {
		if got := byID[id].AuthChoices; !reflect.DeepEqual(got, choices) {
			t.Errorf("%s auth choices %v, want %v", id, got, choices)
		}
	}
	if k := byID["nhs-apim"].Key; k.Type != "rsa" || k.Bits != 4096 {
		t.Errorf("NHS key %+v", k)
	}
	if !byID["generic"].AskURL || !byID["sandbox"].AskURL || byID["hmpps"].AskURL {
		t.Error("AskURL: generic and sandbox ask for the URL, HMPPS has its hosts")
	}
	if s := byID["sandbox"].Subject; strings.Contains(s, "{") || (keyMaker{}).CheckSubject(s) != nil {
		t.Errorf("the sandbox's subject %q should be ready to use", s)
	}
	if err := (keyMaker{}).CheckSubject(byID["hmpps"].Subject); err == nil || !strings.Contains(err.Error(), "{state}") {
		t.Errorf("a template subject with placeholders: %v", err)
	}
	if len(byID) != len(provider.All()) {
		t.Errorf("%d providers for %d templates", len(byID), len(provider.All()))
	}
}

func TestKeyMakerWritesKeyAndCSR(t *testing.T) {
	dir := t.TempDir()
	files, err := keyMaker{}.MakeKey(context.Background(), wizard.KeyRequest{
		Dir: filepath.Join(dir, "keys"), Name: "client", Spec: wizard.KeySpec{Type: "ecdsa", Curve: "P-256"},
		CSR: true, Subject: "/O=Org/CN=client-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(files.Key)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key %v %v", st, err)
	}
	data, _ := os.ReadFile(files.CSR)
	if keystore.Sniff(data) != keystore.KindCSR {
		t.Errorf("CSR file holds %s", keystore.Sniff(data))
	}
}

// The wizard's key and certificate adapters never replace a file that
// holds something else: the wizard has no --force.
func TestWizardAdaptersNeverOverwrite(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "prof")
	if err := (keyMaker{}).CheckSubject("/CN=x/Nope=1"); err == nil {
		t.Error("bad subject accepted")
	}
	files, err := keyMaker{}.MakeKey(ctx, wizard.KeyRequest{Dir: dir, Name: "client", Spec: wizard.KeySpec{Type: "ecdsa", Curve: "P-256"},
		CSR: true, Subject: "/CN=client-1", JWKS: true, KID: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if files.Key != filepath.Join(dir, "client.key") || files.CSR == "" || files.JWKS == "" {
		t.Errorf("files %+v", files)
	}
	before, _ := os.ReadFile(files.Key)
	_, err = keyMaker{}.MakeKey(ctx, wizard.KeyRequest{Dir: dir, Name: "client", Spec: wizard.KeySpec{Type: "rsa", Bits: 2048}})
	if after, _ := os.ReadFile(files.Key); !errors.Is(err, keystore.ErrExists) || !bytes.Equal(before, after) {
		t.Errorf("MakeKey over an existing key: %v", err)
	}

	key, err := keystore.ReadPrivateKey(files.Key, nil)
	if err != nil {
		t.Fatal(err)
	}
	ca := testpki.NewCA(t, "Provider CA")
	leaf := ca.Client(t, testpki.Options{Key: key, NotAfter: time.Now().Add(10 * 24 * time.Hour)})
	certFile := testpki.WriteFile(t, t.TempDir(), "issued.pem", leaf.CertPEM(false))
	caFile := testpki.WriteFile(t, t.TempDir(), "ca.pem", ca.CertPEM())
	ci := certImporter{now: time.Now}
	got, findings, err := ci.Import(ctx, wizard.ImportRequest{CertFile: certFile, KeyFile: files.Key, CACertFile: caFile, Dir: dir})
	if err != nil || got != filepath.Join(dir, "client.crt") || len(findings) != 1 || findings[0].Cause.ID != cause.ClientCertExpired {
		t.Fatalf("import: %s %v %v", got, findings, err)
	}
	// The same certificate again changes nothing and is fine; for
	// Securosys, whose TSB may check by OCSP, a certificate without an
	// OCSP URI is warned about.
	_, findings, err = ci.Import(ctx, wizard.ImportRequest{CertFile: certFile, KeyFile: files.Key, Dir: dir, Provider: "securosys"})
	if err != nil || len(findings) != 2 || !strings.Contains(findings[1].Cause.Title, "OCSP") {
		t.Errorf("re-import of the same certificate for securosys: %v %v", findings, err)
	}
	// Another certificate for the same key is not written over the first.
	imported, _ := os.ReadFile(got)
	renewed := ca.Client(t, testpki.Options{Key: key})
	renewedFile := testpki.WriteFile(t, t.TempDir(), "renewed.pem", renewed.CertPEM(false))
	_, _, err = ci.Import(ctx, wizard.ImportRequest{CertFile: renewedFile, KeyFile: files.Key, Dir: dir})
	if now, _ := os.ReadFile(got); err == nil || !strings.Contains(err.Error(), "never replaces") || !bytes.Equal(imported, now) {
		t.Errorf("a different certificate replaced %s: %v", got, err)
	}
	stranger := ca.Client(t, testpki.Options{})
	other := testpki.WriteFile(t, t.TempDir(), "other.pem", stranger.CertPEM(false))
	_, _, err = ci.Import(ctx, wizard.ImportRequest{CertFile: other, KeyFile: files.Key, Dir: dir})
	if c, ok := cause.Of(err); !ok || c.ID != cause.KeyCertMismatch {
		t.Errorf("mismatch: %v", err)
	}
}

// The TUI's explain screen blanks the secrets the session knows (read
// from the store, or exec's variables) in the evidence it quotes.
func TestTUIExplainBlanksKnownSecrets(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	const key = "CANARY-tui-key-4e0b9a"
	io, _, _, _ := iostreams.Test()
	fac := testFactory(io, nil)
	fac.Secrets.Add(key)
	deps := newTUIDeps(fac, "", nil, secretstore.OnHome)
	ms, _ := deps.Explain("curl: (60) SSL certificate problem: unable to get local issuer certificate (key " + key + ")")
	if len(ms) == 0 || strings.Contains(ms[0].Evidence, key) || !strings.Contains(ms[0].Evidence, "[redacted]") {
		t.Errorf("%+v", ms)
	}
}
