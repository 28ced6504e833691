package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/provider"
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
		"generic":  {{"mtls"}, {"api-key"}, {"mtls", "api-key"}},
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
