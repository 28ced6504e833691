package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/limits"
	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/sandbox"
)

type sandboxOptions struct {
	io          *iostreams.IO
	addr        string
	apimAddr    string
	brk         string
	allowRemote bool
}

func newSandboxCmd(fac *factory) *cobra.Command {
	io := fac.IO
	opts := &sandboxOptions{io: io}
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run a local practice API with mutual TLS and API keys",
		Long: `Run a local practice API that requires mutual TLS and an API key, with
endpoints shaped like HMPPS, GOV.UK DCS, NHS API Management and Securosys.

On first run it makes its own CAs in onramp's data directory. While it runs,
the profile "sandbox" is ready: onramp diagnose --profile sandbox passes.

Practice mode: --break CAUSE makes the sandbox fail in one way, so you can
see what onramp says about it; --break list names the modes.`,
		Example: `  onramp sandbox
  onramp sandbox --addr 127.0.0.1:9443
  onramp sandbox --break server-cert-expired
  onramp sandbox sign my.csr --out my.pem`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.brk == "list" {
				fmt.Fprint(io.Out, sandbox.BreakList())
				return nil
			}
			return runSandbox(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.addr, "addr", sandbox.DefaultAddr, "listen address (loopback only)")
	cmd.Flags().StringVar(&opts.apimAddr, "apim-addr", "", "listen address of the APIM-like token API, which needs no client certificate (default: the port after --addr's)")
	cmd.Flags().StringVar(&opts.brk, "break", "", "practice mode: fail with this cause id (\"list\" names them)")
	cmd.Flags().BoolVar(&opts.allowRemote, "allow-remote", false, "allow a listen address other machines can reach")
	cmd.AddCommand(newSandboxSignCmd(io), newSandboxRegisterJWKSCmd(io), newSandboxResetCmd(io))
	return cmd
}

func runSandbox(cmd *cobra.Command, opts *sandboxOptions) error {
	io := opts.io
	// Its practice keys live in files beside its PKI: no secret store.
	srv, err := sandbox.New(sandbox.Config{
		Addr:        opts.addr,
		APIMAddr:    opts.apimAddr,
		AllowRemote: opts.allowRemote,
		Break:       opts.brk,
		Log:         io.ErrOut,
	})
	var unknown *sandbox.UnknownBreakError
	var badAddr *sandbox.AddrError
	switch {
	case errors.As(err, &unknown):
		return usageErrorf("%v\n\nPractice modes:\n%s", err, sandbox.BreakList())
	case errors.As(err, &badAddr):
		return usageErrorf("%v", err)
	case err != nil:
		return failedErrorf("sandbox: %v", err)
	}
	ctx := cmd.Context()
	if err := srv.Start(ctx); err != nil {
		var inUse *sandbox.AddrInUseError
		if errors.As(err, &inUse) {
			return usageErrorf("%v", err)
		}
		return failedErrorf("sandbox: %v", err)
	}
	defer srv.Close()
	if opts.allowRemote {
		fmt.Fprintf(io.ErrOut, "warning: the sandbox listens on %s, which other machines may reach; its keys are practice keys, not secrets worth guarding, but anyone who reaches it can use it\n", srv.Addr())
	}
	wrote, perr := srv.SaveProfile()
	sandbox.WriteBanner(io.ErrOut, srv, wrote, perr)
	// The first RSA 4096 key takes seconds: the API is up meanwhile.
	go srv.PrepareAPIMProfile()
	<-ctx.Done()
	srv.Close()
	fmt.Fprintln(io.ErrOut, "sandbox stopped")
	return nil
}

