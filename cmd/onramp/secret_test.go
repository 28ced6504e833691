package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/secretstore"
)

type cmdResult struct {
	code        int
	out, errOut string
}

// runCmd runs an onramp command line in-process with stdin and TTY-ness.
func runCmd(t *testing.T, stdin string, tty bool, args ...string) cmdResult {
	t.Helper()
	io, in, out, errOut := iostreams.Test()
	in.WriteString(stdin)
	io.SetTTY(tty, tty, tty)
	code := run(io, args)
	return cmdResult{code, out.String(), errOut.String()}
}

func randomHex(t *testing.T) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func useFileStore(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	t.Setenv(secretstore.Env, "file")
	t.Setenv(secretstore.PassphraseEnv, "test passphrase "+randomHex(t))
}

// useOSKeyring selects the OS keyring; the test fails when a Secret Service
// is required (make test, CI) but missing, and skips otherwise.
func useOSKeyring(t *testing.T) {
	t.Helper()
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	t.Setenv(secretstore.Env, "keyring")
	required := os.Getenv("ONRAMP_TEST_SECRET_SERVICE") == "1" || os.Getenv("CI") == "true"
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		// dbus-send would autolaunch a bus that outlives the test.
		if required {
			t.Fatal("no D-Bus session, but ONRAMP_TEST_SECRET_SERVICE=1 or CI=true")
		}
		t.Skip("no D-Bus session (run `make test`)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
		"/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.secrets").Output()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" || err != nil || !strings.Contains(string(out), "boolean true") {
		if required {
			t.Fatal("no Secret Service on the session bus, but ONRAMP_TEST_SECRET_SERVICE=1 or CI=true")
		}
		t.Skip("no Secret Service on the session bus (run `make test`)")
	}
}

