package usecase

import (
	"github.com/onramp-cli/onramp/cause"
	"github.com/onramp-cli/onramp/provider"
)

// FixAction is what onramp itself can do about a cause found in a
// profile's checks: change one setting, or store one secret.
type FixAction struct {
	// Setting is the key of the setting to change ("" when Secret is set).
	Setting string
	// Secret is the name of the secret to store.
	Secret string
	// Label says the action to the user: "pick the CA bundle file".
	Label string
}

var fixActions = map[cause.ID]FixAction{
	cause.ServerCertUntrusted:        {Setting: "cacert", Label: "pick the CA bundle file"},
	cause.ServerCertSelfSigned:       {Setting: "cacert", Label: "pick the CA bundle file"},
	cause.ServerChainIncomplete:      {Setting: "cacert", Label: "pick the CA bundle file"},
	cause.CABundleInvalid:            {Setting: "cacert", Label: "pick the CA bundle file"},
	cause.TLSIntercepted:             {Setting: "cacert", Label: "pick the CA bundle file"},
	cause.APIKeyMissing:              {Secret: provider.SecretAPIKey, Label: "enter the API key"},
	cause.APIKeyRejected:             {Secret: provider.SecretAPIKey, Label: "enter the API key again"},
	cause.APIKeyBase64Encoded:        {Secret: provider.SecretAPIKey, Label: "enter the API key again"},
	cause.APIKeyWhitespace:           {Secret: provider.SecretAPIKey, Label: "enter the API key again"},
	cause.KeyringSecretMissing:       {Secret: provider.SecretAPIKey, Label: "enter the API key"},
	cause.KeyEncryptedNoPassphrase:   {Secret: provider.SecretKeyPass, Label: "enter the key's passphrase"},
	cause.KeyPassphraseWrong:         {Secret: provider.SecretKeyPass, Label: "enter the key's passphrase again"},
	cause.ClientCertExpired:          {Setting: "cert", Label: "import the new certificate"},
	cause.ClientCertNotYetValid:      {Setting: "cert", Label: "pick the certificate file"},
	cause.KeyCertMismatch:            {Setting: "cert", Label: "import the certificate that has arrived"},
	cause.ClientCertNotSent:          {Setting: "cert", Label: "import the certificate that has arrived"},
	cause.ClientCertWrongIssuer:      {Setting: "cert", Label: "import the certificate that has arrived"},
	cause.ClientChainIncomplete:      {Setting: "cert", Label: "pick the certificate file with its chain"},
	cause.DNSNoSuchHost:              {Setting: "url", Label: "change the URL"},
	cause.ServerCertHostnameMismatch: {Setting: "url", Label: "change the URL"},
	cause.EndpointNotFound:           {Setting: "status_path", Label: "change the status path"},
	cause.UnexpectedResponse:         {Setting: "expect_json", Label: "change the expected status body"},
}

// FixFor returns what onramp can do about the cause, if anything.
func FixFor(id cause.ID) (FixAction, bool) {
	a, ok := fixActions[id]
	return a, ok
}
