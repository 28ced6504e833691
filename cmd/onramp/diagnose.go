package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/usecase"
)

// diagnoseFlags are the command line's values before validation.
type diagnoseFlags struct {
	profile      string
	store        string
	cert, key    string
	keyPassEnv   string
	cacert       string
	apiKeyEnv    string
	apiKeyHeader string
	bearerEnv    string
	headers      []string
	method       string
	resolve      []string
	timeout      time.Duration
	json         bool
	report       string
	expectJSON   string
	proxy        proxyFlags
	location     bool
	ipv4, ipv6   bool
	revocation   bool
	client       string
}

func newDiagnoseCmd(fac *factory) *cobra.Command {
	io := fac.IO
	f := &diagnoseFlags{}
	cmd := &cobra.Command{
		Use:   "diagnose [URL]",
		Short: "Run the connectivity checks and name the cause of a failure",
		Long: `Checks a connection step by step: local material (certificate, key, CA
bundle, API key), DNS, TCP, the TLS handshake (mutual TLS included), the
HTTP call with the API key, and optionally the body of a status endpoint.
Every failure names a cause from the catalog (onramp explain --id ID).

With --client (or a profile's client setting) each fix is also said in the
words of your program: java, python, node, dotnet, curl or go. A profile
made from a provider template adds the provider's own advice.

Secrets are never flag values: --api-key-env, --bearer-env and
--key-pass-env name environment variables; with --profile they come from
the OS keyring (onramp secret set api-key|bearer-token --profile NAME).`,
		Example: `  onramp diagnose https://api.example.com/status --cert client.crt --key client.key \
      --cacert ca-bundle.pem --api-key-env API_KEY
  onramp diagnose --profile dcs --report report.md
  onramp diagnose https://api.example.com/ --resolve api.example.com:443:10.0.0.5 --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			urlArg := ""
			if len(args) == 1 {
				urlArg = args[0]
			}
			opts, prof, err := f.options(cmd, urlArg, fac.SecretStore)
			if err != nil {
				return err
			}
			return runDiagnose(cmd, io, f, opts, prof)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.profile, "profile", "", "take URL, files and secrets from the saved profile `NAME`")
	fl.StringVar(&f.store, "store", "", storeFlagUsage)
	fl.StringVar(&f.cert, "cert", "", "client certificate `FILE` (PEM or DER; may include the chain)")
	fl.StringVar(&f.key, "key", "", "client private key `FILE` (PEM or DER, PKCS#1/PKCS#8/SEC1)")
	fl.StringVar(&f.keyPassEnv, "key-pass-env", "", "environment `VAR` holding the key's passphrase")
	fl.StringVar(&f.cacert, "cacert", "", "CA bundle `FILE` the server's certificate must chain to")
	fl.StringVar(&f.apiKeyEnv, "api-key-env", "", "environment `VAR` holding the API key")
	fl.StringVar(&f.apiKeyHeader, "api-key-header", "", "`NAME` of the API key header (default x-api-key)")
	fl.StringVar(&f.bearerEnv, "bearer-env", "", "environment `VAR` holding a bearer token (a JWT or static token), sent as Authorization: Bearer")
	fl.StringArrayVarP(&f.headers, "header", "H", nil, "extra request `HEADER` 'Name: value' (the value is redacted in all output)")
	fl.StringVarP(&f.method, "request", "X", "", "HTTP `METHOD` (default GET)")
	addProxyFlags(fl, &f.proxy)
	fl.BoolVarP(&f.ipv4, "ipv4", "4", false, "like curl: IPv4 addresses only")
	fl.BoolVarP(&f.ipv6, "ipv6", "6", false, "like curl: IPv6 addresses only (by default both are raced, IPv6 first)")
	fl.BoolVarP(&f.location, "location", "L", false, "like curl -L, but only to the same host over https: follow redirects (never to another host, so secrets stay with it)")
	fl.StringArrayVar(&f.resolve, "resolve", nil, "like curl: `HOST:PORT:ADDR[,ADDR]` connects to ADDR (several are raced) for HOST:PORT, keeping HOST for SNI and checks; with a proxy it applies to the proxy's name (repeatable)")
	fl.DurationVar(&f.timeout, "timeout", diagnose.DefaultTimeout, "bound for the whole run")
	fl.BoolVar(&f.json, "json", false, "machine-readable report on stdout")
	fl.StringVar(&f.report, "report", "", "also write a redacted Markdown report to `FILE` for a support ticket")
	fl.BoolVar(&f.revocation, "check-revocation", false, "ask the client certificate's OCSP responder (or CRL) whether it is revoked, before connecting")
	fl.StringVar(&f.client, "client", "", clientFlagUsage+" (default: the profile's client setting)")
	fl.StringVar(&f.expectJSON, "expect-json", "", "`JSON` the response body must contain, e.g. '{\"available\":true}'")
	return cmd
}

// options validates the flags (and the profile) into diagnose.Options.
// Every mistake is a usage error naming the flag.
func (f *diagnoseFlags) options(cmd *cobra.Command, urlArg string, openStore func(kind string) (secretstore.Keyring, error)) (diagnose.Options, *profile.Profile, error) {
	o := diagnose.Options{Headers: http.Header{}}
	changed := cmd.Flags().Changed
	var prof *profile.Profile
	if f.profile != "" {
		p, err := profile.Load(f.profile)
		if err != nil {
			return o, nil, usageErrorf("--profile %s: %v", f.profile, err)
		}
		prof = p
		if o, err = usecase.ProfileOptions(p, urlArg == ""); err != nil {
			return o, nil, usageErrorf("--profile %s: %v", f.profile, err)
		}
	}
	if urlArg != "" {
		o.URL = urlArg
	}
	if changed("client") {
		c, err := checkClientFlag(f.client)
		if err != nil {
			return o, nil, err
		}
		o.Advice.Client = c
	}
	if o.URL == "" {
		return o, nil, usageErrorf("no URL: give one (onramp diagnose https://host/path) or --profile NAME")
	}
	if _, err := diagnose.ParseTarget(o.URL); err != nil {
		return o, nil, usageErrorf("%v", err)
	}
	if changed("cert") {
		o.CertFile = f.cert
	}
	if changed("key") {
		o.KeyFile = f.key
	}
	if changed("cacert") {
		o.CACertFile = f.cacert
	}
	if o.KeyFile != "" && o.CertFile == "" {
		return o, nil, usageErrorf("--key given without --cert: give the client certificate too")
	}
	if changed("api-key-header") {
		if strings.TrimSpace(f.apiKeyHeader) == "" || strings.ContainsAny(f.apiKeyHeader, ": \t\r\n") {
			return o, nil, usageErrorf("--api-key-header %q is not a header name", f.apiKeyHeader)
		}
		o.APIKeyHeader = f.apiKeyHeader
	}
	if changed("expect-json") {
		o.ExpectJSON = f.expectJSON
	}
	if o.ExpectJSON != "" && !json.Valid([]byte(o.ExpectJSON)) {
		return o, nil, usageErrorf("--expect-json %q is not valid JSON", o.ExpectJSON)
	}
	if f.method != "" {
		m := strings.ToUpper(f.method)
		if strings.ContainsAny(m, " \t\r\n:/") {
			return o, nil, usageErrorf("-X/--request %q is not an HTTP method", f.method)
		}
		o.Method = m
	}
	for _, h := range f.headers {
		name, val, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return o, nil, usageErrorf("-H/--header wants 'Name: value', got a header without a name (value not shown)")
		}
		o.Headers.Add(name, strings.TrimSpace(val))
	}
	if len(o.Headers) == 0 {
		o.Headers = nil
	}
	for _, r := range f.resolve {
		hp, addr, err := diagnose.ParseResolve(r)
		if err != nil {
			return o, nil, usageErrorf("%v", err)
		}
		if o.Resolve == nil {
			o.Resolve = map[string]string{}
		}
		o.Resolve[hp] = addr // after the profile's: the flag wins
	}
	if f.timeout <= 0 {
		return o, nil, usageErrorf("--timeout %s: must be more than zero", f.timeout)
	}
	o.Timeout = f.timeout
	o.CheckRevocation = f.revocation
	if o.CheckRevocation && o.CertFile == "" {
		return o, nil, usageErrorf("--check-revocation checks the client certificate: give --cert (or a --profile with one)")
	}
	route, err := f.proxy.settings()
	if err != nil {
		return o, nil, err
	}
	o.Route = route
	o.FollowRedirects = f.location
	switch {
	case f.ipv4 && f.ipv6:
		return o, nil, usageErrorf("-4 and -6 do not go together: give one, or neither to try both")
	case f.ipv4:
		o.IPVersion, o.Route.IPVersion = 4, 4
	case f.ipv6:
		o.IPVersion, o.Route.IPVersion = 6, 6
	}

	if f.apiKeyEnv != "" {
		v, err := envSecret("--api-key-env", f.apiKeyEnv, true)
		if err != nil {
			return o, nil, err
		}
		o.APIKey = string(v)
	}
	if changed("bearer-env") {
		v, err := envSecret("--bearer-env", f.bearerEnv, true)
		if err != nil {
			return o, nil, err
		}
		if o.Headers.Get("Authorization") != "" {
			return o, nil, usageErrorf("--bearer-env and -H 'Authorization: ...' both set the Authorization header: give one")
		}
		o.BearerToken = strings.TrimSpace(string(v))
	}
	if f.keyPassEnv != "" {
		v, err := envSecret("--key-pass-env", f.keyPassEnv, true)
		if err != nil {
			return o, nil, err
		}
		o.KeyPass = v
	}
	if prof != nil {
		kr, err := openStore(f.store)
		if err != nil {
			return o, nil, err
		}
		usecase.AddProfileSecrets(prof, &o, kr, f.apiKeyEnv == "", f.keyPassEnv == "")
	}
	return o, prof, nil
}

func runDiagnose(cmd *cobra.Command, io *iostreams.IO, f *diagnoseFlags, opts diagnose.Options, prof *profile.Profile) error {
	var progress func(diagnose.Event)
	if io.IsStderrTTY() {
		// One transient line on stderr, rewritten as each step runs, so the
		// report on stdout is not printed twice on a terminal.
		progress = func(e diagnose.Event) {
			if e.Kind == diagnose.StepStarted {
				fmt.Fprintf(io.ErrOut, "\r\x1b[K… %s", e.Step.Name)
			} else {
				fmt.Fprint(io.ErrOut, "\r\x1b[K")
			}
		}
	}
	rep := diagnose.Run(cmd.Context(), opts, progress)
	if f.json {
		enc := json.NewEncoder(io.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return failedErrorf("writing the report: %v", err)
		}
	} else {
		diagnose.RenderText(io.Out, rep, io.ColorEnabled())
	}
	if rep.Cancelled {
		// Interrupted: the steps so far are shown; no report is written
		// and the profile keeps its last real check.
		return errCancelled
	}
	if f.report != "" {
		var b bytes.Buffer
		diagnose.RenderMarkdown(&b, rep, Version())
		// Atomic: a reader never sees half a report, and a symlink at the
		// path is replaced, not followed into the file it points at.
		if err := keystore.WriteFileAtomic(f.report, b.Bytes(), 0o600, true); err != nil {
			return failedErrorf("--report %s: %v", f.report, errors.Unwrap(err))
		}
		if !f.json {
			fmt.Fprintf(io.ErrOut, "Report written to %s\n", f.report)
		}
	}
	if prof != nil {
		if err := usecase.SaveCheck(prof, rep); err != nil {
			fmt.Fprintf(io.ErrOut, "onramp: %v\n", err)
		}
	}
	if !rep.OK {
		return errDiagnosed
	}
	return nil
}
