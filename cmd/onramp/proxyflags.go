package main

import (
	"net/url"
	"strings"

	"github.com/spf13/pflag"

	"github.com/onramp-cli/onramp/egress"
)

// proxyFlags are curl's proxy options, shared by every command that
// connects out (diagnose, token, aws-credentials).
type proxyFlags struct {
	proxy, noProxy string
	userEnv        string
	cacert         string
	fl             *pflag.FlagSet
}

func addProxyFlags(fl *pflag.FlagSet, p *proxyFlags) {
	p.fl = fl
	fl.StringVarP(&p.proxy, "proxy", "x", "", "like curl: connect through the proxy `URL` (http://[USER@]HOST:PORT or https://...); overrides HTTPS_PROXY/ALL_PROXY, \"\" for none")
	fl.StringVar(&p.noProxy, "noproxy", "", "like curl: comma-separated `LIST` of hosts, domains, IPs or CIDR ranges that bypass the proxy (\"*\" for all); overrides NO_PROXY")
	fl.StringVar(&p.cacert, "proxy-cacert", "", "like curl: CA bundle `FILE` an https:// proxy's certificate must chain to")
	fl.StringVar(&p.userEnv, "proxy-user-env", "", "environment `VAR` holding the proxy's USER:PASSWORD (or the password, the user in the proxy URL)")
}

// settings validates the flags and the proxy environment into the route
// every connection of the command takes. A bad proxy is a usage error.
func (p *proxyFlags) settings() (egress.Settings, error) {
	s := egress.Settings{
		Proxy: p.proxy, ProxySet: p.fl.Changed("proxy"),
		NoProxy: p.noProxy, NoProxySet: p.fl.Changed("noproxy"),
		ProxyCACertFile: p.cacert,
	}
	if u, err := url.Parse(withScheme(p.proxy)); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			return s, usageErrorf("--proxy %s holds a password: onramp takes no secret on its command line (ps shows it); "+
				"give the user in the URL (http://USER@HOST:PORT) and the password with --proxy-user-env VAR or `onramp secret set proxy-password --profile P`",
				egress.Redact(p.proxy))
		}
	}
	if p.fl.Changed("proxy-user-env") {
		v, err := envSecret("--proxy-user-env", p.userEnv, true)
		if err != nil {
			return s, err
		}
		if user, pass, ok := strings.Cut(string(v), ":"); ok {
			s.ProxyUser, s.ProxyPassword = user, pass
		} else {
			s.ProxyPassword = string(v)
		}
		s.ProxyUserSource = "--proxy-user-env " + p.userEnv
	}
	if _, err := egress.NewDialer(s); err != nil {
		return s, usageErrorf("%v", err)
	}
	return s, nil
}

func withScheme(s string) string {
	if !strings.Contains(s, "://") {
		return "http://" + s
	}
	return s
}
