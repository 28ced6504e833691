package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testenv"

	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/keystore"
)

func runKeysCmd(t *testing.T, stdin []byte, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	io, in, out, errOut := iostreams.Test()
	in.Write(stdin)
	code = run(io, args)
	return code, out.String(), errOut.String()
}

func TestKeygenRejectsConflictingFlagsBeforeWork(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"--curve", "P-256"}, []string{"--curve", "--type rsa"}},
		{[]string{"--type", "ecdsa", "--bits", "4096"}, []string{"--bits", "--type ecdsa"}},
		{[]string{"--type", "ed25519", "--curve", "P-384"}, []string{"--curve", "--type ed25519"}},
		{[]string{"--bits", "1024"}, []string{"--bits 1024", "2048, 3072 or 4096"}},
		{[]string{"--kid", "test-1"}, []string{"--kid", "--jwks"}},
		{[]string{"--alg", "RS512"}, []string{"--alg", "--jwks"}},
		{[]string{"--subject", "/CN=x"}, []string{"--subject", "--csr"}},
		{[]string{"--san", "DNS:x"}, []string{"--san", "--csr"}},
		{[]string{"--csr"}, []string{"--csr", "--subject"}},
		{[]string{"--csr", "--subject", "/CN=x/Bogus=1"}, []string{"--subject", `"Bogus"`}},
		{[]string{"--csr", "--subject", "/CN=x", "--san", "IP:not-an-ip"}, []string{"--san"}},
		{[]string{"--type", "dsa"}, []string{"--type"}},
		{[]string{"--type", "ecdsa", "--jwks", "--alg", "RS512"}, []string{"--alg RS512", "--type ecdsa"}},
		{[]string{"--pass-env", "ONRAMP_TEST_UNSET_VAR"}, []string{"--pass-env ONRAMP_TEST_UNSET_VAR", "not set"}},
		{[]string{"--name", "../escape"}, []string{"--name"}},
	}
	for _, c := range cases {
		args := append([]string{"keygen", "--out", dir}, c.args...)
		code, _, stderr := runKeysCmd(t, nil, args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", c.args, code, stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%v: message %q does not name %q", c.args, stderr, w)
			}
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Error("a rejected keygen created the output directory")
	}
	if code, _, stderr := runKeysCmd(t, nil, "keygen"); code != 2 || !strings.Contains(stderr, "--out") {
		t.Errorf("without --out: %d %s", code, stderr)
	}
}

func TestKeygenWritesWhatWasAskedAndNeverOverwrites(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hmpps")
	args := []string{"keygen", "--out", dir, "--name", "client", "--type", "ecdsa", "--csr",
		"--subject", "/C=GB/O=Example Ltd/CN=example-client", "--san", "DNS:client.example.test",
		"--jwks", "--kid", "k1", "--der"}
	code, stdout, stderr := runKeysCmd(t, nil, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for name, perm := range map[string]os.FileMode{"client.key": 0o600, "client.key.der": 0o600, "client.csr": 0o644, "client.jwks.json": 0o644} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Mode().Perm() != perm {
			t.Errorf("%s: %v mode %v", name, err, fi)
		}
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %o", fi.Mode().Perm())
	}
	for _, want := range []string{"client.key", "private key (ECDSA P-256, PKCS#8 PEM), mode 0600", "send client.csr to the provider", `kid "k1", alg ES256`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "PRIVATE KEY") {
		t.Error("key material printed")
	}
	before, _ := os.ReadFile(filepath.Join(dir, "client.key"))
	os.Remove(filepath.Join(dir, "client.jwks.json"))
	code, _, stderr = runKeysCmd(t, nil, args...)
	if code != 2 || !strings.Contains(stderr, "already exist") || !strings.Contains(stderr, "--force") {
		t.Errorf("second run: exit %d %s", code, stderr)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "client.key")); !bytes.Equal(before, after) {
		t.Error("key overwritten without --force")
	}
	if _, err := os.Stat(filepath.Join(dir, "client.jwks.json")); !os.IsNotExist(err) {
		t.Error("a refused run wrote the JWKS")
	}
	if code, _, stderr := runKeysCmd(t, nil, append(args, "--force")...); code != 0 {
		t.Fatalf("--force: %d %s", code, stderr)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "client.key")); bytes.Equal(before, after) {
		t.Error("--force did not replace the key")
	}
}

