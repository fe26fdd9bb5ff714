/// The platform an image runs on, as in an index entry's `platform` field or a config.
///
/// See image-spec `image-index.md`, "platform". Parsing of `os/arch[/variant]`, alias
/// normalisation and matching live in `Platform+Parsing.swift` and `Platform+Matching.swift`.
public struct Platform: Hashable, Sendable, Codable {
    /// CPU architecture in GOARCH terms (`amd64`, `arm64`, …).
    public var architecture: String
    /// Operating system in GOOS terms (`linux`, `windows`, …).
    public var os: String
    /// Operating system version (Windows).
    public var osVersion: String?
    /// Required operating system features (Windows).
    public var osFeatures: [String]?
    /// CPU variant (`v7`, `v8`, …).
    public var variant: String?
    /// Reserved CPU features (Docker manifest lists).
    public var features: [String]?

    public init(os: String, architecture: String, variant: String? = nil, osVersion: String? = nil, osFeatures: [String]? = nil, features: [String]? = nil) {
        self.os = os
        self.architecture = architecture
        self.variant = variant
        self.osVersion = osVersion
        self.osFeatures = osFeatures
        self.features = features
    }

    enum CodingKeys: String, CodingKey {
        case architecture, os, variant, features
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }
}
