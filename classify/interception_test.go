package classify

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"testing"
)

func TestInterceptionNamesProductsNotPublicCAs(t *testing.T) {
	cases := []struct {
		issuer pkix.Name
		vendor string
	}{
		{pkix.Name{CommonName: "Zscaler Intermediate Root CA (zscalertwo.net)", Organization: []string{"Zscaler Inc."}}, "Zscaler"},
		{pkix.Name{CommonName: "ca.acme.goskope.com", Organization: []string{"Acme"}}, "Netskope"},
		{pkix.Name{CommonName: "FortiGate CA", Organization: []string{"Acme Ltd"}}, "Fortinet"},
		{pkix.Name{CommonName: "Cisco Umbrella Secondary SubCA ams-SG"}, "Cisco Umbrella"},
		{pkix.Name{CommonName: "Acme Decryption CA", OrganizationalUnit: []string{"Palo Alto Networks"}}, "Palo Alto Networks"},
		{pkix.Name{CommonName: "DigiCert Global G2 TLS RSA SHA256 2020 CA1", Organization: []string{"DigiCert Inc"}}, ""},
		{pkix.Name{CommonName: "Symantec Class 3 Secure Server CA - G4", Organization: []string{"Symantec Corporation"}}, ""},
		{pkix.Name{CommonName: "R11", Organization: []string{"Let's Encrypt"}}, ""},
		{pkix.Name{CommonName: "NHS Digital Issuing CA"}, ""},
	}
	for _, c := range cases {
		leaf := &x509.Certificate{Issuer: c.issuer, Subject: pkix.Name{CommonName: "api.service.nhs.uk"}}
		vendor, _, ok := Interception([]*x509.Certificate{leaf})
		if vendor != c.vendor || ok != (c.vendor != "") {
			t.Errorf("%s: vendor %q (%v), want %q", c.issuer, vendor, ok, c.vendor)
		}
	}
}
