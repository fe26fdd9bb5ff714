import ArgumentParser
import FerryRegistry

/// `--creds`, `--tls-verify`, `--cert-dir` for commands that read or write one registry.
struct RegistryFlags: ParsableArguments {
    @Option(help: ArgumentHelp("Registry credentials as USER:PASSWORD (default: docker config.json / auth.json).", valueName: "user:password"))
    var creds: String?

    @Option(help: ArgumentHelp("Verify the registry's TLS certificate; false also allows plain HTTP.", valueName: "bool"))
    var tlsVerify: Bool = true

    @Option(help: ArgumentHelp("A directory of extra CA certificates (*.crt, such as ca.crt) to trust.", valueName: "dir"))
    var certDir: String?

    func validate() throws {
        if let creds { _ = try parseCredentials(creds) }
    }

    /// The options for FerryRegistry.
    var options: RegistryOptions {
        get throws {
            RegistryOptions(credentials: try creds.map(parseCredentials), tlsVerify: tlsVerify, certificateDirectory: certDir)
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
