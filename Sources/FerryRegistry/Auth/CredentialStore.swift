import Foundation
import FerryStreams

/// Credentials kept in docker's `config.json` and containers' `auth.json` (formats.md §9.4, §9.6).
///
/// Files are searched in containers/image's order: `$REGISTRY_AUTH_FILE`,
/// `$XDG_RUNTIME_DIR/containers/auth.json`, `${XDG_CONFIG_HOME:-~/.config}/containers/auth.json`,
/// then docker's `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`). The first file
/// holding an `auths` entry for the registry wins. Entries are `{"auth": base64("user:pass")}`
/// (or `username` / `password`); keys are `host[:port]`, or for Docker Hub
/// `https://index.docker.io/v1/`; legacy keys with a scheme or path match after stripping them.
/// When a file names a credential helper for the registry (`credHelpers[host]`, else
/// `credsStore`), that helper is asked (``CredentialHelper``) and is authoritative: if it has
/// nothing, the registry is used anonymously.
///
/// registries.conf's `credential-helpers` (``helpers``) puts those files among other places:
/// each listed source is tried in order (``CredentialSourceOrder``), `containers-auth.json`
/// meaning the files above and any other `NAME` the helper `docker-credential-NAME`. Without
/// that list the files alone are used.
public struct CredentialStore: Sendable {
    /// The environment the file locations come from.
    public var environment: [String: String]
    /// registries.conf's `credential-helpers`, if a file set it.
    public var helpers: CredentialHelperList?

    /// A store reading the locations named by `environment` (the process's by default), and
    /// the `credential-helpers` of registries.conf when given.
    public init(environment: [String: String]? = nil, helpers: CredentialHelperList? = nil) {
        self.environment = environment ?? ProcessInfo.processInfo.environment
        self.helpers = helpers
    }

    /// The sources tried, in order.
    public var sources: [CredentialSource] { CredentialSourceOrder.sources(helpers) }

    /// Where ``store(_:for:)`` put credentials.
    public struct Stored: Sendable, Hashable {
        /// The source that took them.
        public var source: CredentialSource
        /// The file written (``writablePath``) for the auth files, else `nil`.
        public var file: String?
        /// The file, or the helper's program name.
        public var place: String { file ?? source.description }
    }

    private var home: String { environment["HOME"] ?? NSHomeDirectory() }

    /// Docker's `config.json`: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
    public var dockerConfigPath: String {
        if let dir = environment["DOCKER_CONFIG"], !dir.isEmpty { return dir + "/config.json" }
        return home + "/.docker/config.json"
    }

    /// The file `login` writes and `logout` edits: `$REGISTRY_AUTH_FILE` (containers' auth.json,
    /// as skopeo's `--authfile`) when set, else docker's ``dockerConfigPath``.
    public var writablePath: String {
        if let file = environment["REGISTRY_AUTH_FILE"], !file.isEmpty { return file }
        return dockerConfigPath
    }

    /// Every file consulted, in order.
    public var searchPaths: [String] {
        var paths: [String] = []
        if let file = environment["REGISTRY_AUTH_FILE"], !file.isEmpty { paths.append(file) }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { paths.append(runtime + "/containers/auth.json") }
        let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        paths.append(configHome + "/containers/auth.json")
        paths.append(dockerConfigPath)
        return paths
    }

    /// The credentials stored for `registry` (`host[:port]`): those of the first source
    /// (``sources``) that has some, or `nil` when none has.
    /// - Throws: ``RegistryError`` (`credentials`) naming a file that exists but cannot be read or
    ///   decoded, or whose entry is not valid base64 `user:pass`; or a helper that is missing or
    ///   fails, when no other source had credentials.
    public func credentials(for registry: String) throws(RegistryError) -> Credentials? {
        try CredentialSourceOrder.lookup(sources) { (source: CredentialSource) throws(RegistryError) -> Credentials? in
            switch source {
            case .authFiles: try authFileCredentials(for: registry)
            case .helper(let name): try helper(name).credentials(for: Self.helperKey(registry))
            }
        }
    }

    /// Stores `credentials` for `registry` in the first source: the auth file (``writablePath``)
    /// or a helper's `store`.
    /// - Throws: ``RegistryError`` (`credentials`) when that source fails.
    @discardableResult
    public func store(_ credentials: Credentials, for registry: String) throws(RegistryError) -> Stored {
        let source = try CredentialSourceOrder.store(sources) { (source: CredentialSource) throws(RegistryError) in
            switch source {
            case .authFiles: try storeInAuthFile(credentials, for: registry)
            case .helper(let name): try helper(name).store(credentials, for: Self.helperKey(registry))
            }
        }
        return Stored(source: source, file: source == .authFiles ? writablePath : nil)
    }

    /// Erases `registry`'s credentials from every source: the `auths` entries of
    /// ``writablePath``, and each helper's (`erase`).
    /// - Returns: where an entry was removed (the file, or the helper's program name).
    /// - Throws: ``RegistryError`` (`credentials`) when a source failed, after every source was
    ///   tried (naming what was removed).
    @discardableResult
    public func erase(for registry: String) throws(RegistryError) -> [String] {
        let (removed, failures) = CredentialSourceOrder.erase(sources) { (source: CredentialSource) throws(RegistryError) -> Bool in
            switch source {
            case .authFiles: try eraseFromAuthFile(for: registry)
            case .helper(let name): try helper(name).erase(for: Self.helperKey(registry))
            }
        }
        let places = removed.map { $0 == .authFiles ? writablePath : $0.description }
        guard failures.isEmpty else {
            let done = places.isEmpty ? "" : " (removed from \(places.joined(separator: ", ")))"
            throw RegistryError(.credentials, CredentialSourceOrder.joined(failures).message + done)
        }
        return places
    }