func TestKeygenEncryptedKeyNeverShowsPassphrase(t *testing.T) {
	t.Setenv("ONRAMP_TEST_KEY_PASS", "very-secret-phrase")
	dir := t.TempDir()
	code, stdout, stderr := runKeysCmd(t, nil, "keygen", "--out", dir, "--type", "ed25519", "--pass-env", "ONRAMP_TEST_KEY_PASS")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stdout+stderr, "very-secret-phrase") {
		t.Fatal("passphrase in output")
	}
	data, _ := os.ReadFile(filepath.Join(dir, "client.key"))
	if keystore.Sniff(data) != keystore.KindEncryptedPrivateKey {
		t.Fatalf("key not encrypted: %.40s", data)
	}
	if _, err := keystore.ParsePrivateKey("k", data, []byte("very-secret-phrase")); err != nil {
		t.Error(err)
	}
	// inspect: encrypted and not failed without the passphrase; opened with it.
	code, stdout, _ = runKeysCmd(t, nil, "inspect", filepath.Join(dir, "client.key"))
	if code != 0 || !strings.Contains(stdout, "encrypted private key") {
		t.Errorf("inspect without pass: %d\n%s", code, stdout)
	}
	code, stdout, _ = runKeysCmd(t, nil, "inspect", "--pass-env", "ONRAMP_TEST_KEY_PASS", filepath.Join(dir, "client.key"))
	if code != 0 || !strings.Contains(stdout, "Ed25519") {
		t.Errorf("inspect with pass: %d\n%s", code, stdout)
	}
	t.Setenv("ONRAMP_TEST_KEY_PASS", "wrong")
	code, stdout, _ = runKeysCmd(t, nil, "inspect", "--pass-env", "ONRAMP_TEST_KEY_PASS", filepath.Join(dir, "client.key"))
	if code != 1 || !strings.Contains(stdout, "key-passphrase-wrong") {
		t.Errorf("inspect with a wrong pass: %d\n%s", code, stdout)
	}
}

func TestKeygenSpinnerOnlyOnATerminal(t *testing.T) {
	for _, tty := range []bool{false, true} {
		io, _, _, errOut := iostreams.Test()
		io.SetTTY(false, false, tty)
		if code := run(io, []string{"keygen", "--out", t.TempDir(), "--bits", "2048"}); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		spun := strings.Contains(errOut.String(), "generating an RSA 2048 key")
		if spun != tty {
			t.Errorf("stderr terminal=%v: spinner shown=%v (%q)", tty, spun, errOut.String())
		}
	}
}

