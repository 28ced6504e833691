package explain

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/onramp-cli/onramp/explain/corpus"
)

func matchIDs(m []Match) []string {
	var out []string
	for _, x := range m {
		out = append(out, string(x.Cause.ID))
	}
	return out
}

func TestExplainWholeLog(t *testing.T) {
	log := strings.Join([]string{
		"2026-11-22T10:00:00Z INFO starting worker",
		"2026-11-22T10:00:01Z ERROR Get \"https://api/\": dial tcp 10.0.0.1:443: connect: connection refused",
		"2026-11-22T10:00:02Z ERROR Get \"https://api/\": dial tcp 10.0.0.1:443: connect: connection refused",
		"2026-11-22T10:00:03Z INFO retrying",
		"2026-11-22T10:00:04Z ERROR curl: (60) SSL certificate problem: unable to get local issuer certificate",
		"2026-11-22T10:00:05Z ERROR Get \"https://api/\": dial tcp 10.0.0.1:443: connect: connection refused",
		"2026-11-22T10:00:06Z WARN read: connection reset by peer",
	}, "\n")
	m := Text(log)
	// The DCS wording is the most specific, then the refusal (3 lines,
	// collapsed to one match), then the generic reset.
	want := []string{"server-cert-untrusted", "tcp-refused", "tcp-reset"}
	if fmt.Sprint(matchIDs(m)) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", matchIDs(m), want)
	}
	if m[1].Count != 3 || m[1].Line != 2 {
		t.Errorf("tcp-refused: count %d line %d, want 3 lines from line 2", m[1].Count, m[1].Line)
	}
	if m[0].Line != 5 || !strings.Contains(m[0].Evidence, "curl: (60)") {
		t.Errorf("evidence %q at line %d", m[0].Evidence, m[0].Line)
	}
}

// A Java stack trace states one error twice: the exact cause line wins and
// the vaguer line near it is not listed as a second cause; a vaguer finding
// far away (another error later in the log) still is.
func TestExactFindingExplainsAwayVagueNeighbours(t *testing.T) {
	trace := "javax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed\n" +
		"\tat java.base/sun.security.ssl.Alert.createSSLException(Alert.java:131)\n" +
		"Caused by: java.security.cert.CertificateNotYetValidException: NotBefore: Mon Nov 23 17:12:40 UTC 2026\n"
	if got := matchIDs(Text(trace)); fmt.Sprint(got) != "[server-cert-not-yet-valid]" {
		t.Fatalf("got %v", got)
	}
	far := trace + strings.Repeat("INFO ok\n", nearLines+1) +
		"javax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed\n"
	if got := matchIDs(Text(far)); fmt.Sprint(got) != "[server-cert-not-yet-valid server-cert-expired]" {
		t.Fatalf("far apart: got %v", got)
	}
}

// A line with a specific reason does not also count for the bare meaning of
// its curl exit code.
func TestSpecificRowSuppressesGeneric(t *testing.T) {
	m := Text("curl: (56) OpenSSL SSL_read: error:0A00045C:SSL routines::tlsv13 alert certificate required, errno 0")
	if got := matchIDs(m); len(got) != 1 || got[0] != "client-cert-not-sent" {
		t.Fatalf("got %v, want only client-cert-not-sent", got)
	}
	m = Text("curl: (56) Recv failure: Connection reset by peer")
	if got := matchIDs(m); len(got) != 1 || got[0] != "tcp-reset" {
		t.Fatalf("got %v, want only tcp-reset", got)
	}
}

func TestExplainNothing(t *testing.T) {
	for _, s := range []string{"", "\n\n\n", "all good: HTTP/1.1 200 OK", "GET /health 200 4ms", strings.Repeat("x", 1<<20)} {
		if m := Text(s); m != nil {
			t.Errorf("%.40q: got %v, want nothing", s, matchIDs(m))
		}
	}
}

