import Foundation

/// Runs a docker credential helper, `docker-credential-<suffix> get` (formats.md §9.5): the
/// server on standard input, `{"ServerURL","Username","Secret"}` on standard output, and on
/// failure the message on standard output with a non-zero exit.
struct CredentialHelper {
    /// The helper's suffix (`pass`, `secretservice`, `ecr-login`…).
    var suffix: String
    /// The environment whose `PATH` the helper is found on and which it runs with.
    var environment: [String: String]

    private var executableName: String { "docker-credential-" + suffix }

    /// The credentials the helper holds for `server`, or `nil` when it has none.
    /// - Throws: ``RegistryError`` (`credentials`) when the helper is missing, fails, or answers
    ///   with an identity token (the OAuth2 refresh flow is not supported).
    func credentials(for server: String) throws(RegistryError) -> Credentials? {
        guard let executable = find() else {
            throw RegistryError(.credentials, "credential helper \(executableName) (named in the credentials file) is not on PATH")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["get"]
        process.environment = environment
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            input.fileHandleForWriting.write(Data(server.utf8))
            try input.fileHandleForWriting.close()
        } catch {
            throw RegistryError(.credentials, "cannot run \(executable): \(error.localizedDescription)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0 else {
            if text.localizedCaseInsensitiveContains("credentials not found") { return nil }
            throw RegistryError(.credentials, "\(executableName) get \(server) failed (exit \(process.terminationStatus)): \(text)")
        }
        struct Answer: Decodable { var Username: String?; var Secret: String? }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: data), let user = answer.Username, let secret = answer.Secret else {
            throw RegistryError(.credentials, "\(executableName) get \(server) answered no {\"Username\",\"Secret\"} JSON")
        }
        if user == "<token>" {
            throw RegistryError(.credentials, "\(executableName) holds an identity token for \(server); identity tokens are not supported yet, pass --creds")
        }
        return Credentials(username: user, password: secret)
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
