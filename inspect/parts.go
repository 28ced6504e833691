package inspect

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"github.com/onramp-cli/onramp/cause"

	"golang.org/x/crypto/ssh"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/keystore"
)

var pemBegin = []byte("-----BEGIN ")

func inspectCertificates(r *Result, data []byte, now time.Time, pass []byte) {
	certs, err := keystore.ParseCertificates(r.File, data)
	if err != nil {
		r.addError(err)
		return
	}
	describeChain(r, certs, now)
	// A combined PEM (certificate and key in one file, as some servers
	// want) is described whole.
	if kb := keyBlockPEM(data); kb != nil {
		inspectKey(r, kb, pass, now)
	}
}

func describeChain(r *Result, certs []*x509.Certificate, now time.Time) {
	r.certs = certs
	for _, c := range certs {
		r.Certificates = append(r.Certificates, describeCertificate(c, now))
	}
	allCA := true
	for _, c := range certs {
		allCA = allCA && c.IsCA
	}
	switch {
	case allCA:
		if len(certs) > 1 {
			r.Role = "ca-bundle"
		}
		caChecks(r, certs, now)
	default:
		if len(certs) > 1 {
			r.Role = "chain"
			orderCheck(r, certs)
			for _, c := range certs[1:] {
				if now.After(c.NotAfter) {
					r.add(SeverityFail, cause.ClientCertExpired, "the chain's certificate %q expired on %s: servers refuse the whole chain", c.Subject.CommonName, c.NotAfter.UTC().Format(time.RFC3339))
				}
			}
		}
		// Checks run on the leaf (the first non-CA certificate) even when
		// the file has it in the wrong place; orderCheck reports that.
		checked := certs
		for i, c := range certs {
			if !c.IsCA {
				checked = append([]*x509.Certificate{c}, append(append([]*x509.Certificate(nil), certs[:i]...), certs[i+1:]...)...)
				break
			}
		}
		certs := checked
		for _, f := range diagnose.ClientCertFindings(certs, now) {
			sev := SeverityFail
			switch {
			case diagnose.IsExpiryWarning(f, certs, now):
				sev = SeverityWarn
			case f.Cause.ID == cause.ClientCertNoClientAuth, f.Cause.ID == cause.ClientChainIncomplete:
				// Inspect also describes server certificates and partial
				// chains on purpose: these are worth knowing, not failures.
				sev = SeverityWarn
			}
			r.Findings = append(r.Findings, Finding{ID: f.Cause.ID, Title: f.Cause.Title, Fix: f.Cause.Fix, Detail: f.Detail, Severity: sev})
		}
	}
}

// issuedBy says whether parent signed c.
func issuedBy(c, parent *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, parent.RawSubject) && c.CheckSignatureFrom(parent) == nil
}

func orderCheck(r *Result, certs []*x509.Certificate) {
	for i := 0; i+1 < len(certs); i++ {
		if !issuedBy(certs[i], certs[i+1]) {
			r.add(SeverityWarn, cause.ClientChainIncomplete,
				"certificate %d (%q) is not issued by certificate %d (%q): a chain must be the leaf first, then each issuer in turn",
				i+1, certs[i].Subject.CommonName, i+2, certs[i+1].Subject.CommonName)
			return
		}
	}
}

func caChecks(r *Result, certs []*x509.Certificate, now time.Time) {
	expired := 0
	for _, c := range certs {
		if now.After(c.NotAfter) || now.Before(c.NotBefore) {
			expired++
		}
	}
	switch {
	case len(certs) == 1 && expired == 1:
		r.add(SeverityFail, cause.CABundleInvalid, "the CA certificate %q is outside its validity (%s to %s)",
			certs[0].Subject.CommonName, certs[0].NotBefore.UTC().Format(time.RFC3339), certs[0].NotAfter.UTC().Format(time.RFC3339))
	case expired == len(certs):
		r.add(SeverityFail, cause.CABundleInvalid, "all %d CA certificates are outside their validity", len(certs))
	case expired > 0:
		r.Notes = append(r.Notes, fmt.Sprintf("%d of %d CA certificates are outside their validity", expired, len(certs)))
	}
}

