import FerrySpec

/// What containers' `registries.conf` (v2 format, containers-registries.conf(5)) says about
/// registries, as far as Ferry applies it: per prefix, a `location` the names are rewritten to,
/// `insecure` (TLS verification off, plain HTTP allowed), `blocked`, and mirrors tried before the
/// registry itself for pulls.
///
/// Files are merged in order (the main file, then drop-ins): a `[[registry]]` whose prefix an
/// earlier file already named replaces that entry, as containers/image does. The v1 tables
/// `[registries.insecure]` and `[registries.block]` (`registries = [...]`) are read too.
public struct RegistriesConfiguration: Sendable, Hashable {
    /// Which pulls a mirror serves (`pull-from-mirror`).
    public enum PullFromMirror: String, Sendable, Hashable {
        case all
        case digestOnly = "digest-only"
        case tagOnly = "tag-only"
    }

    /// A `[[registry.mirror]]`.
    public struct Mirror: Sendable, Hashable {
        /// `host[:port][/namespace…]`: replaces the registry's prefix in a pulled name.
        public var location: String
        /// TLS verification off and plain HTTP allowed for this mirror.
        public var insecure: Bool
        /// Which pulls this mirror serves.
        public var pullFrom: PullFromMirror
    }

    /// A `[[registry]]`.
    public struct Registry: Sendable, Hashable {
        /// The names this entry applies to: `host[:port][/namespace…]`, or `*.domain`.
        public var prefix: String
        /// Where those names live (the prefix rewritten to it); the prefix itself when not set.
        public var location: String
        /// TLS verification off and plain HTTP allowed.
        public var insecure: Bool
        /// Pulls (and, in Ferry, pushes) of these names are refused.
        public var blocked: Bool
        /// Mirrors are used only for pulls by digest.
        public var mirrorByDigestOnly: Bool
        /// Tried in order before ``location`` for pulls.
        public var mirrors: [Mirror]
        /// `file:line` of the entry, for messages.
        public var origin: String

        /// Whether `name` (`host[:port]/repository`) falls under ``prefix``.
        public func matches(_ name: String) -> Bool {
            if prefix.hasPrefix("*.") {
                let host = name.split(separator: "/", maxSplits: 1).first.map(String.init) ?? name
                return host.hasSuffix(prefix.dropFirst(1))
            }
            return name == prefix || name.hasPrefix(prefix + "/")
        }
    }

    /// One place a name can be pulled from or pushed to, in the order to try.
    public struct Endpoint: Sendable, Hashable {
        /// The name rewritten for this place.
        public var reference: Reference
        /// TLS verification off and plain HTTP allowed.
        public var insecure: Bool
        /// Whether this is a mirror (credentials given for the registry itself do not go to it).
        public var isMirror: Bool
        /// `file:line` of the registries.conf entry that named it (empty when none did).
        public var origin: String = ""
    }

    /// The `[[registry]]` entries, in file order.
    public private(set) var registries: [Registry] = []
    /// `unqualified-search-registries`, `short-name-mode` and `[aliases]`.
    public private(set) var shortNames = ShortNameConfiguration()
    /// The top-level `credential-helpers` list of the last file that set it (a drop-in's
    /// replaces the main file's, as in containers/image), or `nil` when none did.
    public private(set) var credentialHelpers: CredentialHelperList?

    /// Where credentials are looked up, stored and erased, in order
    /// (``CredentialSourceOrder``): the `credential-helpers` list, or the auth files alone when
    /// no file sets it or it is empty (containers/image's default, and Ferry's behaviour
    /// without registries.conf).
    public var credentialSources: [CredentialSource] {
        guard let credentialHelpers, !credentialHelpers.sources.isEmpty else { return [.authFiles] }
        return credentialHelpers.sources
    }

    /// An empty configuration: every name is used as it is.
    public init() {}

    /// The entry whose prefix matches `reference` longest (a wildcard prefix counts as shorter
    /// than any exact one), if any.
    public func registry(for reference: Reference) -> Registry? {
        registry(forName: reference.name)
    }

