package main

import (
	"net"
	"net/url"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/tokens"
)

// addTokenStep makes diagnose of a signed-JWT profile run the token step
// and send its bearer token. The step always asks for a new token (and
// caches it), so the whole signed-JWT exchange is checked, not a cached
// result. The API key is the JWT's iss/sub, so it is not also sent as a
// header unless the profile uses API-key auth too.
func addTokenStep(p *profile.Profile, o *diagnose.Options, kr secretstore.Keyring) {
	if !hasAuth(p, "signed-jwt") {
		return
	}
	if u, err := url.Parse(p.URL); err == nil && tokens.IsSandboxHost(u.Hostname()) {
		return
	}
	o.TokenSource = tokens.TokenSource(p, tokens.ProfileOptions{
		Keyring:    kr,
		APIKey:     o.APIKey,
		KeyPass:    o.KeyPass,
		CACertFile: o.CACertFile,
		Resolve:    dialAddrs(o.Resolve),
		RSABits:    requiredRSABits(p),
		Now:        o.Now,
	}, true)
	if !hasAuth(p, "api-key") {
		o.APIKey, o.APIKeyRequired = "", false
	}
}

// dialAddrs turns diagnose's --resolve map (host:port → IP) into the one
// tokens dials (host:port → IP:port).
func dialAddrs(resolve map[string]string) map[string]string {
	out := make(map[string]string, len(resolve))
	for hp, ip := range resolve {
		if _, port, err := net.SplitHostPort(hp); err == nil {
			out[hp] = net.JoinHostPort(ip, port)
		}
	}
	return out
}
