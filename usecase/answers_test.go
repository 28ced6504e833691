package usecase

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/internal/testkeyring"
	"github.com/onramp-cli/onramp/internal/testpki"
	"github.com/onramp-cli/onramp/internal/tokentest"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/provider"
	"github.com/onramp-cli/onramp/sandbox/tokenapi"
)

// documented is one answer as the provider's documents give it.
type documented struct {
	want   cause.ID // what the document says the answer means
	status int
	body   string
	path   string
	// detail is a piece of the report's detail the answer must bring out
	// (the serial, the consumer, the role, the outage window).
	detail string
}

// documentedAnswers holds, per built-in template and in the order of its
// answer table, a response exactly as the provider documents it. Every
// row of every table has one (TestEveryAnswerRowIsTested).
var documentedAnswers = map[string][]documented{
	"hmpps": {
		{cause.ClientCertRevoked, 403, `{"status":403,"userMessage":"Certificate with serial number 4f2a99c1 has been revoked","developerMessage":"Certificate with serial number 4f2a99c1 has been revoked"}`, "/v1/persons/X802678/risks/scores", "4f2a99c1"},
		{cause.ConsumerNotConfigured, 403, `{"status":403,"userMessage":"No consumer authorisation config found for acme-client"}`, "/v1/persons/X802678/risks/scores", "consumer acme-client"},
		{cause.ConsumerNotConfigured, 403, `{"status":403,"userMessage":"Unable to authorise /v1/persons/X802678/risks/scores for acme-client"}`, "/v1/persons/X802678/risks/scores", "acme-client is not authorised for /v1/persons/X802678/risks/scores"},
		{cause.AccessSuspended, 403, `{"status":403,"userMessage":"Access suspended"}`, "/v1/persons/X802678/risks/scores", "Access suspended"},
		{cause.EndpointNotFound, 403, `{"message":"Missing Authentication Token"}`, "/v2/persons/X802678/risks/scores", "no route for /v2/persons/X802678/risks/scores"},
	},
	"govuk-dcs": {
		{cause.ServiceUnavailable, 200, `{"available":false,"scheduledOutages":[{"start":"2026-12-01T22:00:00Z","end":"2026-12-02T02:00:00Z"}]}`, "/checks/passport", `2026-12-01T22:00:00Z`},
		{cause.ServiceUnavailable, 200, `{"available":true,"scheduledOutages":[{"start":"2026-12-05T22:00:00Z","end":"2026-12-06T01:00:00Z"}]}`, "/checks/passport", `2026-12-06T01:00:00Z`},
		{cause.RateLimited, 403, `{"errors":["quota exceeded"]}`, "/checks/passport", "quota"},
	},
	"securosys": {
		{cause.APIKeyRejected, 401, `{"errorCode":631,"reason":"res.error.api.key.invalid","message":"Invalid API key"}`, "/v1/versionInfo", "needs a serviceToken key"},
		// Undocumented (PROVIDERS.md: "The status for a valid key of the
		// wrong role is not documented"): the row says so.
		{cause.APIKeyWrongRole, 403, `{"message":"Forbidden"}`, "/v1/sign", "needs a keyOperationToken key, and the TSB answered 403 Forbidden: the key sent probably has another role. The status Securosys gives a key of the wrong role is not in its public documentation (to be confirmed with Securosys)"},
	},
	"nhs-apim": {
		// The token endpoint's errors, as PROVIDERS.md gives them.
		{cause.JWTSignatureInvalid, 401, apimError("public_key error", "JWT signature verification failed"), tokenPath, "out of step"},
		{cause.JWTKidUnknown, 403, apimError("public_key error", "The JWKS endpoint, for your client_assertion can't be reached"), tokenPath, "cannot fetch the JWKS"},
		{cause.JWTKeyNotConfigured, 400, apimError("invalid_request", "Missing 'kid' header in client_assertion JWT"), tokenPath, "without a kid"},
		{cause.JWTKidUnknown, 401, apimError("invalid_request", "Invalid 'kid' header in client_assertion JWT - no matching public key"), tokenPath, "no public key with this kid"},
		{cause.JWTKidUnknown, 403, apimError("public_key error", "You need to register a public key to use this authentication method - please contact support to configure"), tokenPath, "no public key is registered"},
		{cause.JWTClaimsInvalid, 400, apimError("invalid_request", "Invalid 'alg' header in client_assertion JWT - unsupported JWT algorithm - must be 'RS512'"), tokenPath, "alg RS512"},
		{cause.OAuthInvalidClient, 401, apimError("invalid_request", "Invalid 'iss'/'sub' claims in client_assertion JWT"), tokenPath, "not the key of an app in this environment"},
		{cause.OAuthInvalidClient, 400, apimError("invalid_request", "Missing or non-matching 'iss'/'sub' claims in client_assertion JWT"), tokenPath, "the same value"},
		{cause.JWTClaimsInvalid, 401, apimError("invalid_request", "Missing or invalid 'aud' claim in client_assertion JWT"), tokenPath, tokenPath + "): the assertion was likely signed for one environment"},
		{cause.JWTClaimsInvalid, 400, apimError("invalid_request", "Invalid 'exp' claim in client_assertion JWT - JWT has expired"), tokenPath, "already expired"},
		{cause.JWTClaimsInvalid, 400, apimError("invalid_request", "Invalid 'exp' claim in client_assertion JWT - more than 5 minutes in future"), tokenPath, "more than 5 minutes ahead"},
		{cause.JWTClaimsInvalid, 400, apimError("invalid_request", "Missing exp claim in client_assertion JWT"), tokenPath, "must be an integer"},
		{cause.JWTClaimsInvalid, 400, apimError("invalid_request", "Non-unique 'jti' claim in client_assertion JWT"), tokenPath, "replay"},
		{cause.JWTClaimsInvalid, 400, apimError("invalid_request", "Missing 'jti' claim in client_assertion JWT"), tokenPath, "needs a jti claim"},
		{cause.JWTClaimsInvalid, 400, apimError("invalid_request", "Malformed JWT in client_assertion"), tokenPath, "refused the form itself"},
		// The API proxy's answers: in neither the seed nor PROVIDERS.md (the
		// rows say so); these bodies are the proxy's usual shapes.
		{cause.TokenRejected, 401, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"forbidden","diagnostics":"Access Token Expired"}]}`, "/hello-world/hello/application", "expired"},
		{cause.TokenRejected, 401, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"forbidden","diagnostics":"Invalid access token"}]}`, "/hello-world/hello/application", "not one its token endpoint issued"},
		{cause.APIKeyRejected, 401, `{"fault":{"faultstring":"Invalid ApiKey","detail":{"errorcode":"oauth.v2.InvalidApiKey"}}}`, "/hello-world/hello/application", "apikey header"},
	},
	"sandbox": {
		{cause.APIKeyRejected, 401, `{"errorCode":631,"reason":"res.error.api.key.invalid","message":"The API key is missing or not valid"}`, "/v1/versionInfo", "error 631"},
		{cause.APIKeyWrongRole, 403, `{"errorCode":632,"reason":"res.error.api.key.role","message":"This endpoint needs an API key with role serviceToken; the key sent has role keyOperationToken"}`, "/v1/versionInfo", "needs a key with role serviceToken"},
	},
}

