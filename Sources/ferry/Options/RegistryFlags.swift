import ArgumentParser
import FerryEngine
import FerryRegistry
import Foundation

/// `--creds`, `--authfile`, `--tls-verify`, `--cert-dir`, `--client-cert` / `--client-key` for
/// commands that read or write one registry.
struct RegistryFlags: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Registry credentials as USER:PASSWORD, or USER to be asked for the password on the terminal (default: the auth files).",
            valueName: "user[:password]"))
    var creds: String?

    @Option(
        help: ArgumentHelp(
            "An auth.json to read credentials from first, as skopeo's --authfile (default: $REGISTRY_AUTH_FILE, then containers' auth.json and docker's config.json).",
            valueName: "file"))
    var authfile: String?

    @OptionGroup var tls: RegistryTLSFlags

    func validate() throws {
        _ = try tls.options(credentials: creds, authFile: authfile, prompting: false)
    }

    /// The options for FerryRegistry (asking for a password on the terminal for `--creds USER`).
    var options: RegistryOptions {
        get throws { try tls.options(credentials: creds, authFile: authfile) }
    }
}

/// `--tls-verify`, `--cert-dir`, `--client-cert` / `--client-key`: how to reach one registry,
/// without credentials (`ferry login` takes those its own way).
struct RegistryTLSFlags: ParsableArguments {
    @Option(help: ArgumentHelp("Verify the registry's TLS certificate (a bare --tls-verify means true); false also allows plain HTTP.", valueName: "bool"))
    var tlsVerify: Bool = true

    @Option(
        help: ArgumentHelp(
            "A certificate directory: CA certificates (*.crt) to trust and a client.cert/client.key pair for mutual TLS (default: /etc/containers/certs.d/HOST:PORT, /etc/docker/certs.d/HOST:PORT).",
            valueName: "dir"))
    var certDir: String?

    @Option(help: ArgumentHelp("A client certificate (PEM) for mutual TLS; needs --client-key.", valueName: "file"))
    var clientCert: String?

    @Option(help: ArgumentHelp("The private key (PEM) of --client-cert.", valueName: "file"))
    var clientKey: String?

    func validate() throws {
        _ = try options(credentials: nil, authFile: nil, prompting: false)
    }

    /// The options for FerryRegistry, with `credentials` (`USER[:PASSWORD]`) and an auth file if
    /// given.
    func options(credentials: String?, authFile: String?, prompting: Bool = true) throws -> RegistryOptions {
        try registryOptions(
            creds: credentials, authFile: authFile, tlsVerify: tlsVerify, certDir: certDir, clientCert: clientCert, clientKey: clientKey, prefix: "",
            prompting: prompting)
    }
}

/// The options for FerryRegistry from one registry's flags, checked.
/// - Parameter prefix: how the flags are prefixed on the command line (`src-`, `dest-` or none),
///   for messages.
/// - Parameters:
///   - creds: `USER:PASSWORD`, or `USER` alone to be asked for the password on the terminal
///     (only when `prompting`; validation passes `false`).
///   - authFile: an auth.json read first (`--authfile`), as `REGISTRY_AUTH_FILE` is.
///   - prompting: whether this is the run (not validation): only then is a password asked for
///     and containers' registries.conf read (``RegistriesConfFiles``).
/// - Throws: `ValidationError` for credentials with an empty user, no terminal to ask a
///   password on, or a client certificate without its key (or the reverse).
///   The low-speed limit and list bounds come from the environment (`FERRY_LOW_SPEED_LIMIT`,
///   `FERRY_LOW_SPEED_TIME`, `FERRY_LIST_MAX_PAGES`, `FERRY_LIST_MAX_ENTRIES`).
func registryOptions(
    creds: String?, authFile: String? = nil, tlsVerify: Bool, certDir: String?, clientCert: String?, clientKey: String?, prefix: String, prompting: Bool = true
) throws -> RegistryOptions {
    var options = RegistryOptions(
        credentials: try creds.map { try parseCredentials($0, flag: "--\(prefix)creds", prompting: prompting) },
        tlsVerify: tlsVerify, certificateDirectory: certDir,
        clientCertificate: try clientCertificate(certificate: clientCert, key: clientKey, prefix: prefix))
    var environment = ProcessInfo.processInfo.environment
    if let authFile {
        guard !authFile.isEmpty else { throw ValidationError("--\(prefix)authfile needs a file name") }
        environment["REGISTRY_AUTH_FILE"] = authFile
        options.environment = environment
    }
    if prompting { options.registriesConfiguration = try loadRegistriesConfiguration(environment: environment) }
    do {
        options.lowSpeed = try LowSpeedLimit(environment: environment)
        options.listLimits = try ListLimits(environment: environment)
    } catch {
        throw ValidationError(error.message)
    }
    return options
}

/// Containers' registries.conf files as `environment` finds them (``RegistriesConfFiles``).
/// - Throws: `ValidationError` (exit 2) naming `file:line` for a file Ferry cannot read.
func loadRegistriesConfiguration(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> RegistriesConfiguration {
    do {
        return try RegistriesConfFiles.load(environment: environment)
    } catch {
        throw ValidationError(FailureKind.message(for: error))
    }
}

/// Parses `USER:PASSWORD`; `USER` alone asks for the password on the terminal when `prompting`
/// (else stands for it with an empty one). Failures are validation errors.
func parseCredentials(_ text: String, flag: String, prompting: Bool) throws -> Credentials {
    guard !text.contains(":") else {
        do {
            return try Credentials(parsing: text)
        } catch {
            throw ValidationError(error.message)
        }
    }
    guard !text.isEmpty else { throw ValidationError("\(flag) needs USER or USER:PASSWORD") }
    guard prompting else { return Credentials(username: text, password: "") }
    return Credentials(username: text, password: try PasswordPrompt.password(for: text, flag: flag))
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
