// Package cause holds the cause catalog (../shared/CAUSES.md): every failure
// onramp diagnoses or explains ends in exactly one of these causes. Ids are
// typed constants, so a misspelt id is a compile error; the strings are a
// public interface (--json, reports, explain --id) and are never renamed.
package cause

import (
	"errors"
	"sort"
)

// ID is a cause's stable id.
type ID string

// The catalog's ids, in the order of CAUSES.md's sections.
const (
	InputFileUnreadable        ID = "input-file-unreadable"
	InputWrongFileType         ID = "input-wrong-file-type"
	KeyEncryptedNoPassphrase   ID = "key-encrypted-no-passphrase"
	KeyPassphraseWrong         ID = "key-passphrase-wrong"
	KeyUnsupported             ID = "key-unsupported"
	KeyCertMismatch            ID = "key-cert-mismatch"
	ClientCertExpired          ID = "client-cert-expired"
	ClientCertNotYetValid      ID = "client-cert-not-yet-valid"
	ClientCertNoClientAuth     ID = "client-cert-no-client-auth"
	ClientChainIncomplete      ID = "client-chain-incomplete"
	CABundleInvalid            ID = "ca-bundle-invalid"
	APIKeyBase64Encoded        ID = "api-key-base64-encoded"
	APIKeyWhitespace           ID = "api-key-whitespace"
	DNSNoSuchHost              ID = "dns-no-such-host"
	DNSFailure                 ID = "dns-failure"
	TCPRefused                 ID = "tcp-refused"
	TCPTimeout                 ID = "tcp-timeout"
	TCPReset                   ID = "tcp-reset"
	TLSNotTLS                  ID = "tls-not-tls"
	TLSVersionMismatch         ID = "tls-version-mismatch"
	TLSNoCommonCipher          ID = "tls-no-common-cipher"
	TLSHandshakeTimeout        ID = "tls-handshake-timeout"
	ServerCertUntrusted        ID = "server-cert-untrusted"
	ServerCertSelfSigned       ID = "server-cert-self-signed"
	ServerChainIncomplete      ID = "server-chain-incomplete"
	ServerCertExpired          ID = "server-cert-expired"
	ServerCertNotYetValid      ID = "server-cert-not-yet-valid"
	ServerCertHostnameMismatch ID = "server-cert-hostname-mismatch"
	ClientCertNotSent          ID = "client-cert-not-sent"
	ClientCertWrongIssuer      ID = "client-cert-wrong-issuer"
	ClientCertRejected         ID = "client-cert-rejected"
	ClientCertRevoked          ID = "client-cert-revoked"
	TLSHandshakeFailed         ID = "tls-handshake-failed"
	APIKeyMissing              ID = "api-key-missing"
	APIKeyRejected             ID = "api-key-rejected"
	APIKeyWrongRole            ID = "api-key-wrong-role"
	TokenMissing               ID = "token-missing"
	TokenRejected              ID = "token-rejected"
	EndpointNotFound           ID = "endpoint-not-found"
	MethodNotAllowed           ID = "method-not-allowed"
	RateLimited                ID = "rate-limited"
	ServiceUnavailable         ID = "service-unavailable"
	ServerError                ID = "server-error"
	UnexpectedResponse         ID = "unexpected-response"
	JWTKeyNotConfigured        ID = "jwt-key-not-configured"
	OAuthInvalidClient         ID = "oauth-invalid-client"
	JWTKidUnknown              ID = "jwt-kid-unknown"
	JWTSignatureInvalid        ID = "jwt-signature-invalid"
	JWTClaimsInvalid           ID = "jwt-claims-invalid"
	ClockSkew                  ID = "clock-skew"
	KeyringUnavailable         ID = "keyring-unavailable"
	KeyringItemTooLarge        ID = "keyring-item-too-large"
	KeyringSecretMissing       ID = "keyring-secret-missing"
	ProxyUnreachable           ID = "proxy-unreachable"
	ProxyAuthRequired          ID = "proxy-auth-required"
	ProxyTunnelRefused         ID = "proxy-tunnel-refused"
	TLSIntercepted             ID = "tls-intercepted"
	ClientCertNotRequested     ID = "client-cert-not-requested"
	UnexpectedRedirect         ID = "unexpected-redirect"
	ConsumerNotConfigured      ID = "consumer-not-configured"
	AccessSuspended            ID = "access-suspended"
)