// tokenPath is NHS API Management's token endpoint.
const tokenPath = "/oauth2/token"

// apimError is an NHS API Management token-endpoint error body.
func apimError(code, description string) string {
	return fmt.Sprintf(`{"error":%q,"error_description":%q,"message_id":"rrt-5d2c9f-a-geu2-31"}`, code, description)
}

// authFor is a valid auth of each template that the answer tests use.
var authFor = map[string][]string{
	"hmpps": {"mtls", "api-key"}, "govuk-dcs": {"mtls"}, "securosys": {"api-key", "mtls"},
	"nhs-apim": {"api-key"}, "sandbox": {"mtls", "api-key"}, "generic": {"mtls", "api-key"},
}

func TestEveryAnswerRowIsTested(t *testing.T) {
	for _, tm := range provider.Builtin() {
		if got, want := len(documentedAnswers[tm.ID]), len(tm.Answers); got != want {
			t.Errorf("%s has %d answer rows and %d documented responses in this test", tm.ID, want, got)
		}
	}
}

// answerServer is a real TLS server on loopback answering every request
// with status and body, requiring a client certificate when mutual, and
// recording the last request's headers.
type answerServer struct {
	url  string
	last http.Header
}

func serveAnswer(t *testing.T, ca *testpki.CA, mutual bool, status int, body string, extra http.Header) *answerServer {
	t.Helper()
	as := &answerServer{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		as.last = r.Header.Clone()
		for k, v := range extra {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	})
	if mutual {
		as.url = ca.ServeMutual(t, h).URL
	} else {
		as.url = ca.Serve(t, h).URL
	}
	return as
}

