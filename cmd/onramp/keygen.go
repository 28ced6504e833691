package main

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/keystore"
)

type keygenOptions struct {
	io                        *iostreams.IO
	out, name, keyType, curve string
	bits                      int
	csr                       bool
	subject                   string
	sans                      []string
	jwks                      bool
	kid, alg                  string
	der                       bool
	passEnv                   string
	force                     bool
}

func newKeygenCmd(fac *factory) *cobra.Command {
	io := fac.IO
	o := &keygenOptions{io: io}
	cmd := &cobra.Command{
		Use:   "keygen --out DIR [--name NAME] [flags]",
		Short: "Make a private key, and optionally a CSR, a JWKS and a DER copy",
		Long: `Make a private key (PKCS#8 PEM, mode 0600, in a 0700 directory) and, on request,
the files providers ask for: a certificate signing request, a JWKS of the
public key, a PKCS#8 DER copy. Nothing is overwritten without --force, and a
refused run writes nothing.`,
		Example: `  # HMPPS: RSA 2048 and a CSR whose CN is your client id
  onramp keygen --out ~/.onramp/hmpps --name client --csr --subject "/C=GB/O=Example Ltd/CN=example-client"

  # NHS API Management: RSA 4096 and a JWKS with your key id
  onramp keygen --out ~/.onramp/nhs --name test-1 --bits 4096 --jwks --kid test-1

  # an encrypted key (passphrase from the environment, never a flag value)
  KEY_PASS=... onramp keygen --out keys --type ecdsa --pass-env KEY_PASS`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			pass, err := o.validate(cmd)
			if err != nil {
				return err
			}
			return o.run(cmd.Context(), pass)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.out, "out", "", "directory to write into (created 0700)")
	f.StringVar(&o.name, "name", "client", "base name of the files: NAME.key, NAME.csr, NAME.jwks.json, NAME.key.der")
	f.StringVar(&o.keyType, "type", "rsa", "key type: rsa, ecdsa or ed25519")
	f.IntVar(&o.bits, "bits", 0, "RSA key size: 2048, 3072 or 4096 (default 2048)")
	f.StringVar(&o.curve, "curve", "", "ECDSA curve: P-256 or P-384 (default P-256)")
	f.BoolVar(&o.csr, "csr", false, "also write a certificate signing request NAME.csr (needs --subject)")
	f.StringVar(&o.subject, "subject", "", `CSR subject, OpenSSL style: "/C=GB/O=Org/CN=client-id"`)
	f.StringSliceVar(&o.sans, "san", nil, "CSR subject alternative names: DNS:host,email:addr,IP:addr,URI:uri (repeatable)")
	f.BoolVar(&o.jwks, "jwks", false, "also write the public key as a JWKS, NAME.jwks.json")
	f.StringVar(&o.kid, "kid", "", "key id in the JWKS (default: the key's RFC 7638 thumbprint)")
	f.StringVar(&o.alg, "alg", "", "JWS algorithm in the JWKS (default RS512 for RSA, ES256/ES384, EdDSA)")
	f.BoolVar(&o.der, "der", false, "also write a PKCS#8 DER copy of the key, NAME.key.der")
	f.StringVar(&o.passEnv, "pass-env", "", "encrypt the key with the passphrase in this environment variable")
	f.BoolVar(&o.force, "force", false, "replace existing files")
	return cmd
}

// validate rejects bad and conflicting flags before any work, naming the
// flags involved, and returns the passphrase (nil when none).
func (o *keygenOptions) validate(cmd *cobra.Command) ([]byte, error) {
	changed := cmd.Flags().Changed
	if o.out == "" {
		return nil, usageErrorf("--out DIR is required: the directory to write the key into")
	}
	if fi, err := os.Stat(o.out); err == nil && !fi.IsDir() {
		return nil, usageErrorf("--out %s is a file, not a directory", o.out)
	}
	if err := keystore.ValidateFileName(o.name); err != nil {
		return nil, usageErrorf("--name: %v", err)
	}
	o.keyType = strings.ToLower(o.keyType)
	switch o.keyType {
	case "rsa", "ecdsa", "ed25519":
	case "ec":
		o.keyType = "ecdsa"
	default:
		return nil, usageErrorf("--type %q: choose rsa, ecdsa or ed25519", o.keyType)
	}
	if changed("bits") && o.keyType != "rsa" {
		return nil, usageErrorf("--bits applies to --type rsa, not --type %s", o.keyType)
	}
	if changed("curve") && o.keyType != "ecdsa" {
		return nil, usageErrorf("--curve applies to --type ecdsa, not --type %s", o.keyType)
	}
	if o.keyType == "rsa" {
		if o.bits == 0 {
			o.bits = keystore.DefaultRSABits
		}
		if o.bits != 2048 && o.bits != 3072 && o.bits != 4096 {
			return nil, usageErrorf("--bits %d: choose 2048, 3072 or 4096", o.bits)
		}
	}
	if o.keyType == "ecdsa" {
		c, err := keystore.ParseCurve(o.curve)
		if err != nil {
			return nil, usageErrorf("--curve: %v", err)
		}
		o.curve = c.Params().Name
	}
	if changed("subject") && !o.csr {
		return nil, usageErrorf("--subject is used with --csr: add --csr to write a CSR")
	}
	if changed("san") && !o.csr {
		return nil, usageErrorf("--san is used with --csr: add --csr to write a CSR")
	}
	if o.csr {
		if o.subject == "" {
			return nil, usageErrorf(`--csr needs --subject, e.g. --subject "/C=GB/O=Example Ltd/CN=client-id"`)
		}
		if _, err := keystore.ParseSubject(o.subject); err != nil {
			return nil, usageErrorf("--subject: %v", err)
		}
		if _, err := keystore.ParseSANs(o.sans); err != nil {
			return nil, usageErrorf("--san: %v", err)
		}
	}
	if changed("kid") && !o.jwks {
		return nil, usageErrorf("--kid is used with --jwks: add --jwks to write a JWKS")
	}
	if changed("alg") && !o.jwks {
		return nil, usageErrorf("--alg is used with --jwks: add --jwks to write a JWKS")
	}
	if o.jwks && changed("kid") && strings.TrimSpace(o.kid) == "" {
		return nil, usageErrorf("--kid is empty")
	}
	if o.alg != "" && !keystore.JWSAlgorithmFits(o.keyType, o.curve, o.alg) {
		return nil, usageErrorf("--alg %s does not fit --type %s", o.alg, o.keyType)
	}
	pass, err := envSecret("--pass-env", o.passEnv, changed("pass-env"))
	if err != nil {
		return nil, err
	}
	if !o.force {
		if exist := o.fileSet(nil).Existing(); len(exist) > 0 {
			return nil, usageErrorf("%s", (&keystore.ExistsError{Paths: exist}).Error())
		}
	}
	return pass, nil
}

