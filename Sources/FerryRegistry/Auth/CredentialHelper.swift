import Foundation

/// Runs a docker credential helper, `docker-credential-<suffix>` (formats.md §9.5), as docker and
/// containers/image do: `get` and `erase` take the server on standard input, `store` takes
/// `{"ServerURL","Username","Secret"}`; `get` answers that JSON on standard output, and on
/// failure the message is on standard output with a non-zero exit.
struct CredentialHelper {
    /// The helper's suffix (`pass`, `secretservice`, `ecr-login`…).
    var suffix: String
    /// The environment whose `PATH` the helper is found on and which it runs with.
    var environment: [String: String]
    /// Where the helper was named, for messages (`the credentials file`, or registries.conf's
    /// `credential-helpers` with its file and line).
    var namedIn = "the credentials file"

    private var executableName: String { "docker-credential-" + suffix }

    /// The credentials the helper holds for `server`, or `nil` when it has none.
    ///   An identity token comes back as the user `<token>` with the token as the secret.
    /// - Throws: ``RegistryError`` (`credentials`) when the helper is missing or fails.
    func credentials(for server: String) throws(RegistryError) -> Credentials? {
        let (status, data) = try run("get", input: Data(server.utf8))
        let text = Self.text(data)
        guard status == 0 else {
            if Self.isNotFound(text) { return nil }
            throw RegistryError(.credentials, "\(executableName) get \(server) failed (exit \(status)): \(text)")
        }
        struct Answer: Decodable { var Username: String?; var Secret: String? }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: data), let user = answer.Username, let secret = answer.Secret else {
            throw RegistryError(.credentials, "\(executableName) get \(server) answered no {\"Username\",\"Secret\"} JSON")
        }
        // `<token>`: an identity token, kept as such (``Credentials/isIdentityToken``).
        return Credentials(username: user, password: secret)
    }

    /// Stores `credentials` for `server` (`store`).
    /// - Throws: ``RegistryError`` (`credentials`) when the helper is missing or fails.
    func store(_ credentials: Credentials, for server: String) throws(RegistryError) {
        struct Entry: Encodable { var ServerURL: String; var Username: String; var Secret: String }
        let input: Data
        do {
            input = try JSONEncoder().encode(Entry(ServerURL: server, Username: credentials.username, Secret: credentials.password))
        } catch {
            throw RegistryError(.credentials, "cannot encode the credentials for \(executableName): \(error)")
        }
        let (status, data) = try run("store", input: input)
        guard status == 0 else { throw RegistryError(.credentials, "\(executableName) store \(server) failed (exit \(status)): \(Self.text(data))") }
    }

    /// Erases what the helper holds for `server` (`erase`).
    /// - Returns: `false` when it held nothing (it answered "credentials not found").
    /// - Throws: ``RegistryError`` (`credentials`) when the helper is missing or fails otherwise.
    func erase(for server: String) throws(RegistryError) -> Bool {
        let (status, data) = try run("erase", input: Data(server.utf8))
        guard status == 0 else {
            if Self.isNotFound(Self.text(data)) { return false }
            throw RegistryError(.credentials, "\(executableName) erase \(server) failed (exit \(status)): \(Self.text(data))")
        }
        return true
    }

    /// Runs `docker-credential-SUFFIX action` with `input` on standard input (then closed).
    /// - Returns: the exit status and what it wrote to standard output.
    private func run(_ action: String, input: Data) throws(RegistryError) -> (Int32, Data) {
        guard let executable = find() else {
            throw RegistryError(.credentials, "credential helper \(executableName) (named in \(namedIn)) is not on PATH")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [action]
        process.environment = environment
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        do {
            // Written before the helper starts (the input is a few hundred bytes, well inside a
            // pipe's buffer), so a helper that exits without reading cannot cause a SIGPIPE.
            stdin.fileHandleForWriting.write(input)
            try stdin.fileHandleForWriting.close()
            try process.run()
        } catch {
            throw RegistryError(.credentials, "cannot run \(executable): \(error.localizedDescription)")
        }
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, data)
    }

    private static func text(_ data: Data) -> String {
        String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// docker-credential-helpers' "credentials not found in native keychain" (and the like).
    private static func isNotFound(_ text: String) -> Bool {
        text.localizedCaseInsensitiveContains("credentials not found")
    }

    private func find() -> String? {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(executableName)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