// checkProfile makes a profile of the template with the auth, pointed at
// url+path, with a client certificate from ca and the secrets in kr.
func checkProfile(t *testing.T, ca *testpki.CA, id, name, url, path string, auth []string) *profile.Profile {
	t.Helper()
	tm, err := provider.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	p := tm.NewProfile(name, "")
	tm.ApplyAuth(p, auth)
	p.URL, p.StatusPath, p.ExpectJSON = url, path, ""
	dir := t.TempDir()
	p.CACert = testpki.WriteFile(t, dir, "ca.pem", ca.CertPEM())
	if slices.Contains(auth, provider.AuthMTLS) {
		p.Cert, p.Key = ca.Client(t, testpki.Options{CommonName: "acme-client"}).Files(t, dir, "client")
	}
	return p
}

func stepStatus(rep *diagnose.Report, name string) diagnose.Status {
	for _, s := range rep.Steps {
		if s.Name == name {
			return s.Status
		}
	}
	return ""
}

func httpStep(rep *diagnose.Report) diagnose.Step {
	for _, s := range rep.Steps {
		if s.Name == diagnose.StepHTTP {
			return s
		}
	}
	return diagnose.Step{}
}

// TestProviderAnswers: for every row of every provider's answer table, a
// loopback TLS server answers as the provider documents, and the check
// names the row's cause with the row's detail.
func TestProviderAnswers(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	ca := testpki.NewCA(t, "Answers Test CA")
	for _, tm := range provider.Builtin() {
		for i, row := range tm.Answers {
			if i >= len(documentedAnswers[tm.ID]) {
				break // TestEveryAnswerRowIsTested reports it
			}
			d := documentedAnswers[tm.ID][i]
			t.Run(fmt.Sprintf("%s/%d-%s", tm.ID, i+1, row.Cause), func(t *testing.T) {
				auth := authFor[tm.ID]
				srv := serveAnswer(t, ca, slices.Contains(auth, provider.AuthMTLS), d.status, d.body, nil)
				name := fmt.Sprintf("%s-%d", tm.ID, i+1)
				p := checkProfile(t, ca, tm.ID, name, srv.url, d.path, auth)
				kr := testkeyring.New()
				kr.Items[name+"/api-key"] = "k-3f9a7c2e"
				rep := Checks{Store: kr}.Check(context.Background(), p)
				h := httpStep(rep)
				if row.Cause != d.want {
					t.Errorf("the table says %s, the document %s", row.Cause, d.want)
				}
				if rep.Cause == nil || rep.Cause.ID != d.want || h.Status != diagnose.Fail {
					t.Fatalf("cause %v at http %s (%s), want %s", rep.Cause, h.Status, h.Detail, d.want)
				}
				if !strings.Contains(h.Detail, d.detail) {
					t.Errorf("detail %q lacks %q", h.Detail, d.detail)
				}
				if strings.Contains(h.Detail, "{") && strings.Contains(h.Detail, "}") && !strings.Contains(d.body, "{") {
					t.Errorf("detail has an unfilled placeholder: %q", h.Detail)
				}
				if stepStatus(rep, diagnose.StepTLS) != diagnose.Pass {
					t.Errorf("tls step %s", stepStatus(rep, diagnose.StepTLS))
				}
				if row.Endpoint == provider.EndpointToken {
					checkTokenStep(t, ca, srv.url, tm.ID, name, d)
				}
			})
		}
	}
}

// checkTokenStep checks a signed-JWT profile against the server at url,
// which answers its token request as d: the token client names d's cause
// and detail in the check's token step, and the API is not called.
func checkTokenStep(t *testing.T, ca *testpki.CA, url, id, name string, d documented) {
	t.Helper()
	p := checkProfile(t, ca, id, name+"-jwt", url, "/hello-world/hello/application", []string{provider.AuthSignedJWT})
	p.Key = testpki.WriteFile(t, t.TempDir(), "jwt.key", tokentest.KeyPEM(t, tokentest.RSAKey(t, 4096, 0)))
	p.KID = "test-1"
	p.TokenURL = url + tokenPath
	kr := testkeyring.New()
	kr.Items[p.Name+"/api-key"] = "k-3f9a7c2e"
	rep := Checks{Store: kr}.Check(context.Background(), p)
	var step diagnose.Step
	for _, s := range rep.Steps {
		if s.Name == diagnose.StepToken {
			step = s
		}
	}
	if rep.Cause == nil || rep.Cause.ID != d.want || step.Status != diagnose.Fail {
		t.Fatalf("signed JWT: cause %v at token step %s (%s), want %s", rep.Cause, step.Status, step.Detail, d.want)
	}
	if !strings.Contains(step.Detail, d.detail) || strings.Contains(step.Detail, "k-3f9a7c2e") {
		t.Errorf("token step detail %q: want %q and no API key", step.Detail, d.detail)
	}
}