// keyBlockPEM returns the first private-key PEM block of data, encoded on
// its own, or nil.
func keyBlockPEM(data []byte) []byte {
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil
		}
		switch b.Type {
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "DSA PRIVATE KEY":
			return pem.EncodeToMemory(b)
		}
	}
}

// keyFormat names the encoding of a private key without decrypting it.
func keyFormat(data []byte) (format string, encrypted bool) {
	if !bytes.Contains(data, pemBegin) {
		switch {
		case isParsable(func() error { _, err := x509.ParsePKCS8PrivateKey(data); return err }):
			return "PKCS#8 DER", false
		case isParsable(func() error { _, err := x509.ParsePKCS1PrivateKey(data); return err }):
			return "PKCS#1 DER", false
		case isParsable(func() error { _, err := x509.ParseECPrivateKey(data); return err }):
			return "SEC1 DER", false
		}
		return "encrypted PKCS#8 DER" + encryptionNote(data), true
	}
	b, _ := pem.Decode(keyBlockPEM(data))
	if b == nil {
		return "unknown", false
	}
	_, legacy := b.Headers["DEK-Info"]
	switch {
	case b.Type == "ENCRYPTED PRIVATE KEY":
		return "encrypted PKCS#8 PEM" + encryptionNote(b.Bytes), true
	case legacy:
		return "legacy encrypted PEM (" + b.Headers["DEK-Info"] + ")", true
	case b.Type == "RSA PRIVATE KEY":
		return "PKCS#1 PEM", false
	case b.Type == "EC PRIVATE KEY":
		return "SEC1 PEM", false
	case b.Type == "DSA PRIVATE KEY":
		return "DSA PEM", false
	}
	return "PKCS#8 PEM", false
}

func isParsable(f func() error) bool { return f() == nil }

func inspectKey(r *Result, data, pass []byte, now time.Time) {
	kb := data
	if bytes.Contains(data, pemBegin) {
		kb = keyBlockPEM(data)
	}
	format, encrypted := keyFormat(kb)
	k := &Key{Format: format, Encrypted: encrypted}
	r.Key = k
	if encrypted && len(pass) == 0 {
		r.Notes = append(r.Notes, "the key is encrypted: give its passphrase with --pass-env VAR to check it")
	} else {
		signer, err := keystore.ParsePrivateKey(r.File, kb, pass)
		if err != nil {
			r.addError(err)
		} else {
			r.pub = signer.Public()
			k.Type = keystore.KeyDescription(r.pub)
			k.Decrypted = encrypted
			k.PublicKeySHA256 = publicKeyFingerprint(r.pub)
		}
	}
	// A key file that also holds its certificate (combined PEM).
	if r.Kind != keystore.KindCertificate && r.Kind != keystore.KindCertificateChain &&
		bytes.Contains(data, []byte("-----BEGIN CERTIFICATE-----")) {
		if certs, err := keystore.ParseCertificates(r.File, data); err == nil {
			describeChain(r, certs, now)
		}
	}
}

func inspectCSR(r *Result, data []byte) {
	csr, err := keystore.ParseCSR(r.File, data)
	if err != nil {
		r.add(SeverityFail, cause.InputWrongFileType, "the certificate signing request does not parse: %v", err)
		return
	}
	r.csrPub = csr.PublicKey
	r.CSR = &CSR{
		Subject:            keystore.FormatSubject(csr.RawSubject),
		SANs:               sans(csr.DNSNames, csr.EmailAddresses, csr.IPAddresses, csr.URIs),
		Key:                keystore.KeyDescription(csr.PublicKey),
		SignatureAlgorithm: csr.SignatureAlgorithm.String(),
		SignatureValid:     csr.CheckSignature() == nil,
		PublicKeySHA256:    publicKeyFingerprint(csr.PublicKey),
	}
	if !r.CSR.SignatureValid {
		r.add(SeverityFail, cause.InputWrongFileType, "the CSR's signature does not verify: the file is damaged or was edited")
	}
	r.Notes = append(r.Notes, "a CSR is what you send the provider; they return the certificate to use")
}

