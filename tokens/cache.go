package tokens

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"path/filepath"
	"time"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/filelock"
	"github.com/onramp-cli/onramp/secretstore"
)

// Keyring item names of the cached credentials (account PROFILE/NAME).
// `onramp profile rm` should delete them with the profile's other secrets.
const (
	TokenItem = "oauth-token"
	AWSItem   = "aws-credentials"
)

// TokenMargin is how long before expiry a cached OAuth token stops being
// handed out: a token that expires while a request is in flight is useless.
const TokenMargin = 60 * time.Second

// Cache keeps short-lived credentials in the keyring for one profile.
type Cache struct {
	Keyring secretstore.Keyring
	Profile string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// LockPath is the token cache's lock file (CacheLockPath): while one
	// onramp looks for a cached token, fetches and stores one, another
	// waits and then finds it cached, so concurrent runs fetch once.
	// Empty: no lock.
	LockPath string
}

// CacheLockPath is the token cache's lock file in the config directory.
func CacheLockPath(configDir string) string {
	if configDir == "" {
		return ""
	}
	return filepath.Join(configDir, "tokens.lock")
}

// lock takes the cache's lock when it has one; release is never nil.
func (c *Cache) lock() (release func(), err error) {
	if c == nil || c.LockPath == "" {
		return func() {}, nil
	}
	l, err := filelock.Acquire(c.LockPath, "the token cache of profile "+c.Profile, 0)
	if err != nil {
		return nil, err
	}
	return l.Release, nil
}

func (c *Cache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// cachedToken is the keyring value of TokenItem. For fingerprints what the
// token was issued for, so a changed token URL, kid, key or API key is
// never answered with an old token.
type cachedToken struct {
	Token     string    `json:"token"`
	TokenType string    `json:"token_type,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
	For       string    `json:"for"`
}

func (c *Cache) load(name string, v any) bool {
	if c == nil || c.Keyring == nil {
		return false
	}
	s, err := c.Keyring.Get(c.Profile, name)
	if err != nil || s == "" {
		return false
	}
	return json.Unmarshal([]byte(s), v) == nil
}

func (c *Cache) store(name string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.Keyring.Set(c.Profile, name, string(data))
}

// Forget removes the profile's cached credentials; missing items are fine.
func (c *Cache) Forget() error {
	var errs []error
	for _, name := range []string{TokenItem, AWSItem} {
		var ke *secretstore.Error
		if err := c.Keyring.Delete(c.Profile, name); err != nil && !(errors.As(err, &ke) && ke.ID == cause.KeyringSecretMissing) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// fingerprint identifies the inputs a credential was issued for without
// storing them: a hash of each part, joined.
func fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		sum := sha256.Sum256([]byte(p))
		h.Write(sum[:])
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

func nhsFingerprint(c *NHSConfig) string {
	pub := ""
	if c.Key != nil {
		if der, err := x509.MarshalPKIXPublicKey(c.Key.Public()); err == nil {
			pub = string(der)
		}
	}
	return fingerprint(c.TokenURL, c.KID, c.APIKey, pub)
}

// NHSToken returns a cached token for c while it has more than TokenMargin
// left, else fetches a new one and caches it. With noCache it always
// fetches (and still caches the new token). A cache that cannot be written
// is reported in cacheErr; the token is still returned.
func NHSToken(ctx context.Context, c *NHSConfig, cache *Cache, noCache bool) (tok *Token, cacheErr error, err error) {
	fp := nhsFingerprint(c)
	release, err := cache.lock()
	if err != nil {
		return nil, nil, err
	}
	defer release()
	if !noCache {
		var ct cachedToken
		if cache.load(TokenItem, &ct) && ct.For == fp && ct.Token != "" {
			now := cache.now()
			if left := ct.ExpiresAt.Sub(now); left > TokenMargin {
				return &Token{AccessToken: ct.Token, TokenType: ct.TokenType, ExpiresAt: ct.ExpiresAt,
					ExpiresIn: int64(left / time.Second), Cached: true}, nil, nil
			}
		}
	}
	fetch := *c
	if fetch.Now == nil && cache != nil {
		fetch.Now = cache.Now
	}
	tok, err = FetchNHS(ctx, &fetch)
	if err != nil {
		return nil, nil, err
	}
	if cache != nil && cache.Keyring != nil && !tok.ExpiresAt.IsZero() {
		cacheErr = cache.store(TokenItem, cachedToken{Token: tok.AccessToken, TokenType: tok.TokenType, ExpiresAt: tok.ExpiresAt, For: fp})
	}
	return tok, cacheErr, nil
}

// cachedAWS is the keyring value of AWSItem.
type cachedAWS struct {
	AccessKeyID     string    `json:"access_key_id"`
	SecretAccessKey string    `json:"secret_access_key"`
	SessionToken    string    `json:"session_token,omitempty"`
	Expiration      time.Time `json:"expiration"`
	FetchedAt       time.Time `json:"fetched_at"`
	For             string    `json:"for"`
}

// awsMargin is how long before expiry cached AWS credentials stop being
// handed out: the AWS SDKs refresh 15 minutes before expiry (10 minutes
// at the latest), so older credentials would make them ask again at once.
// Short-lived credentials keep at least half their life.
func awsMargin(fetched, expires time.Time) time.Duration {
	m := 15 * time.Minute
	if half := expires.Sub(fetched) / 2; half < m {
		m = half
	}
	return m
}

// AWSCredentialsFor returns cached credentials for c while they are fresh
// enough (see awsMargin), else fetches new ones from /token and caches them
// when they carry an Expiration. With noCache it always fetches.
func AWSCredentialsFor(ctx context.Context, c *HMPPSConfig, cache *Cache, noCache bool) (creds *AWSCredentials, cacheErr error, err error) {
	fp := fingerprint(c.TokenURL, c.APIKey, c.ClientIdentity)
	release, err := cache.lock()
	if err != nil {
		return nil, nil, err
	}
	defer release()
	if !noCache {
		var ca cachedAWS
		if cache.load(AWSItem, &ca) && ca.For == fp && ca.AccessKeyID != "" {
			if ca.Expiration.Sub(cache.now()) > awsMargin(ca.FetchedAt, ca.Expiration) {
				return &AWSCredentials{AccessKeyID: ca.AccessKeyID, SecretAccessKey: ca.SecretAccessKey,
					SessionToken: ca.SessionToken, Expiration: ca.Expiration, Cached: true}, nil, nil
			}
		}
	}
	creds, err = FetchAWS(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	if cache != nil && cache.Keyring != nil && !creds.Expiration.IsZero() {
		cacheErr = cache.store(AWSItem, cachedAWS{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey,
			SessionToken: creds.SessionToken, Expiration: creds.Expiration, FetchedAt: cache.now(), For: fp})
	}
	return creds, cacheErr, nil
}

// Expiry says when the profile's cached credentials stop working: its
// OAuth token's expiry or, failing that, its temporary AWS credentials'.
// It reads the cache only (never fetches, never returns the secret) and
// says false when nothing is cached.
func (c *Cache) Expiry() (time.Time, bool) {
	var ct cachedToken
	if c.load(TokenItem, &ct) && !ct.ExpiresAt.IsZero() {
		return ct.ExpiresAt, true
	}
	var ca cachedAWS
	if c.load(AWSItem, &ca) && !ca.Expiration.IsZero() {
		return ca.Expiration, true
	}
	return time.Time{}, false
}