func (o *keygenOptions) fileSet(pass []byte) keystore.KeyFileSet {
	s := keystore.KeyFileSet{Dir: o.out, Name: o.name, JWKS: o.jwks, KID: o.kid, Alg: o.alg, DER: o.der, Pass: pass, Force: o.force}
	if o.csr {
		s.Subject, s.SANs = o.subject, o.sans
	}
	return s
}

func (o *keygenOptions) describeKey() string {
	switch o.keyType {
	case "rsa":
		return fmt.Sprintf("RSA %d", o.bits)
	case "ecdsa":
		return "ECDSA " + o.curve
	}
	return "Ed25519"
}

func (o *keygenOptions) run(ctx context.Context, pass []byte) error {
	_, dirExisted := os.Stat(o.out)
	var key crypto.Signer
	var err error
	generate := func() {
		bits, curve := 0, ""
		if o.keyType == "rsa" {
			bits = o.bits
		}
		if o.keyType == "ecdsa" {
			curve = o.curve
		}
		// ctrl+c returns at once and nothing is written.
		key, err = keystore.GenerateKeyContext(ctx, o.keyType, bits, curve)
	}
	if o.keyType == "rsa" && o.io.IsStderrTTY() {
		o.io.WithSpinner(ctx, "generating an "+o.describeKey()+" key", generate)
	} else {
		generate()
	}
	if ctx.Err() != nil {
		return errCancelled
	}
	if err != nil {
		return failedErrorf("generate key: %v", err)
	}
	paths, err := keystore.WriteKeyFiles(key, o.fileSet(pass))
	if err != nil {
		var ee *keystore.ExistsError
		if errors.As(err, &ee) {
			return usageErrorf("%v", err)
		}
		return failedErrorf("%v", err)
	}

	w := o.io.Out
	keyDesc := o.describeKey() + ", PKCS#8 PEM"
	if pass != nil {
		keyDesc += ", encrypted"
	}
	fmt.Fprintln(w, "Wrote:")
	line := func(path, what string) { fmt.Fprintf(w, "  %-28s %s\n", path, what) }
	line(paths.Key, "private key ("+keyDesc+"), mode 0600")
	if paths.DER != "" {
		line(paths.DER, "the same key as PKCS#8 DER, mode 0600")
	}
	if paths.CSR != "" {
		line(paths.CSR, "certificate signing request for "+o.subject)
	}
	if paths.JWKS != "" {
		kid := o.kid
		if kid == "" {
			kid, _ = keystore.Thumbprint(key.Public())
		}
		alg := o.alg
		if alg == "" {
			alg, _ = keystore.DefaultJWSAlgorithm(key.Public())
		}
		line(paths.JWKS, fmt.Sprintf("public key as a JWKS (kid %q, alg %s)", kid, alg))
	}
	if dirExisted == nil {
		if mode, open := keystore.DirOpenToOthers(o.out); open {
			fmt.Fprintf(o.io.ErrOut, "note: %s is open to other users (mode %04o); keys are best kept in a 0700 directory (chmod 700 %s)\n", o.out, mode, o.out)
		}
	}
	fmt.Fprintln(w, "\nNext:")
	if paths.CSR != "" {
		fmt.Fprintf(w, "  - send %s to the provider; they return a certificate. Then:\n", filepath.Base(paths.CSR))
		fmt.Fprintf(w, "      onramp import --cert CERT-FROM-PROVIDER --key %s --out %s\n", paths.Key, o.out)
	}
	if paths.JWKS != "" {
		fmt.Fprintf(w, "  - register %s with the provider (NHS API Management: in the developer portal, or host it at your JWKS URL)\n", filepath.Base(paths.JWKS))
	}
	fmt.Fprintf(w, "  - keep %s private: it never leaves this machine. Check it any time with: onramp inspect %s\n", filepath.Base(paths.Key), paths.Key)
	return nil
}
