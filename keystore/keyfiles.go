package keystore

import (
	"crypto"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KeyFileSet says which files WriteKeyFiles writes for one key: always
// DIR/NAME.key (PKCS#8 PEM, 0600), and on request a DER copy, a CSR and a
// JWKS of the public key.
type KeyFileSet struct {
	Dir, Name string
	// Subject, when set, asks for a CSR (NAME.csr) with these SANs.
	Subject string
	SANs    []string
	// JWKS asks for NAME.jwks.json; empty KID and Alg take JWKS's defaults.
	JWKS     bool
	KID, Alg string
	// DER asks for NAME.key.der, a PKCS#8 DER copy (encrypted too when Pass
	// is set).
	DER bool
	// Pass encrypts the key files (PKCS#8, PBKDF2-SHA256, AES-256-CBC).
	Pass  []byte
	Force bool
}

// KeyPaths are the files of a KeyFileSet; empty when not asked for.
type KeyPaths struct {
	Key, DER, CSR, JWKS string
}

// All lists the non-empty paths, key first.
func (p KeyPaths) All() []string {
	var out []string
	for _, s := range []string{p.Key, p.DER, p.CSR, p.JWKS} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// ValidateFileName checks that a name can be used as the base of the
// files written (NAME.key etc.): no directory parts, no leading dot.
func ValidateFileName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("the name is empty")
	case strings.ContainsAny(name, `/\`) || name == "." || name == "..":
		return fmt.Errorf("name %q must be a plain file name without directories (use --out for the directory)", name)
	case strings.HasPrefix(name, "."):
		return fmt.Errorf("name %q must not start with a dot", name)
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return fmt.Errorf("name %q contains control characters", name)
	}
	return nil
}

// Paths says where the set's files go.
func (s KeyFileSet) Paths() KeyPaths {
	base := filepath.Join(s.Dir, s.Name)
	p := KeyPaths{Key: base + ".key"}
	if s.DER {
		p.DER = base + ".key.der"
	}
	if s.Subject != "" {
		p.CSR = base + ".csr"
	}
	if s.JWKS {
		p.JWKS = base + ".jwks.json"
	}
	return p
}

// Existing lists the set's files that already exist, so a caller can
// refuse before spending seconds on an RSA key.
func (s KeyFileSet) Existing() []string {
	var out []string
	for _, p := range s.Paths().All() {
		if _, err := os.Lstat(p); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// WriteKeyFiles encodes key and writes the set's files, all or none
// (see WriteFiles). The private key files are 0600 in a directory
// created 0700; the CSR and JWKS are public (0644).
func WriteKeyFiles(key crypto.Signer, s KeyFileSet) (KeyPaths, error) {
	paths := s.Paths()
	if err := ValidateFileName(s.Name); err != nil {
		return paths, err
	}
	keyPEM, err := MarshalPrivateKeyPEM(key, s.Pass)
	if err != nil {
		return paths, fmt.Errorf("encode key: %w", err)
	}
	files := []OutputFile{{Path: paths.Key, Data: keyPEM, Perm: 0o600}}
	if s.DER {
		der, err := MarshalPrivateKeyDER(key, s.Pass)
		if err != nil {
			return paths, fmt.Errorf("encode key: %w", err)
		}
		files = append(files, OutputFile{Path: paths.DER, Data: der, Perm: 0o600})
	}
	if s.Subject != "" {
		csr, err := CreateCSR(key, s.Subject, s.SANs)
		if err != nil {
			return paths, err
		}
		files = append(files, OutputFile{Path: paths.CSR, Data: csr, Perm: 0o644})
	}
	if s.JWKS {
		jwks, err := JWKS(key.Public(), s.KID, s.Alg)
		if err != nil {
			return paths, err
		}
		files = append(files, OutputFile{Path: paths.JWKS, Data: jwks, Perm: 0o644})
	}
	return paths, WriteFiles(files, s.Force)
}
