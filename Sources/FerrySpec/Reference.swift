/// A docker image reference such as `docker.io/library/alpine:3.19` or `localhost:5000/a/b@sha256:…`.
///
/// Implements the grammar of distribution/reference (formats.md §10.1):
///
/// ```
/// reference = name [":" tag] ["@" digest]
/// name      = [domain "/"] path ; domain = host [":" port], host = dns-name | IPv4 | "[" IPv6 "]"
/// path      = comp *("/" comp)  ; comp = [a-z0-9]+ *( ("." | "_" | "__" | "-"+) [a-z0-9]+ )
/// tag       = [\w][\w.-]{0,127}
/// ```
///
/// Parsing normalises the name the way `docker pull` does: a name without a domain lives on
/// `docker.io`, `index.docker.io` is `docker.io`, and a single-component path on `docker.io` gets
/// `library/`. The tag and digest are kept as written; ``normalized`` adds the default tag
/// `latest` when neither was given. The digest part must also be a valid Ferry ``Digest``.
public struct Reference: Hashable, Sendable, CustomStringConvertible {
    /// The registry a name without a domain refers to.
    public static let defaultDomain = "docker.io"
    /// The tag ``normalized`` adds when a reference has neither a tag nor a digest.
    public static let defaultTag = "latest"
    /// The longest name (domain and path, after normalisation) Ferry accepts.
    public static let maximumNameLength = 255
    /// The longest tag the grammar allows.
    public static let maximumTagLength = 128

    /// The old spelling of Docker Hub's domain, rewritten to ``defaultDomain``.
    static let legacyDefaultDomain = "index.docker.io"
    /// The namespace of Docker Hub's official images.
    static let officialRepositoryPrefix = "library/"

    /// The registry host, with its port if one was written (`docker.io`, `localhost:5000`, `[::1]:5000`).
    public let domain: String
    /// The repository path inside the registry (`library/alpine`, `a/b`).
    public let repository: String
    /// The tag, if one was written (``normalized`` supplies `latest`).
    public let tag: String?
    /// The digest, if one was written. When a reference has both a tag and a digest, the digest
    /// decides which manifest is meant; the tag is informational.
    public let digest: Digest?

