package inspect

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// Like smallstep/certinfo, every fixture in testdata/fixtures has its own
// golden text and JSON in testdata/TestInspectText and TestInspectJSON, so
// a change to what inspect says about any kind of file shows as a diff.
// Refresh with `go test ./inspect -run TestInspect -update`
// and read the diff. Colour goldens keep the ANSI escapes.

func fixtureNames(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	if len(names) < 20 {
		t.Fatalf("only %d fixtures in %s", len(names), fixtureDir)
	}
	return names
}

// inspectFixtures inspects the named fixtures together at the fixed clock,
// as `onramp inspect` does with several files.
func inspectFixtures(t *testing.T, pass string, names ...string) []*Result {
	t.Helper()
	var results []*Result
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(fixtureDir, n))
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, InspectWith(n, data, Options{Now: fixtureNow, Pass: []byte(pass)}))
	}
	CrossCheck(results)
	return results
}

func renderText(results []*Result, color bool) string {
	var b bytes.Buffer
	RenderText(&b, results, color)
	return b.String()
}

func TestInspectText(t *testing.T) {
	for _, name := range fixtureNames(t) {
		t.Run(name, func(t *testing.T) {
			golden.RequireEqual(t, renderText(inspectFixtures(t, "", name), false))
		})
	}
}

func TestInspectJSON(t *testing.T) {
	for _, name := range fixtureNames(t) {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := JSON(&b, inspectFixtures(t, "", name)); err != nil {
				t.Fatal(err)
			}
			golden.RequireEqual(t, b.String())
		})
	}
}

// TestInspectTextColor covers each colour the text uses: red for expired
// and failures, yellow for warnings and near expiry, dim notes, bold names.
func TestInspectTextColor(t *testing.T) {
	for _, name := range []string{"expired.crt", "expiring.pem", "ca-bundle.pem", "ca-bundle-large.pem", "jwks-private.json", "server.crt", "notes.txt"} {
		t.Run(name, func(t *testing.T) {
			golden.RequireEqual(t, renderText(inspectFixtures(t, "", name), true))
		})
	}
}

// TestInspectTogether covers files inspected in one command: a key
// matched (or not) against the certificates, CSRs and JWKS beside it, and
// the passphrase opening encrypted files.
func TestInspectTogether(t *testing.T) {
	cases := []struct {
		name  string
		pass  string
		files []string
	}{
		{"cert-and-key", "", []string{"chain.pem", "client.key"}},
		{"key-matches-csr-and-jwks", "", []string{"client.key", "client.csr", "jwks.json"}},
		{"wrong-key", "", []string{"chain.pem", "other.key", "client.csr", "jwks.json"}},
		{"encrypted-key-no-pass", "", []string{"leaf.crt", "client-enc.key"}},
		{"encrypted-key-pass", fixturePass, []string{"leaf.crt", "client-enc.key"}},
		{"encrypted-key-wrong-pass", "not-the-pass", []string{"client-enc.key"}},
		{"p12-pass", fixturePass, []string{"client.p12"}},
		{"p12-wrong-pass", "not-the-pass", []string{"client.p12"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			results := inspectFixtures(t, c.pass, c.files...)
			out := renderText(results, false)
			if c.pass != "" && strings.Contains(out, c.pass) {
				t.Fatal("the passphrase is in the output")
			}
			golden.RequireEqual(t, out)
		})
	}
}

// No golden holds a line of a private key fixture: the renderers describe
// keys, never show them.
func TestGoldensHoldNoKeyMaterial(t *testing.T) {
	var secrets []string
	var jwk struct{ Keys []struct{ D string } }
	data, err := os.ReadFile(filepath.Join(fixtureDir, "jwks-private.json"))
	if err != nil || json.Unmarshal(data, &jwk) != nil || len(jwk.Keys) != 1 || jwk.Keys[0].D == "" {
		t.Fatalf("jwks-private.json: %v", err)
	}
	secrets = append(secrets, jwk.Keys[0].D)
	for _, name := range []string{"client.key", "other.key", "id_ed25519", "client-enc.key", "combined.pem"} {
		data, err := os.ReadFile(filepath.Join(fixtureDir, name))
		if err != nil {
			t.Fatal(err)
		}
		inKey := false
		for _, line := range strings.Split(string(data), "\n") {
			switch {
			case strings.Contains(line, "PRIVATE KEY-----"):
				inKey = strings.HasPrefix(line, "-----BEGIN")
			case inKey && len(line) > 20:
				secrets = append(secrets, line)
			}
		}
	}
	if len(secrets) < 20 {
		t.Fatalf("only %d key lines found in the fixtures", len(secrets))
	}
	goldens, err := filepath.Glob("testdata/TestInspect*/*.golden")
	if err != nil || len(goldens) < 40 {
		t.Fatalf("%d goldens: %v", len(goldens), err)
	}
	for _, g := range goldens {
		data, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if strings.Contains(string(data), strings.TrimSpace(s)) {
				t.Errorf("%s holds key material: %s", g, s)
			}
		}
	}
}