// TestAnswersFallBack: a body no row knows gets diagnose's own rules, as
// before; a documented body with another status is not the row's.
func TestAnswersFallBack(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	ca := testpki.NewCA(t, "Fallback Test CA")
	for _, c := range []struct {
		id     string
		status int
		body   string
		want   cause.ID
	}{
		{"hmpps", 403, `{"message":"Forbidden"}`, cause.APIKeyRejected},
		{"hmpps", 404, `{"status":404,"userMessage":"Person not found"}`, cause.EndpointNotFound},
		{"hmpps", 500, `{"message":"Access suspended"}`, cause.ServerError},
		{"securosys", 401, `{"errorCode":632}`, cause.APIKeyRejected},
		{"govuk-dcs", 200, `{"available":true,"scheduledOutages":[]}`, ""},
		// A token-endpoint row does not apply to an API path.
		{"nhs-apim", 401, apimError("invalid_request", "Invalid 'kid' header in client_assertion JWT - no matching public key"), cause.APIKeyRejected},
	} {
		srv := serveAnswer(t, ca, slices.Contains(authFor[c.id], provider.AuthMTLS), c.status, c.body, nil)
		p := checkProfile(t, ca, c.id, "fb-"+c.id, srv.url, "/x", authFor[c.id])
		kr := testkeyring.New()
		kr.Items["fb-"+c.id+"/api-key"] = "k-3f9a7c2e"
		rep := Checks{Store: kr}.Check(context.Background(), p)
		got := cause.ID("")
		if rep.Cause != nil {
			got = rep.Cause.ID
		}
		if got != c.want {
			t.Errorf("%s %d %s: cause %q, want %q (%s)", c.id, c.status, c.body, got, c.want, httpStep(rep).Detail)
		}
	}
}

// TestNetworkChecksRunWithoutTheKey: with the certificate but no API key
// yet, DNS, TCP and mutual TLS still run and pass; the HTTP step names
// the missing key and the exact command that stores it.
func TestNetworkChecksRunWithoutTheKey(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	ca := testpki.NewCA(t, "No Key Test CA")
	srv := serveAnswer(t, ca, true, 403, `{"message":"Forbidden"}`, nil)
	p := checkProfile(t, ca, "hmpps", "hmpps-dev", srv.url, "/v1/persons/X802678/risks/scores", []string{"mtls", "api-key"})
	rep := Checks{Store: testkeyring.New()}.Check(context.Background(), p)
	for _, s := range []string{diagnose.StepLocal, diagnose.StepDNS, diagnose.StepTCP, diagnose.StepTLS} {
		if stepStatus(rep, s) != diagnose.Pass {
			t.Errorf("step %s: %s", s, stepStatus(rep, s))
		}
	}
	h := httpStep(rep)
	if rep.Cause == nil || rep.Cause.ID != cause.APIKeyMissing || h.Status != diagnose.Fail {
		t.Fatalf("cause %v, http %+v", rep.Cause, h)
	}
	if !strings.Contains(rep.Cause.Fix, "`onramp secret set api-key --profile hmpps-dev`") || strings.Contains(rep.Cause.Fix, "--profile P") {
		t.Errorf("fix %q: want the exact command", rep.Cause.Fix)
	}
	if _, ok := srv.last["X-Api-Key"]; ok {
		t.Errorf("an API key header was sent without a key")
	}

	// A certificate the server refuses is still found without the key.
	other := testpki.NewCA(t, "Someone Else's CA")
	p2 := checkProfile(t, other, "hmpps", "hmpps-dev2", srv.url, "/v1/persons/X802678/risks/scores", []string{"mtls", "api-key"})
	p2.CACert = p.CACert
	rep = Checks{Store: testkeyring.New()}.Check(context.Background(), p2)
	if rep.Cause == nil || rep.Cause.ID == cause.APIKeyMissing || !strings.HasPrefix(string(rep.Cause.ID), "client-cert") {
		t.Errorf("a refused certificate without a key: cause %v (%+v)", rep.Cause, rep.Steps)
	}

	// A wrong path is reported as such, the missing key as a note.
	srv404 := serveAnswer(t, ca, true, 403, `{"message":"Missing Authentication Token"}`, nil)
	p3 := checkProfile(t, ca, "hmpps", "hmpps-dev3", srv404.url, "/v9/nothing", []string{"mtls", "api-key"})
	rep = Checks{Store: testkeyring.New()}.Check(context.Background(), p3)
	if rep.Cause == nil || rep.Cause.ID != cause.EndpointNotFound {
		t.Errorf("wrong path without a key: cause %v", rep.Cause)
	}
}

