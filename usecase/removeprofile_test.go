package usecase

import (
	"testing"

	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/secretstore"
)

// Secrets under PROFILE/ that the profile does not record (a record lost,
// a secret stored by secret-tool) are removed with it; another profile's,
// even one whose name starts the same, stay.
func TestRemoveProfileRemovesUnrecordedSecrets(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	kr := testkeyring.New()
	for _, item := range []string{"p/recorded", "p/stray", "p/oauth-token", "p2/other", "q/other"} {
		kr.Items[item] = "v"
	}
	p := &profile.Profile{Name: "p"}
	p.RecordSecret("recorded", fixedNow)
	if err := profile.Save(p); err != nil {
		t.Fatal(err)
	}
	cacheErr, err := RemoveProfile(p, func() (secretstore.Keyring, error) { return kr, nil })
	if err != nil || cacheErr != nil {
		t.Fatal(err, cacheErr)
	}
	if len(kr.Items) != 2 || kr.Items["p2/other"] == "" || kr.Items["q/other"] == "" {
		t.Errorf("left in the store: %v", kr.Items)
	}
	if _, err := profile.Load("p"); err == nil {
		t.Error("the profile file stays")
	}
}
