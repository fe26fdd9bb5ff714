import Foundation

/// The parts of an image config Ferry reads. The exact bytes stay in the ``RawDocument``.
///
/// See image-spec `config.md`.
public struct ImageConfig: Sendable, Hashable, Codable {
    public struct RootFS: Sendable, Hashable, Codable {
        public var type: String
        public var diffIDs: [Digest]
        enum CodingKeys: String, CodingKey { case type, diffIDs = "diff_ids" }
        public init(type: String = "layers", diffIDs: [Digest]) {
            self.type = type
            self.diffIDs = diffIDs
        }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            type = try c.decode(String.self, forKey: .type)
            diffIDs = try c.decodeIfPresent([Digest].self, forKey: .diffIDs) ?? []
        }
    }

    public struct History: Sendable, Hashable, Codable {
        public var created: String?
        public var createdBy: String?
        public var author: String?
        public var comment: String?
        public var emptyLayer: Bool?
        enum CodingKeys: String, CodingKey {
            case created, author, comment
            case createdBy = "created_by"
            case emptyLayer = "empty_layer"
        }
        public init(created: String? = nil, createdBy: String? = nil, author: String? = nil, comment: String? = nil, emptyLayer: Bool? = nil) {
            self.created = created
            self.createdBy = createdBy
            self.author = author
            self.comment = comment
            self.emptyLayer = emptyLayer
        }
    }

    /// The runtime part (`config`): only what `inspect` shows.
    public struct Runtime: Sendable, Hashable, Codable {
        public var user: String?
        public var env: [String]?
        public var entrypoint: [String]?
        public var cmd: [String]?
        public var workingDir: String?
        public var labels: [String: String]?
        public var exposedPorts: [String: EmptyObject]?
        enum CodingKeys: String, CodingKey {
            case user = "User", env = "Env", entrypoint = "Entrypoint", cmd = "Cmd"
            case workingDir = "WorkingDir", labels = "Labels", exposedPorts = "ExposedPorts"
        }
    }

    /// `{}` in JSON.
    public struct EmptyObject: Sendable, Hashable, Codable {
        public init() {}
    }

    public var architecture: String
    public var os: String
    public var variant: String?
    public var created: String?
    public var author: String?
    public var config: Runtime?
    public var rootfs: RootFS
    public var history: [History]?

    /// The platform this config declares.
    public var platform: Platform { Platform(os: os, architecture: architecture, variant: variant) }
}
