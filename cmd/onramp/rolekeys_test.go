package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/profile"
)

// TestSecretSetRole: `secret set NAME --role ROLE` stores a Securosys role
// key and records it in role_keys; diagnose sends it (to a loopback TLS
// server that checks X-API-KEY) for a path of that role; `secret ls`
// shows the role; `secret rm --role` deletes the key and the role's entry,
// after which the check warns before sending that the role has no key.
func TestSecretSetRole(t *testing.T) {
	useFileStore(t)
	ca := testpki.NewCA(t, "Role Keys CA")
	const serviceKey, opKey = "svc-key-5e1f0c", "op-key-93ab27"
	var mu sync.Mutex
	var sent []string
	srv := ca.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sent = append(sent, r.URL.Path+" "+r.Header.Get("X-API-KEY"))
		mu.Unlock()
		if r.URL.Path == "/v1/versionInfo" && r.Header.Get("X-API-KEY") == serviceKey {
			io.WriteString(w, `{"version":"2.3.0"}`)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"errorCode":631,"reason":"res.error.api.key.invalid"}`)
	}))
	caFile := testpki.WriteFile(t, t.TempDir(), "ca.pem", ca.CertPEM())
	if r := runCmd(t, "", false, "profile", "new", "tsb", "--provider", "securosys", "--url", srv.URL, "--auth", "api-key", "--cacert", caFile); r.code != 0 {
		t.Fatalf("profile new: %d %s", r.code, r.errOut)
	}

	r := runCmd(t, serviceKey+"\n", false, "secret", "set", "securosys-service-key", "--role", "serviceToken", "--profile", "tsb")
	if r.code != 0 || !strings.Contains(r.errOut, "It is the serviceToken key") || strings.Contains(r.out+r.errOut, serviceKey) {
		t.Fatalf("secret set --role: %d %s", r.code, r.errOut)
	}
	if r := runCmd(t, opKey, false, "secret", "set", "--role", "keyOperationToken", "--profile", "tsb"); r.code != 0 {
		t.Fatalf("secret set --role without NAME: %d %s", r.code, r.errOut)
	}
	p, err := profile.Load("tsb")
	if err != nil || p.RoleKeys["serviceToken"] != "securosys-service-key" || p.RoleKeys["keyOperationToken"] != "keyOperationToken" {
		t.Fatalf("role_keys %v (%v)", p.RoleKeys, err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"secret", "set", "k", "--role", "keyManagerToken", "--profile", "tsb"}, "use one of keyManagementToken"},
		{[]string{"secret", "set", "--profile", "tsb"}, "needs NAME"},
	} {
		if r := runCmd(t, "x", false, c.args...); r.code != 2 || !strings.Contains(r.errOut, c.want) {
			t.Errorf("%v: exit %d %s", c.args, r.code, r.errOut)
		}
	}

	// The check of /v1/versionInfo (serviceToken) sends the service key.
	if r := runCmd(t, "", false, "diagnose", "--profile", "tsb", "--timeout", "5s"); r.code != 0 || sent[len(sent)-1] != "/v1/versionInfo "+serviceKey {
		t.Fatalf("diagnose: %d sent %v\n%s%s", r.code, sent, r.out, r.errOut)
	}

	r = runCmd(t, "", false, "secret", "ls", "--profile", "tsb")
	if !strings.Contains(r.out, "NAME                   ROLE               SET") || !strings.Contains(r.out, "securosys-service-key  serviceToken") {
		t.Errorf("secret ls:\n%s", r.out)
	}
	r = runCmd(t, "", false, "secret", "ls", "--profile", "tsb", "--json")
	var ls struct {
		Secrets []struct {
			Name  string   `json:"name"`
			Roles []string `json:"roles"`
		} `json:"secrets"`
	}
	if err := json.Unmarshal([]byte(r.out), &ls); err != nil || len(ls.Secrets) != 2 || ls.Secrets[1].Name != "securosys-service-key" || strings.Join(ls.Secrets[1].Roles, ",") != "serviceToken" {
		t.Errorf("secret ls --json: %v %s", err, r.out)
	}

	if r := runCmd(t, "", false, "secret", "rm", "other-name", "--role", "serviceToken", "--profile", "tsb", "--yes"); r.code != 2 {
		t.Errorf("rm a name that is not the role's key: %d %s", r.code, r.errOut)
	}
	r = runCmd(t, "", false, "secret", "rm", "--role", "serviceToken", "--profile", "tsb", "--yes")
	if r.code != 0 || !strings.Contains(r.errOut, "Deleted securosys-service-key of profile tsb") || !strings.Contains(r.errOut, "no serviceToken key now") {
		t.Fatalf("secret rm --role: %d %s", r.code, r.errOut)
	}
	if p, _ := profile.Load("tsb"); p.RoleKeys["serviceToken"] != "" || !p.Secrets["securosys-service-key"].IsZero() {
		t.Errorf("after rm: role_keys %v secrets %v", p.RoleKeys, p.Secrets)
	}
	if r := runCmd(t, "", false, "secret", "rm", "--role", "serviceToken", "--profile", "tsb", "--yes"); r.code != 1 || !strings.Contains(r.errOut, "records no key for role serviceToken") {
		t.Errorf("rm --role again: %d %s", r.code, r.errOut)
	}
	// Without its key the check warns before sending, naming the command.
	r = runCmd(t, "", false, "diagnose", "--profile", "tsb", "--timeout", "5s")
	if r.code != 1 || !strings.Contains(r.out, "`onramp secret set --role serviceToken") || sent[len(sent)-1] != "/v1/versionInfo " {
		t.Errorf("diagnose without the role key: exit %d, sent %q\n%s", r.code, sent[len(sent)-1], r.out)
	}
}
