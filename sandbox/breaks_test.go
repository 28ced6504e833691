package sandbox

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/classify"
)

// handshake dials the sandbox with cfg and returns the connection state of
// a completed handshake or the handshake's error. Verification is done by
// cfg, so a test sees exactly what a client would.
func (s *testSandbox) handshake(t *testing.T, cfg *tls.Config) (tls.ConnectionState, error) {
	t.Helper()
	d := &net.Dialer{Timeout: 5 * time.Second, Deadline: time.Now().Add(2 * time.Second)}
	conn, err := tls.DialWithDialer(d, "tcp", s.Addr(), cfg)
	if err != nil {
		return tls.ConnectionState{}, err
	}
	defer conn.Close()
	// With TLS 1.3 a refused client certificate surfaces on the first read.
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	conn.Write([]byte("GET " + StatusPath + " HTTP/1.1\r\nHost: localhost\r\nx-api-key: " + s.Keys().API + "\r\nConnection: close\r\n\r\n"))
	buf := make([]byte, 1)
	if _, err := conn.Read(buf); err != nil {
		return conn.ConnectionState(), err
	}
	return conn.ConnectionState(), nil
}

// classified dials the sandbox as onramp's clients do (the client
// certificate is sent whatever CAs the server lists) and names the failure
// with classify, from the evidence the handshake showed.
func (s *testSandbox) classified(t *testing.T) (cause.ID, string) {
	t.Helper()
	cfg := s.tlsConfig(t)
	mine := cfg.Certificates[0]
	cfg.Certificates = nil
	leaf, err := x509.ParseCertificate(mine.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	ev := classify.Evidence{Chain: []*x509.Certificate{leaf}, Stage: classify.StageHandshake, Host: "localhost"}
	cfg.GetClientCertificate = func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
		return ev.AnswerRequest(cri, &mine), nil
	}
	_, ev.Err = s.handshake(t, cfg)
	if ev.Err == nil {
		return "", "no failure"
	}
	return classify.Classify(ev)
}

// servedChain is the certificate chain the server sends, fetched without
// verification.
func (s *testSandbox) servedChain(t *testing.T) []*x509.Certificate {
	t.Helper()
	cfg := s.tlsConfig(t)
	cfg.InsecureSkipVerify = true
	var chain []*x509.Certificate
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		chain = cs.PeerCertificates
		return nil
	}
	s.handshake(t, cfg)
	if len(chain) == 0 {
		t.Fatal("no server certificate received")
	}
	return chain
}

