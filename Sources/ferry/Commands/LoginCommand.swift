import ArgumentParser
import FerryRegistry
import Foundation

/// `ferry login HOST -u USER --password-stdin`
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Check credentials against a registry and store them in docker's config.json.",
        usage: "ferry login [<options>] <host> --username <user> --password-stdin",
        discussion: """
        The password is read from standard input (never from the command line). The entry is \
        written to $DOCKER_CONFIG/config.json (default ~/.docker/config.json) as "auths", file \
        mode 0600; other keys in the file are kept.
        Example:
          printf %s "$TOKEN" | ferry login localhost:5000 -u me --password-stdin
        """)

    @Argument(help: "The registry: HOST[:PORT].")
    var host: String

    @Option(name: .shortAndLong, help: "The user name.")
    var username: String

    @Flag(help: "Read the password from standard input (required).")
    var passwordStdin = false

    @OptionGroup var tls: RegistryTLSFlags

    @Flag(help: "Print the result as JSON (schema: docs/json-output.md).")
    var json = false

    func validate() throws {
        guard passwordStdin else { throw ValidationError("pass the password on standard input with --password-stdin") }
        guard !host.contains("/") else { throw ValidationError("give the registry as HOST[:PORT], without a scheme or path") }
    }

    func run() async throws {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        var password = String(decoding: input, as: UTF8.self)
        while password.hasSuffix("\n") || password.hasSuffix("\r") { password.removeLast() }
        guard !password.isEmpty else { throw ValidationError("standard input held no password") }
        let credentials = Credentials(username: username, password: password)
        try await runReportingErrors {
            var options = try tls.options(credentials: nil)
            options.credentials = credentials
            if !tls.tlsVerify, !RegistryURL.isLoopback(host: RegistryURL.host("https://" + host)) {
                let warning = "ferry login: warning: --tls-verify=false: the password of \(username) goes to \(host) unencrypted if the registry answers plain HTTP, and to whatever server answers if it speaks HTTPS (its certificate is not checked)\n"
                FileHandle.standardError.write(Data(TerminalText.escaped(warning, keepingLines: true).utf8))
            }
            try await withRegistryClient(host, options: options) { client in
                try await client.checkCredentials()
            }
            let store = CredentialStore()
            try store.store(credentials, for: host)
            if json {
                print(try prettyJSON(LoginJSON(registry: host, username: username, credentialsFile: store.dockerConfigPath)))
            } else {
                print("Login succeeded; credentials for \(host) stored in \(store.dockerConfigPath)")
            }
        }
    }
}

/// `ferry login --json`: what was stored where (never the password).
struct LoginJSON: Encodable {
    var schemaVersion = 1
    var registry: String
    var username: String
    var credentialsFile: String
}

/// `ferry logout HOST`
struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Remove a registry's credentials from docker's config.json.")

    @Argument(help: "The registry: HOST[:PORT].")
    var host: String

    func run() async throws {
        try await runReportingErrors {
            let store = CredentialStore()
            if try store.erase(for: host) {
                print("Removed credentials for \(host) from \(store.dockerConfigPath)")
            } else {
                print("No credentials for \(host) in \(store.dockerConfigPath)")
            }
        }
    }
}
