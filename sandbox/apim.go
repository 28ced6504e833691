package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"

	"github.com/go-jose/go-jose/v4"

	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/internal/filelock"
	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/sandbox/tokenapi"
)

// JWKSFile is the registered public keys of the APIM-like token endpoint,
// in the data directory; `onramp sandbox register-jwks FILE` writes it.
const JWKSFile = "jwks.json"

// RegisterJWKS validates a JWKS of public RSA signing keys and adds its keys
// to the sandbox's registered set (a key with the same kid is replaced). It
// returns the kids now registered.
func RegisterJWKS(dir string, data []byte) ([]string, error) {
	add, err := parsePublicJWKS(data)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, JWKSFile)
	// Read, change, write under a lock: two registrations at once both
	// end up in the set.
	lock, err := filelock.Acquire(filelock.PathFor(path), "the sandbox's registered keys "+path, 0)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	var set jose.JSONWebKeySet
	if old, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(old, &set); err != nil {
			return nil, fmt.Errorf("%s: %v (delete it to start afresh)", path, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	for _, k := range add.Keys {
		kept := set.Keys[:0]
		for _, old := range set.Keys {
			if old.KeyID != k.KeyID {
				kept = append(kept, old)
			}
		}
		set.Keys = append(kept, k)
	}
	out, err := json.MarshalIndent(set, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := keystore.WriteFileAtomic(path, append(out, '\n'), 0o644, true); err != nil {
		return nil, err
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.KeyID)
	}
	return kids, nil
}

func parsePublicJWKS(data []byte) (*jose.JSONWebKeySet, error) {
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &raw); err != nil || raw.Keys == nil {
		return nil, &keystore.Error{ID: cause.InputWrongFileType, Msg: fmt.Sprintf("not a JWKS (want {\"keys\":[...]}; the file holds %s); make one with `onramp keygen --jwks --kid KID`", keystore.Sniff(data))}
	}
	for _, k := range raw.Keys {
		// A private key must never be published; refuse before parsing.
		var priv struct {
			D string `json:"d"`
		}
		if json.Unmarshal(k, &priv) == nil && priv.D != "" {
			return nil, &keystore.Error{ID: cause.InputWrongFileType, Msg: "this JWKS holds a private key (\"d\"); register only the public JWKS"}
		}
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, &keystore.Error{ID: cause.InputWrongFileType, Msg: "invalid JWKS: " + err.Error(), Err: err}
	}
	if len(set.Keys) == 0 {
		return nil, &keystore.Error{ID: cause.InputWrongFileType, Msg: "the JWKS has no keys"}
	}
	for _, k := range set.Keys {
		if k.KeyID == "" {
			return nil, &keystore.Error{ID: cause.InputWrongFileType, Msg: "a key in the JWKS has no \"kid\"; the token endpoint finds keys by kid"}
		}
		if _, ok := k.Key.(*rsa.PublicKey); !ok {
			return nil, &keystore.Error{ID: cause.KeyUnsupported, Msg: fmt.Sprintf("key %q is not an RSA public key: NHS API Management signs with RS512", k.KeyID)}
		}
		if k.Algorithm != "" && k.Algorithm != string(jose.RS512) {
			return nil, &keystore.Error{ID: cause.KeyUnsupported, Msg: fmt.Sprintf("key %q has alg %s; NHS API Management accepts only RS512", k.KeyID, k.Algorithm)}
		}
	}
	return &set, nil
}

// registeredKeys is the APIM-like endpoint's JWKS option: the JWKS
// registered in the data directory, read on each request so a
// registration takes effect in a running sandbox. A file it cannot read
// counts as none registered (and is logged).
func (s *Server) registeredKeys(context.Context) (*jose.JSONWebKeySet, error) {
	set, err := s.registeredJWKS()
	if err != nil {
		s.logf("registered JWKS: %v", err)
		return nil, nil
	}
	return set, nil
}

