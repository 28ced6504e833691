package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/internal/redact"
	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/monitor"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/secretstore"
	"github.com/onramp-cli/onramp/tokens"
	"github.com/onramp-cli/onramp/usecase"
)

type watchOptions struct {
	io        *iostreams.IO
	secrets   *redact.Set
	openStore func(kind string) (secretstore.Keyring, error)

	interval    time.Duration
	jitter      time.Duration
	noJitter    bool // --jitter 0 given
	concurrency int
	timeout     time.Duration
	listen      string
	textfile    string
	once        bool
	revocation  bool
	profiles    []string
}

func newWatchCmd(fac *factory) *cobra.Command {
	opts := &watchOptions{io: fac.IO, openStore: fac.SecretStore, secrets: fac.Secrets}
	cmd := &cobra.Command{
		Use:   "watch",
		Short: "Check every profile on a schedule and serve the results as Prometheus metrics",
		Long: `Runs every saved profile's checks (as onramp diagnose --profile does) every
--interval, and serves the latest results for Prometheus at /metrics
(OpenMetrics): whether each check passed, the step and cause id of a
failure, how long each step took, and when the client certificate, the
server's certificate chain and any cached token expire.

/probe?profile=NAME checks one profile at each scrape, for a Prometheus that
drives the schedule itself (as with blackbox_exporter). --textfile DIR also
writes DIR/onramp.prom for node_exporter's textfile collector.

Ready-made scrape configs and alerting rules are in the repository's
monitoring/ directory. No secret ever appears in a metric or a label.`,
		Example: `  onramp watch
  onramp watch --interval 5m --listen 127.0.0.1:9469
  onramp watch --once --textfile /var/lib/prometheus/node-exporter`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.validate(); err != nil {
				return err
			}
			opts.noJitter = cmd.Flags().Changed("jitter") && opts.jitter == 0
			return runWatch(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.DurationVar(&opts.interval, "interval", monitor.DefaultInterval, "time between the starts of two rounds of checks")
	fl.DurationVar(&opts.jitter, "jitter", 0, "most each check waits, at random, after its round starts (default: a tenth of --interval, at most 10s; 0 for none)")
	fl.IntVar(&opts.concurrency, "concurrency", monitor.DefaultConcurrency, "checks run at once")
	fl.DurationVar(&opts.timeout, "timeout", diagnose.DefaultTimeout, "bound for each check")
	fl.StringVar(&opts.listen, "listen", monitor.DefaultListen, "`ADDR` of the metrics endpoint (\"\" for none)")
	fl.StringVar(&opts.textfile, "textfile", "", "also write `DIR`/onramp.prom for node_exporter after each round")
	fl.BoolVar(&opts.once, "once", false, "run one round, write --textfile, and exit (1 if a check failed)")
	fl.BoolVar(&opts.revocation, "check-revocation", false, "also ask each client certificate's OCSP responder (or CRL): a revoked one fails as client-cert-revoked")
	fl.StringArrayVar(&opts.profiles, "profile", nil, "watch only this profile `NAME` (repeatable; default: all)")
	return cmd
}

func (o *watchOptions) validate() error {
	switch {
	case o.interval < time.Second:
		return usageErrorf("--interval %s: must be at least 1s", o.interval)
	case o.jitter < 0 || o.jitter >= o.interval:
		return usageErrorf("--jitter %s: must be at least 0 and less than --interval %s", o.jitter, o.interval)
	case o.concurrency < 1:
		return usageErrorf("--concurrency %d: must be at least 1", o.concurrency)
	case o.timeout <= 0:
		return usageErrorf("--timeout %s: must be more than zero", o.timeout)
	case o.once && o.textfile == "":
		return usageErrorf("--once writes the --textfile: give --textfile DIR (or run onramp status for a one-off look)")
	case !o.once && o.listen == "" && o.textfile == "":
		return usageErrorf("--listen \"\" and no --textfile: the results would go nowhere")
	}
	if o.listen != "" && !o.once {
		if _, _, err := net.SplitHostPort(o.listen); err != nil {
			return usageErrorf("--listen %q: want HOST:PORT, e.g. 127.0.0.1:9469", o.listen)
		}
	}
	if o.textfile != "" {
		if err := monitor.CheckTextfileDir(o.textfile); err != nil {
			return usageErrorf("%v", err)
		}
	}
	for _, n := range o.profiles {
		if _, err := profile.Load(n); err != nil {
			return usageErrorf("--profile %s: %v", n, err)
		}
	}
	return nil
}

// monitorOptions builds the monitor: checks through the use-case layer,
// each result recorded as the profile's last check (for onramp status), the
// cached token's expiry read from the store.
func (o *watchOptions) monitorOptions(kr secretstore.Keyring) monitor.Options {
	m := monitor.Options{
		Checker:     usecase.Checks{Store: kr, CheckRevocation: o.revocation},
		Interval:    o.interval,
		Jitter:      o.jitter, // 0: monitor's default
		Concurrency: o.concurrency,
		Timeout:     o.timeout,
		Log:         o.io.ErrOut,
		Secrets:     o.secrets,
		TokenExpiry: func(p *profile.Profile) (time.Time, bool) {
			return (&tokens.Cache{Keyring: kr, Profile: p.Name}).Expiry()
		},
		Record: func(p *profile.Profile, rep *diagnose.Report) {
			// Reload first: the profile may have been edited during the round.
			if fresh, err := profile.Load(p.Name); err == nil {
				if err := usecase.SaveCheck(fresh, rep); err != nil {
					fmt.Fprintf(o.io.ErrOut, "onramp watch: %v\n", err)
				}
			}
		},
	}
	if o.noJitter {
		m.Jitter = -1
	}
	if len(o.profiles) > 0 {
		names := o.profiles
		m.Profiles = func() ([]*profile.Profile, error) { return monitor.LoadProfiles(names) }
	}
	return m
}

func runWatch(ctx context.Context, o *watchOptions) error {
	kr, err := o.openStore("")
	if err != nil {
		return err
	}
	m, err := monitor.New(o.monitorOptions(kr))
	if err != nil {
		return failedErrorf("%v", err)
	}
	if o.once {
		m.Round(ctx)
		if ctx.Err() != nil {
			return errCancelled // interrupted: the textfile keeps the last complete round
		}
		if err := m.WriteTextfile(o.textfile); err != nil {
			return failedErrorf("%v", err)
		}
		for _, r := range m.Results() {
			if !r.Report.OK {
				return errDiagnosed
			}
		}
		return nil
	}
	// A service: a signal stops it, and that is a normal end (exit 0).
	ownSignals(ctx)
	var srv *http.Server
	if o.listen != "" {
		ln, err := net.Listen("tcp", o.listen)
		if err != nil {
			return usageErrorf("--listen %s: %v (another onramp watch running? choose another port)", o.listen, errors.Unwrap(err))
		}
		if ip := net.ParseIP(hostOf(ln.Addr().String())); ip == nil || !ip.IsLoopback() {
			fmt.Fprintf(o.io.ErrOut, "onramp watch: warning: %s can be reached from other machines; the metrics name your profiles and their causes\n", ln.Addr())
		}
		srv = &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		fmt.Fprintf(o.io.ErrOut, "onramp watch: metrics on http://%s/metrics, checks every %s (ctrl+c stops)\n", ln.Addr(), o.interval)
	}
	after := func() {}
	if o.textfile != "" {
		after = func() {
			if err := m.WriteTextfile(o.textfile); err != nil {
				fmt.Fprintf(o.io.ErrOut, "onramp watch: %v\n", err)
			}
		}
	}
	_ = m.Run(ctx, after)
	if srv != nil {
		shutdown, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}
	fmt.Fprintln(o.io.ErrOut, "onramp watch: stopped")
	return nil
}

func hostOf(addr string) string {
	h, _, _ := net.SplitHostPort(addr)
	return h
}