func TestDisambiguate(t *testing.T) {
	m := Text("curl: (35) error:0A000410:SSL routines::sslv3 alert handshake failure")
	h := Disambiguate(m)
	for _, want := range []string{"client certificate", "cipher", "Request CERT", "onramp diagnose"} {
		if !strings.Contains(h, want) {
			t.Errorf("hint %q lacks %q", h, want)
		}
	}
	// curl -v shows the server asked for a certificate: the missing
	// certificate ranks first.
	m = Text("* TLSv1.2 (IN), TLS handshake, Request CERT (13):\n" +
		"curl: (35) error:0A000410:SSL routines::sslv3 alert handshake failure")
	if m[0].Cause.ID != "client-cert-not-sent" {
		t.Errorf("with Request CERT: got %v first", matchIDs(m))
	}
	if !strings.Contains(Disambiguate(m), "leans to") {
		t.Errorf("hint does not say which way the text leans: %q", Disambiguate(m))
	}
	// A bare 400 names no cause: the hint says where the reason is.
	h = Disambiguate(Text("Exception in thread \"main\" java.io.IOException: Server returned HTTP response code: 400 for URL: https://api.example/"))
	for _, want := range []string{"No required SSL certificate was sent", "The SSL certificate error", "plain HTTP", "curl -v", "error log"} {
		if !strings.Contains(h, want) {
			t.Errorf("bare-400 hint %q lacks %q", h, want)
		}
	}
	// A clear answer needs no hint.
	if h := Disambiguate(Text("x509: certificate signed by unknown authority")); h != "" {
		t.Errorf("unambiguous text got hint %q", h)
	}
	if Disambiguate(nil) != "" {
		t.Error("no matches, yet a hint")
	}
	// Two unrelated causes on different lines are not an ambiguity.
	if h := Disambiguate(Text("connect: connection refused\nx509: certificate is valid for a, not b")); h != "" {
		t.Errorf("unrelated causes got hint %q", h)
	}
}

func TestEvidenceRedactsSecrets(t *testing.T) {
	for _, tc := range []struct{ line, secret string }{
		{"> Authorization: Bearer eyJhbGciOiJSUzUxMiJ9.eyJzdWIiOiJ4In0.c2ln -> HTTP/1.1 401 Unauthorized", "eyJhbGci"},
		{"curl -H 'x-api-key: s3cr3tKEYvalue' https://api/ -> HTTP/1.1 403 Forbidden", "s3cr3tKEYvalue"},
		{"apikey=abcdef123456 HTTP/1.1 403 Forbidden", "abcdef123456"},
		{`{"access_token":"tok123456","error":"invalid_token"}`, "tok123456"},
		{"client_assertion=eyJhbGciOiJSUzUxMiJ9.eyJpc3MiOiJ4In0.sig Missing or invalid 'aud' claim", "eyJpc3Mi"},
	} {
		m := Text(tc.line)
		if len(m) == 0 {
			t.Fatalf("%q not recognised", tc.line)
		}
		for _, x := range m {
			if strings.Contains(x.Evidence, tc.secret) {
				t.Errorf("evidence %q shows the secret %q", x.Evidence, tc.secret)
			}
			if !strings.Contains(x.Evidence, "redacted") {
				t.Errorf("evidence %q does not say what was redacted", x.Evidence)
			}
		}
	}
}

func TestEvidenceOfLongLine(t *testing.T) {
	line := strings.Repeat("a", 5000) + " x509: certificate signed by unknown authority " + strings.Repeat("b", 5000)
	m := Text(line)
	if len(m) != 1 {
		t.Fatalf("got %v", matchIDs(m))
	}
	if len(m[0].Evidence) > maxEvidence+10 || !strings.Contains(m[0].Evidence, "unknown authority") {
		t.Errorf("evidence %d bytes: %q", len(m[0].Evidence), m[0].Evidence)
	}
	if !strings.HasPrefix(m[0].Evidence, "…") || !strings.HasSuffix(m[0].Evidence, "…") {
		t.Errorf("cut evidence is not marked: %q", m[0].Evidence)
	}
}

