package inspect

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/revocation"
)

// bundleListMax is how many certificates of a CA bundle are listed one per
// line before the rest are only counted (--json lists them all).
const bundleListMax = 20

var kindText = map[keystore.Kind]string{
	keystore.KindCertificate:         "certificate",
	keystore.KindCertificateChain:    "certificate chain",
	keystore.KindPrivateKey:          "private key",
	keystore.KindEncryptedPrivateKey: "encrypted private key",
	keystore.KindCSR:                 "certificate signing request",
	keystore.KindJWKS:                "JSON Web Key Set",
	keystore.KindPKCS12:              "PKCS#12 bundle",
	keystore.KindSSHKey:              "SSH key",
	keystore.KindUnknown:             "not recognised",
}

type palette struct{ red, yellow, dim, bold, reset string }

func colours(on bool) palette {
	if !on {
		return palette{}
	}
	return palette{red: "\x1b[31m", yellow: "\x1b[33m", dim: "\x1b[2m", bold: "\x1b[1m", reset: "\x1b[0m"}
}

// RenderText writes results in the short form of smallstep's
// `step certificate inspect --short`, one block per file.
func RenderText(w io.Writer, results []*Result, color bool) {
	p := colours(color)
	for i, r := range results {
		if i > 0 {
			fmt.Fprintln(w)
		}
		renderOne(w, r, p)
	}
}

