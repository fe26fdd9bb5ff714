import ArgumentParser
import FerryRegistry
import Foundation

/// `ferry login HOST [-u USER] [--password-stdin] [--authfile FILE]`
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Check credentials against a registry and store them in docker's config.json.",
        usage: "ferry login [<options>] <host> [--username <user>] [--password-stdin]",
        discussion: """
            On a terminal the user name (unless -u is given) and the password are asked for, the \
            password without echo; --password-stdin reads it from standard input instead (never \
            from the command line). The entry is written to --authfile, else $REGISTRY_AUTH_FILE, \
            else $DOCKER_CONFIG/config.json (default ~/.docker/config.json) as "auths", file mode \
            0600; other keys in the file are kept.

            registries.conf applies as in podman login: the [[registry]] entry matching HOST \
            makes the check skip TLS verification (insecure = true, plain HTTP allowed) or \
            refuses the login (blocked = true); its location is not applied, and the \
            credentials are stored under HOST. When registries.conf sets credential-helpers, \
            they go to the first listed (containers-auth.json: the file above; NAME: \
            docker-credential-NAME store).

            Examples:
              ferry login localhost:5000 -u me
              printf %s "$TOKEN" | ferry login localhost:5000 -u me --password-stdin
            """)

    @Argument(help: "The registry: HOST[:PORT].")
    var host: String

    @Option(name: .shortAndLong, help: "The user name (asked for on a terminal when left out).")
    var username: String?

    @Flag(help: "Read the password from standard input instead of asking on the terminal.")
    var passwordStdin = false

    @Option(help: ArgumentHelp("The auth.json to write, as skopeo's --authfile (default: $REGISTRY_AUTH_FILE, else docker's config.json).", valueName: "file"))
    var authfile: String?

    @OptionGroup var tls: RegistryTLSFlags

    @Flag(help: "Print the result as JSON (schema: docs/json-output.md).")
    var json = false

    func validate() throws {
        guard !host.contains("/") else { throw ValidationError("give the registry as HOST[:PORT], without a scheme or path") }
        if passwordStdin && username == nil { throw ValidationError("--password-stdin needs --username") }
        if let authfile, authfile.isEmpty { throw ValidationError("--authfile needs a file name") }
    }

    func run() async throws {
        try await runReportingErrors {
            var options = try tls.options(credentials: nil, authFile: nil)
            // As podman login (containers/image docker.CheckAuth): the entry for HOST itself
            // decides insecure and blocked, before anything is asked or sent; no location rewrite.
            let entry = try options.registriesConfiguration.loginSettings(forHost: host)
            if entry.insecure { options.tlsVerify = false }
            let credentials = try readCredentials()
            let username = credentials.username
            options.credentials = credentials
            if !options.tlsVerify, !RegistryURL.isLoopback(host: RegistryURL.host("https://" + host)) {
                let cause = entry.insecure && tls.tlsVerify ? "insecure = true (registries.conf entry at \(entry.origin ?? ""))" : "--tls-verify=false"
                let warning =
                    "ferry login: warning: \(cause): the password of \(username) goes to \(host) unencrypted if the registry answers plain HTTP, and to whatever server answers if it speaks HTTPS (its certificate is not checked)\n"
                FileHandle.standardError.write(Data(TerminalText.escaped(warning, keepingLines: true).utf8))
            }
            try await withRegistryClient(host, options: options) { client in
                try await client.checkCredentials()
            }
            let store = credentialStore(authfile, helpers: options.registriesConfiguration.credentialHelpers)
            let stored = try store.store(credentials, for: host)
            if json {
                print(
                    try prettyJSON(
                        LoginJSON(registry: host, username: username, credentialsFile: stored.file, credentialHelper: stored.file == nil ? stored.place : nil)))
            } else {
                print("Login succeeded; credentials for \(host) stored in \(stored.place)")
            }
        }
    }

    /// The user and password: the password from standard input (`--password-stdin`) or asked on
    /// the terminal, the user from `-u` or asked too.
    private func readCredentials() throws -> Credentials {
        if passwordStdin, let username {
            let input = FileHandle.standardInput.readDataToEndOfFile()
            var password = String(decoding: input, as: UTF8.self)
            while password.hasSuffix("\n") || password.hasSuffix("\r") { password.removeLast() }
            guard !password.isEmpty else { throw ValidationError("standard input held no password") }
            return Credentials(username: username, password: password)
        }
        guard PasswordPrompt.hasTerminal else {
            throw ValidationError("there is no terminal to ask for the password on; pass it on standard input with -u USER --password-stdin")
        }
        var user = username ?? ""
        if user.isEmpty {
            user = try PasswordPrompt.line("Username: ") ?? ""
            guard !user.isEmpty else { throw ValidationError("no user name was typed") }
        }
        return Credentials(username: user, password: try PasswordPrompt.password(for: user, flag: "ferry login"))
    }
}

/// The credential files of `--authfile FILE` (read first and written), else of the environment,
/// among the sources registries.conf's `credential-helpers` lists (`helpers`), if any. As in
/// podman, `--authfile` only says which file `containers-auth.json` means.
func credentialStore(_ authfile: String?, helpers: CredentialHelperList?) -> CredentialStore {
    var environment = ProcessInfo.processInfo.environment
    if let authfile { environment["REGISTRY_AUTH_FILE"] = authfile }
    return CredentialStore(environment: environment, helpers: helpers)
}

/// `ferry login --json`: what was stored where (never the password).
struct LoginJSON: Encodable {
    var schemaVersion = 1
    var registry: String
    var username: String
    /// The auth file written, when the credentials went to one.
    var credentialsFile: String?
    /// The helper program (`docker-credential-NAME`) that stored them, when one did.
    var credentialHelper: String?
}

/// `ferry logout HOST`
struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Remove a registry's credentials from docker's config.json (or --authfile).",
        discussion: """
            When registries.conf sets credential-helpers, the credentials are erased from every \
            listed source: the auth file for containers-auth.json, docker-credential-NAME erase \
            for NAME.
            """)

    @Argument(help: "The registry: HOST[:PORT].")
    var host: String

    @Option(help: ArgumentHelp("The auth.json to remove them from (default: $REGISTRY_AUTH_FILE, else docker's config.json).", valueName: "file"))
    var authfile: String?

    func run() async throws {
        try await runReportingErrors {
            // Only credential-helpers applies: logout sends no request, so blocked and insecure
            // do not matter, and credentials are erased under HOST as login stored them.
            let configuration = try loadRegistriesConfiguration()
            let store = credentialStore(authfile, helpers: configuration.credentialHelpers)
            let removed = try store.erase(for: host)
            if removed.isEmpty {
                print("No credentials for \(host) in \(Self.places(store))")
            } else {
                print("Removed credentials for \(host) from \(removed.joined(separator: ", "))")
            }
        }
    }

    /// Where logout looked: the auth file and each helper, in order.
    private static func places(_ store: CredentialStore) -> String {
        store.sources.map { $0 == .authFiles ? store.writablePath : $0.description }.joined(separator: ", ")
    }
}
