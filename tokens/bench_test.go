package tokens

import (
	"context"
	"testing"
	"time"

	"github.com/onramp-cli/onramp/internal/testkeyring"

	"github.com/onramp-cli/onramp/internal/tokentest"
)

// Signing is the local cost of every uncached token: one RSA 4096 RS512
// signature.
func BenchmarkSignAssertion(b *testing.B) {
	cfg := &NHSConfig{TokenURL: "https://int.api.service.nhs.uk/oauth2/token", KID: "test-1", Key: tokentest.RSAKey(b, 4096, 0), APIKey: "k"}
	now := time.Now()
	for b.Loop() {
		if _, err := SignAssertion(cfg, now); err != nil {
			b.Fatal(err)
		}
	}
}

// A cached token costs a keyring read and a JSON decode.
func BenchmarkCachedToken(b *testing.B) {
	cfg := &NHSConfig{TokenURL: "https://int.api.service.nhs.uk/oauth2/token", KID: "test-1", Key: tokentest.RSAKey(b, 4096, 0), APIKey: "k"}
	kr := testkeyring.New()
	cache := &Cache{Keyring: kr, Profile: "p"}
	if err := cache.store(TokenItem, cachedToken{Token: "t", ExpiresAt: time.Now().Add(time.Hour), For: nhsFingerprint(cfg)}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		tok, _, err := NHSToken(context.Background(), cfg, cache, false)
		if err != nil || !tok.Cached {
			b.Fatal(err)
		}
	}
}
