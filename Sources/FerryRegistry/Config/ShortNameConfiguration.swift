import FerrySpec

/// What registries.conf says about short names (containers-registries.conf(5), "Short-Name
/// Aliasing"): `unqualified-search-registries`, `short-name-mode` and the `[aliases]` table, merged
/// over the files in order, then the machine-written `short-name-aliases.conf`, whose aliases win.
///
/// Ferry never prompts, so the modes mean what containers' do without a terminal:
/// - an alias for the name is used, for pulls and pushes alike;
/// - otherwise, one search registry is used as there is no ambiguity;
/// - otherwise a pull tries every search registry in order (`permissive`, the default, and
///   `disabled`), or is refused (`enforcing`); a push is refused whatever the mode, since it
///   cannot "try" one registry after another;
/// - with no search registries at all, a short name is on Docker Hub (`docker.io`), as Ferry
///   always read it (containers tools would refuse it).
public struct ShortNameConfiguration: Sendable, Hashable {
    /// `short-name-mode`.
    public enum Mode: String, Sendable, Hashable {
        case enforcing
        case permissive
        case disabled
    }

    /// One alias: the fully-qualified name (no tag or digest) and `file:line` it was set at.
    public struct Alias: Sendable, Hashable {
        public var name: String
        public var origin: String
    }

    /// `unqualified-search-registries`, in order (`host[:port]`).
    public private(set) var searchRegistries: [String] = []
    /// The file that last set ``searchRegistries``.
    public private(set) var searchOrigin: String?
    /// `short-name-mode`; `nil` when no file set it (permissive).
    public private(set) var mode: Mode?
    /// `[aliases]`: short name → alias.
    public private(set) var aliases: [String: Alias] = [:]

    /// No search registries, no aliases.
    public init() {}

    /// Adds what one registries.conf file's root table says (a later file replaces the search
    /// list and mode when it sets them, and each alias it names; an empty value erases one).
    /// - Throws: ``SpecError`` naming `file:line` for a value of the wrong type, an unknown mode,
    ///   an alias whose name is not a short name or whose value is not a fully-qualified name
    ///   without tag or digest.
    mutating func add(_ root: TOMLTable, file: String) throws(SpecError) {
        if let list = root["unqualified-search-registries"] {
            let line = root.line(of: "unqualified-search-registries")
            guard let hosts = list.array?.compactMap(\.string), hosts.count == list.array?.count else {
                throw Self.invalid(file, line, "unqualified-search-registries must be an array of strings")
            }
            for host in hosts where host.isEmpty || host.contains("/") {
                throw Self.invalid(file, line, "unqualified-search-registries lists \(Echo.quoted(host)), which is not host[:port]")
            }
            searchRegistries = hosts
            searchOrigin = "\(file):\(line)"
        }
        if let value = root["short-name-mode"] {
            let line = root.line(of: "short-name-mode")
            guard let text = value.string else { throw Self.invalid(file, line, "short-name-mode must be a string") }
            if !text.isEmpty {
                guard let mode = Mode(rawValue: text) else {
                    throw Self.invalid(file, line, "short-name-mode must be enforcing, permissive or disabled, not \(Echo.quoted(text))")
                }
                self.mode = mode
            }
        }
        if let value = root["aliases"] {
            guard let table = value.table else { throw Self.invalid(file, root.line(of: "aliases"), "aliases must be an [aliases] table") }
            try addAliases(table, file: file)
        }
    }

    /// Adds the `[aliases]` of a `short-name-aliases.conf` (read after every registries.conf, so
    /// its aliases win).
    mutating func addAliases(_ table: TOMLTable, file: String) throws(SpecError) {
        for key in table.keys {
            let line = table.line(of: key)
            guard let value = table[key]?.string else { throw Self.invalid(file, line, "the alias \(Echo.quoted(key)) must be a string") }
            guard Reference.shortName(of: key) == key, !key.contains(":"), !key.contains("@") else {
                throw Self.invalid(file, line, "an alias name must be a short name without tag or digest (no registry, not localhost), not \(Echo.quoted(key))")
            }
            if value.isEmpty {
                aliases[key] = nil
                continue
            }
            guard Reference.shortName(of: value) == nil, let parsed = try? Reference(parsing: value), parsed.tag == nil, parsed.digest == nil else {
                throw Self.invalid(
                    file, line,
                    "the alias \(Echo.quoted(key)) must name a registry and repository without tag or digest (e.g. registry.example/team/app), not \(Echo.quoted(value))"
                )
            }
            aliases[key] = Alias(name: value, origin: "\(file):\(line)")
        }
    }