// TestCanaryNeverLeaks plants canary secrets and searches every output
// stream and every file under the config dir for them: only `secret get`'s
// stdout may hold one.
func TestCanaryNeverLeaks(t *testing.T) {
	for _, store := range []string{"file", "keyring"} {
		t.Run(store, func(t *testing.T) {
			if store == "file" {
				useFileStore(t)
			} else {
				useOSKeyring(t)
			}
			dir := os.Getenv("ONRAMP_CONFIG_DIR")
			prof := "canary-" + randomHex(t)
			apiKey := "CANARYKEY" + randomHex(t) + "xyz"
			keyPass := "CANARYPASS" + randomHex(t)
			canaries := []string{apiKey, keyPass}

			ca := testpki.NewCA(t, "Canary CA")
			leaf := ca.Client(t, testpki.Options{CommonName: "canary-client", NotAfter: time.Now().Add(40*24*time.Hour + time.Hour)})
			certFile, keyFile := leaf.Files(t, t.TempDir(), "client")

			var results []cmdResult
			step := func(stdin string, wantCode int, args ...string) cmdResult {
				t.Helper()
				r := runCmd(t, stdin, false, args...)
				if r.code != wantCode {
					t.Fatalf("onramp %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, wantCode, r.out, r.errOut)
				}
				results = append(results, r)
				return r
			}
			step(apiKey+"\n", 0, "secret", "set", "api-key", "--profile", prof)
			step(keyPass, 0, "secret", "set", "key-pass", "--profile", prof)
			// A value with whitespace and a Base64 look: the warnings must not quote it.
			step(" "+apiKey+"\n", 0, "secret", "set", "api-key2", "--profile", prof)

			p, err := profile.Load(prof)
			if err != nil {
				t.Fatal(err)
			}
			p.Cert, p.Key, p.Provider, p.APIKeyHeader, p.APIKeySecret, p.KeyPassSecret = certFile, keyFile, "hmpps", "x-api-key", "api-key", "key-pass"
			if err := profile.Save(p); err != nil {
				t.Fatal(err)
			}

			get := runCmd(t, "", false, "secret", "get", "api-key", "--profile", prof)
			if get.code != 0 || get.out != apiKey {
				t.Fatalf("secret get = %q (exit %d, %s), want the value alone", get.out, get.code, get.errOut)
			}
			if strings.Contains(get.errOut, apiKey) {
				t.Fatal("secret get wrote the value to stderr")
			}
			step("", 0, "secret", "ls", "--profile", prof)
			ls := step("", 0, "secret", "ls", "--profile", prof, "--json")
			show := step("", 0, "profile", "show", prof)
			step("", 0, "profile", "show", prof, "--json")
			step("", 0, "profile", "ls")
			step("", 0, "profile", "ls", "--json")
			step("", 1, "secret", "get", "nothere", "--profile", prof)

			if store == "keyring" {
				// The OS's own tool finds what `onramp secret set` stored.
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				out, err := exec.CommandContext(ctx, "secret-tool", "lookup", "service", "onramp", "username", prof+"/api-key").Output()
				cancel()
				if err != nil || string(out) != apiKey {
					t.Errorf("secret-tool lookup of %s/api-key: %v (value matches: %v)", prof, err, string(out) == apiKey)
				}
			}
			if !strings.Contains(ls.out, `"api-key"`) || !strings.Contains(ls.out, `"key-pass"`) {
				t.Errorf("secret ls --json lacks the names: %s", ls.out)
			}
			if !strings.Contains(show.out, "40 days left") {
				t.Errorf("profile show lacks the days left:\n%s", show.out)
			}

			// Files are checked while the secrets exist.
			err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				data, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				for _, c := range canaries {
					if bytes.Contains(data, []byte(c)) {
						t.Errorf("%s holds a secret value", path)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}

			step("", 0, "secret", "rm", "key-pass", "--profile", prof, "--yes")
			step("", 0, "profile", "rm", prof, "--yes")
			step("", 1, "secret", "get", "api-key", "--profile", prof)
			step("", 1, "secret", "get", "api-key2", "--profile", prof)

			for _, r := range results {
				for _, c := range canaries {
					if strings.Contains(r.out, c) || strings.Contains(r.errOut, c) {
						t.Errorf("a canary leaked:\nstdout: %s\nstderr: %s", r.out, r.errOut)
					}
				}
			}
		})
	}
}

func TestSecretSetInput(t *testing.T) {
	useFileStore(t)
	// Piped: exactly one trailing newline is removed.
	for _, c := range []struct{ in, want string }{
		{"plain", "plain"},
		{"with-newline\n", "with-newline"},
		{"crlf\r\n", "crlf"},
		{"two-newlines\n\n", "two-newlines\n"},
	} {
		if r := runCmd(t, c.in, false, "secret", "set", "s", "--profile", "p"); r.code != 0 {
			t.Fatalf("set %q: %d %s", c.in, r.code, r.errOut)
		}
		if r := runCmd(t, "", false, "secret", "get", "s", "--profile", "p"); r.out != c.want {
			t.Errorf("piped %q stored as %q, want %q", c.in, r.out, c.want)
		}
	}
	// On a terminal: a prompt on stderr, the line read without its newline.
	r := runCmd(t, "typed-value\n", true, "secret", "set", "s", "--profile", "p")
	if r.code != 0 || !strings.Contains(r.errOut, "input hidden") || strings.Contains(r.out, "typed-value") {
		t.Fatalf("terminal set: %d\nstdout: %s\nstderr: %s", r.code, r.out, r.errOut)
	}
	if r := runCmd(t, "", false, "secret", "get", "s", "--profile", "p"); r.out != "typed-value" {
		t.Errorf("terminal value stored as %q", r.out)
	}
	// Empty values are refused, and nothing is recorded.
	for _, in := range []string{"", "\n"} {
		r := runCmd(t, in, false, "secret", "set", "empty", "--profile", "p")
		if r.code != 2 || !strings.Contains(r.errOut, "empty") {
			t.Errorf("empty value %q: exit %d %s", in, r.code, r.errOut)
		}
	}
	if p, _ := profile.Load("p"); p.Secrets["empty"] != (time.Time{}) {
		t.Error("an empty secret was recorded")
	}
	// Secret and profile names are checked.
	if r := runCmd(t, "v", false, "secret", "set", "a/b"); r.code != 2 {
		t.Errorf("bad secret name: exit %d", r.code)
	}
	if r := runCmd(t, "v", false, "secret", "set", "x", "--profile", "../etc"); r.code != 2 || !strings.Contains(r.errOut, "--profile") {
		t.Errorf("bad profile name: exit %d %s", r.code, r.errOut)
	}
	// The default profile is "default", created on first use.
	if r := runCmd(t, "v", false, "secret", "set", "x"); r.code != 0 || !strings.Contains(r.errOut, "Created profile default") {
		t.Errorf("default profile: %d %s", r.code, r.errOut)
	}
}

func TestSecretSetWarnsAboutKeyShape(t *testing.T) {
	useFileStore(t)
	r := runCmd(t, "WmszcTlUYlg3bVdwMkxyQThzWXY0TmNE", false, "secret", "set", "api-key")
	if r.code != 0 || !strings.Contains(r.errOut, "Warning: ") || !strings.Contains(r.errOut, "(api-key-base64-encoded)") {
		t.Errorf("Base64-looking key: %d %s", r.code, r.errOut)
	}
	r = runCmd(t, "Zk3q9TbX7mWp2LrA8sYv4NcD \n", false, "secret", "set", "api-key")
	if !strings.Contains(r.errOut, "api-key-whitespace") || strings.Contains(r.errOut, "base64") {
		t.Errorf("key with a trailing space: %s", r.errOut)
	}
	r = runCmd(t, "Zk3q9TbX7mWp2LrA8sYv4NcD\n", false, "secret", "set", "api-key")
	if strings.Contains(r.errOut, "Warning") {
		t.Errorf("a clean key (its piped newline removed) was warned about: %s", r.errOut)
	}
	// A passphrase is not an API key: no shape warnings.
	r = runCmd(t, "correct horse battery staple", false, "secret", "set", "key-pass")
	if strings.Contains(r.errOut, "Warning") {
		t.Errorf("passphrase warned about: %s", r.errOut)
	}
}

func TestSecretRemoveConfirmation(t *testing.T) {
	useFileStore(t)
	runCmd(t, "v", false, "secret", "set", "s")
	if r := runCmd(t, "", false, "secret", "rm", "s"); r.code != 2 || !strings.Contains(r.errOut, "--yes") {
		t.Fatalf("rm without a terminal or --yes: %d %s", r.code, r.errOut)
	}
	if r := runCmd(t, "n\n", true, "secret", "rm", "s"); r.code != exitCancelled || !strings.Contains(r.errOut, "[y/N]") {
		t.Fatalf("rm answered n: %d %s", r.code, r.errOut)
	}
	if r := runCmd(t, "", false, "secret", "get", "s"); r.out != "v" {
		t.Fatal("the secret went although the user said no")
	}
	if r := runCmd(t, "y\n", true, "secret", "rm", "s"); r.code != 0 {
		t.Fatalf("rm answered y: %d %s", r.code, r.errOut)
	}
	if r := runCmd(t, "", false, "secret", "get", "s"); r.code != 1 || !strings.Contains(r.errOut, "keyring-secret-missing") {
		t.Fatalf("get after rm: %d %s", r.code, r.errOut)
	}
	if p, _ := profile.Load("default"); len(p.Secrets) != 0 {
		t.Errorf("the profile still records %v", p.SecretNames())
	}
	if r := runCmd(t, "", false, "secret", "rm", "s", "--yes"); r.code != 1 {
		t.Fatalf("rm of a missing secret: %d %s", r.code, r.errOut)
	}
}

func TestSecretLsJSON(t *testing.T) {
	useFileStore(t)
	r := runCmd(t, "", false, "secret", "ls", "--json")
	var got struct {
		Profile string `json:"profile"`
		Secrets []struct {
			Name  string    `json:"name"`
			SetAt time.Time `json:"set_at"`
		} `json:"secrets"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.out), &got) != nil || got.Profile != "default" || got.Secrets == nil || len(got.Secrets) != 0 {
		t.Fatalf("empty ls --json: %d %q", r.code, r.out)
	}
	before := time.Now().Add(-time.Second)
	runCmd(t, "v", false, "secret", "set", "b-secret")
	runCmd(t, "v", false, "secret", "set", "a-secret")
	r = runCmd(t, "", false, "secret", "ls", "--json")
	if err := json.Unmarshal([]byte(r.out), &got); err != nil || len(got.Secrets) != 2 || got.Secrets[0].Name != "a-secret" || got.Secrets[0].SetAt.Before(before) {
		t.Fatalf("ls --json: %v %s", err, r.out)
	}
}

func TestWrongFileStorePassphrase(t *testing.T) {
	useFileStore(t)
	runCmd(t, "v", false, "secret", "set", "s")
	t.Setenv(secretstore.PassphraseEnv, "not it")
	r := runCmd(t, "", false, "secret", "get", "s")
	if r.code != 1 || !strings.Contains(r.errOut, "passphrase does not decrypt") || !strings.Contains(r.errOut, "Fix:") || r.out != "" {
		t.Fatalf("wrong passphrase: %d %q %q", r.code, r.out, r.errOut)
	}
}