    /// The entry whose prefix matches `name` (`host[:port][/namespace…]`) longest, if any.
    public func registry(forName name: String) -> Registry? {
        registries.filter { $0.matches(name) }.max { rank($0) < rank($1) }
    }

    /// What applies to `ferry login HOST` / the check it makes, as podman and skopeo login do
    /// (containers/image `docker.CheckAuth`): the entry matching `host` itself is looked up, its
    /// `blocked` refuses the login and its `insecure` turns TLS verification off (plain HTTP
    /// allowed), but its `location` is not applied: the check goes to `host`, and the
    /// credentials are stored under `host` as typed. A later pull or push of a name rewritten to
    /// another location looks credentials up for that location's host, as containers/image does.
    /// Checked against podman 4.3.1: with `prefix = "alias.test"`, `location = "127.0.0.1:PORT"`,
    /// `podman login alias.test` pings `alias.test` itself; `insecure = true` for a plain-HTTP
    /// registry under a name that is not loopback lets it log in (without it: "server gave HTTP
    /// response to HTTPS client") and stores the entry under that name; `blocked = true` refuses
    /// with "registry … is blocked in FILE".
    /// - Returns: whether the matching entry is `insecure`, and its `file:line` (`nil` when no
    ///   entry matches).
    /// - Throws: ``RegistryError`` (`connection`) when the entry is `blocked`, naming file and line.
    public func loginSettings(forHost host: String) throws(RegistryError) -> (insecure: Bool, origin: String?) {
        guard let registry = registry(forName: host) else { return (false, nil) }
        guard !registry.blocked else {
            throw RegistryError(
                .connection, "\(host) is blocked by the registries.conf entry at \(registry.origin) (prefix \(registry.prefix), blocked = true)")
        }
        return (registry.insecure, registry.origin)
    }

    private func rank(_ registry: Registry) -> Int {
        registry.prefix.hasPrefix("*.") ? registry.prefix.count - 1_000_000 : registry.prefix.count
    }

    /// Where a pull of `reference` goes, in order: the mirrors that serve it, then the registry
    /// (its `location`). A name no entry matches gives itself alone.
    /// - Throws: ``RegistryError`` when the matching entry is `blocked`, or a rewritten name
    ///   is not a valid reference.
    public func pullEndpoints(for reference: Reference) throws(RegistryError) -> [Endpoint] {
        guard let registry = registry(for: reference) else { return [Endpoint(reference: reference, insecure: false, isMirror: false)] }
        guard !registry.blocked else { throw Self.blocked(reference, registry) }
        var endpoints: [Endpoint] = []
        for mirror in registry.mirrors where serves(mirror, registry, reference) {
            endpoints.append(
                Endpoint(reference: try rewrite(reference, registry, to: mirror.location), insecure: mirror.insecure, isMirror: true, origin: registry.origin))
        }
        endpoints.append(try primary(reference, registry))
        return endpoints
    }

    /// Where a push of `reference` goes: the registry's `location` (mirrors are for pulls only).
    /// - Throws: ``RegistryError`` when the matching entry is `blocked`.
    public func pushEndpoint(for reference: Reference) throws(RegistryError) -> Endpoint {
        guard let registry = registry(for: reference) else { return Endpoint(reference: reference, insecure: false, isMirror: false) }
        guard !registry.blocked else { throw Self.blocked(reference, registry) }
        return try primary(reference, registry)
    }

    /// Where names under `name` (`host[:port][/namespace…]`, a sync destination) are pushed:
    /// `name` with the prefix of the entry that matches it rewritten to its `location`, and
    /// whether that entry is `insecure`. An entry for a narrower prefix (some repositories under
    /// `name` only) is refused: it would send part of the set elsewhere.
    /// - Throws: ``RegistryError`` when the entry is `blocked` (`connection`), or a narrower
    ///   entry applies (`invalidArgument`, unless `allowingNarrower`), naming the file and line.
    public func pushLocation(forName name: String, allowingNarrower: Bool = false) throws(RegistryError) -> (name: String, insecure: Bool) {
        if !allowingNarrower, let narrower = registries.first(where: { !$0.prefix.hasPrefix("*.") && $0.prefix.hasPrefix(name + "/") }) {
            throw RegistryError(
                .invalidArgument,
                "the registries.conf entry at \(narrower.origin) (prefix \(narrower.prefix)) applies to part of \(name) only; sync to a destination inside or outside it"
            )
        }
        guard let registry = registry(forName: name) else { return (name, false) }
        guard !registry.blocked else {
            throw RegistryError(
                .connection, "\(name) is blocked by the registries.conf entry at \(registry.origin) (prefix \(registry.prefix), blocked = true)")
        }
        guard !registry.prefix.hasPrefix("*.") else { return (name, registry.insecure) }
        return (registry.location + name.dropFirst(registry.prefix.count), registry.insecure)
    }