    /// A candidate for a short name: where to look, and the note saying why.
    public struct Candidate: Sendable, Hashable {
        /// The fully-qualified reference, with the short name's tag or digest.
        public var reference: Reference
        /// How the short name became this reference (`nil` when nothing was configured).
        public var note: String?

        /// A candidate.
        public init(reference: Reference, note: String?) {
            self.reference = reference
            self.note = note
        }
    }

    /// Where a pull of the short name `shortName` (written `written`, parsed as `parsed`) looks,
    /// in order: its alias; else the search registries; else `parsed` itself (Docker Hub).
    /// - Throws: ``RegistryError`` (`invalidArgument`) in `enforcing` mode when several search
    ///   registries could serve it and no alias says which.
    public func pullCandidates(_ shortName: String, written: String, parsed: Reference) throws(RegistryError) -> [Candidate] {
        if let alias = try aliasCandidate(shortName, written: written, parsed: parsed) { return [alias] }
        guard !searchRegistries.isEmpty else { return [Candidate(reference: parsed, note: nil)] }
        if searchRegistries.count > 1, mode == .enforcing {
            throw RegistryError(
                .invalidArgument,
                "\(written) is a short name and short-name-mode is enforcing: it could be on \(searchRegistries.joined(separator: " or ")) (unqualified-search-registries at \(searchOrigin ?? "?")); write the registry, or add an alias under [aliases]"
            )
        }
        return try searchRegistries.map { host throws(RegistryError) in
            let reference = try qualify(written, on: host)
            return Candidate(
                reference: reference,
                note: "the short name \(written) was looked up on \(host) as \(reference) (unqualified-search-registries at \(searchOrigin ?? "?"))")
        }
    }

    /// Where a push of the short name goes (and where `tags` and `delete` look): its alias; else
    /// the one search registry; else `parsed` itself (Docker Hub) when there are none.
    /// - Throws: ``RegistryError`` (`invalidArgument`) when there are several search registries
    ///   and no alias: a push cannot pick one.
    public func pushCandidate(_ shortName: String, written: String, parsed: Reference) throws(RegistryError) -> Candidate {
        if let alias = try aliasCandidate(shortName, written: written, parsed: parsed) { return alias }
        switch searchRegistries.count {
        case 0:
            return Candidate(reference: parsed, note: nil)
        case 1:
            let reference = try qualify(written, on: searchRegistries[0])
            return Candidate(
                reference: reference, note: "the short name \(written) is \(reference) (the one unqualified-search registry, at \(searchOrigin ?? "?"))")
        default:
            throw RegistryError(
                .invalidArgument,
                "\(written) is a short name, which a push, tags or delete cannot resolve: it could be on \(searchRegistries.joined(separator: " or ")) (unqualified-search-registries at \(searchOrigin ?? "?")); write the registry, or add an alias under [aliases]"
            )
        }
    }

    private func aliasCandidate(_ shortName: String, written: String, parsed: Reference) throws(RegistryError) -> Candidate? {
        guard let alias = aliases[shortName] else { return nil }
        let suffix = String(written.dropFirst(shortName.count))
        let reference = try parse(alias.name + suffix, origin: alias.origin)
        // An alias to the name's own Docker Hub reading (containers' shortnames.conf has many) says nothing new.
        let note = reference == parsed ? nil : "the short name \(written) is \(reference) (the alias at \(alias.origin))"
        return Candidate(reference: reference, note: note)
    }

    private func qualify(_ written: String, on host: String) throws(RegistryError) -> Reference {
        try parse(host + "/" + written, origin: searchOrigin ?? "unqualified-search-registries")
    }

    private func parse(_ text: String, origin: String) throws(RegistryError) -> Reference {
        do {
            return try Reference(parsing: text)
        } catch {
            throw RegistryError(.invalidArgument, "\(origin): \(Echo.quoted(text)) is not a reference: \(error.message)")
        }
    }

    private static func invalid(_ file: String, _ line: Int, _ message: String) -> SpecError {
        SpecError(.invalidDocument, "\(file):\(line): \(message)")
    }
}
