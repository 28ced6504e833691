package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/onramp-cli/onramp/cause"

	"github.com/spf13/cobra"

	"github.com/onramp-cli/onramp/iostreams"
	"github.com/onramp-cli/onramp/keystore"
)

type convertOptions struct {
	io                  *iostreams.IO
	out, to, fromP12    string
	name                string
	passEnv, newPassEnv string
	decrypt, force      bool
}

func newConvertCmd(fac *factory) *cobra.Command {
	io := fac.IO
	o := &convertOptions{io: io}
	cmd := &cobra.Command{
		Use:   "convert FILE --out FILE [--to pem|der] | convert --from-p12 FILE --out DIR",
		Short: "Convert keys and certificates: PEM/DER, PKCS#1/SEC1 to PKCS#8, encrypt/decrypt, split PKCS#12",
		Long: `Convert a key, certificate or CSR between PEM and DER. Keys are always written
as PKCS#8 (so PKCS#1 "RSA PRIVATE KEY" and SEC1 "EC PRIVATE KEY" become
PKCS#8), mode 0600. --pass-env opens an encrypted key; --new-pass-env
encrypts the output; writing an encrypted key out unencrypted needs --decrypt.

--from-p12 splits a PKCS#12 (.p12/.pfx) bundle into DIR/NAME.crt,
DIR/NAME.chain.pem and DIR/NAME.key.`,
		Example: `  onramp convert client.key --out client.key.der            # PKCS#8 DER copy (the DCS guide's step)
  onramp convert legacy-rsa.pem --out client.key             # PKCS#1 to PKCS#8
  NEW=... onramp convert client.key --out client.enc.key --new-pass-env NEW
  P12=... onramp convert --from-p12 bundle.p12 --pass-env P12 --out keys`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pass, newPass, err := o.validate(cmd, args)
			if err != nil {
				return err
			}
			if o.fromP12 != "" {
				return o.runP12(cmd.Context(), pass, newPass)
			}
			return o.run(args[0], pass, newPass)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.out, "out", "", "output file (with --from-p12: output directory)")
	f.StringVar(&o.to, "to", "", "output encoding: pem or der (default: der when --out ends in .der, else pem)")
	f.StringVar(&o.fromP12, "from-p12", "", "split this PKCS#12 bundle into PEM files in --out DIR")
	f.StringVar(&o.name, "name", "", "with --from-p12: base name of the files (default: the bundle's name)")
	f.StringVar(&o.passEnv, "pass-env", "", "passphrase of the input key or PKCS#12 bundle, from this environment variable")
	f.StringVar(&o.newPassEnv, "new-pass-env", "", "encrypt the output key with the passphrase in this environment variable")
	f.BoolVar(&o.decrypt, "decrypt", false, "write an encrypted input key out unencrypted")
	f.BoolVar(&o.force, "force", false, "replace existing files")
	return cmd
}

func (o *convertOptions) validate(cmd *cobra.Command, args []string) (pass, newPass []byte, err error) {
	changed := cmd.Flags().Changed
	if o.out == "" {
		return nil, nil, usageErrorf("--out is required")
	}
	if o.fromP12 != "" && len(args) > 0 {
		return nil, nil, usageErrorf("give either FILE or --from-p12 FILE, not both")
	}
	if o.fromP12 == "" && len(args) == 0 {
		return nil, nil, usageErrorf("which file? onramp convert FILE --out FILE (or --from-p12 FILE --out DIR)")
	}
	if o.fromP12 != "" && changed("to") {
		return nil, nil, usageErrorf("--to does not apply to --from-p12 (it writes PEM files)")
	}
	if o.fromP12 == "" && changed("name") {
		return nil, nil, usageErrorf("--name applies to --from-p12 only")
	}
	if o.decrypt && changed("new-pass-env") {
		return nil, nil, usageErrorf("--decrypt and --new-pass-env contradict each other: choose one")
	}
	switch strings.ToLower(o.to) {
	case "", "pem", "der":
		o.to = strings.ToLower(o.to)
	default:
		return nil, nil, usageErrorf("--to %q: choose pem or der", o.to)
	}
	if pass, err = envSecret("--pass-env", o.passEnv, changed("pass-env")); err != nil {
		return nil, nil, err
	}
	if newPass, err = envSecret("--new-pass-env", o.newPassEnv, changed("new-pass-env")); err != nil {
		return nil, nil, err
	}
	return pass, newPass, nil
}

func (o *convertOptions) run(in string, pass, newPass []byte) error {
	data, err := keystore.ReadFile(in)
	if err != nil {
		return causeFailure(o.io, false, err)
	}
	der := o.to == "der" || (o.to == "" && strings.EqualFold(filepath.Ext(o.out), ".der"))
	conv, err := keystore.Convert(keystore.ConvertRequest{Path: in, Data: data, DER: der, Pass: pass, NewPass: newPass, Decrypt: o.decrypt})
	var refused *keystore.RefusedError
	if errors.As(err, &refused) {
		return usageErrorf("%v", err)
	}
	if err != nil {
		return causeFailure(o.io, false, err)
	}
	outData, perm, what := conv.Data, conv.Perm, conv.What
	if err := keystore.WriteFileAtomic(o.out, outData, perm, o.force); err != nil {
		if errors.Is(err, keystore.ErrExists) {
			return usageErrorf("%v", err)
		}
		return failedErrorf("%v", err)
	}
	enc := "PEM"
	if der {
		enc = "DER"
	}
	fmt.Fprintf(o.io.Out, "Wrote %s (%s, %s, mode %04o)\n", o.out, what, enc, perm)
	return nil
}

func (o *convertOptions) runP12(ctx context.Context, pass, newPass []byte) error {
	data, err := keystore.ReadFile(o.fromP12)
	if err != nil {
		return causeFailure(o.io, false, err)
	}
	if k := keystore.Sniff(data); k != keystore.KindPKCS12 {
		return causeFailure(o.io, false, &keystore.Error{ID: cause.InputWrongFileType, Path: o.fromP12, Msg: "not a PKCS#12 bundle (it holds: " + string(k) + ")"})
	}
	b, err := keystore.DecodePKCS12Context(ctx, o.fromP12, data, pass)
	if ctx.Err() != nil {
		return ctx.Err() // Ctrl+C or SIGTERM: exit 130 at once
	}
	if err != nil {
		return causeFailure(o.io, false, err)
	}
	name := o.name
	if name == "" {
		name = keystore.ImportName(o.fromP12)
	}
	if err := keystore.ValidateFileName(name); err != nil {
		return usageErrorf("--name: %v", err)
	}
	paths, err := keystore.SplitPKCS12(b, o.out, name, newPass, o.force)
	if err != nil {
		return causeFailure(o.io, false, err)
	}
	w := o.io.Out
	fmt.Fprintln(w, "Wrote:")
	fmt.Fprintf(w, "  %-28s certificate %s\n", paths.Cert, keystore.FormatSubject(b.Leaf.RawSubject))
	if paths.Chain != "" {
		fmt.Fprintf(w, "  %-28s %d CA certificate(s)\n", paths.Chain, len(b.Chain))
	}
	keyNote := "unencrypted"
	if newPass != nil {
		keyNote = "encrypted"
	}
	fmt.Fprintf(w, "  %-28s private key (%s, PKCS#8, %s), mode 0600\n", paths.Key, keystore.KeyDescription(b.Key.Public()), keyNote)
	if newPass == nil {
		fmt.Fprintln(o.io.ErrOut, "note: the key is written unencrypted (mode 0600); add --new-pass-env VAR to encrypt it")
	}
	return nil
}
