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

// ClientName is how a client is named to a person ("" for one onramp does
// not know).
func ClientName(client string) string {
	return map[string]string{ClientJava: "Java", ClientPython: "Python", ClientNode: "Node.js",
		ClientDotNet: ".NET", ClientCurl: "curl", ClientGo: "Go"}[client]
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

var clientFixes = map[ID]map[string]string{
	ServerCertUntrusted:   trustFixes,
	ServerCertSelfSigned:  trustFixes,
	ServerChainIncomplete: trustFixes,
	ClientCertNotSent:     sendCertFixes,
}

// FixFor is the fix in the words of client ("java", "python", …) and
// whether there is one; otherwise the general fix and false.
func (c *Cause) FixFor(client string) (string, bool) {
	if f, ok := clientFixes[c.ID][client]; ok {
		return f, true
	}
	return c.Fix, false
}