    private func primary(_ reference: Reference, _ registry: Registry) throws(RegistryError) -> Endpoint {
        Endpoint(reference: try rewrite(reference, registry, to: registry.location), insecure: registry.insecure, isMirror: false, origin: registry.origin)
    }

    private func serves(_ mirror: Mirror, _ registry: Registry, _ reference: Reference) -> Bool {
        let byDigest = reference.digest != nil
        if registry.mirrorByDigestOnly && !byDigest { return false }
        switch mirror.pullFrom {
        case .all: return true
        case .digestOnly: return byDigest
        case .tagOnly: return !byDigest
        }
    }

    /// `reference` with the entry's prefix replaced by `location` (a wildcard entry rewrites
    /// nothing).
    private func rewrite(_ reference: Reference, _ registry: Registry, to location: String) throws(RegistryError) -> Reference {
        guard !registry.prefix.hasPrefix("*."), location != registry.prefix else { return reference }
        let rest = reference.name.dropFirst(registry.prefix.count)
        let text = location + rest + String(reference.description.dropFirst(reference.name.count))
        do {
            return try Reference(parsing: text)
        } catch {
            throw RegistryError(
                .invalidArgument,
                "\(registry.origin): rewriting \(reference) to location \(location) gives \(Echo.quoted(text)), not a reference: \(error.message)")
        }
    }

    private static func blocked(_ reference: Reference, _ registry: Registry) -> RegistryError {
        RegistryError(
            .connection, "\(reference.name) is blocked by the registries.conf entry at \(registry.origin) (prefix \(registry.prefix), blocked = true)")
    }

    // MARK: Reading

    /// Adds what `text` (one registries.conf file, named `file`) says.
    /// - Throws: ``SpecError`` (`invalidDocument`) naming `file:line`: TOML outside the subset
    ///   Ferry reads, a value of the wrong type, a `[[registry]]` with neither prefix nor location,
    ///   a wildcard prefix with a location.
    public mutating func add(_ text: String, file: String) throws(SpecError) {
        let root = try TOMLSubset.parse(text, file: file)
        try shortNames.add(root, file: file)
        if root["credential-helpers"] != nil {
            credentialHelpers = try CredentialHelperList(root, file: file)
        }
        if let list = root["registry"] {
            guard let entries = list.array else { throw Self.invalid(file, root.line(of: "registry"), "registry must be [[registry]] tables") }
            for entry in entries {
                guard let table = entry.table else { throw Self.invalid(file, root.line(of: "registry"), "registry must be [[registry]] tables") }
                let registry = try Self.registry(table, file: file)
                registries.removeAll { $0.prefix == registry.prefix }
                registries.append(registry)
            }
        }
        if let v1 = root["registries"]?.table {
            for (key, insecure, blocked) in [("insecure", true, false), ("block", false, true)] {
                guard let section = v1[key]?.table, let names = section["registries"] else { continue }
                let line = section.line(of: "registries")
                guard let list = names.array?.compactMap(\.string), list.count == names.array?.count else {
                    throw Self.invalid(file, line, "registries.\(key).registries must be an array of strings")
                }
                for name in list {
                    var entry =
                        registries.first { $0.prefix == name }
                        ?? Registry(
                            prefix: name, location: name, insecure: false, blocked: false, mirrorByDigestOnly: false, mirrors: [], origin: "\(file):\(line)")
                    entry.insecure = entry.insecure || insecure
                    entry.blocked = entry.blocked || blocked
                    registries.removeAll { $0.prefix == name }
                    registries.append(entry)
                }
            }
        }
    }