// TestBearerTokenAuth: a bearer token the client already has comes from
// the store, is sent as Authorization: Bearer, and a refused or missing
// one is named as such.
func TestBearerTokenAuth(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	ca := testpki.NewCA(t, "Bearer Test CA")
	const good = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0c2IifQ.c2ln"
	var gotAuth string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth = r.Header.Get("Authorization")
		if gotAuth != "Bearer "+good {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		io.WriteString(w, `{"version":"2.4.0"}`)
	})
	url := ca.ServeMutual(t, h).URL
	for _, c := range []struct {
		provider string
		auth     []string
		token    string // "" none stored
		want     cause.ID
	}{
		{"securosys", []string{"mtls", "bearer-jwt"}, good, ""},
		{"generic", []string{"mtls", "bearer-jwt"}, good, ""},
		{"securosys", []string{"mtls", "bearer-jwt"}, "eyJ.expired.sig", cause.TokenRejected},
		{"securosys", []string{"mtls", "bearer-jwt"}, "", cause.TokenMissing},
	} {
		name := fmt.Sprintf("%s-bearer-%d", c.provider, len(c.token))
		p := checkProfile(t, ca, c.provider, name, url, "/v1/versionInfo", c.auth)
		if err := profile.Save(p); err != nil {
			t.Fatal(err)
		}
		loaded, err := profile.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		kr := testkeyring.New()
		if c.token != "" {
			kr.Items[name+"/bearer-token"] = c.token
		}
		gotAuth = ""
		rep := Checks{Store: kr, Now: time.Now}.Check(context.Background(), loaded)
		got := cause.ID("")
		if rep.Cause != nil {
			got = rep.Cause.ID
		}
		if got != c.want {
			t.Errorf("%s %v token %q: cause %q, want %q (%s)", c.provider, c.auth, c.token, got, c.want, httpStep(rep).Detail)
		}
		if c.token != "" && gotAuth != "Bearer "+c.token {
			t.Errorf("sent Authorization %q", gotAuth)
		}
		if c.want == cause.TokenMissing {
			if stepStatus(rep, diagnose.StepTLS) != diagnose.Pass || !strings.Contains(rep.Cause.Fix, "onramp secret set bearer-token --profile "+name) {
				t.Errorf("missing token: tls %s, fix %q", stepStatus(rep, diagnose.StepTLS), rep.Cause.Fix)
			}
		}
		for _, s := range rep.Steps {
			if c.token != "" && strings.Contains(s.Detail, c.token) {
				t.Errorf("the token is in step %s: %s", s.Name, s.Detail)
			}
		}
	}
}

// TestStatusNotFoundMeaning: a 404 at the template's own check endpoint
// says what the provider's 404 there means.
func TestStatusNotFoundMeaning(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	ca := testpki.NewCA(t, "Not Found Test CA")
	srv := serveAnswer(t, ca, true, 404, `{"status":404,"userMessage":"Person not found"}`, nil)
	p := checkProfile(t, ca, "hmpps", "hm404", srv.url, "/v1/persons/X802678/risks/scores", []string{"mtls", "api-key"})
	kr := testkeyring.New()
	kr.Items["hm404/api-key"] = "k-3f9a7c2e"
	rep := Checks{Store: kr}.Check(context.Background(), p)
	if rep.Cause == nil || rep.Cause.ID != cause.EndpointNotFound || !strings.Contains(httpStep(rep).Detail, "person X802678 is not in this environment") {
		t.Errorf("cause %v: %s", rep.Cause, httpStep(rep).Detail)
	}
}

