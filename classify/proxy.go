package classify

import (
	"errors"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/egress"
)

// Proxy names the cause of a failure to open a tunnel through a proxy, or
// "" when err is not one: no answer from the proxy (refused, timed out, its
// name unknown, TLS with an https:// proxy failed) is proxy-unreachable, a
// 407 (or tinyproxy's 401 for wrong credentials) is proxy-auth-required, and any other refusal of CONNECT (403, 502,
// a closed connection) is proxy-tunnel-refused.
func Proxy(err error) cause.ID {
	var pe *egress.ProxyError
	if !errors.As(err, &pe) {
		return ""
	}
	switch {
	case pe.AuthRefused():
		return cause.ProxyAuthRequired
	case pe.Status != 0:
		return cause.ProxyTunnelRefused
	case pe.Op == "CONNECT" && !IsTimeout(pe.Err):
		return cause.ProxyTunnelRefused
	}
	return cause.ProxyUnreachable
}