// Cause is one entry of the catalog.
type Cause struct {
	ID      ID     `json:"id"`
	Title   string `json:"title"`
	Meaning string `json:"meaning,omitempty"`
	Fix     string `json:"fix"`
	// Source names the guide in shared/seeds the wording comes from, if any.
	Source string `json:"source,omitempty"`
	// Group is the catalog section: local, network, proxy, tls, http, jwt, keyring.
	Group string `json:"-"`

	// Advice (Advice.Apply) adds what a front end knows about the user:
	// Client is their program ("java", "python", …) and ClientFix the fix
	// in its words; Provider is their provider's name and ProviderNote its
	// own advice for this cause (from the provider template). The
	// catalog's Fix and Meaning name no provider.
	Client       string `json:"client,omitempty"`
	ClientFix    string `json:"client_fix,omitempty"`
	Provider     string `json:"provider,omitempty"`
	ProviderNote string `json:"provider_note,omitempty"`
}

const (
	seedHMPPS     = "HMPPS Integration API guide"
	seedNHS       = "NHS API Management (CGP client) guide"
	seedDCS       = "GOV.UK Document Checking Service guide"
	seedSecurosys = "Securosys REST API guide"
)

var catalog = []Cause{
	// Local material.
	{ID: InputFileUnreadable, Group: "local",
		Title:   "A named file is missing or unreadable",
		Meaning: "onramp could not open or read a file given on the command line or in the profile.",
		Fix:     "Check the path and permissions (ls -l FILE), and use absolute paths in a profile; then re-run with the corrected --cert, --key or --cacert."},
	{ID: InputWrongFileType, Group: "local",
		Title:   "A file holds something other than what the flag expects",
		Meaning: "For example a private key given as --cert, a CSR instead of the issued certificate, a PKCS#12 bundle, or an SSH key.",
		Fix:     "Run `onramp inspect FILE` to see what the file is. Give the issued certificate (BEGIN CERTIFICATE) to --cert and the private key to --key; convert a .p12/.pfx with `onramp convert`."},
	{ID: KeyEncryptedNoPassphrase, Group: "local",
		Title:   "The private key is encrypted and no passphrase was supplied",
		Meaning: "The key file is protected with a passphrase (ENCRYPTED PRIVATE KEY or Proc-Type: 4,ENCRYPTED).",
		Fix:     "Put the passphrase in an environment variable and pass its name: --key-pass-env VAR (never the passphrase itself on the command line)."},
	{ID: KeyPassphraseWrong, Group: "local",
		Title:   "The passphrase does not decrypt the private key",
		Meaning: "The key is encrypted and the passphrase supplied does not open it.",
		Fix:     "Check the variable named by --key-pass-env holds the right passphrase (no trailing newline); `openssl pkey -in KEY -noout` asks for it interactively to confirm."},
	{ID: KeyUnsupported, Group: "local",
		Title:   "The key's algorithm or encoding cannot be used",
		Meaning: "A DSA key, an unsupported curve, or a key size the provider rejects.",
		Fix:     "Generate a key the provider accepts (`onramp profile providers ID` lists its key rules), e.g. `onramp keygen --type rsa --bits 4096 --out DIR`, and register its new public key."},
	{ID: KeyCertMismatch, Group: "local",
		Title:   "The private key does not belong to the certificate",
		Meaning: "The public key in the certificate is not the public half of the private key given.",
		Fix:     "Pair the certificate with the key its CSR was made from: `onramp inspect CERT KEY` shows whether they match. If the key is lost, make a new key and CSR and ask the provider for a new certificate."},
	{ID: ClientCertExpired, Group: "local",
		Title:   "The client certificate has expired",
		Meaning: "Its validity period has ended, so servers refuse it (TLS alert certificate_expired).",
		Fix:     "Ask the provider for a new certificate: make a fresh CSR with `onramp keygen --csr`, send it, then `onramp import` what comes back; `onramp status` warns 30 days before the next one ends."},
	{ID: ClientCertNotYetValid, Group: "local",
		Title:   "The client certificate is not valid yet",
		Meaning: "Its validity starts in the future, or this machine's clock is behind.",
		Fix:     "Check this machine's clock (timedatectl); if the clock is right, wait until the certificate's Not Before time or ask the provider to reissue it."},
	{ID: ClientCertNoClientAuth, Group: "local",
		Title:   "The certificate is not allowed for client authentication",
		Meaning: "Its Extended Key Usage lacks clientAuth, so a server may refuse it (alert unsupported_certificate).",
		Fix:     "Ask the issuer for a client certificate (EKU TLS Web Client Authentication); a server certificate cannot stand in for one."},
	{ID: ClientChainIncomplete, Group: "local",
		Title:   "The client certificate's intermediate CA is not sent with it",
		Meaning: "The certificate was issued by an intermediate CA, and the certificate file does not contain that intermediate.",
		Fix:     "Append the intermediate certificate(s) the provider sent after your certificate in the --cert file (leaf first), or use `onramp import --cert CERT --chain CHAIN`."},
	{ID: CABundleInvalid, Group: "local",
		Title:   "The CA bundle has no usable certificates",
		Meaning: "No certificate could be read from the file given as --cacert.",
		Fix:     "Point --cacert at the provider's CA bundle (PEM, BEGIN CERTIFICATE blocks); `onramp inspect FILE` shows what the file holds."},
	{ID: APIKeyBase64Encoded, Group: "local", Source: seedHMPPS,
		Title:   "The API key looks Base64-encoded",
		Meaning: "The stored key looks Base64-encoded; APIs expect the key exactly as issued, and an encoded key is refused (often 403 Forbidden).",
		Fix:     "Store the key exactly as the provider issued it: `onramp secret set api-key --profile P` and paste the original value."},
	{ID: APIKeyWhitespace, Group: "local",
		Title:   "The API key has stray whitespace",
		Meaning: "Leading or trailing spaces or a newline, usually from copy and paste, become part of the header value.",
		Fix:     "Store the key again without the whitespace: `onramp secret set api-key --profile P` (or `printf %s KEY | onramp secret set ...`)."},

	// Network.
	{ID: DNSNoSuchHost, Group: "network",
		Title:   "The host name does not resolve",
		Meaning: "DNS has no address for the host: a typo, the wrong environment's host name, or a private name this network cannot see.",
		Fix:     "Check the host name against the provider's list of environments; `onramp diagnose --resolve HOST:443:ADDR` tests a known address."},
	{ID: DNSFailure, Group: "network",
		Title:   "The DNS resolver failed",
		Meaning: "The resolver timed out or answered with an error (SERVFAIL).",
		Fix:     "Check this machine's resolver (/etc/resolv.conf, VPN split DNS); retry, or use --resolve HOST:PORT:ADDR to bypass DNS while testing."},
	{ID: TCPRefused, Group: "network",
		Title:   "Nothing is listening on that host and port",
		Meaning: "The connection was actively refused.",
		Fix:     "Check the port in the URL (https defaults to 443) and that the service is running; for the local sandbox start `onramp sandbox` first."},
	{ID: TCPTimeout, Group: "network",
		Title:   "The connection attempt timed out",
		Meaning: "No answer to the connection: a firewall, an IP allow-list that does not include this machine, or the wrong port.",
		Fix:     "Ask the provider to allow-list this machine's public egress IP, and check outbound firewall and proxy rules for this port."},
	{ID: TCPReset, Group: "network",
		Title:   "The connection was reset",
		Meaning: "Something reset the connection before or during the handshake: a middlebox, a proxy, or a server that drops unknown clients.",
		Fix:     "Check for an intercepting proxy (HTTPS_PROXY) or firewall; if the server drops clients it does not know, confirm this machine's IP and certificate are registered."},

	// Proxies and middleboxes.
	{ID: ProxyUnreachable, Group: "proxy",
		Title:   "The proxy does not answer",
		Meaning: "This machine is configured to use a proxy (HTTPS_PROXY, --proxy), and the proxy refused the connection, did not answer, or its name does not resolve.",
		Fix:     "Check the proxy address in HTTPS_PROXY/https_proxy or --proxy (host and port, as your IT team gives it); if this network needs no proxy, unset the variable or add the API host to NO_PROXY."},
	{ID: ProxyAuthRequired, Group: "proxy",
		Title:   "The proxy wants credentials (407 Proxy Authentication Required)",
		Meaning: "The proxy refused to open the tunnel until it gets credentials, or refused the ones sent.",
		Fix:     "Store the proxy password with `onramp secret set proxy-password --profile P` (or pass --proxy-user-env VAR) and give the user name in the proxy URL (http://USER@proxy:port); ask your IT team which account the proxy expects."},
	{ID: ProxyTunnelRefused, Group: "proxy",
		Title:   "The proxy will not open a tunnel to this host",
		Meaning: "The proxy answered CONNECT with a refusal (403, 502, 503): its policy blocks this host, category or port.",
		Fix:     "Ask your IT team to allow CONNECT to the API's host and port through the proxy (name both); until then, try from a network without that policy."},
	{ID: TLSIntercepted, Group: "proxy",
		Title:   "A TLS-inspecting proxy answered in the server's place",
		Meaning: "The server chain is issued by a corporate or security-vendor CA (Zscaler, Netskope, Palo Alto, ...), not the provider's: a security product is decrypting the traffic. Mutual TLS cannot pass through it.",
		Fix:     "Ask your IT team to exempt the API's host from TLS inspection (mutual TLS cannot pass through it); the report names the issuing CA to quote to them."},
	{ID: ClientCertNotRequested, Group: "proxy",
		Title:   "The server never asked for a client certificate",
		Meaning: "The provider requires mutual TLS, but the server did not send a CertificateRequest: an intercepting proxy, the wrong host or environment, or a load balancer that does not pass client certificates.",
		Fix:     "Check the URL is the provider's mutual-TLS host for this environment; if it is, ask your IT team whether a proxy inspects TLS to that host and have it exempted."},
	{ID: UnexpectedRedirect, Group: "proxy",
		Title:   "The API answered with a redirect",
		Meaning: "The answer was a 3xx redirect: usually the wrong scheme, host or path, or a login page in front of the API. API clients do not follow it, and secrets must not follow it to another host.",
		Fix:     "Use the URL the provider documents for this environment (https, the exact host and path); the detail names the Location the server pointed to."},

	// TLS handshake.
	{ID: TLSNotTLS, Group: "tls",
		Title:   "The port does not speak TLS",
		Meaning: "The server answered with plain HTTP or another protocol.",
		Fix:     "Use the TLS port (usually 443) or the http:// URL if the service really is plain HTTP; check the port number."},
	{ID: TLSVersionMismatch, Group: "tls", Source: seedDCS,
		Title:   "No TLS version both sides accept",
		Meaning: "The client and server share no protocol version (most APIs now require TLS 1.2 or later).",
		Fix:     "Use a client that speaks TLS 1.2 or later; if the server only offers older versions, ask its operator to enable TLS 1.2."},
	{ID: TLSNoCommonCipher, Group: "tls",
		Title:   "No cipher suite both sides accept",
		Meaning: "The handshake failed without the server asking for a client certificate.",
		Fix:     "Check the client's TLS configuration and library version; compare with `openssl s_client -connect HOST:443 -tls1_2`."},
	{ID: TLSHandshakeTimeout, Group: "tls",
		Title:   "The TLS handshake never finished",
		Meaning: "TCP connected but the server did not complete the handshake in time.",
		Fix:     "Check for a proxy or load balancer that accepts connections but does not forward them; confirm the port serves TLS."},
	{ID: ServerCertUntrusted, Group: "tls", Source: seedDCS,
		Title:   "SSL certificate problem: unable to get local issuer certificate",
		Meaning: "The server's certificate does not chain to a CA this client trusts: the CA bundle is missing or wrong, so the client has not trusted the server's certificates.",
		Fix:     "Pass the provider's CA bundle with --cacert FILE (or set cacert in the profile); `onramp inspect FILE` shows which CAs it holds."},
	{ID: ServerCertSelfSigned, Group: "tls",
		Title:   "The server presents a self-signed certificate",
		Meaning: "The certificate signs itself and is not in the CA bundle.",
		Fix:     "If this server is yours, add its certificate to the --cacert bundle; otherwise ask the provider for the CA bundle to trust."},
	{ID: ServerChainIncomplete, Group: "tls",
		Title:   "The server does not send its intermediate certificate",
		Meaning: "The server's certificate was issued by an intermediate CA that the server does not send and the client does not trust.",
		Fix:     "Ask the server's operator to serve the full chain; as a stop-gap, add the intermediate to your --cacert bundle."},
	{ID: ServerCertExpired, Group: "tls",
		Title:   "The server's certificate has expired",
		Meaning: "The server presents a certificate whose validity has ended.",
		Fix:     "Tell the provider their certificate has expired (the report from `onramp diagnose --report FILE` shows its dates); check this machine's clock too."},
	{ID: ServerCertNotYetValid, Group: "tls",
		Title:   "The server's certificate is not valid yet",
		Meaning: "Its validity starts in the future, or this machine's clock is behind.",
		Fix:     "Check this machine's clock (timedatectl); if it is right, tell the provider their certificate is not valid yet."},
	{ID: ServerCertHostnameMismatch, Group: "tls",
		Title:   "The server's certificate is not for this host name",
		Meaning: "None of the certificate's names match the host in the URL.",
		Fix:     "Use the host name the certificate is issued for (the report lists its names); with an IP address or tunnel, use --resolve HOST:PORT:ADDR and keep the real host name in the URL."},
	{ID: ClientCertNotSent, Group: "tls", Source: seedDCS,
		Title:   "No required SSL certificate was sent",
		Meaning: "The server requires a client certificate and none was sent.",
		Fix:     "Send your client certificate and key: --cert CERT --key KEY (curl: --cert and --key)."},
	{ID: ClientCertWrongIssuer, Group: "tls",
		Title:   "The client certificate is not from a CA the server accepts",
		Meaning: "The server's certificate request lists the CAs it accepts, and this certificate's issuer is not among them.",
		Fix:     "Use the certificate the provider issued for this environment (each environment may have its own client CA); the detail names your issuer and the CAs the server accepts."},
	{ID: ClientCertRejected, Group: "tls", Source: seedDCS,
		Title:   "SSL certificate error: the server refused the client certificate",
		Meaning: "You sent the wrong client certificate: the server does not accept the one that was sent.",
		Fix:     "Check you are using the certificate issued for this service and environment, with its matching key; `onramp inspect CERT KEY` shows its issuer and dates."},
	{ID: ClientCertRevoked, Group: "tls",
		Title:   "The client certificate has been revoked",
		Meaning: "The server says the certificate is revoked (OCSP or CRL).",
		Fix:     "Ask the provider for a new certificate: make a new key and CSR with `onramp keygen --csr`, send it, and import the result."},
	{ID: TLSHandshakeFailed, Group: "tls",
		Title:   "The TLS handshake failed",
		Meaning: "A handshake failure that matches no more specific cause; the detail names the alert or error.",
		Fix:     "Compare with `openssl s_client -connect HOST:PORT -cert CERT -key KEY -CAfile CA` and send the report (onramp diagnose --report FILE) to the provider."},

	// HTTP and API authentication.
	{ID: APIKeyMissing, Group: "http", Source: seedHMPPS,
		Title:   "The API needs an API key and none was sent",
		Meaning: "The request had no API key header (each provider names its own: `onramp profile providers ID` shows it).",
		Fix:     "Store the key with `onramp secret set api-key --profile P`, or pass --api-key-env VAR with the header set by --api-key-header."},
	{ID: APIKeyRejected, Group: "http", Source: seedHMPPS,
		Title:   "The API key was refused",
		Meaning: "An API key was sent and the API refused it (401 or 403 to a wrong, revoked or re-encoded key).",
		Fix:     "Check the key is for this environment and sent exactly as issued, not Base64-encoded, in the right header; ask the provider to confirm it is active."},
	{ID: ConsumerNotConfigured, Group: "http", Source: seedHMPPS,
		Title:   "The provider has no authorisation set up for this consumer",
		Meaning: "The client certificate and API key were accepted, but the provider has no authorisation configured for this consumer in this environment.",
		Fix:     "Only the provider can fix this: send them the report (onramp diagnose --report FILE) and ask them to configure access for your consumer in this environment."},
	{ID: AccessSuspended, Group: "http", Source: seedHMPPS,
		Title:   "The provider has suspended this consumer's access",
		Meaning: "The provider answered that access for this consumer is suspended.",
		Fix:     "Contact the provider's support team to find out why access was suspended and to restore it; retrying will not help."},
	{ID: APIKeyWrongRole, Group: "http", Source: seedSecurosys,
		Title:   "The API key's role does not allow this endpoint",
		Meaning: "Role-based keys only open the endpoints of their role.",
		Fix:     "Use the key of the role this endpoint needs (the detail names it; `onramp profile providers ID` shows the role table), stored under that role's name."},
	{ID: TokenMissing, Group: "http",
		Title:   "The API needs a bearer token and none was sent",
		Meaning: "The server answered 401 and asks for a Bearer token.",
		Fix:     "Get a token with `onramp token --profile P` and send it as Authorization: Bearer TOKEN, or let `onramp diagnose --profile P` do both."},
	{ID: TokenRejected, Group: "http", Source: seedNHS,
		Title:   "The bearer token was refused",
		Meaning: "The token is invalid or has expired (access tokens are short-lived: minutes, not days).",
		Fix:     "Fetch a fresh token: `onramp token --profile P --no-cache`; long-running clients must refresh before the token's expires_in is up."},
	{ID: EndpointNotFound, Group: "http", Source: seedHMPPS,
		Title:   "The endpoint was not found",
		Meaning: "Wrong path, version prefix or environment host.",
		Fix:     "Check the path, its version prefix and the host against the provider's documentation for this environment."},
	{ID: MethodNotAllowed, Group: "http",
		Title:   "The HTTP method is not allowed here",
		Meaning: "The endpoint does not accept this method (a token endpoint wants POST).",
		Fix:     "Use the documented method, e.g. -X POST for /token."},
	{ID: RateLimited, Group: "http",
		Title:   "The API key is being rate limited",
		Meaning: "The server answered 429 Too Many Requests.",
		Fix:     "Wait for the time in Retry-After before retrying, and back off in your client; ask the provider if your quota is too low."},
	{ID: ServiceUnavailable, Group: "http", Source: seedDCS,
		Title:   "The service is unavailable",
		Meaning: "The service is down or in a scheduled outage (503, or a status endpoint reporting available:false or scheduled outages).",
		Fix:     "Wait and retry after the Retry-After time; check the provider's status page or status endpoint."},
	{ID: ServerError, Group: "http",
		Title:   "The server failed",
		Meaning: "The server answered with a 5xx error.",
		Fix:     "Retry later; if it persists send the report (onramp diagnose --report FILE) to the provider's helpdesk."},
	{ID: UnexpectedResponse, Group: "http",
		Title:   "The endpoint answered, but not as the provider documents",
		Meaning: "The status or health endpoint's answer differs from what the provider's documentation says it should be.",
		Fix:     "Check the URL is the provider's documented status endpoint for this environment; a proxy or captive portal may be answering instead."},

	// Signed JWT and OAuth.
	{ID: JWTKeyNotConfigured, Group: "jwt", Source: seedNHS,
		Title:   "Signed-JWT authentication has no private key or kid",
		Meaning: "The profile asks for signed-JWT authentication but lacks the private key file or the key id (kid).",
		Fix:     "Make a key pair and JWKS with `onramp keygen --type rsa --bits 4096 --jwks --kid KID --out DIR`, register the public key, and set the key and kid in the profile (onramp init)."},
	{ID: OAuthInvalidClient, Group: "jwt", Source: seedNHS,
		Title:   "The token endpoint does not recognise the client",
		Meaning: "The iss/sub claims (your API key) are wrong, or the application does not have the API added.",
		Fix:     "Use the API key of the application that has this API (its signed-JWT variant) added in the provider's developer portal, for this environment."},
	{ID: JWTKidUnknown, Group: "jwt", Source: seedNHS,
		Title:   "No public key is registered for this kid",
		Meaning: "The token endpoint has no public key with the key id in the JWT header.",
		Fix:     "Register the JWKS for this key (onramp keygen --jwks) with the application, or set the kid the public key was registered under."},
	{ID: JWTSignatureInvalid, Group: "jwt", Source: seedNHS,
		Title:   "The registered public key does not verify the signature",
		Meaning: "The private key signing the JWT is not the pair of the registered public key (key pair and JWKS out of step).",
		Fix:     "Sign with the private key whose public half is registered, or register the JWKS of the key in use: `onramp keygen` writes both together."},
	{ID: JWTClaimsInvalid, Group: "jwt", Source: seedNHS,
		Title:   "The token endpoint refused the JWT's claims",
		Meaning: "aud is not the token URL (often: signed for one environment, posted to another), exp is more than 5 minutes ahead, or jti is missing or reused.",
		Fix:     "Set aud to this environment's token URL, exp at most 5 minutes ahead and a fresh jti per request; `onramp token` builds the assertion this way."},
	{ID: ClockSkew, Group: "jwt",
		Title:   "This machine's clock is wrong",
		Meaning: "The local clock differs from the server's enough to break JWT or certificate validity checks.",
		Fix:     "Synchronise the clock (timedatectl set-ntp true, or your OS's time settings), then retry."},

	// Keyring.
	{ID: KeyringUnavailable, Group: "keyring",
		Title:   "No OS keyring answers",
		Meaning: "There is no Secret Service or D-Bus session, the keyring is locked, or it did not answer in time.",
		Fix:     "Linux: start and unlock a Secret Service (GNOME Keyring or KeePassXC) in a desktop session; over SSH, WSL or in containers pass secrets with --api-key-env VAR instead. macOS: unlock the login keychain."},
	{ID: KeyringItemTooLarge, Group: "keyring",
		Title:   "The secret is too large for the OS keyring",
		Meaning: "The keyring refuses items this large (Windows about 2560 bytes, macOS about 3000).",
		Fix:     "Keep large material (private keys) in a 0600 file and store only its passphrase in the keyring."},
	{ID: KeyringSecretMissing, Group: "keyring",
		Title:   "A secret the profile names is not in the keyring",
		Meaning: "The profile expects a secret that was never stored or was deleted.",
		Fix:     "Store it: `onramp secret set NAME --profile P` (the value is read from stdin or a masked prompt)."},
}