// TestUnconfirmedPathNotFound: an NHS profile made when the default check
// was the Hello World API's (a path the documents do not give) gets a 404
// there: the detail says the path is unconfirmed and gives the command that
// sets the API's own path; a 404 at the seed's own example does not.
func TestUnconfirmedPathNotFound(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	ca := testpki.NewCA(t, "Not Found Test CA")
	srv := serveAnswer(t, ca, false, 404, `{"message":"Not Found"}`, nil)
	for _, c := range []struct {
		path, env   string
		unconfirmed bool
	}{
		{"/hello-world/hello/application", "int", true},
		{"/hello-world/hello/world", "sandbox", true},
		{"/genomic-data-access/FHIR/R4/ServiceRequest?identifier=r30000000001", "int", false},
	} {
		p := checkProfile(t, ca, "nhs-apim", "nhs-int", srv.url, c.path, []string{"api-key"})
		p.Environment = c.env
		kr := testkeyring.New()
		kr.Items["nhs-int/api-key"] = "k-5c1d9e0a"
		rep := Checks{Store: kr}.Check(context.Background(), p)
		detail := httpStep(rep).Detail
		if rep.Cause == nil || rep.Cause.ID != cause.EndpointNotFound || !strings.Contains(detail, "nothing answers at this path") {
			t.Errorf("%s: cause %v: %s", c.path, rep.Cause, detail)
		}
		said := strings.Contains(detail, "The path is unconfirmed") && strings.Contains(detail, "Set your API's own path with: onramp profile set nhs-int status_path PATH")
		if said != c.unconfirmed {
			t.Errorf("%s: says it is unconfirmed and how to set a path: %v, want %v:\n%s", c.path, said, c.unconfirmed, detail)
		}
	}
}

// TestRoleKeys: a Securosys profile holds a key per role; the role table
// picks the one each path needs, warns before sending when the profile has
// none for it, and the TSB's refusal names the role.
func TestRoleKeys(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	ca := testpki.NewCA(t, "TSB Test CA")
	const serviceKey, operationKey = "svc-5b1d0c77", "op-9e2a41f3"
	var gotKey string
	// A TSB shaped by seed 004: one role per key, each role its endpoints.
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotKey = r.Header.Get("X-API-KEY")
		need := map[string]string{"/v1/versionInfo": serviceKey, "/v1/sign": operationKey}[r.URL.Path]
		switch {
		case gotKey != serviceKey && gotKey != operationKey:
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"errorCode":631,"reason":"res.error.api.key.invalid","message":"Invalid API key"}`)
		case gotKey != need:
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"message":"Forbidden"}`)
		default:
			io.WriteString(w, `{"version":"2.4.0"}`)
		}
	})
	url := ca.ServeMutual(t, h).URL
	check := func(p *profile.Profile, kr *testkeyring.Keyring, path, method string) *diagnose.Report {
		// As `onramp diagnose --profile tsb -X METHOD URL` does.
		o, err := ProfileOptions(p, false)
		if err != nil {
			t.Fatal(err)
		}
		o.URL, o.Method = url+path, method
		AddProfileSecrets(p, &o, kr, true, true)
		return diagnose.Run(context.Background(), o, nil)
	}
	p := checkProfile(t, ca, "securosys", "tsb", url, "/v1/versionInfo", []string{"api-key", "mtls"})
	both := testkeyring.New()
	both.Items["tsb/serviceToken"], both.Items["tsb/keyOperationToken"] = serviceKey, operationKey
	for _, c := range []struct{ path, method, key string }{
		{"/v1/versionInfo", "GET", serviceKey}, {"/v1/sign", "POST", operationKey},
	} {
		rep := check(p, both, c.path, c.method)
		if !rep.OK || gotKey != c.key || rep.Request.APIKeyName == "" {
			t.Errorf("%s %s: ok %v, sent the %q key (%s), cause %v", c.method, c.path, rep.OK, gotKey, rep.Request.APIKeyName, rep.Cause)
		}
	}
	// Named keys, as the sandbox stores them.
	p.RoleKeys = map[string]string{"serviceToken": "securosys-service-key"}
	named := testkeyring.New()
	named.Items["tsb/securosys-service-key"] = serviceKey
	if rep := check(p, named, "/v1/versionInfo", "GET"); !rep.OK || gotKey != serviceKey {
		t.Errorf("role_keys: ok %v, cause %v", rep.OK, rep.Cause)
	}
	// Only the operation key, as the default: a warning before sending,
	// and the TSB's 403 names the role the path needs.
	p.RoleKeys = nil
	opOnly := testkeyring.New()
	opOnly.Items["tsb/api-key"] = operationKey
	rep := check(p, opOnly, "/v1/versionInfo", "GET")
	local := rep.Steps[0]
	if local.Status != diagnose.Warn || local.Cause.ID != cause.APIKeyWrongRole || !strings.Contains(local.Detail, "role serviceToken") {
		t.Errorf("no warning before sending: %+v", local)
	}
	if rep.Cause == nil || rep.Cause.ID != cause.APIKeyWrongRole || !strings.Contains(httpStep(rep).Detail, "needs a serviceToken key") {
		t.Errorf("wrong role: cause %v: %s", rep.Cause, httpStep(rep).Detail)
	}
	// A key the TSB does not know: 631.
	bad := testkeyring.New()
	bad.Items["tsb/serviceToken"] = "nobody-0000"
	if rep := check(p, bad, "/v1/versionInfo", "GET"); rep.Cause == nil || rep.Cause.ID != cause.APIKeyRejected {
		t.Errorf("unknown key: cause %v", rep.Cause)
	}
}

