package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/secretstore"
)

// On a terminal without a keyring, caching the token is no reason to offer
// the encrypted file: the token comes, stderr says once that it was not
// cached and why, and nothing is created. A key the command needs from the
// store still gets the offer.
func TestTokenCacheNeverOffersTheFile(t *testing.T) {
	kr := useTokenTestKeyring(t)
	kr.Unavailable = true
	f := newTokenCmdFixture(t)
	dir := os.Getenv("ONRAMP_CONFIG_DIR")
	keyFile := filepath.Join(t.TempDir(), "api-key")
	if err := os.WriteFile(keyFile, []byte(tokenTestAPIKey), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &profile.Profile{Name: "nhs-int", Provider: "nhs-apim", URL: f.apim.URL, TokenURL: f.apim.TokenURL,
		Auth: []string{"signed-jwt"}, Key: f.keyFile, KID: "test-1", CACert: f.caFile, APIKeyHeader: "apikey",
		KeyFiles: map[string]string{"api-key": keyFile}}
	if err := profile.Save(p); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (int, string, string) {
		io, in, out, errOut := iostreams.Test()
		in.WriteString("y\nsecret-pass\nsecret-pass\n") // what a prompt would take
		io.SetTTY(true, true, true)
		fac := testFactory(io, kr)
		fac.SecretStore = func(string) (secretstore.Keyring, error) {
			return &offeringStore{keyring: kr, io: io, dir: dir, openFile: func() (secretstore.Keyring, error) {
				t.Error("the file store was opened")
				return kr, nil
			}}, nil
		}
		return execute(fac, args), out.String(), errOut.String()
	}
	code, out, errOut := run("token", "--profile", "nhs-int")
	if code != 0 || out != f.apim.Tokens()[0]+"\n" {
		t.Fatalf("exit %d, stdout %q: %s", code, out, errOut)
	}
	if strings.Contains(errOut, "encrypted file instead") || strings.Count(errOut, "not cached") != 1 ||
		!strings.Contains(errOut, "the token was not cached: no OS keyring answers here") || !strings.Contains(errOut, "--store file") {
		t.Errorf("stderr:\n%s", errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, secretstore.ConfigFile)); err == nil {
		t.Error("a store choice was remembered")
	}
	assertNoSecret(t, "stderr", errOut, f.apim.Tokens()[0])

	// The API key in the store: the command needs the store, so it offers.
	delete(p.KeyFiles, "api-key")
	if err := profile.Save(p); err != nil {
		t.Fatal(err)
	}
	io, in, _, errOut2 := iostreams.Test()
	in.WriteString("n\n")
	io.SetTTY(true, true, true)
	fac := testFactory(io, kr)
	fac.SecretStore = func(string) (secretstore.Keyring, error) {
		return &offeringStore{keyring: kr, io: io, dir: dir, openFile: func() (secretstore.Keyring, error) { return kr, nil }}, nil
	}
	if code := execute(fac, []string{"token", "--profile", "nhs-int"}); code == 0 || strings.Count(errOut2.String(), "encrypted file instead") != 1 {
		t.Errorf("API key from the store: exit %d, want one offer:\n%s", code, errOut2.String())
	}
}

// The screens word a store's fix for where they are: other TUI screens
// send the user to Home's f, accessible mode to its menu, and the wizard
// (in the TUI and in onramp init) to its own offer.
func TestScreenStoreFixesByPlace(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	kr := testkeyring.New()
	kr.Unavailable = true
	for at, want := range map[secretstore.Place]string{secretstore.OnScreen: "Home screen press f", secretstore.InMenu: "in onramp's menu"} {
		io, _, _, _ := iostreams.Test()
		deps := newTUIDeps(testFactory(io, kr), "", &tuiSandbox{}, at)
		for where, store := range map[string]secretstore.Keyring{"screens": deps.Keyring, "wizard": deps.NewFlow(nil).Secrets} {
			_, err := store.Get("p", "api-key")
			var e *secretstore.Error
			if !errors.As(err, &e) {
				t.Fatalf("%s: %v", where, err)
			}
			w := want
			if where == "wizard" {
				w = "when the wizard offers it"
			}
			if !strings.Contains(e.Fix, w) {
				t.Errorf("place %d, %s: fix %q lacks %q", at, where, e.Fix, w)
			}
		}
	}
}
