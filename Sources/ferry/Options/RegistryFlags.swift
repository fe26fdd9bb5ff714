import ArgumentParser
import FerryRegistry

/// `--creds`, `--tls-verify`, `--cert-dir`, `--client-cert` / `--client-key` for commands that
/// read or write one registry.
struct RegistryFlags: ParsableArguments {
    @Option(help: ArgumentHelp("Registry credentials as USER:PASSWORD (default: docker config.json / auth.json).", valueName: "user:password"))
    var creds: String?

    @Option(help: ArgumentHelp("Verify the registry's TLS certificate; false also allows plain HTTP.", valueName: "bool"))
    var tlsVerify: Bool = true

    @Option(help: ArgumentHelp("A certificate directory: CA certificates (*.crt) to trust and a client.cert/client.key pair for mutual TLS (default: /etc/containers/certs.d/HOST:PORT, /etc/docker/certs.d/HOST:PORT).", valueName: "dir"))
    var certDir: String?

    @Option(help: ArgumentHelp("A client certificate (PEM) for mutual TLS; needs --client-key.", valueName: "file"))
    var clientCert: String?

    @Option(help: ArgumentHelp("The private key (PEM) of --client-cert.", valueName: "file"))
    var clientKey: String?

    func validate() throws {
        if let creds { _ = try parseCredentials(creds) }
        _ = try clientCertificate(certificate: clientCert, key: clientKey, prefix: "")
    }

    /// The options for FerryRegistry.
    var options: RegistryOptions {
        get throws {
            RegistryOptions(
                credentials: try creds.map(parseCredentials), tlsVerify: tlsVerify, certificateDirectory: certDir,
                clientCertificate: try clientCertificate(certificate: clientCert, key: clientKey, prefix: ""))
        }
    }
}

/// Parses `USER:PASSWORD` as a validation error on failure.
func parseCredentials(_ text: String) throws -> Credentials {
    do {
        return try Credentials(parsing: text)
    } catch {
        throw ValidationError(error.message)
    }
}

/// The client certificate of `--PREFIXclient-cert` and `--PREFIXclient-key`: both or neither.
func clientCertificate(certificate: String?, key: String?, prefix: String) throws -> ClientCertificate? {
    switch (certificate, key) {
    case (nil, nil): return nil
    case (let certificate?, let key?): return ClientCertificate(certificateFile: certificate, keyFile: key)
    case (nil, _): throw ValidationError("--\(prefix)client-key needs --\(prefix)client-cert")
    case (_, nil): throw ValidationError("--\(prefix)client-cert needs --\(prefix)client-key")
    }
}