func TestShowProfileAuthSecrets(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	p := &profile.Profile{Name: "tsb", Provider: "securosys", Auth: []string{"api-key", "bearer-jwt"}, APIKeyHeader: "X-API-KEY",
		APIKeySecret: "serviceToken", BearerSecret: "bearer-token", RoleKeys: map[string]string{"keyOperationToken": "op-key"}}
	var b strings.Builder
	if err := ShowProfile(p, time.Now()).WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"header X-API-KEY, secret serviceToken", "Bearer token:", "secret bearer-token", "keyOperationToken → secret op-key"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("profile show lacks %q:\n%s", w, b.String())
		}
	}
}

// TestMessageKeysCheckedLocally: a DCS profile's signing and encryption
// pairs are checked on this machine (an expired signing certificate, an
// encryption key that is not its certificate's) and warned about, while
// the connection itself (mutual TLS to a loopback server answering as the
// DCS status endpoint) is checked and passes.
func TestMessageKeysCheckedLocally(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	ca := testpki.NewCA(t, "DCS Message Keys CA")
	srv := serveAnswer(t, ca, true, 200, `{"available":true,"scheduledOutages":[]}`, nil)
	p := checkProfile(t, ca, "govuk-dcs", "dcs-keys", srv.url, "/checks/passport", []string{provider.AuthMTLS})
	dir := t.TempDir()
	p.SigningCert, p.SigningKey = ca.Client(t, testpki.Options{CommonName: "Acme Signing Integration 2025-11-01",
		NotBefore: time.Now().Add(-400 * 24 * time.Hour), NotAfter: time.Now().Add(-2 * 24 * time.Hour)}).Files(t, dir, "signing")
	p.EncryptionCert, _ = ca.Client(t, testpki.Options{CommonName: "Acme Encryption Integration 2026-11-01"}).Files(t, dir, "encryption")
	_, p.EncryptionKey = ca.Client(t, testpki.Options{CommonName: "another"}).Files(t, dir, "another")

	rep := Checks{Store: testkeyring.New()}.Check(context.Background(), p)
	if !rep.OK || stepStatus(rep, diagnose.StepTLS) != diagnose.Pass || stepStatus(rep, diagnose.StepHTTP) != diagnose.Pass {
		t.Fatalf("the connection check: ok %v, steps %+v", rep.OK, rep.Steps)
	}
	local := rep.Steps[0]
	if local.Name != diagnose.StepLocal || local.Status != diagnose.Warn {
		t.Fatalf("local step %+v", local)
	}
	all := append([]diagnose.Finding{{Cause: local.Cause, Detail: local.Detail}}, local.Notes...)
	var got []string
	for _, f := range all {
		got = append(got, f.Cause.Title+": "+f.Detail)
	}
	text := strings.Join(got, "\n")
	for _, want := range []string{
		"The signing certificate has expired: the signing certificate " + p.SigningCert + " expired on ",
		"The private key does not belong to the certificate: the encryption key " + p.EncryptionKey + " is not the key of the encryption certificate " + p.EncryptionCert,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("local findings lack %q:\n%s", want, text)
		}
	}

	// Good pairs: nothing to say.
	p.SigningCert, p.SigningKey = ca.Client(t, testpki.Options{CommonName: "Acme Signing"}).Files(t, dir, "signing2")
	p.EncryptionCert, p.EncryptionKey = ca.Client(t, testpki.Options{CommonName: "Acme Encryption"}).Files(t, dir, "encryption2")
	rep = Checks{Store: testkeyring.New()}.Check(context.Background(), p)
	if !rep.OK || rep.Steps[0].Status != diagnose.Pass {
		t.Errorf("good message keys: %+v", rep.Steps[0])
	}
}

