import FerrySpec

/// The top-level `credential-helpers` key of registries.conf (containers-registries.conf(5)):
/// where credentials are kept, tried in order. `containers-auth.json` stands for the auth files
/// (``CredentialStore/searchPaths``); any other value `NAME` for the docker credential helper
/// `docker-credential-NAME`.
public struct CredentialHelperList: Sendable, Hashable {
    /// The value that stands for the auth files rather than a helper program.
    public static let authFilesName = "containers-auth.json"

    /// The listed sources, in file order.
    public var sources: [CredentialSource]
    /// `file:line` of the key, for messages.
    public var origin: String

    /// A list of `sources` set at `origin`.
    public init(sources: [CredentialSource], origin: String) {
        self.sources = sources
        self.origin = origin
    }

    /// Reads `credential-helpers` from the root table of `file`.
    /// - Throws: ``SpecError`` (`invalidDocument`) naming `file:line` when the value is not an
    ///   array of strings, or lists a name that cannot be a helper's (empty, a path, spaces, or
    ///   the whole program name `docker-credential-NAME`).
    init(_ root: TOMLTable, file: String) throws(SpecError) {
        let line = root.line(of: "credential-helpers")
        let origin = "\(file):\(line)"
        guard let values = root["credential-helpers"]?.array else {
            throw SpecError(
                .invalidDocument, "\(origin): credential-helpers must be an array of strings (found: \(root["credential-helpers"]?.typeName ?? "nothing"))")
        }
        var sources: [CredentialSource] = []
        for value in values {
            guard let name = value.string else {
                throw SpecError(.invalidDocument, "\(origin): credential-helpers must be an array of strings (found: an element that is \(value.typeName))")
            }
            sources.append(try Self.source(name, origin: origin))
        }
        self.init(sources: sources, origin: origin)
    }

    /// The source `name` stands for.
    static func source(_ name: String, origin: String) throws(SpecError) -> CredentialSource {
        if name == authFilesName { return .authFiles }
        let allowed = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)
        }
        guard !name.isEmpty, allowed, !name.hasPrefix("-"), !name.hasPrefix(".") else {
            throw SpecError(
                .invalidDocument,
                "\(origin): credential-helpers lists \(Echo.quoted(name)), which is not a credential helper: write NAME for the program docker-credential-NAME, or \(authFilesName) for the auth files"
            )
        }
        if name.hasPrefix("docker-credential-") {
            let suffix = String(name.dropFirst("docker-credential-".count))
            throw SpecError(
                .invalidDocument, "\(origin): credential-helpers lists the program \(Echo.quoted(name)); write its NAME alone: \(Echo.quoted(suffix))")
        }
        return .helper(name)
    }
}