func newSandboxSignCmd(io *iostreams.IO) *cobra.Command {
	var out string
	var force bool
	cmd := &cobra.Command{
		Use:   "sign CSR",
		Short: "Sign a client certificate request with the sandbox's CA, as a provider would",
		Long: `Sign a certificate signing request (PEM or DER; - for stdin) with the
sandbox's client CA: subject and SANs from the CSR, clientAuth, 365 days.
No running sandbox is needed. The certificate goes to --out or stdout.`,
		Example: `  onramp keygen --out keys --name me --csr --subject "/CN=me/O=Example/C=GB"
  onramp sandbox sign keys/me.csr --out keys/me.pem`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var data []byte
			var err error
			if args[0] == "-" {
				data, err = iostreams.ReadAllLimited(io.In, keystore.MaxFileSize)
				if errors.Is(err, iostreams.ErrTooLarge) {
					err = errors.New("stdin: over the " + limits.Format(keystore.MaxFileSize, "bytes") + " limit: not a CSR")
				}
			} else {
				data, err = keystore.ReadFile(args[0])
			}
			if err != nil {
				return usageErrorf("%v", err)
			}
			dir, err := sandbox.DataDir()
			if err != nil {
				return failedErrorf("%v", err)
			}
			certPEM, err := sandbox.SignCSR(dir, data, sandbox.SignOptions{})
			if err != nil {
				if _, ok := cause.Of(err); ok {
					return usageErrorf("%s: %v", args[0], err)
				}
				return failedErrorf("sandbox sign: %v", err)
			}
			certs, _ := keystore.ParseCertificates("", certPEM)
			if out != "" {
				if err := keystore.WriteFileAtomic(out, certPEM, 0o644, force); err != nil {
					if errors.Is(err, keystore.ErrExists) {
						return usageErrorf("%v", err)
					}
					return failedErrorf("%v", err)
				}
				fmt.Fprintf(io.ErrOut, "wrote %s\n", out)
			} else {
				io.Out.Write(certPEM)
			}
			if len(certs) > 0 {
				c := certs[0]
				fmt.Fprintf(io.ErrOut, "signed %q for client authentication, valid until %s, issued by %q\n",
					keystore.FormatSubject(c.RawSubject), c.NotAfter.UTC().Format(time.DateOnly), c.Issuer.CommonName)
			}
			fmt.Fprintf(io.ErrOut, "the sandbox's CA bundle, for diagnose/curl --cacert: %s\n", filepath.Join(dir, sandbox.RootCertFile))
			fmt.Fprintf(io.ErrOut, "the CA that issued it, for import --cacert:       %s\n", filepath.Join(dir, sandbox.ClientCACertFile))
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "write the certificate to FILE instead of stdout")
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing --out file")
	return cmd
}

func newSandboxRegisterJWKSCmd(io *iostreams.IO) *cobra.Command {
	return &cobra.Command{
		Use:   "register-jwks FILE",
		Short: "Register a public JWKS with the sandbox's signed-JWT token endpoint",
		Long: `Register the public keys of a JWKS (as made by onramp keygen --jwks) with the
sandbox's APIM-like token endpoint, like registering them on the NHS
developer portal. A running sandbox picks them up at once.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := keystore.ReadFile(args[0])
			if err != nil {
				return usageErrorf("%v", err)
			}
			dir, err := sandbox.DataDir()
			if err != nil {
				return failedErrorf("%v", err)
			}
			kids, err := sandbox.RegisterJWKS(dir, data)
			if err != nil {
				if _, ok := cause.Of(err); ok {
					return usageErrorf("%s: %v", args[0], err)
				}
				return failedErrorf("register-jwks: %v", err)
			}
			fmt.Fprintf(io.ErrOut, "registered; the sandbox now knows kid %s\n", strings.Join(kids, ", "))
			fmt.Fprintf(io.ErrOut, "sign client assertions with iss = sub = the sandbox API key (the file %s), aud = the token URL, https://localhost:8444%s by default\n",
				filepath.Join(dir, sandbox.APIKeyName), sandbox.TokenPath)
			return nil
		},
	}
}

func newSandboxResetCmd(io *iostreams.IO) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "reset --force",
		Short: "Delete the sandbox's CAs so the next start makes new ones",
		Long: `Delete the sandbox's CAs, server certificate and its own client certificate.
Certificates it signed for you stop working. API keys and the registered
JWKS stay. Stop a running sandbox first.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !force {
				return usageErrorf("reset deletes the sandbox's CAs and every certificate it signed stops working; add --force to go ahead")
			}
			dir, err := sandbox.DataDir()
			if err != nil {
				return failedErrorf("%v", err)
			}
			removed, err := sandbox.Reset(dir)
			if err != nil {
				return failedErrorf("reset: %v", err)
			}
			fmt.Fprintf(io.ErrOut, "removed %d files from %s; the next `onramp sandbox` makes a new PKI\n", len(removed), dir)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "really delete the PKI")
	return cmd
}
