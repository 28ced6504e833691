package keystore

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strings"
)

// subjectAttributes are the attribute names OpenSSL's -subj accepts that
// providers use, mapped to their OIDs.
var subjectAttributes = map[string]asn1.ObjectIdentifier{
	"CN":           {2, 5, 4, 3},
	"SN":           {2, 5, 4, 4},
	"SERIALNUMBER": {2, 5, 4, 5},
	"C":            {2, 5, 4, 6},
	"L":            {2, 5, 4, 7},
	"ST":           {2, 5, 4, 8},
	"STREET":       {2, 5, 4, 9},
	"O":            {2, 5, 4, 10},
	"OU":           {2, 5, 4, 11},
	"TITLE":        {2, 5, 4, 12},
	"POSTALCODE":   {2, 5, 4, 17},
	"GN":           {2, 5, 4, 42},
	"EMAILADDRESS": {1, 2, 840, 113549, 1, 9, 1},
	"UID":          {0, 9, 2342, 19200300, 100, 1, 1},
	"DC":           {0, 9, 2342, 19200300, 100, 1, 25},
}

var attributeAliases = map[string]string{
	"COMMONNAME": "CN", "COUNTRYNAME": "C", "LOCALITYNAME": "L",
	"STATEORPROVINCENAME": "ST", "ORGANIZATIONNAME": "O", "ORGANISATIONNAME": "O",
	"ORGANIZATIONALUNITNAME": "OU", "EMAIL": "EMAILADDRESS", "E": "EMAILADDRESS",
	"STREETADDRESS": "STREET", "SURNAME": "SN", "GIVENNAME": "GN",
}

// parseSubjectRDN parses an OpenSSL-style subject ("/C=GB/O=Org/CN=name")
// into an RDN sequence in the order written. "\/" is a literal slash and
// "\\" a backslash, as in `openssl req -subj`.
func parseSubjectRDN(s string) (pkix.RDNSequence, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("empty subject: give one like \"/CN=client-id/O=Org/C=GB\"")
	}
	if !strings.HasPrefix(s, "/") {
		return nil, fmt.Errorf("subject %q must start with \"/\", like \"/CN=client-id/O=Org/C=GB\"", s)
	}
	var parts []string
	var cur strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case c == '\\':
			return nil, fmt.Errorf("subject %q ends with a lone backslash", s)
		case c == '/':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	parts = append(parts, cur.String())
	var seq pkix.RDNSequence
	for _, p := range parts {
		if p == "" {
			continue // "//" or a trailing "/": OpenSSL skips those too
		}
		name, value, ok := strings.Cut(p, "=")
		if !ok {
			return nil, fmt.Errorf("subject part %q has no \"=\": write it as NAME=value, e.g. CN=client-id", p)
		}
		key := strings.ToUpper(strings.TrimSpace(name))
		if alias, ok := attributeAliases[key]; ok {
			key = alias
		}
		oid, ok := subjectAttributes[key]
		if !ok {
			return nil, fmt.Errorf("unknown subject attribute %q: use CN, O, OU, C, ST, L, street, postalCode, emailAddress, serialNumber, DC or UID", name)
		}
		if value == "" {
			return nil, fmt.Errorf("subject attribute %s has an empty value", name)
		}
		if key == "C" && len(value) != 2 {
			return nil, fmt.Errorf("country C=%q must be a two-letter code such as GB", value)
		}
		seq = append(seq, pkix.RelativeDistinguishedNameSET{{Type: oid, Value: value}})
	}
	if len(seq) == 0 {
		return nil, fmt.Errorf("subject %q names no attributes", s)
	}
	return seq, nil
}

// ParseSubject parses an OpenSSL-style subject such as
// "/C=GB/ST=London/O=Org/CN=client-id" (the form `openssl req -subj` takes
// and the providers' guides print).
func ParseSubject(s string) (pkix.Name, error) {
	seq, err := parseSubjectRDN(s)
	if err != nil {
		return pkix.Name{}, err
	}
	var n pkix.Name
	n.FillFromRDNSequence(&seq)
	return n, nil
}

// SANs are the subject alternative names of a CSR.
type SANs struct {
	DNSNames       []string
	EmailAddresses []string
	IPAddresses    []net.IP
	URIs           []*url.URL
}

