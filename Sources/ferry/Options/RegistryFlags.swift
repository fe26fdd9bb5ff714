import ArgumentParser
import FerryRegistry
import Foundation

/// `--creds`, `--tls-verify`, `--cert-dir`, `--client-cert` / `--client-key` for commands that
/// read or write one registry.
struct RegistryFlags: ParsableArguments {
    @Option(help: ArgumentHelp("Registry credentials as USER:PASSWORD (default: docker config.json / auth.json).", valueName: "user:password"))
    var creds: String?

    @OptionGroup var tls: RegistryTLSFlags

    func validate() throws {
        _ = try options
    }

    /// The options for FerryRegistry.
    var options: RegistryOptions {
        get throws { try tls.options(credentials: creds) }
    }
}

/// `--tls-verify`, `--cert-dir`, `--client-cert` / `--client-key`: how to reach one registry,
/// without credentials (`ferry login` takes those its own way).
struct RegistryTLSFlags: ParsableArguments {
    @Option(help: ArgumentHelp("Verify the registry's TLS certificate; false also allows plain HTTP.", valueName: "bool"))
    var tlsVerify: Bool = true

    @Option(help: ArgumentHelp("A certificate directory: CA certificates (*.crt) to trust and a client.cert/client.key pair for mutual TLS (default: /etc/containers/certs.d/HOST:PORT, /etc/docker/certs.d/HOST:PORT).", valueName: "dir"))
    var certDir: String?

    @Option(help: ArgumentHelp("A client certificate (PEM) for mutual TLS; needs --client-key.", valueName: "file"))
    var clientCert: String?

    @Option(help: ArgumentHelp("The private key (PEM) of --client-cert.", valueName: "file"))
    var clientKey: String?

    func validate() throws {
        _ = try options(credentials: nil)
    }

    /// The options for FerryRegistry, with `credentials` (`USER:PASSWORD`) if given.
    func options(credentials: String?) throws -> RegistryOptions {
        try registryOptions(creds: credentials, tlsVerify: tlsVerify, certDir: certDir, clientCert: clientCert, clientKey: clientKey, prefix: "")
    }
}

/// The options for FerryRegistry from one registry's flags, checked.
/// - Parameter prefix: how the flags are prefixed on the command line (`src-`, `dest-` or none),
///   for messages.
/// - Throws: `ValidationError` for credentials that are not `USER:PASSWORD` or a client
///   certificate without its key (or the reverse).
///   The low-speed limit and list bounds come from the environment (`FERRY_LOW_SPEED_LIMIT`,
///   `FERRY_LOW_SPEED_TIME`, `FERRY_LIST_MAX_PAGES`, `FERRY_LIST_MAX_ENTRIES`).
func registryOptions(creds: String?, tlsVerify: Bool, certDir: String?, clientCert: String?, clientKey: String?, prefix: String) throws -> RegistryOptions {
    var options = RegistryOptions(
        credentials: try creds.map(parseCredentials), tlsVerify: tlsVerify, certificateDirectory: certDir,
        clientCertificate: try clientCertificate(certificate: clientCert, key: clientKey, prefix: prefix))
    let environment = ProcessInfo.processInfo.environment
    do {
        options.lowSpeed = try LowSpeedLimit(environment: environment)
        options.listLimits = try ListLimits(environment: environment)
    } catch {
        throw ValidationError(error.message)
    }
    return options
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