func inspectJWKS(r *Result, data []byte) {
	set, err := keystore.ParseJWKS(data)
	if err != nil {
		r.add(SeverityFail, cause.InputWrongFileType, "the JSON Web Key Set does not parse: %v", err)
		return
	}
	if len(set.Keys) == 0 {
		r.add(SeverityFail, cause.InputWrongFileType, "the JSON Web Key Set holds no keys")
		return
	}
	for _, k := range set.Keys {
		j := JWK{KID: k.KeyID, Alg: k.Algorithm, Use: k.Use, Private: !k.IsPublic()}
		pub := k.Key
		if !k.IsPublic() {
			pk := k.Public()
			pub = pk.Key
		}
		switch pub.(type) {
		case *rsa.PublicKey:
			j.Kty = "RSA"
		case *ecdsa.PublicKey:
			j.Kty = "EC"
		case ed25519.PublicKey:
			j.Kty = "OKP"
		default:
			j.Kty = "oct"
		}
		if cpub, ok := pub.(crypto.PublicKey); ok && j.Kty != "oct" {
			j.Key = keystore.KeyDescription(cpub)
			j.PublicKeySHA256 = publicKeyFingerprint(cpub)
			r.jwkPubs = append(r.jwkPubs, cpub)
		} else {
			j.Key = "symmetric"
		}
		r.JWKS = append(r.JWKS, j)
		if j.Private {
			which := "a key"
			if j.KID != "" {
				which = fmt.Sprintf("key %q", j.KID)
			}
			r.Notes = append(r.Notes, which+" includes PRIVATE parameters: never publish this file; `onramp keygen --jwks` writes the public part only")
		}
		if j.KID == "" {
			r.Notes = append(r.Notes, "a key has no \"kid\", so a token service that picks the key by the JWT's kid header cannot find it: add the kid you register with the key and set in the JWT header")
		}
	}
}

func inspectPKCS12(r *Result, data []byte, o Options) {
	ctx := o.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	b, err := keystore.DecodePKCS12Context(ctx, r.File, data, o.Pass)
	if err != nil {
		if c, ok := cause.Of(err); ok && c.ID == cause.KeyEncryptedNoPassphrase {
			r.Key = &Key{Format: "PKCS#12", Encrypted: true}
			r.Notes = append(r.Notes, "the PKCS#12 bundle is protected by a passphrase: give it with --pass-env VAR to look inside")
			return
		}
		r.addError(err)
		return
	}
	describeChain(r, append([]*x509.Certificate{b.Leaf}, b.Chain...), o.Now)
	r.pub = b.Key.Public()
	r.Key = &Key{Format: "PKCS#12", Encrypted: len(o.Pass) > 0, Decrypted: len(o.Pass) > 0,
		Type: keystore.KeyDescription(r.pub), PublicKeySHA256: publicKeyFingerprint(r.pub)}
	r.Notes = append(r.Notes, "split it into PEM files with `onramp convert --from-p12 FILE --out DIR`")
}