// ParseSANs parses subject alternative names written as OpenSSL writes them
// (DNS:host, email:addr, IP:addr, URI:uri). A bare value is taken as an IP
// address when it is one, an email address when it has an @, else a DNS
// name.
func ParseSANs(in []string) (SANs, error) {
	var out SANs
	for _, raw := range in {
		for _, item := range strings.Split(raw, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			typ, value, ok := strings.Cut(item, ":")
			if ok {
				switch strings.ToUpper(typ) {
				case "DNS", "EMAIL", "IP", "URI":
				default:
					ok = false // e.g. an IPv6 address or host:port; judged below
				}
			}
			if !ok {
				value = item
				switch {
				case net.ParseIP(item) != nil:
					typ = "IP"
				case strings.Contains(item, "@"):
					typ = "EMAIL"
				case strings.Contains(item, ":"):
					return out, fmt.Errorf("subject alternative name %q: write it as DNS:name, email:address, IP:address or URI:uri", item)
				default:
					typ = "DNS"
				}
			}
			switch strings.ToUpper(typ) {
			case "DNS":
				if !validDNSName(value) {
					return out, fmt.Errorf("subject alternative name DNS:%q is not a host name", value)
				}
				out.DNSNames = append(out.DNSNames, value)
			case "EMAIL":
				a, err := mail.ParseAddress(value)
				if err != nil || a.Address != value {
					return out, fmt.Errorf("subject alternative name email:%q is not an email address", value)
				}
				out.EmailAddresses = append(out.EmailAddresses, value)
			case "IP":
				ip := net.ParseIP(value)
				if ip == nil {
					return out, fmt.Errorf("subject alternative name IP:%q is not an IP address", value)
				}
				out.IPAddresses = append(out.IPAddresses, ip)
			case "URI":
				u, err := url.Parse(value)
				if err != nil || u.Scheme == "" {
					return out, fmt.Errorf("subject alternative name URI:%q is not an absolute URI", value)
				}
				out.URIs = append(out.URIs, u)
			}
		}
	}
	return out, nil
}

func validDNSName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for i, label := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for j := 0; j < len(label); j++ {
			c := label[j]
			switch {
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
			case c == '*' && i == 0 && label == "*":
			default:
				return false
			}
		}
	}
	return true
}

// CreateCSR makes a PEM certificate signing request for key with an
// OpenSSL-style subject (attributes kept in the order written) and
// subject alternative names (see ParseSANs). The signature uses SHA-256
// (SHA-384 for P-384), which is what the providers' CAs expect.
func CreateCSR(key crypto.Signer, subject string, sans []string) ([]byte, error) {
	seq, err := parseSubjectRDN(subject)
	if err != nil {
		return nil, err
	}
	raw, err := asn1.Marshal(seq)
	if err != nil {
		return nil, fmt.Errorf("encode subject: %w", err)
	}
	alt, err := ParseSANs(sans)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.CertificateRequest{
		RawSubject:     raw,
		DNSNames:       alt.DNSNames,
		EmailAddresses: alt.EmailAddresses,
		IPAddresses:    alt.IPAddresses,
		URIs:           alt.URIs,
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		return nil, fmt.Errorf("create CSR: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), nil
}

// attributeNames are the short names FormatSubject writes, as OpenSSL does.
var attributeNames = map[string]string{
	"2.5.4.3": "CN", "2.5.4.4": "SN", "2.5.4.5": "serialNumber", "2.5.4.6": "C",
	"2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.9": "street", "2.5.4.10": "O",
	"2.5.4.11": "OU", "2.5.4.12": "title", "2.5.4.17": "postalCode", "2.5.4.42": "GN",
	"1.2.840.113549.1.9.1": "emailAddress", "0.9.2342.19200300.100.1.1": "UID",
	"0.9.2342.19200300.100.1.25": "DC",
}

// FormatSubject writes a DER-encoded name (a certificate's RawSubject or
// RawIssuer) in the OpenSSL form ParseSubject reads, in encoded order:
// "/C=GB/O=Org/CN=client-id".
func FormatSubject(raw []byte) string {
	var seq pkix.RDNSequence
	if rest, err := asn1.Unmarshal(raw, &seq); err != nil || len(rest) > 0 {
		return "(unparsable name)"
	}
	if len(seq) == 0 {
		return "(empty)"
	}
	var b strings.Builder
	for _, rdn := range seq {
		b.WriteByte('/')
		for i, atv := range rdn {
			if i > 0 {
				b.WriteByte('+')
			}
			name, ok := attributeNames[atv.Type.String()]
			if !ok {
				name = atv.Type.String()
			}
			b.WriteString(name)
			b.WriteByte('=')
			v := fmt.Sprint(atv.Value)
			v = strings.ReplaceAll(v, `\`, `\\`)
			v = strings.ReplaceAll(v, "/", `\/`)
			b.WriteString(v)
		}
	}
	return b.String()
}