func (s *Server) registeredJWKS() (*jose.JSONWebKeySet, error) {
	data, err := os.ReadFile(filepath.Join(s.cfg.Dir, JWKSFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, err
	}
	return &set, nil
}

// HelloPath is the APIM-like application-restricted endpoint (as NHS's
// Hello World API): it needs a bearer token from the token endpoint.
const HelloPath = tokenapi.HelloPath

// newAPIM is the APIM-like API: the sandbox's API key, its registered
// JWKS and its clock.
func (s *Server) newAPIM() *tokenapi.APIM {
	return tokenapi.NewAPIM(tokenapi.APIMOptions{
		APIKey:    s.keys.API,
		JWKS:      s.registeredKeys,
		NoKeyHint: "register one with `onramp sandbox register-jwks FILE`",
		Now:       s.cfg.Now,
	})
}

// apimHandler serves the APIM-like API: server TLS only, like NHS API
// Management, authenticated by signed JWT and bearer tokens.
func (s *Server) apimHandler() http.Handler {
	return s.logged("apim ", s.apim)
}

// The ready signed-JWT profile for the APIM-like API.
const (
	APIMProfileName   = "sandbox-apim"
	APIMKID           = "sandbox-1"
	apimSignerKeyFile = "apim-signer.key"
)

// PrepareAPIMProfile makes the sandbox's own signed-JWT client for the
// APIM-like API, as a new NHS API Management user would: an RSA 4096 key
// (made once; it takes a few seconds), its public key registered as kid
// sandbox-1, the API key stored for profile sandbox-apim, and that profile
// written, so `onramp token --profile sandbox-apim` works at once. Call it
// after Start, in the background; it logs its outcome.
func (s *Server) PrepareAPIMProfile() error {
	err := s.prepareAPIMProfile()
	if err != nil {
		s.logf("profile %s not ready: %v", APIMProfileName, err)
	} else {
		s.logf("profile %s ready: onramp token --profile %s", APIMProfileName, APIMProfileName)
	}
	return err
}

func (s *Server) prepareAPIMProfile() error {
	keyPath := filepath.Join(s.cfg.Dir, apimSignerKeyFile)
	key, err := keystore.ReadPrivateKey(keyPath, nil)
	if err != nil {
		if c, ok := cause.Of(err); !ok || c.ID != cause.InputFileUnreadable {
			return err
		}
		rsaKey, err := rsa.GenerateKey(rand.Reader, 4096)
		if err != nil {
			return err
		}
		der, err := x509.MarshalPKCS8PrivateKey(rsaKey)
		if err != nil {
			return err
		}
		// Without force: if another sandbox made the key meanwhile, both
		// use that one, so key and registered JWKS stay a pair.
		err = keystore.WriteFileAtomic(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600, false)
		switch {
		case err == nil:
			key = rsaKey
		case errors.Is(err, keystore.ErrExists):
			if key, err = keystore.ReadPrivateKey(keyPath, nil); err != nil {
				return err
			}
		default:
			return err
		}
	}
	pub, ok := key.Public().(*rsa.PublicKey)
	if !ok {
		return fmt.Errorf("%s is not an RSA key; delete it for a new one", keyPath)
	}
	set, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: pub, KeyID: APIMKID, Algorithm: string(jose.RS512), Use: "sig"}}})
	if err != nil {
		return err
	}
	if _, err := RegisterJWKS(s.cfg.Dir, set); err != nil {
		return err
	}
	p, err := profile.Load(APIMProfileName)
	if errors.Is(err, profile.ErrNotFound) {
		p, err = &profile.Profile{Name: APIMProfileName}, nil
	}
	if err != nil {
		return err
	}
	if p.Provider != "" && p.Provider != "sandbox" {
		return fmt.Errorf("a profile named %q already exists for provider %s; the sandbox leaves it alone", APIMProfileName, p.Provider)
	}
	before := clone(p)
	base := s.APIMBaseURL()
	p.Provider, p.Environment = "sandbox", "local-apim"
	p.Auth = []string{"signed-jwt"}
	p.URL, p.TokenURL = base+HelloPath, base+TokenPath
	p.Key, p.KID = keyPath, APIMKID
	p.CACert = s.pki.CABundlePath()
	p.APIKeySecret, p.ExpectJSON = APIKeyName, tokenapi.HelloJSON
	p.KeyFiles = map[string]string{APIKeyName: s.keys.File(APIKeyName)}
	delete(p.Secrets, APIKeyName)
	if len(p.Secrets) == 0 {
		p.Secrets = nil
	}
	if reflect.DeepEqual(before, p) {
		return nil
	}
	return profile.Save(p)
}