func inspectSSH(r *Result, data []byte) {
	s := &SSHKey{}
	r.SSH = s
	if pub, _, _, _, err := ssh.ParseAuthorizedKey(data); err == nil {
		s.Type, s.Fingerprint = pub.Type(), ssh.FingerprintSHA256(pub)
	} else if bytes.Contains(data, []byte("OPENSSH PRIVATE KEY")) {
		s.Private = true
		s.Type = "OpenSSH private key"
		_, err := ssh.ParseRawPrivateKey(data)
		var missing *ssh.PassphraseMissingError
		if errors.As(err, &missing) && missing.PublicKey != nil {
			s.Type, s.Fingerprint = missing.PublicKey.Type(), ssh.FingerprintSHA256(missing.PublicKey)
		} else if err == nil {
			if signer, err := ssh.ParsePrivateKey(data); err == nil {
				s.Type, s.Fingerprint = signer.PublicKey().Type(), ssh.FingerprintSHA256(signer.PublicKey())
			}
		}
	} else {
		s.Type = "SSH key"
	}
	what := "an SSH public key"
	if s.Private {
		what = "an SSH private key"
	}
	r.add(SeverityFail, cause.InputWrongFileType, "%s (%s): SSH keys cannot be used for TLS client authentication; make a key with `onramp keygen`", what, s.Type)
}

// CrossCheck compares files inspected together: a private key against the
// certificates, CSRs and JWKS beside it (or in its own file), adding
// key-cert-mismatch (or jwt-signature-invalid for a JWKS) when none of
// them holds the key's public key.
func CrossCheck(results []*Result) {
	for _, kr := range results {
		if kr.pub == nil || kr.Kind == keystore.KindPKCS12 {
			continue
		}
		var certFiles, csrFiles, jwksFiles []string
		certOK, csrOK, jwksOK := false, false, false
		for _, o := range results {
			name := o.File
			if o == kr {
				name = "(same file)"
			}
			if o == kr && kr.KeyMatchesCertificate != nil {
				// A combined PEM: checkCombined compared the key with its
				// own certificates.
				if *kr.KeyMatchesCertificate {
					certOK = true
					kr.Key.Matches = append(kr.Key.Matches, name)
				}
				continue
			}
			if len(o.certs) > 0 && o.Role != "ca-bundle" && !o.certs[0].IsCA {
				certFiles = append(certFiles, o.File)
				if keystore.PublicKeysEqual(kr.pub, o.certs[0].PublicKey) {
					certOK = true
					kr.Key.Matches = append(kr.Key.Matches, name)
				}
			}
			if o.csrPub != nil {
				csrFiles = append(csrFiles, o.File)
				if keystore.PublicKeysEqual(kr.pub, o.csrPub) {
					csrOK = true
					kr.Key.Matches = append(kr.Key.Matches, name)
				}
			}
			if len(o.jwkPubs) > 0 {
				jwksFiles = append(jwksFiles, o.File)
				for _, p := range o.jwkPubs {
					if keystore.PublicKeysEqual(kr.pub, p) {
						jwksOK = true
						kr.Key.Matches = append(kr.Key.Matches, name)
						break
					}
				}
			}
		}
		if len(certFiles) > 0 && !certOK {
			kr.add(SeverityFail, cause.KeyCertMismatch, "this key (%s) is not the key of the certificate in %s", kr.Key.Type, join(certFiles))
		}
		if len(csrFiles) > 0 && !csrOK {
			kr.add(SeverityFail, cause.KeyCertMismatch, "the CSR in %s was not made from this key", join(csrFiles))
		}
		if len(jwksFiles) > 0 && !jwksOK {
			kr.add(SeverityFail, cause.JWTSignatureInvalid, "no key in %s is this key's public key: the published JWKS and the key are out of step", join(jwksFiles))
		}
	}
	for _, kr := range results {
		if kr.Key != nil && kr.Key.Encrypted && kr.pub == nil && len(results) > 1 {
			kr.Notes = append(kr.Notes, "give --pass-env VAR to check whether the key matches the other files")
		}
	}
}

func join(files []string) string {
	if len(files) == 1 {
		return files[0]
	}
	return fmt.Sprintf("%s and %d more", files[0], len(files)-1)
}

func encryptionNote(der []byte) string {
	e, err := keystore.DescribePKCS8Encryption(der)
	if err != nil {
		return ""
	}
	return "; " + e.String()
}
