package cause

// Clients whose own words a fix can speak: explain knows which one printed
// the text it was given.
const (
	ClientJava   = "java"
	ClientPython = "python"
	ClientNode   = "node"
	ClientDotNet = "dotnet"
	ClientCurl   = "curl"
	ClientGo     = "go"
)

// clients are the clients a fix can be said for, in the order they are
// offered, with how each is named to a person.
var clients = []struct{ id, name string }{
	{ClientJava, "Java"}, {ClientPython, "Python"}, {ClientNode, "Node.js"},
	{ClientDotNet, ".NET"}, {ClientCurl, "curl"}, {ClientGo, "Go"},
}

// ClientName is how a client is named to a person ("" for one onramp does
// not know).
func ClientName(client string) string {
	for _, c := range clients {
		if c.id == client {
			return c.name
		}
	}
	return ""
}

// trustFixes say, per client, how to trust a private CA: the causes where
// the client does not trust the server's certificate.
var trustFixes = map[string]string{
	ClientJava: "Import the provider's CA certificate into a truststore and run the JVM with it: " +
		"`keytool -importcert -alias provider-ca -file ca.pem -keystore truststore.p12 -storetype PKCS12`, then " +
		"`-Djavax.net.ssl.trustStore=truststore.p12 -Djavax.net.ssl.trustStoreType=PKCS12`. `onramp inspect ca.pem` shows which CAs the file holds.",
	ClientPython: "Give the client the provider's CA bundle: requests `verify=\"/path/ca.pem\"` (or REQUESTS_CA_BUNDLE=/path/ca.pem); " +
		"ssl and urllib `ssl.create_default_context(cafile=\"/path/ca.pem\")`. Never verify=False.",
	ClientNode: "Give the agent the provider's CA: `new https.Agent({ ca: fs.readFileSync(\"ca.pem\") })`, " +
		"or start node with NODE_EXTRA_CA_CERTS=/path/ca.pem. Never NODE_TLS_REJECT_UNAUTHORIZED=0.",
	ClientDotNet: "Trust the provider's CA where the service runs: on Windows import ca.pem into Local Computer > Trusted Root " +
		"Certification Authorities (certlm.msc); on Linux copy it to /usr/local/share/ca-certificates/ as .crt and run update-ca-certificates.",
	ClientCurl: "Pass the provider's CA bundle: `curl --cacert /path/ca.pem …`; `onramp inspect ca.pem` shows which CAs it holds.",
	ClientGo: "Add the provider's CA to tls.Config.RootCAs (`pool := x509.NewCertPool(); pool.AppendCertsFromPEM(caPEM)`), " +
		"or run with SSL_CERT_FILE=/path/ca.pem.",
}

// sendCertFixes say, per client, how to present the client certificate.
var sendCertFixes = map[string]string{
	ClientJava: "Put the certificate and key in a PKCS#12 keystore " +
		"(`openssl pkcs12 -export -in client.crt -inkey client.key -out client.p12`) and run the JVM with " +
		"`-Djavax.net.ssl.keyStore=client.p12 -Djavax.net.ssl.keyStoreType=PKCS12 -Djavax.net.ssl.keyStorePassword=…`.",
	ClientPython: "Pass the pair: requests `cert=(\"client.crt\", \"client.key\")`; ssl `ctx.load_cert_chain(\"client.crt\", \"client.key\")`.",
	ClientNode:   "Pass the pair to the agent: `new https.Agent({ cert: fs.readFileSync(\"client.crt\"), key: fs.readFileSync(\"client.key\") })`.",
	ClientDotNet: "Add the certificate to the handler: `handler.ClientCertificates.Add(X509Certificate2.CreateFromPemFile(\"client.crt\", \"client.key\"))` " +
		"(on Windows, export it to a .pfx and load that: SChannel needs a stored key).",
	ClientCurl: "Pass the pair: `curl --cert client.crt --key client.key …`.",
	ClientGo:   "Load the pair into tls.Config.Certificates: `cert, err := tls.LoadX509KeyPair(\"client.crt\", \"client.key\")`.",
}

// hostnameFixes say, per client, how to reach a server by the name its
// certificate holds, never by turning the check off.
var hostnameFixes = map[string]string{
	ClientJava:   "Call the host name the certificate names (the detail lists them), not an IP or an alias; never install a HostnameVerifier that accepts everything.",
	ClientPython: "Use a host name the certificate names in the URL; to reach it at another address, keep the name and map it (e.g. /etc/hosts) rather than verify=False or check_hostname=False.",
	ClientNode:   "Use a host name the certificate names in the URL (or `servername` in the agent options when you connect by address); never override checkServerIdentity to accept anything.",
	ClientDotNet: "Use a host name the certificate names in the URI; never return true from ServerCertificateCustomValidationCallback for RemoteCertificateNameMismatch.",
	ClientCurl:   "Use a host name the certificate names; to reach it at another address keep the name and add `--resolve HOST:443:ADDR` (never -k).",
	ClientGo:     "Use a host name the certificate names in the URL, or set tls.Config.ServerName to it when you dial an address; never InsecureSkipVerify.",
}

