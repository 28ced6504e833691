package sandbox

import (
	"context"
	"testing"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/usecase"
)

// TestProfileRoleKeys: the ready sandbox profile checks the Securosys-like
// endpoints with the key of each one's role, picked by the role table.
func TestProfileRoleKeys(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	s := start(t, "")
	if _, err := s.SaveProfile(); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Load(ProfileName)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, method, key string }{
		{"/v1/versionInfo", "GET", ServiceKeyName}, {"/v1/sign", "POST", OperationKeyName}, {StatusPath, "GET", APIKeyName},
	} {
		o, err := usecase.ProfileOptions(p, false)
		if err != nil {
			t.Fatal(err)
		}
		o.URL, o.Method, o.ExpectJSON = s.BaseURL()+c.path, c.method, ""
		usecase.AddProfileSecrets(p, &o, s.kr, true, true)
		rep := diagnose.Run(context.Background(), o, nil)
		if !rep.OK || rep.Request.APIKeyName != c.key {
			t.Errorf("%s %s: ok %v with key %q, want %q; cause %v", c.method, c.path, rep.OK, rep.Request.APIKeyName, c.key, rep.Cause)
		}
	}
}