var byID = func() map[ID]Cause {
	m := make(map[ID]Cause, len(catalog))
	for _, c := range catalog {
		m[c.ID] = c
	}
	return m
}()

// Lookup returns the catalog entry for id.
func Lookup(id ID) (Cause, bool) {
	c, ok := byID[id]
	return c, ok
}

// Parse returns the id named by s (a user's `explain --id`, a stored check
// result) when it is in the catalog.
func Parse(s string) (ID, bool) {
	_, ok := byID[ID(s)]
	return ID(s), ok
}

// Get returns the catalog entry for id. Every ID constant is in the catalog
// (the package's tests check it), so only an ID made from an unchecked string
// can miss; that is a programming error and panics.
func Get(id ID) *Cause {
	c, ok := byID[id]
	if !ok {
		panic("cause: unknown id " + string(id))
	}
	return &c
}

// All returns the whole catalog sorted by id.
func All() []Cause {
	out := append([]Cause(nil), catalog...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Carrier is an error that names its cause.
type Carrier interface {
	error
	CauseID() ID
}

// Of returns the catalog cause an error carries: the first error in the chain
// with a CauseID method. An error that also knows the fix on this machine
// (a CauseFix method, e.g. which keyring to unlock) gives that fix instead
// of the catalog's, so every front end shows the same one; one that knows
// which case of the cause it is (CauseTitle, CauseMeaning: a locked keyring
// rather than none at all) says that instead of the cause's general words.
func Of(err error) (*Cause, bool) {
	var c interface{ CauseID() ID }
	if errors.As(err, &c) {
		if k, ok := Lookup(c.CauseID()); ok {
			if f, ok := c.(interface{ CauseFix() string }); ok && f.CauseFix() != "" {
				k.Fix = f.CauseFix()
			}
			if f, ok := c.(interface{ CauseTitle() string }); ok && f.CauseTitle() != "" {
				k.Title = f.CauseTitle()
			}
			if f, ok := c.(interface{ CauseMeaning() string }); ok && f.CauseMeaning() != "" {
				k.Meaning = f.CauseMeaning()
			}
			return &k, true
		}
	}
	return nil, false
}