// passphraseFixes say, per client, how to give an encrypted key's
// passphrase, from the environment rather than the source code.
var passphraseFixes = map[string]string{
	ClientJava: "Java reads keys from a keystore: put the certificate and key in a PKCS#12 file " +
		"(`openssl pkcs12 -export -in client.crt -inkey client.key -out client.p12`, which asks for the key's passphrase) and pass " +
		"`-Djavax.net.ssl.keyStorePassword=…` from a secret, not the command history.",
	ClientPython: "requests cannot open an encrypted key: load it with ssl `ctx.load_cert_chain(\"client.crt\", \"client.key\", password=os.environ[\"KEY_PASS\"])` " +
		"and mount that context on the session, or keep a decrypted copy 0600 (`openssl pkey -in client.key -out plain.key`).",
	ClientNode:   "Pass the passphrase with the key: `new https.Agent({ cert, key, passphrase: process.env.KEY_PASS })`.",
	ClientDotNet: "Load the pair with its password: `X509Certificate2.CreateFromEncryptedPemFile(\"client.crt\", password, \"client.key\")`, the password from configuration or a secret store.",
	ClientCurl:   "Give curl the passphrase with `--pass` from a file or prompt (`--key client.key --pass \"$(cat passfile)\"`), or decrypt to a 0600 copy.",
	ClientGo: "tls.LoadX509KeyPair needs a decrypted key: decrypt once to a 0600 file (`openssl pkey -in client.key -out plain.key`) " +
		"or decrypt in code (PKCS#8 via a library) with the passphrase from the environment.",
}

// renewedCertFixes say, per client, where the renewed certificate goes.
var renewedCertFixes = map[string]string{
	ClientJava: "Once renewed, replace the keystore entry: rebuild client.p12 from the new certificate and the key " +
		"(`openssl pkcs12 -export -in new.crt -inkey client.key -out client.p12`) and restart the JVM; `keytool -list -v -keystore client.p12` shows the dates.",
	ClientPython: "Once renewed, point `cert=(\"new.crt\", \"client.key\")` (or load_cert_chain) at the new certificate and restart the process.",
	ClientNode:   "Once renewed, load the new certificate in the agent's `cert` and restart the process (agents read the file once).",
	ClientDotNet: "Once renewed, load the new certificate into handler.ClientCertificates (on Windows import the new .pfx and update the thumbprint your configuration names).",
	ClientCurl:   "Once renewed, pass the new certificate with `--cert new.crt --key client.key`.",
	ClientGo:     "Once renewed, load the new pair into tls.Config.Certificates (or reload it in GetClientCertificate, so a long-running process picks it up).",
}

// whichCertFixes say, per client, how to find and choose the certificate
// the client actually sends.
var whichCertFixes = map[string]string{
	ClientJava:   "Check which entry the keystore holds (`keytool -list -v -keystore client.p12`): a keystore with several keys may send the wrong one; keep only this environment's certificate in it.",
	ClientPython: "Check that `cert=` (or load_cert_chain) names this environment's certificate, and that the file holds it and its intermediates, leaf first.",
	ClientNode:   "Check that the agent's `cert` is this environment's certificate (with its intermediates appended, leaf first), with the matching `key`.",
	ClientDotNet: "Check which certificate handler.ClientCertificates holds (or which thumbprint the configuration loads from the store): it must be this environment's, with its private key.",
	ClientCurl:   "Check that `--cert` names this environment's certificate (intermediates appended, leaf first); `onramp inspect FILE` shows its issuer.",
	ClientGo:     "Check the pair in tls.Config.Certificates is this environment's (cert.Certificate holds the leaf and intermediates, leaf first).",
}

var clientFixes = map[ID]map[string]string{
	ServerCertUntrusted:        trustFixes,
	ServerCertSelfSigned:       trustFixes,
	ServerChainIncomplete:      trustFixes,
	ClientCertNotSent:          sendCertFixes,
	ServerCertHostnameMismatch: hostnameFixes,
	KeyEncryptedNoPassphrase:   passphraseFixes,
	KeyPassphraseWrong:         passphraseFixes,
	ClientCertExpired:          renewedCertFixes,
	ClientCertWrongIssuer:      whichCertFixes,
	ClientCertRejected:         whichCertFixes,
	ClientChainIncomplete:      whichCertFixes,
}

// Clients lists the clients a fix can be said for, in the order they are
// offered (--client, the profile's client setting).
func Clients() []string {
	out := make([]string, len(clients))
	for i, c := range clients {
		out[i] = c.id
	}
	return out
}

// FixFor is the fix in the words of client ("java", "python", …) and
// whether there is one; otherwise the general fix and false.
func (c *Cause) FixFor(client string) (string, bool) {
	if f, ok := clientFixes[c.ID][client]; ok {
		return f, true
	}
	return c.Fix, false
}

// Advice is what a front end knows about the user beyond the failure: the
// client they connect with and their provider's own notes per cause.
type Advice struct {
	// Client is a value of Clients, or "" when unknown.
	Client string
	// Provider names the provider the notes come from.
	Provider string
	// Notes is the provider's advice by cause (provider.Template.CauseNotes).
	Notes map[ID]string
}

// Apply returns c with the client's fix and the provider's note, a copy
// when there is anything to add (the catalog's entries stay as they are).
func (a Advice) Apply(c *Cause) *Cause {
	if c == nil {
		return nil
	}
	fix, hasFix := clientFixes[c.ID][a.Client]
	note := a.Notes[c.ID]
	if !hasFix && note == "" {
		return c
	}
	out := *c
	if hasFix {
		out.Client, out.ClientFix = a.Client, fix
	}
	if note != "" {
		out.Provider, out.ProviderNote = a.Provider, note
	}
	return &out
}
