package wizard

import (
	"errors"
	"fmt"
	"strings"

	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/usecase"
)

// CheckKeyFile accepts a readable private key file (encrypted or not).
func CheckKeyFile(path string) error {
	return checkKind(path, "a private key", keystore.KindPrivateKey, keystore.KindEncryptedPrivateKey)
}

// CheckCertFile accepts a readable certificate or chain file.
func CheckCertFile(path string) error {
	return checkKind(path, "a certificate", keystore.KindCertificate, keystore.KindCertificateChain)
}

func checkKind(path, want string, kinds ...keystore.Kind) error {
	path = strings.TrimSpace(path)
	if path == "" {
		return errors.New("enter a file path")
	}
	data, err := keystore.ReadFile(usecase.ExpandPath(path))
	if err != nil {
		return err
	}
	k := keystore.Sniff(data)
	for _, ok := range kinds {
		if k == ok {
			return nil
		}
	}
	return fmt.Errorf("this file holds %s, not %s", article(k), want)
}

func article(k keystore.Kind) string {
	switch k {
	case keystore.KindUnknown:
		return "nothing onramp recognises"
	case keystore.KindCSR:
		return "a CSR (the request, not the issued certificate)"
	case keystore.KindPrivateKey, keystore.KindEncryptedPrivateKey:
		return "a private key"
	}
	return "a " + strings.ReplaceAll(string(k), "-", " ")
}