// Streaming: line numbers stay right across read blocks, a message split by
// a short read is still found, and a huge line without newlines is
// explained in bounded memory.
func TestExplainReaderStreams(t *testing.T) {
	var b bytes.Buffer
	for i := 1; i < 200000; i++ {
		fmt.Fprintf(&b, "2026-11-22 INFO request %d served in 3ms\n", i)
	}
	b.WriteString("Error: connect ECONNREFUSED 127.0.0.1:8443\n")
	m, err := Read(iotest.HalfReader(bytes.NewReader(b.Bytes())))
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 1 || m[0].Line != 200000 || m[0].Cause.ID != "tcp-refused" {
		t.Fatalf("got %+v", m)
	}
	// One byte at a time.
	m, err = Read(iotest.OneByteReader(strings.NewReader("hello\nfoo: no such host\n")))
	if err != nil || len(m) != 1 || m[0].Line != 2 {
		t.Fatalf("one-byte reads: %+v %v", m, err)
	}
}

func TestExplainReaderHugeLine(t *testing.T) {
	// 64 MiB with no newline, the message at the very end.
	const size = 64 << 20
	r := io.MultiReader(io.LimitReader(endlessByte('z'), size), strings.NewReader(" tls: bad certificate"))
	start := time.Now()
	m, err := Read(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 1 || m[0].Cause.ID != "client-cert-rejected" || m[0].Line != 1 {
		t.Fatalf("got %+v", m)
	}
	t.Logf("64 MiB line in %v", time.Since(start))
}

type endlessByte byte

func (b endlessByte) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

func TestExplainReaderError(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := Read(io.MultiReader(strings.NewReader("tls: bad certificate\n"), iotest.ErrReader(boom)))
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want the read error", err)
	}
}

func TestPatternSetFindsOverlaps(t *testing.T) {
	ps := newPatternSet([]string{"he", "she", "hers", "his"})
	var got []string
	for _, m := range ps.matches([]byte("uSHErs"), nil) {
		got = append(got, fmt.Sprint(m.pattern, "@", m.end))
	}
	// "she" and "he" end at 3, "hers" at 5.
	if fmt.Sprint(got) != "[1@3 0@3 2@5]" {
		t.Errorf("got %v", got)
	}
	if got := ps.scanHits([]byte("xxxxhixxxhis"), nil); len(got) != 1 || got[0].pos() != 11 {
		t.Errorf("scanHits: %v", got)
	}
	if got := ps.scanHits([]byte("xyz xyz"), nil); got != nil {
		t.Errorf("scanHits found %v in nothing", got)
	}
}

// The four-stream scan finds exactly what a plain scan finds, whatever the
// block size and wherever the cuts fall.
func TestScanHitsMatchesPlainScan(t *testing.T) {
	var b bytes.Buffer
	for i := 0; b.Len() < 300000; i++ {
		if i%7 == 0 {
			b.WriteString(recogniserSamples[i%len(recogniserSamples)].line)
		} else {
			fmt.Fprintf(&b, "ordinary line %d with some words", i)
		}
		b.WriteByte('\n')
	}
	data := b.Bytes()
	ps := explainRules().patterns
	for _, n := range []int{0, 1, 4095, 4096, 4097, 10000, 65537, len(data)} {
		d := data[:n]
		want := ps.scanFrom(d, 0, 0, nil)
		got := ps.scanHits(d, nil)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("size %d: scanHits found %d hits, plain scan %d", n, len(got), len(want))
		}
	}
	// Without newlines the block is one stream.
	long := bytes.Repeat([]byte("tls: bad certificate "), 1000)
	if got, want := ps.scanHits(long, nil), ps.scanFrom(long, 0, 0, nil); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("no newlines: %d vs %d hits", len(got), len(want))
	}
}

func FuzzExplain(f *testing.F) {
	samples, _ := corpus.Load("testdata/corpus")
	for _, c := range samples[:min(len(samples), 20)] {
		f.Add(c.Text)
	}
	for _, s := range recogniserSamples[:40] {
		f.Add(s.line)
	}
	f.Add(strings.Repeat("\xff\xfe", 1000))
	f.Fuzz(func(t *testing.T, s string) {
		// No wall-clock bound here: on a loaded machine it fails for no
		// reason. The fuzzer itself reports an input that hangs, and
		// make bench measures speed.
		m := Text(s)
		for _, x := range m {
			if x.Cause == nil || x.Count < 1 || x.Line < 1 || len(x.Evidence) > 4*maxEvidence {
				t.Fatalf("bad match %+v", x)
			}
		}
		_ = Disambiguate(m)
	})
}

