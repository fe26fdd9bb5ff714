/// A media type such as `application/vnd.oci.image.manifest.v1+json`, with the questions Ferry
/// asks of it.
///
/// Any string is kept as given (the spec says to carry types we do not know); the constants cover
/// every OCI and Docker type in the formats reference. Parameters (`; charset=…`) are ignored by
/// the questions but kept in ``rawValue``.
public struct MediaType: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    /// The type without parameters, lowercased.
    public var essence: String {
        let base = rawValue.split(separator: ";", maxSplits: 1).first.map(String.init) ?? rawValue
        return base.trimmingASCIIWhitespace().lowercased()
    }

    /// Whether the string follows RFC 6838 `type/subtype` as the OCI descriptor schema requires.
    public var isWellFormed: Bool {
        let parts = essence.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        return parts.allSatisfy { part in
            guard let first = part.utf8.first, part.utf8.count <= 127 else { return false }
            let isAlnum: (UInt8) -> Bool = { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x41 && $0 <= 0x5a) }
            return isAlnum(first) && part.utf8.allSatisfy { isAlnum($0) || "!#$&^_.+-".utf8.contains($0) }
        }
    }
}

// MARK: - Constants

extension MediaType {
    // OCI
    public static let ociIndex: MediaType = "application/vnd.oci.image.index.v1+json"
    public static let ociManifest: MediaType = "application/vnd.oci.image.manifest.v1+json"
    public static let ociConfig: MediaType = "application/vnd.oci.image.config.v1+json"
    public static let ociLayer: MediaType = "application/vnd.oci.image.layer.v1.tar"
    public static let ociLayerGzip: MediaType = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let ociLayerZstd: MediaType = "application/vnd.oci.image.layer.v1.tar+zstd"
    public static let ociForeignLayer: MediaType = "application/vnd.oci.image.layer.nondistributable.v1.tar"
    public static let ociForeignLayerGzip: MediaType = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
    public static let ociForeignLayerZstd: MediaType = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
    public static let ociEmpty: MediaType = "application/vnd.oci.empty.v1+json"
    public static let ociLayoutHeader: MediaType = "application/vnd.oci.layout.header.v1+json"
    public static let ociDescriptor: MediaType = "application/vnd.oci.descriptor.v1+json"

    // Docker
    public static let dockerManifestList: MediaType = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerManifest: MediaType = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerConfig: MediaType = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayer: MediaType = "application/vnd.docker.image.rootfs.diff.tar"
    public static let dockerLayerGzip: MediaType = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    public static let dockerForeignLayer: MediaType = "application/vnd.docker.image.rootfs.foreign.diff.tar"
    public static let dockerForeignLayerGzip: MediaType = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
    public static let dockerPluginConfig: MediaType = "application/vnd.docker.plugin.v1+json"
    public static let dockerSchema1: MediaType = "application/vnd.docker.distribution.manifest.v1+json"
    public static let dockerSchema1Signed: MediaType = "application/vnd.docker.distribution.manifest.v1+prettyjws"
}

// MARK: - Questions

/// How a layer's bytes are compressed, as its media type (or its magic bytes) says.
public enum LayerCompression: String, Sendable, Hashable, CaseIterable, Codable {
    case none, gzip, zstd
}

extension MediaType {
    /// An OCI index or a Docker manifest list.
    public var isIndex: Bool { essence == Self.ociIndex.rawValue || essence == Self.dockerManifestList.rawValue }

    /// A single-image manifest: OCI, Docker schema 2 or schema 1.
    public var isManifest: Bool {
        [Self.ociManifest.rawValue, Self.dockerManifest.rawValue].contains(essence) || isSchema1
    }

    /// Docker schema 1, signed or not.
    public var isSchema1: Bool {
        essence == Self.dockerSchema1.rawValue || essence == Self.dockerSchema1Signed.rawValue
    }

    /// An index or a manifest: a document whose children must be followed.
    public var isManifestOrIndex: Bool { isIndex || isManifest }

    /// An image config, OCI or Docker.
    public var isImageConfig: Bool { essence == Self.ociConfig.rawValue || essence == Self.dockerConfig.rawValue }

    /// A Docker media type (as opposed to OCI or unknown).
    public var isDocker: Bool { essence.hasPrefix("application/vnd.docker.") }

    /// An OCI media type.
    public var isOCI: Bool { essence.hasPrefix("application/vnd.oci.") }

    /// Any OCI or Docker layer type, distributable or not, compressed or not, encrypted or not.
    public var isLayer: Bool {
        let e = essence
        return e.hasPrefix("application/vnd.oci.image.layer.") || e.hasPrefix("application/vnd.docker.image.rootfs.")
    }

    /// A non-distributable ("foreign") layer.
    public var isForeignLayer: Bool {
        let e = essence
        return e.hasPrefix("application/vnd.oci.image.layer.nondistributable.") || e.hasPrefix("application/vnd.docker.image.rootfs.foreign.")
    }

    /// An encrypted layer (`+encrypted`), which Ferry copies opaquely.
    public var isEncryptedLayer: Bool { isLayer && essence.hasSuffix("+encrypted") }

    /// The compression a layer type declares, or `nil` for non-layers, encrypted and unknown
    /// layer types.
    public var layerCompression: LayerCompression? {
        guard isLayer, !isEncryptedLayer else { return nil }
        let e = essence
        if e.hasSuffix("+gzip") || e.hasSuffix(".tar.gzip") { return .gzip }
        if e.hasSuffix("+zstd") { return .zstd }
        if e.hasSuffix(".tar") { return LayerCompression.none }
        return nil
    }

    /// Whether Ferry knows this type (a type it does not know is carried, never an error).
    public var isKnown: Bool {
        Self.allKnown.contains(essence) || (isLayer && layerCompression != nil) || isEncryptedLayer
    }

    static let allKnown: Set<String> = Set(
        [
            ociIndex, ociManifest, ociConfig, ociLayer, ociLayerGzip, ociLayerZstd, ociForeignLayer,
            ociForeignLayerGzip, ociForeignLayerZstd, ociEmpty, ociLayoutHeader, ociDescriptor,
            dockerManifestList, dockerManifest, dockerConfig, dockerLayer, dockerLayerGzip,
            dockerForeignLayer, dockerForeignLayerGzip, dockerPluginConfig, dockerSchema1, dockerSchema1Signed,
        ].map(\.rawValue))

    /// The OCI layer type for a compression (distributable or foreign).
    public static func ociLayer(_ compression: LayerCompression, foreign: Bool = false) -> MediaType {
        switch (compression, foreign) {
        case (.none, false): return .ociLayer
        case (.gzip, false): return .ociLayerGzip
        case (.zstd, false): return .ociLayerZstd
        case (.none, true): return .ociForeignLayer
        case (.gzip, true): return .ociForeignLayerGzip
        case (.zstd, true): return .ociForeignLayerZstd
        }
    }

    /// The Docker layer type for a compression, or `nil` for zstd, which Docker schema 2 has no type for.
    public static func dockerLayer(_ compression: LayerCompression, foreign: Bool = false) -> MediaType? {
        switch (compression, foreign) {
        case (.none, false): return .dockerLayer
        case (.gzip, false): return .dockerLayerGzip
        case (.none, true): return .dockerForeignLayer
        case (.gzip, true): return .dockerForeignLayerGzip
        case (.zstd, _): return nil
        }
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