    /// A helper named by registries.conf.
    private func helper(_ name: String) -> CredentialHelper {
        CredentialHelper(suffix: name, environment: environment, namedIn: "credential-helpers at \(helpers?.origin ?? "registries.conf")")
    }

    /// The server a registries.conf helper is asked about: the registry as typed, Docker Hub as
    /// `docker.io` (containers/image's key; docker's `credsStore` uses the v1 URL instead).
    static func helperKey(_ registry: String) -> String {
        keys(for: registry).count > 1 ? "docker.io" : registry
    }

    /// The credentials the auth files hold for `registry`.
    private func authFileCredentials(for registry: String) throws(RegistryError) -> Credentials? {
        for path in searchPaths where FileManager.default.fileExists(atPath: path) {
            let root = try Self.object(at: path) ?? [:]
            let helpers = root["credHelpers"] as? [String: String] ?? [:]
            if let suffix = Self.keys(for: registry).lazy.compactMap({ helpers[$0] }).first ?? (root["credsStore"] as? String), !suffix.isEmpty {
                return try CredentialHelper(suffix: suffix, environment: environment).credentials(for: Self.keys(for: registry)[0])
            }
            let auths = (root["auths"] as? [String: Any] ?? [:]).compactMapValues { $0 as? [String: Any] }
            for key in Self.keys(for: registry) {
                if let entry = auths[key], let found = try Self.decode(entry, key: key, path: path) { return found }
            }
            for (key, entry) in auths where Self.normalizedKey(key) == registry {
                if let found = try Self.decode(entry, key: key, path: path) { return found }
            }
        }
        return nil
    }

    /// Writes `credentials` for `registry` into ``writablePath`` (creating it), keeping every
    /// other key; the file is replaced atomically and readable by its owner only (0600).
    private func storeInAuthFile(_ credentials: Credentials, for registry: String) throws(RegistryError) {
        var root = try Self.object(at: writablePath) ?? [:]
        var auths = root["auths"] as? [String: Any] ?? [:]
        let encoded = Data("\(credentials.username):\(credentials.password)".utf8).base64EncodedString()
        auths[Self.keys(for: registry)[0]] = ["auth": encoded]
        root["auths"] = auths
        try Self.write(root, to: writablePath)
    }

    /// Removes every `auths` entry for `registry` from ``writablePath``.
    /// - Returns: whether an entry was removed.
    private func eraseFromAuthFile(for registry: String) throws(RegistryError) -> Bool {
        guard var root = try Self.object(at: writablePath), var auths = root["auths"] as? [String: Any] else { return false }
        let matching = auths.keys.filter { Self.keys(for: registry).contains($0) || Self.normalizedKey($0) == registry }
        guard !matching.isEmpty else { return false }
        for key in matching { auths.removeValue(forKey: key) }
        root["auths"] = auths
        try Self.write(root, to: writablePath)
        return true
    }

    // MARK: Keys

    /// The keys an entry for `registry` may be stored under, preferred first.
    static func keys(for registry: String) -> [String] {
        if registry == "docker.io" || registry == "index.docker.io" || registry == "registry-1.docker.io" {
            return ["https://index.docker.io/v1/", "docker.io", "index.docker.io", "registry-1.docker.io"]
        }
        return [registry]
    }

    /// A legacy key (`https://host:5000/v1/`) reduced to `host[:port]`.
    static func normalizedKey(_ key: String) -> String {
        var rest = Substring(key)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        return String(rest)
    }

    // MARK: Files

    private static func object(at path: String) throws(RegistryError) -> [String: Any]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readFile(path, limit: 1 << 20)
        } catch {
            throw RegistryError(.credentials, "cannot read credentials file \(path): \(error.message)")
        }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw RegistryError(.credentials, "credentials file \(path) is not a JSON object")
        }
        return object
    }

    private static func decode(_ entry: [String: Any], key: String, path: String) throws(RegistryError) -> Credentials? {
        // An identity token wins over a user and password, as in containers/image and docker.
        if let token = entry["identitytoken"] as? String, !token.isEmpty {
            return Credentials.identityToken(token)
        }
        if let auth = entry["auth"] as? String, !auth.isEmpty {
            guard let data = Data(base64Encoded: auth), let text = String(data: data, encoding: .utf8),
                let colon = text.firstIndex(of: ":")
            else {
                throw RegistryError(.credentials, "credentials file \(path): \"auths\".\"\(key)\".\"auth\" is not base64 of USER:PASSWORD")
            }
            var password = String(text[text.index(after: colon)...])
            while password.hasSuffix("\0") { password.removeLast() }
            return Credentials(username: String(text[..<colon]), password: password)
        }
        if let user = entry["username"] as? String, let password = entry["password"] as? String, !user.isEmpty {
            return Credentials(username: user, password: password)
        }
        return nil
    }

    private static func write(_ root: [String: Any], to path: String) throws(RegistryError) {
        do {
            let data = try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys])
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try FileSystem.createDirectory(directory) }
            let writer = try AtomicFileWriter(path: path, durable: true, permissions: 0o600)
            try writer.write(Array(data) + [0x0a])
            try writer.commit()
        } catch let error as StreamError {
            throw RegistryError(.credentials, "cannot write credentials file \(path): \(error.message)")
        } catch {
            throw RegistryError(.credentials, "cannot write credentials file \(path): \(error)")
        }
    }
}