    /// Adds the aliases of a machine-written `short-name-aliases.conf` (`text`, named `file`),
    /// which win over those of registries.conf.
    /// - Throws: ``SpecError`` naming `file:line`.
    public mutating func addShortNameAliases(_ text: String, file: String) throws(SpecError) {
        let root = try TOMLSubset.parse(text, file: file)
        guard let value = root["aliases"] else { return }
        guard let table = value.table else { throw Self.invalid(file, root.line(of: "aliases"), "aliases must be an [aliases] table") }
        try shortNames.addAliases(table, file: file)
    }

    private static func registry(_ table: TOMLTable, file: String) throws(SpecError) -> Registry {
        let origin = "\(file):\(table.line)"
        let location = try string(table, "location", file) ?? ""
        let prefix = try string(table, "prefix", file) ?? location
        guard !prefix.isEmpty else { throw invalid(file, table.line, "a [[registry]] needs a location or a prefix") }
        if prefix.hasPrefix("*.") && !location.isEmpty {
            throw invalid(file, table.line(of: "location"), "a wildcard prefix (\(prefix)) cannot have a location")
        }
        var mirrors: [Mirror] = []
        if let list = table["mirror"] {
            guard let entries = list.array else { throw invalid(file, table.line(of: "mirror"), "mirror must be [[registry.mirror]] tables") }
            for entry in entries {
                guard let mirror = entry.table else { throw invalid(file, table.line(of: "mirror"), "mirror must be [[registry.mirror]] tables") }
                guard let mirrorLocation = try string(mirror, "location", file), !mirrorLocation.isEmpty else {
                    throw invalid(file, mirror.line, "a [[registry.mirror]] needs a location")
                }
                let pull = try string(mirror, "pull-from-mirror", file) ?? "all"
                guard let pullFrom = PullFromMirror(rawValue: pull) else {
                    throw invalid(file, mirror.line(of: "pull-from-mirror"), "pull-from-mirror must be all, digest-only or tag-only, not \(Echo.quoted(pull))")
                }
                mirrors.append(Mirror(location: mirrorLocation, insecure: try boolean(mirror, "insecure", file) ?? false, pullFrom: pullFrom))
            }
        }
        return Registry(
            prefix: prefix, location: location.isEmpty ? prefix : location,
            insecure: try boolean(table, "insecure", file) ?? false, blocked: try boolean(table, "blocked", file) ?? false,
            mirrorByDigestOnly: try boolean(table, "mirror-by-digest-only", file) ?? false, mirrors: mirrors, origin: origin)
    }

    private static func string(_ table: TOMLTable, _ key: String, _ file: String) throws(SpecError) -> String? {
        guard let value = table[key] else { return nil }
        guard let string = value.string else { throw invalid(file, table.line(of: key), "\(key) must be a string (found: \(value.typeName))") }
        return string
    }

    private static func boolean(_ table: TOMLTable, _ key: String, _ file: String) throws(SpecError) -> Bool? {
        guard let value = table[key] else { return nil }
        guard let boolean = value.boolean else { throw invalid(file, table.line(of: key), "\(key) must be true or false (found: \(value.typeName))") }
        return boolean
    }

    private static func invalid(_ file: String, _ line: Int, _ message: String) -> SpecError {
        SpecError(.invalidDocument, "\(file):\(line): \(message)")
    }
}

extension RegistryOptions {
    /// Where to reach the registry itself for `reference` (no mirrors: listing tags, deleting),
    /// as ``registriesConfiguration`` says: the name rewritten to the entry's `location`, and
    /// TLS verification off when the entry is `insecure`.
    /// - Throws: ``RegistryError`` when the entry is `blocked`.
    public func direct(to reference: Reference) throws(RegistryError) -> (reference: Reference, options: RegistryOptions) {
        let endpoint = try registriesConfiguration.pushEndpoint(for: reference)
        var options = self
        if endpoint.insecure { options.tlsVerify = false }
        return (endpoint.reference, options)
    }
}