// TestHMPPSCheckEndpoints: an HMPPS profile's check may be POST /token
// (the documented token endpoint, answered by the sandbox's HMPPS-like
// /token on a loopback mutual TLS server): the checks POST with the
// certificate and the key, pass, and never show the credentials. A JSON
// 404 at the guide's example read says the person id is an example.
func TestHMPPSCheckEndpoints(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	ca := testpki.NewCA(t, "HMPPS Check CA")
	fake := tokenapi.NewHMPPS(tokenapi.HMPPSOptions{APIKey: "k-3f9a7c2e", SecretPrefix: "CANARY-SECRET-", SessionPrefix: "CANARY-SESSION-", Record: true})
	srv := ca.ServeMutual(t, fake)
	tm, _ := provider.Get("hmpps")
	p := checkProfile(t, ca, "hmpps", "hmpps-token", srv.URL, "/v1/persons/X802678/risks/scores", []string{"mtls", "api-key"})
	if _, err := SetSetting(p, "status_path", "/token"); err != nil || p.StatusMethod != "POST" {
		t.Fatalf("status_path /token: method %q (%v)", p.StatusMethod, err)
	}
	kr := testkeyring.New()
	kr.Items["hmpps-token/api-key"] = "k-3f9a7c2e"
	rep := Checks{Store: kr}.Check(context.Background(), p)
	js, _ := json.Marshal(rep)
	if !rep.OK || len(fake.Secrets()) != 1 || !strings.Contains(httpStep(rep).Detail, "POST /token") {
		t.Fatalf("POST /token check: ok %v, issued %d, http %+v", rep.OK, len(fake.Secrets()), httpStep(rep))
	}
	if strings.Contains(string(js), "CANARY-") || strings.Contains(string(js), fake.Secrets()[0]) {
		t.Errorf("the credentials are in the report: %s", js)
	}

	// The guide's example read, answered with a JSON 404.
	srv404 := serveAnswer(t, ca, true, 404, `{"status":404,"userMessage":"No data found for X802678"}`, nil)
	p = checkProfile(t, ca, "hmpps", "hmpps-example", srv404.url, "", []string{"mtls", "api-key"})
	p.StatusPath, p.StatusMethod = tm.Status.Path, ""
	kr.Items["hmpps-example/api-key"] = "k-3f9a7c2e"
	rep = Checks{Store: kr}.Check(context.Background(), p)
	h := httpStep(rep)
	if rep.Cause == nil || rep.Cause.ID != cause.EndpointNotFound || !strings.Contains(h.Detail, "X802678 is the guide's example person id") {
		t.Errorf("404 at the example read: %v %q", rep.Cause, h.Detail)
	}
	// Any other path's 404 does not blame the example.
	p.StatusPath = "/v1/persons/A1234BC/risks/scores"
	rep = Checks{Store: kr}.Check(context.Background(), p)
	if h := httpStep(rep); strings.Contains(h.Detail, "example person id") {
		t.Errorf("404 at another path: %q", h.Detail)
	}
}

// TestNHSGuideExampleCheck: an NHS API Management profile checks the CGP
// guide's example request, query and all, with its API key in apikey; a
// 404 there says it is the guide's GDAM example.
func TestNHSGuideExampleCheck(t *testing.T) {
	t.Setenv("ONRAMP_CONFIG_DIR", t.TempDir())
	ca := testpki.NewCA(t, "NHS Example CA")
	var uri, key string
	srv := ca.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		uri, key = r.URL.RequestURI(), r.Header.Get("apikey")
		w.Header().Set("Content-Type", "application/fhir+json")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found"}]}`)
	}))
	tm, _ := provider.Get("nhs-apim")
	p := checkProfile(t, ca, "nhs-apim", "nhs-dev", srv.URL, tm.Status.Path, []string{provider.AuthAPIKey})
	kr := testkeyring.New()
	kr.Items["nhs-dev/api-key"] = "k-3f9a7c2e"
	rep := Checks{Store: kr}.Check(context.Background(), p)
	if uri != "/genomic-data-access/FHIR/R4/ServiceRequest?identifier=r30000000001" || key != "k-3f9a7c2e" {
		t.Errorf("sent %q with apikey %q", uri, key)
	}
	if h := httpStep(rep); rep.Cause == nil || rep.Cause.ID != cause.EndpointNotFound || !strings.Contains(h.Detail, "the CGP guide's example for the GDAM API") {
		t.Errorf("404: %v %q", rep.Cause, h.Detail)
	}
}