// explainBenchLog is a realistic mix: mostly ordinary lines, some errors.
func explainBenchLog(lines int) []byte {
	var b bytes.Buffer
	normal := []string{
		`2026-11-22T10:00:00.123Z INFO  http: 10.0.0.7 "GET /v1/persons/A1234BC HTTP/1.1" 200 1532 12ms`,
		`2026-11-22T10:00:00.456Z DEBUG pool: connection reused host=api.example:443 idle=3`,
		`2026-11-22T10:00:01.001Z INFO  job=sync batch=42 processed=500 failed=0`,
		`2026-11-22T10:00:01.789Z WARN  slow query 1200ms select * from events where id > $1`,
	}
	errs := []string{
		`2026-11-22T10:00:02Z ERROR Get "https://api.example/": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
		`2026-11-22T10:00:03Z ERROR curl: (56) OpenSSL SSL_read: error:0A00045C:SSL routines::tlsv13 alert certificate required, errno 0`,
	}
	for i := 0; i < lines; i++ {
		if i%100 == 99 {
			b.WriteString(errs[i/100%len(errs)])
		} else {
			b.WriteString(normal[i%len(normal)])
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func BenchmarkExplainReader(b *testing.B) {
	data := explainBenchLog(100000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Read(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildTable is what go generate pays: reading the clients'
// tables and building the pattern set.
func BenchmarkBuildTable(b *testing.B) {
	for b.Loop() {
		buildTable()
	}
}

// BenchmarkLoadTable is what the first explain of a run pays: reading the
// table go generate made.
func BenchmarkLoadTable(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeTable(tableFile); err != nil {
			b.Fatal(err)
		}
	}
}

// Every secret format people paste is redacted, and the text around it
// stays.
func TestRedactSecretFormats(t *testing.T) {
	for _, tc := range []struct{ line, secret, keep string }{
		{"> Authorization: Basic dXNlcjpzM2NyM3Q= HTTP/1.1 401", "dXNlcjpzM2NyM3Q", "Authorization: Basic"},
		{"> Proxy-Authorization: Basic cHJveHk6cHc=", "cHJveHk6cHc", "Proxy-Authorization"},
		{`Authorization: Bearer "abc.def.ghijklmn"`, "abc.def.ghijklmn", "Bearer"},
		{"GET /v1/x?api_key=k3yVALUE123&page=2", "k3yVALUE123", "page=2"},
		{"POST /token body: grant_type=x&token=t0kenVALUE99", "t0kenVALUE99", "grant_type=x"},
		{`{"id_token":"idTOKENvalue123","expires_in":3600}`, "idTOKENvalue123", "expires_in"},
		{"client_secret=s3cretVALUE&scope=read", "s3cretVALUE", "scope=read"},
		{"redirect=https%3A%2F%2Fx%2Fcb%26client_secret%3Ds3cretENC%26x%3D1", "s3cretENC", "redirect="},
		{"> Ocp-Apim-Subscription-Key: 0123456789abcdef0123", "0123456789abcdef0123", "Ocp-Apim-Subscription-Key"},
		{"> x-amz-security-token: IQoJb3JpZ2luX2VjEXAMPLE", "IQoJb3JpZ2luX2VjEXAMPLE", "x-amz-security-token"},
		{"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI", "aws_secret_access_key"},
		{"> Cookie: session=abcSESSION123; theme=dark", "abcSESSION123", "Cookie:"},
		{"< Set-Cookie: sid=SIDvalue456; Path=/; HttpOnly", "SIDvalue456", "Set-Cookie:"},
		{"proxyconnect tcp: dial https://alice:pr0xyPASS@proxy.example:3128", "pr0xyPASS", "proxy.example:3128"},
		{`"key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"`, "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "BEGIN PRIVATE KEY"},
		{"-----BEGIN EC PRIVATE KEY----- MHcCAQEEIBkg4LVWM9nuwNSk3yrvrkMyvSwBvpxC", "MHcCAQEEIBkg4LVWM9nuwNSk3yrvrkMyvSwBvpxC", "EC PRIVATE KEY"},
	} {
		got := Redact(tc.line)
		if strings.Contains(got, tc.secret) || !strings.Contains(got, "[redacted") {
			t.Errorf("%q: redacted to %q, still shows %q", tc.line, got, tc.secret)
		}
		if !strings.Contains(got, tc.keep) {
			t.Errorf("%q: redacted to %q, lost %q", tc.line, got, tc.keep)
		}
	}
	// What tells causes apart is not a secret.
	for _, line := range []string{
		`WWW-Authenticate: Bearer error="invalid_token", error_description="expired"`,
		"token refreshed; expires_in=599 scope=read",
		`{"error":"invalid_token"}`,
	} {
		if got := Redact(line); got != line {
			t.Errorf("%q redacted to %q", line, got)
		}
	}
}

// A log PowerShell wrote (UTF-16, with or without a byte order mark) is
// read as text.
func TestExplainUTF16(t *testing.T) {
	text := "INFO start\r\nInvoke-WebRequest : The remote certificate is invalid according to the validation procedure.\r\nx509: certificate signed by unknown authority ✓\r\n"
	u := utf16.Encode([]rune(text))
	le, be := []byte{0xff, 0xfe}, []byte{0xfe, 0xff}
	var bare []byte
	for _, c := range u {
		le = append(le, byte(c), byte(c>>8))
		be = append(be, byte(c>>8), byte(c))
		bare = append(bare, byte(c), byte(c>>8))
	}
	want := matchIDs(Text(text))
	if len(want) == 0 {
		t.Fatal("the UTF-8 text explains to nothing")
	}
	for name, data := range map[string][]byte{"UTF-16LE BOM": le, "UTF-16BE BOM": be, "UTF-16LE no BOM": bare} {
		m, err := Read(iotest.OneByteReader(bytes.NewReader(data)))
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(matchIDs(m)) != fmt.Sprint(want) {
			t.Errorf("%s: got %v, want %v", name, matchIDs(m), want)
		}
		for _, x := range m {
			if strings.ContainsRune(x.Evidence, 0) || !utf8.ValidString(x.Evidence) {
				t.Errorf("%s: evidence %q is not text", name, x.Evidence)
			}
		}
	}
}

// A 401 asking for a Bearer token means the token is missing, unless the
// request (curl -v) shows one was sent: then it was refused.
func TestBearerChallengeWithAndWithoutToken(t *testing.T) {
	response := "< HTTP/1.1 401 Unauthorized\n< WWW-Authenticate: Bearer realm=\"api\"\n"
	sent := "> GET /v1/x HTTP/1.1\n> Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln\n>\n" + response
	none := "> GET /v1/x HTTP/1.1\n> Accept: */*\n>\n" + response
	if got := matchIDs(Text(none)); len(got) == 0 || got[0] != "token-missing" {
		t.Errorf("no token sent: got %v, want token-missing first", got)
	}
	got := matchIDs(Text(sent))
	if len(got) == 0 || got[0] != "token-rejected" || slices.Contains(got, "token-missing") {
		t.Errorf("token sent: got %v, want token-rejected and not token-missing", got)
	}
	if got := matchIDs(Text(`< WWW-Authenticate: Bearer error="invalid_token"`)); fmt.Sprint(got) != "[token-rejected]" {
		t.Errorf("invalid_token: got %v", got)
	}
}

// curl -v shows the key as sent: one in Base64 with padding is named before
// the refusal, with what to do about it; a plain key is only refused.
func TestAPIKeySentBase64(t *testing.T) {
	log := "> GET /v1/x HTTP/1.1\n> x-api-key: YWJjZGVmMTIzNDU2Nzg5MA==\n>\n< HTTP/1.1 403 Forbidden\n"
	m := Text(log)
	if got := matchIDs(m); fmt.Sprint(got) != "[api-key-base64-encoded api-key-rejected]" {
		t.Fatalf("got %v", got)
	}
	if strings.Contains(m[0].Evidence, "YWJj") || !strings.Contains(Disambiguate(m), "Base64") {
		t.Errorf("evidence %q, hint %q", m[0].Evidence, Disambiguate(m))
	}
	plain := strings.Replace(log, "YWJjZGVmMTIzNDU2Nzg5MA==", "k3y-as-issued-123", 1)
	if got := matchIDs(Text(plain)); fmt.Sprint(got) != "[api-key-rejected]" {
		t.Errorf("plain key: got %v", got)
	}
}
