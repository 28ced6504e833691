package sandbox

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"testing"
	"time"
)

func benchSandbox(b *testing.B) (*Server, *tls.Config) {
	b.Helper()
	s, err := New(Config{Dir: b.TempDir(), Addr: "127.0.0.1:0", APIMAddr: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	cert, err := tls.LoadX509KeyPair(s.pki.Path(ClientCertFile), s.pki.Path(ClientKeyFile))
	if err != nil {
		b.Fatal(err)
	}
	return s, &tls.Config{RootCAs: s.pki.RootPool(), Certificates: []tls.Certificate{cert}, ServerName: "localhost"}
}

func benchGet(b *testing.B, c *http.Client, url, key string) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("x-api-key", key)
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("status %d", resp.StatusCode)
	}
}

// BenchmarkStatusKeepAlive is one authorised status request on a kept-alive
// mutual-TLS connection.
func BenchmarkStatusKeepAlive(b *testing.B) {
	s, cfg := benchSandbox(b)
	tr := &http.Transport{TLSClientConfig: cfg}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	url := "https://" + s.Addr() + StatusPath
	for b.Loop() {
		benchGet(b, c, url, s.keys.API)
	}
}

// BenchmarkStatusNewConnection includes a full mutual-TLS handshake per
// request, as each `onramp diagnose` run makes.
func BenchmarkStatusNewConnection(b *testing.B) {
	s, cfg := benchSandbox(b)
	url := "https://" + s.Addr() + StatusPath
	for b.Loop() {
		tr := &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true}
		benchGet(b, &http.Client{Transport: tr, Timeout: 5 * time.Second}, url, s.keys.API)
	}
}

// BenchmarkFirstRunPKI is the first start's cost: three CAs, a server and a
// client certificate, written atomically.
func BenchmarkFirstRunPKI(b *testing.B) {
	for b.Loop() {
		if _, err := LoadPKI(b.TempDir(), time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}