func renderOne(w io.Writer, r *Result, p palette) {
	head := kindText[r.Kind]
	switch {
	case r.Role == "ca-bundle":
		head = fmt.Sprintf("CA bundle (%d certificates)", len(r.Certificates))
	case len(r.Certificates) > 1:
		head = fmt.Sprintf("%s (%d certificates)", head, len(r.Certificates))
	case r.Kind == keystore.KindJWKS && len(r.JWKS) > 0:
		head = fmt.Sprintf("%s (%d key%s)", head, len(r.JWKS), plural(len(r.JWKS)))
	case r.Kind == keystore.KindPKCS12 && len(r.Certificates) == 0 && r.Key != nil:
		head += " (passphrase-protected)"
	case r.Key != nil && r.Key.Type != "" && len(r.Certificates) == 0:
		head = fmt.Sprintf("%s (%s, %s)", head, r.Key.Type, r.Key.Format)
	case r.Key != nil && len(r.Certificates) == 0:
		head = fmt.Sprintf("%s (%s)", head, r.Key.Format)
	case r.CSR != nil:
		head = fmt.Sprintf("%s (%s)", head, r.CSR.Key)
	case r.SSH != nil:
		head = fmt.Sprintf("%s (%s)", head, r.SSH.Type)
	}
	if len(r.Holds) > 0 {
		head = combinedText(r)
	}
	fmt.Fprintf(w, "%s%s%s: %s\n", p.bold, r.File, p.reset, head)

	if r.Role == "ca-bundle" && len(r.Certificates) > bundleListMax {
		renderBundleSummary(w, r.Certificates, p)
	} else if r.Role == "ca-bundle" {
		for _, c := range r.Certificates {
			renderBundleLine(w, c, p)
		}
	} else {
		for _, c := range r.Certificates {
			renderCertificate(w, c, p)
		}
	}
	if r.Key != nil && len(r.Certificates) > 0 {
		desc := r.Key.Format
		if r.Key.Type != "" {
			desc = r.Key.Type + ", " + desc
		}
		fmt.Fprintf(w, "  Private key (%s)\n", desc)
	}
	if r.Key != nil {
		if r.Key.PublicKeySHA256 != "" {
			field(w, "Key SHA-256", r.Key.PublicKeySHA256)
		}
		if len(r.Key.Matches) > 0 {
			field(w, "Matches", strings.Join(r.Key.Matches, ", "))
		}
	}
	if c := r.CSR; c != nil {
		field(w, "Subject", c.Subject)
		if len(c.SANs) > 0 {
			field(w, "SANs", strings.Join(c.SANs, ", "))
		}
		sig := "valid"
		if !c.SignatureValid {
			sig = "INVALID"
		}
		field(w, "Signature", c.SignatureAlgorithm+" ("+sig+")")
		field(w, "Key SHA-256", c.PublicKeySHA256)
	}
	for _, j := range r.JWKS {
		line := j.Key
		if j.Alg != "" {
			line += ", alg " + j.Alg
		}
		if j.Use != "" {
			line += ", use " + j.Use
		}
		if j.Private {
			line += ", " + p.red + "PRIVATE" + p.reset
		}
		kid := j.KID
		if kid == "" {
			kid = "(no kid)"
		}
		field(w, "kid "+kid, line)
	}
	if r.SSH != nil && r.SSH.Fingerprint != "" {
		field(w, "Fingerprint", r.SSH.Fingerprint)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "  %snote:%s %s\n", p.dim, p.reset, n)
	}
	for _, f := range r.Findings {
		mark, col := "!", p.yellow
		if f.Severity == SeverityFail {
			mark, col = "✗", p.red
		}
		cause.Fprint(w, &cause.Cause{ID: f.ID, Title: f.Title, Fix: f.Fix}, cause.Show{Detail: f.Detail, Indent: "  ",
			Head: func(h string) string { return col + mark + " " + h + p.reset }})
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// field writes "name: value" with the values of a block in one column;
// names longer than 11 characters would push their value out of it.
func field(w io.Writer, name, value string) {
	fmt.Fprintf(w, "    %-12s %s\n", name+":", value)
}

func certTitle(c Certificate) string {
	switch {
	case c.IsCA && c.SelfSigned:
		return "X.509v3 Root CA Certificate"
	case c.IsCA:
		return "X.509v3 Intermediate CA Certificate"
	}
	return "X.509v3 TLS Certificate"
}

func shortSerial(s string) string {
	if len(s) <= 8 {
		return s
	}
	return s[:4] + "…" + s[len(s)-2:]
}

func nameOf(dn, cn string) string {
	if cn != "" {
		return cn
	}
	if dn == "" {
		return "(empty)"
	}
	return dn
}

func renderCertificate(w io.Writer, c Certificate, p palette) {
	fmt.Fprintf(w, "  %s (%s) [Serial: %s]\n", certTitle(c), c.Key, shortSerial(c.Serial))
	// The full names: two certificates can share a CN and differ in O or OU.
	field(w, "Subject", nameOf(c.Subject, ""))
	if len(c.SANs) > 0 {
		field(w, "SANs", strings.Join(c.SANs, ", "))
	}
	issuer := nameOf(c.Issuer, "")
	if c.SelfSigned {
		issuer += " (self-signed)"
	}
	field(w, "Issuer", issuer)
	field(w, "Valid from", c.NotBefore.Format(time.RFC3339))
	fmt.Fprintf(w, "    %11s  %s   (%s)\n", "to:", c.NotAfter.Format(time.RFC3339), daysText(c, p))
	if len(c.EKU) > 0 {
		field(w, "EKU", strings.Join(c.EKU, ", "))
	}
	for _, u := range c.OCSP {
		field(w, "OCSP", u)
	}
	for _, u := range c.CAIssuers {
		field(w, "CA Issuers", u)
	}
	for _, u := range c.CRL {
		field(w, "CRL", u)
	}
	switch {
	case c.Revocation != nil && c.Revocation.Status == revocation.Revoked:
		field(w, "Revocation", p.red+c.Revocation.String()+p.reset)
	case c.Revocation != nil && c.Revocation.Status == revocation.Unknown:
		field(w, "Revocation", p.yellow+c.Revocation.String()+p.reset)
	case c.Revocation != nil:
		field(w, "Revocation", c.Revocation.String())
	case c.RevocationError != "":
		field(w, "Revocation", p.yellow+"not checked: "+c.RevocationError+p.reset)
	}
	field(w, "SHA-256", c.SHA256)
}

func daysText(c Certificate, p palette) string {
	n := c.DaysLeft
	switch {
	case c.Expired && n == 0:
		return fmt.Sprintf("%sexpired today%s", p.red, p.reset)
	case c.Expired:
		return fmt.Sprintf("%sexpired %d day%s ago%s", p.red, -n, plural(-n), p.reset)
	case n < 30:
		return fmt.Sprintf("%s%d day%s left%s", p.yellow, n, plural(n), p.reset)
	}
	return fmt.Sprintf("%d days left", n)
}

func renderBundleLine(w io.Writer, c Certificate, p palette) {
	fmt.Fprintf(w, "  %-44s %-12s to %s (%s)\n", truncate(nameOf(c.Subject, c.CommonName), 44), c.Key, c.NotAfter.Format("2006-01-02"), daysText(c, p))
}

func renderBundleSummary(w io.Writer, certs []Certificate, p palette) {
	for _, c := range certs[:bundleListMax/2] {
		renderBundleLine(w, c, p)
	}
	fmt.Fprintf(w, "  … and %d more (--json lists them all)\n", len(certs)-bundleListMax/2)
	keys := map[string]int{}
	var order []string
	soonest := certs[0]
	for _, c := range certs {
		if keys[c.Key] == 0 {
			order = append(order, c.Key)
		}
		keys[c.Key]++
		if c.NotAfter.Before(soonest.NotAfter) {
			soonest = c
		}
	}
	var parts []string
	for _, k := range order {
		parts = append(parts, fmt.Sprintf("%d × %s", keys[k], k))
	}
	field(w, "Keys", strings.Join(parts, ", "))
	field(w, "Next expiry", fmt.Sprintf("%s on %s (%s)", nameOf(soonest.Subject, soonest.CommonName), soonest.NotAfter.Format("2006-01-02"), daysText(soonest, p)))
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// JSON writes one result as an object, or several as an array of them.
func JSON(w io.Writer, results []*Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if len(results) == 1 {
		return enc.Encode(results[0])
	}
	return enc.Encode(results)
}

// combinedText is the heading of a file holding certificates and a
// private key.
func combinedText(r *Result) string {
	certs := "certificate"
	if n := len(r.Certificates); n > 1 {
		certs = fmt.Sprintf("certificate chain (%d certificates)", n)
	}
	switch {
	case r.KeyMatchesCertificate == nil:
		return certs + " and a private key (not read: give --pass-env VAR to check it matches)"
	case *r.KeyMatchesCertificate:
		return certs + " and its private key (they match)"
	}
	if len(r.Certificates) > 1 {
		return certs + " and a private key that matches none of its certificates"
	}
	return certs + " and a private key that does NOT match it"
}