func TestBreakTLSModes(t *testing.T) {
	tests := []struct {
		id    string
		check func(t *testing.T, s *testSandbox, err error)
	}{
		{"client-cert-wrong-issuer", func(t *testing.T, s *testSandbox, err error) {
			// The CertificateRequest names a CA that did not issue the
			// client's certificate, so Go's client sends none.
			var acceptable []string
			cfg := s.tlsConfig(t)
			mine := cfg.Certificates[0]
			cfg.Certificates = nil
			cfg.GetClientCertificate = func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
				for _, raw := range cri.AcceptableCAs {
					acceptable = append(acceptable, string(raw))
				}
				if cri.SupportsCertificate(&mine) != nil {
					return &tls.Certificate{}, nil
				}
				return &mine, nil
			}
			_, err2 := s.handshake(t, cfg)
			if id, _ := classify.Classify(classify.Evidence{Err: err2}); err == nil || id != cause.ClientCertNotSent {
				t.Errorf("handshake: %v / %v, want the server to ask for the certificate Go did not send", err, err2)
			}
			if len(acceptable) != 1 || !strings.Contains(acceptable[0], "Practice Provider Client CA") {
				t.Errorf("acceptable CAs: %q", acceptable)
			}
		}},
		{"client-cert-rejected", func(t *testing.T, s *testSandbox, err error) {
			if err == nil {
				t.Error("handshake succeeded")
			}
		}},
		{"server-cert-expired", func(t *testing.T, s *testSandbox, err error) {
			var ci x509.CertificateInvalidError
			if !errors.As(err, &ci) || ci.Reason != x509.Expired || !strings.Contains(err.Error(), "is after") {
				t.Errorf("handshake: %v, want an expired certificate", err)
			}
			chain := s.servedChain(t)
			if chain[0].CheckSignatureFrom(s.pki.Intermediate) != nil || len(chain) != 2 {
				t.Errorf("the expired certificate is not from the sandbox's own intermediate, with its chain")
			}
		}},
		{"server-cert-not-yet-valid", func(t *testing.T, s *testSandbox, err error) {
			if err == nil || !strings.Contains(err.Error(), "is before") {
				t.Errorf("handshake: %v, want a not-yet-valid certificate", err)
			}
		}},
		{"server-cert-hostname-mismatch", func(t *testing.T, s *testSandbox, err error) {
			var he x509.HostnameError
			if !errors.As(err, &he) {
				t.Errorf("handshake: %v, want a hostname mismatch", err)
			}
		}},
		{"server-cert-untrusted", func(t *testing.T, s *testSandbox, err error) {
			var ua x509.UnknownAuthorityError
			if !errors.As(err, &ua) {
				t.Errorf("handshake: %v, want an unknown authority", err)
			}
			chain := s.servedChain(t)
			top := chain[len(chain)-1]
			if len(chain) != 2 || !bytes.Equal(top.RawIssuer, top.RawSubject) || top.Equal(s.pki.Root) {
				t.Errorf("served chain should end in a foreign self-signed root: %d certs, top %q", len(chain), top.Subject)
			}
		}},
		{"server-cert-self-signed", func(t *testing.T, s *testSandbox, err error) {
			var ua x509.UnknownAuthorityError
			if !errors.As(err, &ua) {
				t.Errorf("handshake: %v, want an unknown authority", err)
			}
			chain := s.servedChain(t)
			if len(chain) != 1 || chain[0].CheckSignatureFrom(chain[0]) != nil {
				t.Errorf("served chain is not one self-signed certificate")
			}
		}},
		{"server-chain-incomplete", func(t *testing.T, s *testSandbox, err error) {
			var ua x509.UnknownAuthorityError
			if !errors.As(err, &ua) {
				t.Errorf("handshake: %v, want an unknown authority", err)
			}
			chain := s.servedChain(t)
			if len(chain) != 1 || chain[0].Issuer.CommonName != intermediateCAName {
				t.Errorf("served chain: %d certs, issuer %q; want the leaf alone, issued by the intermediate", len(chain), chain[0].Issuer.CommonName)
			}
			// With the intermediate supplied, the same leaf verifies: the
			// only fault is the missing intermediate.
			inter := x509.NewCertPool()
			inter.AddCert(s.pki.Intermediate)
			if _, err := chain[0].Verify(x509.VerifyOptions{Roots: s.pki.RootPool(), Intermediates: inter, DNSName: "localhost"}); err != nil {
				t.Errorf("leaf with intermediate: %v", err)
			}
		}},
		{"tls-version-mismatch", func(t *testing.T, s *testSandbox, _ error) {
			// A client that still allows TLS 1.1 gets through: the fault is
			// only the version.
			cfg := s.tlsConfig(t)
			cfg.MinVersion = tls.VersionTLS10
			cs, err := s.handshake(t, cfg)
			if err != nil || cs.Version != tls.VersionTLS11 {
				t.Errorf("TLS 1.1 client: version %x, %v", cs.Version, err)
			}
		}},
		{"tls-no-common-cipher", func(t *testing.T, s *testSandbox, err error) {
			if err == nil {
				t.Error("handshake succeeded")
			}
		}},
		{"tls-not-tls", func(t *testing.T, s *testSandbox, err error) {
			if err == nil || !strings.Contains(err.Error(), "does not look like a TLS handshake") {
				t.Errorf("handshake: %v, want 'not a TLS handshake'", err)
			}
		}},
		{"client-cert-expired", func(t *testing.T, s *testSandbox, err error) {
			if err == nil {
				t.Error("handshake succeeded")
			}
		}},
		{"tls-handshake-timeout", func(t *testing.T, s *testSandbox, err error) {
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Errorf("handshake: %v, want a timeout", err)
			}
		}},
		{"tcp-reset", func(t *testing.T, s *testSandbox, err error) {
			if !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("handshake: %v, want connection reset by peer", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			s := start(t, tc.id)
			_, err := s.handshake(t, s.tlsConfig(t))
			tc.check(t, s, err)
			// onramp's clients name the break's own cause.
			if id, detail := s.classified(t); id != cause.ID(tc.id) {
				t.Errorf("classified as %s (%s), want %s", id, detail, tc.id)
			}
		})
	}
}

func TestBreakHTTPModes(t *testing.T) {
	tests := []struct {
		id     string
		status int
		header string // a header that must be present
		body   string // text the body must contain
	}{
		{"client-cert-not-sent", 400, "", "No required SSL certificate was sent"},
		{"api-key-rejected", 403, "", "Forbidden"},
		{"endpoint-not-found", 404, "", "Not Found"},
		{"method-not-allowed", 405, "Allow", ""},
		{"rate-limited", 429, "Retry-After", ""},
		{"service-unavailable", 503, "Retry-After", `"available":false`},
		{"server-error", 500, "", ""},
		{"unexpected-response", 200, "", "Welcome to nginx"},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			s := start(t, tc.id)
			r := s.mustDo(t, "GET", StatusPath, s.Keys().API)
			if r.status != tc.status || (tc.header != "" && r.header.Get(tc.header) == "") || !strings.Contains(r.body, tc.body) {
				t.Errorf("--break %s: %d %v %s", tc.id, r.status, r.header, r.body)
			}
			if r.status == 200 && r.body == StatusJSON {
				t.Errorf("--break %s answered the documented status", tc.id)
			}
		})
	}
	// client-cert-not-sent really asks for no certificate.
	s := start(t, "client-cert-not-sent")
	cfg := s.tlsConfig(t)
	asked := false
	cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
		asked = true
		return &cfg.Certificates[0], nil
	}
	if _, err := s.handshake(t, cfg); err != nil || asked {
		t.Errorf("client-cert-not-sent: handshake %v, certificate requested %v", err, asked)
	}
}

// Every practice mode is covered by one of the tests above.
func TestEveryBreakTested(t *testing.T) {
	if len(breaks) != 22 {
		t.Errorf("%d practice modes; add the new ones to TestBreakTLSModes/TestBreakHTTPModes and update this count", len(breaks))
	}
}
