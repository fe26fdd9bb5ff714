/// The fields Ferry reads from one schema 1 `v1Compatibility` string (formats.md §6.1).
///
/// The string itself is kept beside it: conversions edit its raw members, never a re-encoding.
public struct V1Compatibility: Sendable, Hashable, Decodable {
    /// The layer's v1 id: 64 lowercase hex.
    public var id: String
    /// The id of the entry below, or `nil`/empty at the base.
    public var parent: String?
    /// When the layer was made (RFC 3339 text, kept as written).
    public var created: String?
    public var author: String?
    public var comment: String?
    /// An empty layer (only metadata).
    public var throwaway: Bool?
    /// The command that made the layer, from `container_config.Cmd`.
    public var containerConfig: ContainerConfig?

    /// `container_config`: only `Cmd` is read.
    public struct ContainerConfig: Sendable, Hashable, Decodable {
        public var cmd: [String]?
        enum CodingKeys: String, CodingKey { case cmd = "Cmd" }
    }

    enum CodingKeys: String, CodingKey {
        case id, parent, created, author, comment, throwaway
        case containerConfig = "container_config"
    }

    /// Whether this entry is an empty layer.
    public var isThrowaway: Bool { throwaway ?? false }

    /// Whether `id` is a valid v1 id: exactly 64 lowercase hex characters.
    public static func isValidID(_ id: String) -> Bool {
        id.utf8.count == 64 && id.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
