import FerrySpec

/// Which manifest of a repository: by tag or by digest.
public enum ManifestReference: Sendable, Hashable, CustomStringConvertible {
    /// A tag such as `latest`.
    case tag(String)
    /// A digest; what is fetched by digest is verified against it.
    case digest(Digest)

    /// The path segment (`latest`, `sha256:…`).
    public var description: String {
        switch self {
        case .tag(let tag): return tag
        case .digest(let digest): return digest.description
        }
    }
}