    private init(domain: String, repository: String, tag: String?, digest: Digest?) {
        self.domain = domain
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// Parses and normalises a reference as `docker pull` would read it.
    ///
    /// - Parameter string: A reference such as `alpine`, `ghcr.io/org/app:1.2`, or
    ///   `localhost:5000/a/b@sha256:…`.
    /// - Throws: ``SpecError`` with code `invalidReference`; the message quotes the input, names
    ///   the rule that failed and shows a valid example.
    public init(parsing string: String) throws(SpecError) {
        guard !string.isEmpty else { throw Self.invalid(string, "it is empty") }
        var rest = Substring(string)

        // "@digest" comes last; neither the name nor the tag may contain "@".
        var digest: Digest?
        if let at = rest.firstIndex(of: "@") {
            let digestText = rest[rest.index(after: at)...]
            rest = rest[..<at]
            guard Self.matchesReferenceDigestGrammar(digestText) else {
                throw Self.invalid(
                    string,
                    "the digest \"\(Digest.printable(String(digestText)))\" is not ALGORITHM:HEX with an algorithm starting with a letter and at least 32 hex digits"
                )
            }
            do {
                digest = try Digest(parsing: String(digestText))
            } catch {
                throw Self.invalid(string, "the digest is not valid (\(error.message))")
            }
        }

        // ":tag" can only follow the last "/", so a registry port is never taken for a tag.
        var tag: String?
        let pathStart = rest.lastIndex(of: "/").map { rest.index(after: $0) } ?? rest.startIndex
        if let colon = rest[pathStart...].firstIndex(of: ":") {
            let tagText = rest[rest.index(after: colon)...]
            rest = rest[..<colon]
            if tagText.utf8.count > Self.maximumTagLength {
                throw Self.invalid(string, "the tag is \(tagText.utf8.count) characters long, the limit is \(Self.maximumTagLength)")
            }
            guard Self.isValidTag(tagText) else {
                throw Self.invalid(
                    string, "the tag \"\(Digest.printable(String(tagText)))\" must be letters, digits or '_' followed by letters, digits, '_', '.' or '-'")
            }
            tag = String(tagText)
        }

        let writtenName = rest
        guard !writtenName.isEmpty else { throw Self.invalid(string, "the repository name is empty") }

        // The first component is a domain iff it looks like one: it contains "." or ":", is
        // "localhost", or has uppercase letters (which a path never may).
        var components = writtenName.split(separator: "/", omittingEmptySubsequences: false)
        var writtenDomain: Substring?
        if components.count > 1, let first = components.first, Self.looksLikeDomain(first) {
            writtenDomain = first
            components.removeFirst()
        }
        if let writtenDomain {
            guard Self.isValidDomain(writtenDomain) else {
                throw Self.invalid(
                    string,
                    "the registry \"\(Digest.printable(String(writtenDomain)))\" is not host[:port] (a DNS name, an IPv4 address or a bracketed IPv6 address, port in digits)"
                )
            }
        }
        for component in components {
            if component.isEmpty {
                throw Self.invalid(string, "the repository path has an empty component (a leading, trailing or doubled '/')")
            }
            if !Self.isValidPathComponent(component) {
                if Self.isValidPathComponent(Substring(component.lowercased())) {
                    throw Self.invalid(string, "the repository path \"\(Digest.printable(components.joined(separator: "/")))\" must be lowercase")
                }
                throw Self.invalid(
                    string,
                    "the path component \"\(Digest.printable(String(component)))\" must be lowercase letters and digits separated by '.', '_', '__' or dashes")
            }
        }
        if writtenDomain == nil, components.count == 1, let only = components.first, Self.isImageID(only) {
            throw Self.invalid(string, "a 64-character hex string is an image ID, not a repository name")
        }

        var domain = writtenDomain.map(String.init) ?? Self.defaultDomain
        if domain == Self.legacyDefaultDomain { domain = Self.defaultDomain }
        var repository = components.joined(separator: "/")
        if domain == Self.defaultDomain, components.count == 1 {
            repository = Self.officialRepositoryPrefix + repository
        }
        let nameLength = domain.utf8.count + 1 + repository.utf8.count
        guard nameLength <= Self.maximumNameLength else {
            throw Self.invalid(
                string,
                "the name \(Digest.printable(domain + "/" + repository, limit: 40)) is \(nameLength) characters long, the limit is \(Self.maximumNameLength)")
        }
        self.init(domain: domain, repository: repository, tag: tag, digest: digest)
    }

    /// The fully-qualified repository name, `domain/path` (`docker.io/library/alpine`).
    public var name: String { "\(domain)/\(repository)" }

    /// This reference with the default tag `latest` when it has neither a tag nor a digest.
    public var normalized: Reference {
        guard tag == nil, digest == nil else { return self }
        return Reference(domain: domain, repository: repository, tag: Self.defaultTag, digest: nil)
    }

    /// The name as Docker prints it: without `docker.io/`, and without `library/` when no
    /// further `/` follows (`alpine`, `user/app`, `ghcr.io/org/app`).
    public var familiarName: String {
        guard domain == Self.defaultDomain else { return name }
        let prefix = Self.officialRepositoryPrefix
        if repository.hasPrefix(prefix), !repository.dropFirst(prefix.count).contains("/") {
            return String(repository.dropFirst(prefix.count))
        }
        return repository
    }

    /// The reference as Docker prints it: ``familiarName`` with the tag and digest as written.
    public var familiarString: String { familiarName + suffix }

    /// The fully-qualified reference: `domain/path[:tag][@digest]`.
    public var description: String { name + suffix }

    private var suffix: String {
        (tag.map { ":\($0)" } ?? "") + (digest.map { "@\($0)" } ?? "")
    }

    // MARK: Validators

    /// Whether `tag` is a valid registry tag: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    public static func isValidTag(_ tag: some StringProtocol) -> Bool {
        let bytes = tag.utf8
        guard let first = bytes.first, bytes.count <= maximumTagLength, isWordByte(first) else { return false }
        return bytes.allSatisfy { isWordByte($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// Whether `value` is a valid `org.opencontainers.image.ref.name` annotation value for an OCI
    /// image layout (image-spec `annotations.md`; formats.md §2.4).
    ///
    /// The grammar is `component ("/" component)*` with
    /// `component = [A-Za-z0-9]+ (separator [A-Za-z0-9]+)*` and `separator = [-._:@+] | "--"`,
    /// so both `3.19` and `docker.io/library/alpine:3.19` are valid, and `a//b` or `-x` are not.
    public static func isValidLayoutReferenceName(_ value: some StringProtocol) -> Bool {
        let components = value.split(separator: "/", omittingEmptySubsequences: false)
        return components.allSatisfy { component in
            alternates(component.utf8, isAlphanumeric: isASCIIAlphanumeric) { separator in
                separator.count == 1 ? "-._:@+".utf8.contains(separator[0]) : separator == Array("--".utf8)
            }
        }
    }

    // MARK: Grammar helpers

    private static func invalid(_ input: String, _ rule: String) -> SpecError {
        SpecError(.invalidReference, "invalid reference \"\(Digest.printable(input))\": \(rule); a valid reference looks like docker.io/library/alpine:3.19")
    }

    /// Whether `bytes` is one or more runs of alphanumerics joined by single accepted separators.
    private static func alternates(
        _ bytes: some Collection<UInt8>, isAlphanumeric: (UInt8) -> Bool, isSeparator: ([UInt8]) -> Bool
    ) -> Bool {
        var separator: [UInt8] = []
        var sawAlphanumeric = false
        for byte in bytes {
            if isAlphanumeric(byte) {
                if !separator.isEmpty {
                    guard sawAlphanumeric, isSeparator(separator) else { return false }
                    separator.removeAll(keepingCapacity: true)
                }
                sawAlphanumeric = true
            } else {
                separator.append(byte)
            }
        }
        return sawAlphanumeric && separator.isEmpty
    }

    /// A path component: `[a-z0-9]+` runs joined by `.`, `_`, `__` or one or more `-`.
    private static func isValidPathComponent(_ component: Substring) -> Bool {
        alternates(component.utf8, isAlphanumeric: isLowerAlphanumeric) { separator in
            if separator == [UInt8(ascii: ".")] || separator == [UInt8(ascii: "_")] { return true }
            if separator == [UInt8(ascii: "_"), UInt8(ascii: "_")] { return true }
            return separator.allSatisfy { $0 == UInt8(ascii: "-") }
        }
    }

    static func looksLikeDomain(_ component: Substring) -> Bool {
        component == "localhost"
            || component.utf8.contains { byte in
                byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":") || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            }
    }

    /// `host [":" port]`; host is DNS labels (which also covers IPv4) or `[` IPv6 `]`.
    private static func isValidDomain(_ domain: Substring) -> Bool {
        let host: Substring
        let port: Substring?
        if domain.hasPrefix("[") {
            guard let close = domain.firstIndex(of: "]") else { return false }
            let address = domain[domain.index(after: domain.startIndex)..<close]
            guard !address.isEmpty, address.utf8.allSatisfy({ isHexDigit($0) || $0 == UInt8(ascii: ":") }) else { return false }
            let after = domain[domain.index(after: close)...]
            if after.isEmpty {
                port = nil
            } else {
                guard after.hasPrefix(":") else { return false }
                port = after.dropFirst()
            }
            host = ""
        } else {
            if let colon = domain.firstIndex(of: ":") {
                host = domain[..<colon]
                port = domain[domain.index(after: colon)...]
            } else {
                host = domain
                port = nil
            }
            let labels = host.split(separator: ".", omittingEmptySubsequences: false)
            let labelsValid = labels.allSatisfy { label in
                guard let first = label.utf8.first, let last = label.utf8.last else { return false }
                return isASCIIAlphanumeric(first) && isASCIIAlphanumeric(last)
                    && label.utf8.allSatisfy { isASCIIAlphanumeric($0) || $0 == UInt8(ascii: "-") }
            }
            guard labelsValid else { return false }
        }
        if let port {
            guard !port.isEmpty, port.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return false }
        }
        return true
    }

    /// distribution/reference's digest grammar: `[A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)* ":" [0-9a-fA-F]{32,}`.
    private static func matchesReferenceDigestGrammar(_ text: Substring) -> Bool {
        guard let colon = text.firstIndex(of: ":") else { return false }
        let hex = text[text.index(after: colon)...]
        guard hex.utf8.count >= 32, hex.utf8.allSatisfy(isHexDigit) else { return false }
        let isLetter: (UInt8) -> Bool = { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0 | 0x20) }
        var expectLetter = true
        for byte in text[..<colon].utf8 {
            if expectLetter {
                guard isLetter(byte) else { return false }
                expectLetter = false
            } else if "-_+.".utf8.contains(byte) {
                expectLetter = true
            } else if !isASCIIAlphanumeric(byte) {
                return false
            }
        }
        return !expectLetter
    }

    private static func isImageID(_ component: Substring) -> Bool {
        component.utf8.count == 64 && component.utf8.allSatisfy { isHexDigit($0) && !(UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0) }
    }

    private static func isWordByte(_ b: UInt8) -> Bool { isASCIIAlphanumeric(b) || b == UInt8(ascii: "_") }

    private static func isLowerAlphanumeric(_ b: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
    }

    private static func isASCIIAlphanumeric(_ b: UInt8) -> Bool {
        isLowerAlphanumeric(b) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b)
    }

    private static func isHexDigit(_ b: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(b | 0x20)
    }
}