func TestInspectCommandExitCodesAndJSON(t *testing.T) {
	ca := testpki.NewCA(t, "Root")
	leaf := ca.Client(t, testpki.Options{CommonName: "client-1"})
	stranger := ca.Client(t, testpki.Options{})
	dir := t.TempDir()
	certFile, keyFile := leaf.Files(t, dir, "client")
	otherKey := testpki.WriteFile(t, dir, "other.key", stranger.KeyPEM(t))

	if code, out, _ := runKeysCmd(t, nil, "inspect", certFile, keyFile); code != 0 || !strings.Contains(out, "Matches:") {
		t.Errorf("matching pair: %d\n%s", code, out)
	}
	code, out, _ := runKeysCmd(t, nil, "inspect", "--json", certFile, otherKey)
	if code != 1 {
		t.Errorf("mismatch: exit %d", code)
	}
	var results []struct {
		File     string `json:"file"`
		Kind     string `json:"kind"`
		Findings []struct {
			ID  string `json:"id"`
			Fix string `json:"fix"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &results); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(results) != 2 || results[0].Kind != "certificate" || results[1].Kind != "private-key" ||
		len(results[1].Findings) != 1 || results[1].Findings[0].ID != "key-cert-mismatch" || results[1].Findings[0].Fix == "" {
		t.Errorf("json: %s", out)
	}
	// stdin
	code, out, _ = runKeysCmd(t, leaf.CertPEM(false), "inspect", "--json", "-")
	var one map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &one) != nil || one["file"] != "(stdin)" || one["kind"] != "certificate" {
		t.Errorf("stdin: %d %s", code, out)
	}
	// bad input: exit 1 with a cause; usage: exit 2.
	empty := testpki.WriteFile(t, dir, "empty.pem", nil)
	for _, args := range [][]string{{"inspect", empty}, {"inspect", filepath.Join(dir, "missing.pem")}} {
		if code, out, _ := runKeysCmd(t, nil, args...); code != 1 || !strings.Contains(out, "✗ ") || !strings.Contains(out, "(input-") {
			t.Errorf("%v: %d\n%s", args, code, out)
		}
	}
	if code, _, _ := runKeysCmd(t, nil, "inspect"); code != 2 {
		t.Errorf("no file: exit %d", code)
	}
	if code, _, _ := runKeysCmd(t, nil, "inspect", "-", "-"); code != 2 {
		t.Errorf("stdin twice: exit %d", code)
	}
}

func TestImportCommand(t *testing.T) {
	ca := testpki.NewCA(t, "Provider CA")
	leaf := ca.Client(t, testpki.Options{CommonName: "client-1"})
	stranger := ca.Client(t, testpki.Options{})
	src := t.TempDir()
	certFile := testpki.WriteFile(t, src, "issued.crt", leaf.CertPEM(false))
	keyFile := testpki.WriteFile(t, src, "client.key", leaf.KeyPEM(t))
	otherKey := testpki.WriteFile(t, src, "other.key", stranger.KeyPEM(t))
	caFile := testpki.WriteFile(t, src, "ca.pem", ca.CertPEM())
	out := filepath.Join(t.TempDir(), "profile")

	code, stdout, _ := runKeysCmd(t, nil, "import", "--cert", certFile, "--key", otherKey, "--cacert", caFile, "--out", out)
	if code != 1 || !strings.Contains(stdout, "key-cert-mismatch") || !strings.Contains(stdout, "Nothing was written") {
		t.Errorf("mismatch: %d\n%s", code, stdout)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("refused import wrote files")
	}
	code, stdout, stderr := runKeysCmd(t, nil, "import", "--cert", certFile, "--key", keyFile, "--cacert", caFile, "--out", out)
	if code != 0 || !strings.Contains(stdout, "✓ chains to") || !strings.Contains(stdout, "days left") {
		t.Fatalf("import: %d\n%s%s", code, stdout, stderr)
	}
	if fi, err := os.Stat(filepath.Join(out, "client.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key: %v", err)
	}
	// Importing the same files again changes nothing, so it is no overwrite;
	// for Securosys the missing OCSP URI is warned about, not refused.
	code, stdout, stderr = runKeysCmd(t, nil, "import", "--cert", certFile, "--key", keyFile, "--out", out, "--provider", "securosys")
	if code != 0 || !strings.Contains(stdout, "! The client certificate names no OCSP responder") {
		t.Errorf("identical re-import for securosys: %d %s %s", code, stdout, stderr)
	}
	if code, _, stderr := runKeysCmd(t, nil, "import", "--cert", certFile, "--key", keyFile, "--out", out, "--provider", "nope"); code != 2 || !strings.Contains(stderr, "--provider") {
		t.Errorf("unknown --provider: %d %s", code, stderr)
	}
	// A different file in the way is kept unless --force says otherwise.
	placed := filepath.Join(out, "client.crt")
	if err := os.WriteFile(placed, []byte("someone else's certificate\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runKeysCmd(t, nil, "import", "--cert", certFile, "--key", keyFile, "--out", out); code != 2 || !strings.Contains(stderr, "--force") {
		t.Errorf("re-import over a different file without --force: %d %s", code, stderr)
	}
	if got, _ := os.ReadFile(placed); string(got) != "someone else's certificate\n" {
		t.Error("the file in the way was overwritten")
	}
	if code, _, _ := runKeysCmd(t, nil, "import", "--key", keyFile, "--out", out); code != 2 {
		t.Error("missing --cert accepted")
	}
}

func TestConvertCommand(t *testing.T) {
	openssl := testenv.Tool(t, "openssl")
	dir := t.TempDir()
	pkcs1 := filepath.Join(dir, "rsa.pem")
	if out, err := exec.Command(openssl, "genrsa", "-traditional", "-out", pkcs1, "2048").CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	p8 := filepath.Join(dir, "rsa.p8.pem")
	if code, _, stderr := runKeysCmd(t, nil, "convert", pkcs1, "--out", p8); code != 0 {
		t.Fatalf("%d %s", code, stderr)
	}
	data, _ := os.ReadFile(p8)
	if !bytes.HasPrefix(data, []byte("-----BEGIN PRIVATE KEY-----")) {
		t.Errorf("not PKCS#8: %.30s", data)
	}
	der := filepath.Join(dir, "rsa.der")
	if code, _, stderr := runKeysCmd(t, nil, "convert", p8, "--out", der); code != 0 {
		t.Fatalf("%d %s", code, stderr)
	}
	if out, err := exec.Command(openssl, "pkey", "-inform", "DER", "-in", der, "-noout").CombinedOutput(); err != nil {
		t.Errorf("openssl cannot read the DER: %s", out)
	}
	t.Setenv("ONRAMP_TEST_NEW_PASS", "new pass")
	enc := filepath.Join(dir, "enc.pem")
	if code, _, stderr := runKeysCmd(t, nil, "convert", der, "--out", enc, "--new-pass-env", "ONRAMP_TEST_NEW_PASS"); code != 0 {
		t.Fatalf("%d %s", code, stderr)
	}
	cmd := exec.Command(openssl, "pkcs8", "-in", enc, "-passin", "env:ONRAMP_TEST_NEW_PASS")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("openssl pkcs8 cannot decrypt: %s", out)
	}
	if code, _, stderr := runKeysCmd(t, nil, "convert", enc, "--out", filepath.Join(dir, "x.pem")); code != 2 || !strings.Contains(stderr, "--decrypt") {
		t.Errorf("silent decrypt: %d %s", code, stderr)
	}
	if code, _, stderr := runKeysCmd(t, nil, "convert", enc, "--out", filepath.Join(dir, "x.pem"), "--decrypt", "--new-pass-env", "ONRAMP_TEST_NEW_PASS"); code != 2 || !strings.Contains(stderr, "--decrypt and --new-pass-env") {
		t.Errorf("contradiction: %d %s", code, stderr)
	}
	if err := os.WriteFile(p8, []byte("another key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := runKeysCmd(t, nil, "convert", pkcs1, "--out", p8); code != 2 {
		t.Error("convert overwrote without --force")
	}
}

// A keygen --force whose write fails midway (the file-size limit of
// `ulimit -f`, as a full disk would) leaves the old key intact and no
// temporary file behind: the real binary, a real failing write(2).
func TestKeygenInterruptedWriteKeepsOldKey(t *testing.T) {
	bin := testenv.OnrampBinary(t)
	dir := t.TempDir()
	if code, _, stderr := runKeysCmd(t, nil, "keygen", "--out", dir, "--type", "ecdsa"); code != 0 {
		t.Fatal(stderr)
	}
	keyFile := filepath.Join(dir, "client.key")
	before, _ := os.ReadFile(keyFile)
	// 2 KiB limit; an RSA-4096 PKCS#8 PEM is about 3.2 KiB.
	cmd := exec.Command("bash", "-c", `ulimit -f 2; exec "$0" keygen --out "$1" --bits 4096 --force`, bin, dir)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "file too large") {
		t.Fatalf("keygen under ulimit: %v\n%s", err, out)
	}
	after, _ := os.ReadFile(keyFile)
	if !bytes.Equal(before, after) {
		t.Error("the old key was damaged by the failed write")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "client.key" {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// ctrl+c during a long RSA generation returns at once and writes nothing.
func TestKeygenCancelledWritesNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := filepath.Join(t.TempDir(), "keys")
	io, _, _, _ := iostreams.Test()
	io.SetTTY(false, false, true)
	cmd := newKeygenCmd(newFactory(io))
	cmd.SetArgs([]string{"--out", dir, "--bits", "4096"})
	start := time.Now()
	if err := cmd.ExecuteContext(ctx); err != errCancelled {
		t.Fatalf("got %v, want errCancelled", err)
	}
	if time.Since(start) > 200*time.Millisecond {
		t.Errorf("took %v to give up", time.Since(start))
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Error("a cancelled keygen wrote files")
	}
}
