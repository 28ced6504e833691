package wizard

import (
	"context"

	"github.com/onramp-cli/onramp/diagnose"
	"github.com/onramp-cli/onramp/profile"
	"github.com/onramp-cli/onramp/secretstore"
)

// Auth methods, as recorded in profile.Profile.Auth.
const (
	AuthMTLS      = "mtls"
	AuthAPIKey    = "api-key"
	AuthSignedJWT = "signed-jwt"
	AuthBearerJWT = "bearer-jwt" // a token the user already has, sent as Bearer
)

// Provider is what the flow needs to know about a provider template.
type Provider struct {
	ID   string
	Name string
	// Environments in the order offered; the first is the default.
	Environments []Environment
	// AskURL makes the flow ask for the URL (custom APIs, the sandbox on a
	// port of the user's choosing), pre-filled with the environment's URL.
	AskURL bool
	// AuthChoices are the combinations the provider accepts, first preferred,
	// e.g. NHS API Management: [api-key] or [signed-jwt api-key].
	AuthChoices [][]string
	// AuthWhy says in one sentence why the provider asks for that auth.
	AuthWhy      string
	APIKeyHeader string
	// APIKeyHint says where the key comes from, when that is not obvious.
	APIKeyHint string
	Key        KeySpec
	// Subject is the suggested CSR subject, e.g. "/C=GB/O=Org/CN=client-id";
	// SubjectRule says what the provider requires of it.
	Subject     string
	SubjectRule string
	// DefaultKID is the suggested JWKS key id for signed JWT.
	DefaultKID string
	// Instructions say what to send the provider, to whom, and what comes back.
	Instructions string
	// Send says what to do with the files the flow made (the send step);
	// empty means Instructions.
	Send string
	// CABundleRequired: the provider's servers use a private CA, so the
	// certificate step asks for its bundle and does not accept none;
	// CABundleWhy says so in the provider's words.
	CABundleRequired bool
	CABundleWhy      string
	// RoleTable lists the API key roles and what each is for (Securosys),
	// one per line; StatusRole is the role the check's path needs.
	RoleTable  string
	StatusRole string
	// ExtraKeys are the purposes of the key pairs the provider wants
	// besides the TLS one (GOV.UK DCS: signing, encryption), each made
	// with its own CSR, {purpose} in the subject naming it.
	ExtraKeys []string
	// Checks are the documented endpoints the checks may call when there
	// is more than one (HMPPS: the guide's example read, POST /token): the
	// wizard asks which, or for another path.
	Checks     []CheckChoice
	StatusPath string
	ExpectJSON string
	TokenPath  string
	// Sandbox is the local practice API, which can issue certificates itself.
	Sandbox bool
}

// CheckChoice is one documented endpoint a check may call.
type CheckChoice struct {
	Method, Path string
	// Label names it in the choice; Notes say what it is and needs.
	Label, Notes string
}

// Environment is one of a provider's hosts.
type Environment struct {
	Name string
	URL  string
	// NoAuth: nothing to set up there (NHS API Management's sandbox).
	NoAuth bool
	// StatusPath and ExpectJSON replace the provider's in this environment.
	StatusPath string
	ExpectJSON string
}

// KeySpec is the key the provider wants.
type KeySpec struct {
	Type  string // rsa, ecdsa, ed25519
	Bits  int
	Curve string
}

// KeyRequest asks for a new key and what goes with it.
type KeyRequest struct {
	Dir     string // where to write the files
	Name    string // file base name: NAME.key, NAME.csr, NAME.jwks.json
	Spec    KeySpec
	CSR     bool
	Subject string
	JWKS    bool
	KID     string
}

// KeyFiles are the paths written by a KeyMaker.
type KeyFiles struct {
	Key  string
	CSR  string
	JWKS string
}

// KeyMaker generates a key and writes it (0600, atomically) with its CSR
// and JWKS.
type KeyMaker interface {
	MakeKey(ctx context.Context, req KeyRequest) (KeyFiles, error)
	// CheckSubject says what is wrong with an OpenSSL-style subject, if
	// anything; it runs as the user types.
	CheckSubject(subject string) error
}

// ImportRequest names the certificate that arrived and the key it must match.
type ImportRequest struct {
	CertFile   string
	KeyFile    string
	CACertFile string
	// Dir is where the profile keeps its files; the importer may copy the
	// certificate there.
	Dir string
	// Provider is the profile's provider template id, whose own rules for
	// client certificates are checked too ("" for none).
	Provider string
}

// CertImporter checks a certificate against its key (match, clientAuth,
// chain, validity) and puts it where the profile expects it. An error that
// carries a cause id (cause.Of) is shown with that cause's fix.
// Findings are warnings that do not stop the import (expiring soon).
type CertImporter interface {
	Import(ctx context.Context, req ImportRequest) (certFile string, findings []diagnose.Finding, err error)
}

// SecretStore keeps a profile's secrets (secretstore.Keyring); the flow
// stores and records them with usecase.Secrets.
type SecretStore = secretstore.Keyring

// FileStore is the encrypted file store the flow offers where secrets
// cannot be stored (no keyring answers, or it is locked).
type FileStore interface {
	// Path is the file, and whether it exists (a new one asks for its
	// passphrase twice).
	Path() (path string, exists bool)
	// Use opens (or creates) the file with passphrase, keeps secrets there
	// from now on and remembers the choice for later commands.
	Use(passphrase string) error
}

// Renewer renews a profile's client certificate (usecase.Renew): how many
// days the certificate has left, and the start of a renewal (a CSR, the
// profile kept as it is until the new certificate passes its checks).
type Renewer interface {
	CertificateDaysLeft(p *profile.Profile) (int, bool)
	StartRenewal(ctx context.Context, p *profile.Profile) (RenewalFiles, error)
}

// RenewalFiles are what a renewal's start wrote.
type RenewalFiles struct {
	Key, CSR string
}

// Checker runs the connectivity checks of a profile.
type Checker interface {
	Check(ctx context.Context, p *profile.Profile) *diagnose.Report
}

// Issued is what the sandbox sends back for a CSR.
type Issued struct {
	CertPEM []byte
	// CACertFile is the CA bundle that the sandbox's server certificate
	// chains to, for the profile's cacert.
	CACertFile string
}

// Issuer plays the provider for the sandbox: it signs the CSR at once.
type Issuer interface {
	Issue(ctx context.Context, csrPEM []byte) (Issued, error)
}
