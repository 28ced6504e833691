package sandbox

import (
	"fmt"
	"io"
	"strings"
)

// WriteBanner tells the user of a started sandbox where everything is: its
// URLs, CA bundle, client certificate and key, where the API key is kept,
// whether the ready profile was written (wrote; perr why not), the
// endpoints, and the command to try next.
func WriteBanner(w io.Writer, srv *Server, wrote bool, perr error) {
	pki, keys := srv.PKI(), srv.Keys()
	fmt.Fprintf(w, "onramp sandbox: listening on %s (mutual TLS and an x-api-key header required)\n", srv.BaseURL())
	if b := srv.Break(); b != nil {
		fmt.Fprintf(w, "PRACTICE MODE %s: the sandbox %s\n", b.ID, b.Does)
	}
	fmt.Fprintf(w, "  CA bundle (--cacert): %s\n", pki.CABundlePath())
	fmt.Fprintf(w, "  client certificate:   %s\n", pki.Path(ClientCertFile))
	fmt.Fprintf(w, "  client key:           %s\n", pki.Path(ClientKeyFile))
	if keys.InKeyring {
		fmt.Fprintf(w, "  API key:              in the keyring as %s/%s (onramp secret get %s --profile %s)\n",
			ProfileName, APIKeyName, APIKeyName, ProfileName)
	} else {
		keyFile := pki.Path(APIKeyName)
		fmt.Fprintf(w, "  API key:              NOT in a keyring: %v\n", keys.KeyringErr)
		fmt.Fprintf(w, "                        it is kept in %s (mode 0600); to use it:\n", keyFile)
		fmt.Fprintf(w, "                          export %s=\"$(cat %s)\"\n", APIKeyEnv, keyFile)
		fmt.Fprintf(w, "                          onramp diagnose --profile sandbox --api-key-env %s\n", APIKeyEnv)
	}
	switch {
	case perr != nil:
		fmt.Fprintf(w, "  profile:              not updated: %v\n", perr)
	case wrote:
		fmt.Fprintf(w, "  profile:              %q updated for %s\n", ProfileName, srv.StatusURL())
	default:
		fmt.Fprintf(w, "  profile:              %q is ready\n", ProfileName)
	}
	type endpoint struct{ method, path, what string }
	list := func(eps []endpoint) {
		for _, e := range eps {
			fmt.Fprintf(w, "  %-4s %-31s %s\n", e.method, e.path, e.what)
		}
	}
	fmt.Fprintln(w, "Endpoints:")
	list([]endpoint{
		{"GET", StatusPath, "DCS-like status"},
		{"GET", "/v1/persons/{id}/risks/scores", "HMPPS-like person record"},
		{"POST", "/token", "HMPPS-like temporary credentials"},
		{"GET", "/v1/versionInfo", "Securosys-like, key " + ServiceKeyName},
		{"POST", "/v1/sign", "Securosys-like, key " + OperationKeyName},
	})
	fmt.Fprintf(w, "APIM-like API on %s (server TLS only, like NHS API Management):\n", srv.APIMBaseURL())
	list([]endpoint{
		{"POST", TokenPath, "signed JWT: iss = sub = the API key, aud = this URL (onramp sandbox register-jwks FILE first)"},
		{"GET", HelloPath, "needs the bearer token"},
	})
	next := "onramp diagnose --profile sandbox"
	if perr != nil {
		// No ready profile: the same check with every setting spelled out.
		next = fmt.Sprintf("%s=\"$(onramp secret get %s --profile %s)\" onramp diagnose %s --cert %s --key %s --cacert %s",
			APIKeyEnv, APIKeyName, ProfileName, srv.StatusURL(),
			pki.Path(ClientCertFile), pki.Path(ClientKeyFile), pki.CABundlePath())
		if !keys.InKeyring {
			next = fmt.Sprintf("%s=\"$(cat %s)\"%s", APIKeyEnv, pki.Path(APIKeyName), next[strings.Index(next, " onramp diagnose"):])
		}
		next += " --api-key-env " + APIKeyEnv
	} else if !keys.InKeyring {
		next += " --api-key-env " + APIKeyEnv
	}
	fmt.Fprintf(w, "Try next:\n  %s\n", next)
	if b := srv.Break(); b != nil {
		fmt.Fprintf(w, "  (it should name %s; `onramp explain --id %s` tells what it means)\n", b.ID, b.ID)
	}
	fmt.Fprintln(w, "Press ctrl+c to stop.")
}
