package corpus

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testenv"
	"github.com/onramp-cli/onramp/internal/testproxy"
)

var update = flag.Bool("update", false, "rewrite ../testdata/corpus from this run")

const corpusDir = "../testdata/corpus"

// haveTool says whether a client's program is installed; under make test a
// missing one fails the test (scripts/test-packages.txt installs it).
func haveTool(t *testing.T, name string) bool {
	if _, err := exec.LookPath(name); err == nil {
		return true
	}
	if fi, err := os.Stat(name); err == nil && fi.IsDir() { // a library's directory
		return true
	}
	if testenv.Required() {
		t.Errorf("%s is not installed: make test installs it (scripts/test-packages.txt)", name)
	}
	return false
}

// TestCorpus runs every client against every scenario it applies to and
// checks that the committed corpus has the same samples with the same
// expected causes (the texts may differ from run to run: dates, stack
// lines). With -update it rewrites the corpus from this run.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real clients and servers; skipped with -short")
	}
	testenv.Tool(t, "curl")
	testenv.Tool(t, "openssl")
	e := newEnv(t)
	available := map[string]bool{}
	for client := range clients {
		available[client] = true
		for _, tool := range clientTools[client] {
			available[client] = available[client] && haveTool(t, tool)
		}
	}
	if available["java"] {
		e.javaDir = compileJava(t)
	}
	// The proxies: one that wants a password the clients do not send, and
	// one that opens tunnels to port 443 only.
	proxies := map[proxyKind]string{}
	if haveTool(t, "tinyproxy") {
		proxies[authProxy] = testproxy.Start(t, testproxy.Config{User: "corpus", Password: "proxy-secret"}).Addr
		proxies[portsProxy] = testproxy.Start(t, testproxy.Config{ConnectPorts: []int{443}}).Addr
	}

	var fresh []Sample
	ran := map[string]bool{} // scenario/client pairs this run could make
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			proxy := proxies[sc.proxy]
			if sc.proxy != noProxy && proxy == "" {
				return
			}
			var tg target
			if sc.server != nil {
				tg = sc.server(t, e)
			}
			r := newRequest(e, sc, tg, proxy)
			names := sc.clients
			if names == nil {
				names = networkClients
			}
			for _, client := range names {
				if !available[client] {
					continue
				}
				command, text, ok := clients[client](t, e, r)
				if !ok {
					continue
				}
				ran[sc.name+"/"+client] = true
				text = normalise(text, e.dir)
				if text == "" {
					t.Errorf("%s printed nothing: %s", client, command)
				}
				fresh = append(fresh, Sample{Client: client, Scenario: sc.name, Cause: sc.cause, Also: sc.accepts(client),
					Opaque: slices.Contains(sc.opaque, client), Command: normalise(command, e.dir), Text: text})
			}
		})
	}
	if t.Failed() {
		return
	}
	committed, err := Load(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		for _, s := range committed { // keep the samples of clients not installed here
			if !available[s.Client] {
				fresh = append(fresh, s)
			}
		}
		if err := Write(corpusDir, fresh); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %d samples to %s", len(fresh), corpusDir)
		return
	}
	for _, d := range drift(committed, fresh, ran) {
		t.Error(d)
	}
}

// accepts is what a sample of client in sc also accepts besides sc.cause.
func (sc scenario) accepts(client string) []string {
	also := slices.Concat(sc.also, sc.alsoFor[client])
	if sc.racy {
		// The client may see only the close; when it sent a certificate,
		// a close in answer to it is the server refusing it.
		for _, c := range []string{"tcp-reset", "client-cert-rejected"} {
			if c == "client-cert-rejected" && (sc.cert == nil || sc.cause == c) {
				continue
			}
			if !slices.Contains(also, c) {
				also = append(also, c)
			}
		}
	}
	return also
}

// drift lists the differences in samples and expected causes between the
// committed corpus and a fresh run (only pairs the run could make count).
func drift(committed, fresh []Sample, ran map[string]bool) []string {
	key := func(s Sample) string { return s.Scenario + "/" + s.Client }
	old := map[string]Sample{}
	for _, s := range committed {
		old[key(s)] = s
	}
	var out []string
	seen := map[string]bool{}
	for _, s := range fresh {
		seen[key(s)] = true
		c, ok := old[key(s)]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s: new sample, not in %s (go test ./explain/corpus -update)", key(s), corpusDir))
		case c.Cause != s.Cause || !slices.Equal(c.Also, s.Also) || c.Opaque != s.Opaque:
			out = append(out, fmt.Sprintf("%s: expected cause %s (also %v, opaque %v), committed %s (also %v, opaque %v)",
				key(s), s.Cause, s.Also, s.Opaque, c.Cause, c.Also, c.Opaque))
		}
	}
	for k := range old {
		if !seen[k] && ran[k] {
			out = append(out, k+": committed sample this run did not make")
		}
	}
	slices.Sort(out)
	return out
}

func newRequest(e *env, sc scenario, tg target, proxy string) request {
	_, port, _ := net.SplitHostPort(tg.addr)
	scheme := "https"
	if tg.http {
		scheme = "http"
	}
	host := "127.0.0.1"
	if tg.host != "" {
		host = tg.host
	}
	r := request{url: fmt.Sprintf("%s://%s:%s/", scheme, host, port), host: host, port: port, http: tg.http,
		keyPass: sc.keyPass, header: sc.header, timeout: sc.timeout, serverLog: tg.serverLog, logClient: tg.logClient}
	if r.timeout == 0 {
		r.timeout = 5 * time.Second
	}
	if sc.ca != nil {
		r.ca = sc.ca(e)
	}
	if sc.cert != nil {
		r.cert, r.key = sc.cert(e)
	}
	if sc.p12Pass != "" {
		r.p12, r.p12Pass = e.p12, sc.p12Pass
	}
	r.proxy = proxy
	if sc.tool != nil {
		r.tool = sc.tool(e, tg)
	}
	return r
}

var normalisers = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`127\.0\.0\.1:\d+`), "127.0.0.1:PORT"},
	{regexp.MustCompile(`(127\.0\.0\.1|localhost)( port |', port=)\d+`), "${1}${2}PORT"},
	{regexp.MustCompile(`\) port \d+`), ") port PORT"},
	{regexp.MustCompile(`port: \d+`), "port: PORT"},
	{regexp.MustCompile(`(proxyPort=)\d+`), "${1}PORT"},
	// OpenSSL's thread ids; s_client's session ids, keys and ticket dumps.
	{regexp.MustCompile(`\b[0-9A-F]{12,16}:error:`), "THREAD:error:"},
	{regexp.MustCompile(`(Session-ID|Session-ID-ctx|Master-Key|Resumption PSK): [0-9A-F]+`), "$1: (random)"},
	{regexp.MustCompile(`(?m)^\s+[0-9a-f]{4} - [0-9a-f -]+.*\n`), ""},
	{regexp.MustCompile(`(?s)-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----`), "-----BEGIN CERTIFICATE-----\n(certificate)\n-----END CERTIFICATE-----"},
	// nginx's log prefix: time, pid, connection number.
	{regexp.MustCompile(`(?m)^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[(\w+)\] \d+#\d+: (\*\d+ )?`), "YYYY/MM/DD hh:mm:ss [$1] PID#0: "},
}

// normalise takes what varies between runs out of a captured text: the
// temporary directory, ports, random session values.
func normalise(text, tmp string) string {
	text = strings.ReplaceAll(text, tmp, "$TMP")
	for _, n := range normalisers {
		text = n.re.ReplaceAllString(text, n.repl)
	}
	return strings.TrimSpace(text)
}
