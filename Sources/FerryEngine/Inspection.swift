import FerrySpec
import FerryStreams
import FerryTransports

/// What `inspect` tells about one top-level entry.
public struct Inspection: Sendable, Codable {
    /// One image (a manifest and its config).
    public struct Image: Sendable, Codable {
        public var digest: Digest
        public var mediaType: MediaType
        public var platform: String?
        public var configDigest: Digest
        public var configMediaType: MediaType
        public var created: String?
        public var architecture: String?
        public var os: String?
        public var variant: String?
        public var entrypoint: [String]?
        public var cmd: [String]?
        public var env: [String]?
        public var workingDir: String?
        public var user: String?
        public var labels: [String: String]?
        public var layers: [Layer]
        /// The sum of the layer sizes (compressed, as stored).
        public var layersSize: Int64
        public var diffIDs: [Digest]?
    }

    /// One layer of an image.
    public struct Layer: Sendable, Codable {
        public var digest: Digest
        public var mediaType: MediaType
        public var size: Int64
    }

    /// The source the entry was read from.
    public var source: String
    /// The names the entry carries.
    public var names: [String]
    /// The top-level digest (what `ferry digest` prints).
    public var digest: Digest
    /// The top-level media type.
    public var mediaType: MediaType
    /// Platforms of an index's entries, `os/arch[/variant]`.
    public var platforms: [String]?
    /// Index entries the source does not hold (a sparse index), `os/arch[/variant] (digest)`;
    /// `nil` when every entry is held.
    public var absent: [String]?
    /// Every image below the entry (one for a manifest, one per platform for an index).
    public var images: [Image]
}

/// Reads what `inspect` shows: the manifest graph (verified) and each image's config.
public struct Inspector: Sendable {
    public let source: any ImageSource

    public init(source: any ImageSource) {
        self.source = source
    }

    /// The verified top-level document of the selected entry (`inspect --raw`, `digest`).
    public func rawDocument(_ selector: ImageSelector) async throws -> RawDocument {
        let entry = try await source.entry(matching: selector)
        return try await GraphReader(source: source).verifiedDocument(entry.descriptor)
    }

    /// Inspects the selected entry. Configs are read and digest-checked; layers are not read.
    public func inspect(_ selector: ImageSelector) async throws -> Inspection {
        let entry = try await source.entry(matching: selector)
        if entry.descriptor.mediaType.isSchema1 { return try await inspectSchema1(entry) }
        let reader = GraphReader(source: source)
        let graph = try await reader.read(entry.descriptor)
        var images: [Inspection.Image] = []
        for (manifest, decoded, platform) in graph.images {
            let config = try await readConfig(decoded.config)
            images.append(
                Inspection.Image(
                    digest: manifest.digest, mediaType: manifest.mediaType,
                    platform: platform.map(Self.describe) ?? config?.platform.map(Self.describe),
                    configDigest: decoded.config.digest, configMediaType: decoded.config.mediaType,
                    created: config?.created, architecture: config?.architecture, os: config?.os, variant: config?.variant,
                    entrypoint: config?.config?.entrypoint, cmd: config?.config?.cmd, env: config?.config?.env,
                    workingDir: config?.config?.workingDir, user: config?.config?.user, labels: config?.config?.labels,
                    layers: decoded.layers.map { Inspection.Layer(digest: $0.digest, mediaType: $0.mediaType, size: $0.size) },
                    layersSize: ByteSum.clamped(decoded.layers.map(\.size)),
                    diffIDs: config?.rootfs?.diffIDs))
        }
        let root = graph.documents.last
        var platforms: [String]? = nil
        if let root, root.mediaType.isIndex, case .index(let index) = try root.decode(context: "index \(root.digest) in \(source.name)") {
            platforms = index.manifests.compactMap { $0.platform.map(Self.describe) }
        }
        return Inspection(
            source: source.name, names: entry.names + entry.aliases, digest: entry.descriptor.digest,
            mediaType: entry.descriptor.mediaType, platforms: platforms,
            absent: graph.absent.isEmpty ? nil : graph.absent.map { SparseIndex.describe([$0]) }, images: images)
    }

    /// A Docker schema 1 manifest: the layers that carry content, base first (throwaway entries
    /// left out, as a conversion would), and the runtime settings of its newest `v1Compatibility`
    /// entry, which has an image config's shape. Layer sizes are not in schema 1: they show as -1.
    private func inspectSchema1(_ entry: SourceEntry) async throws -> Inspection {
        let context = "manifest \(entry.descriptor.digest) in \(source.name)"
        let document = try await GraphReader(source: source).verifiedDocument(entry.descriptor)
        let envelope = try Schema1Envelope(parsing: document.bytes, context: context)
        let manifest = try Schema1Manifest(decoding: envelope.payload, context: context)
        let newest = try manifest.history.first.map {
            try JSONDocument.decode(ConfigSummary.self, from: Array($0.utf8), context: "\(context): v1Compatibility 0")
        }
        let image = Inspection.Image(
            digest: document.digest, mediaType: document.mediaType,
            platform: newest?.platform.map(Self.describe) ?? "linux/\(manifest.architecture)",
            configDigest: document.digest, configMediaType: document.mediaType,
            created: newest?.created, architecture: newest?.architecture ?? manifest.architecture, os: newest?.os, variant: newest?.variant,
            entrypoint: newest?.config?.entrypoint, cmd: newest?.config?.cmd, env: newest?.config?.env,
            workingDir: newest?.config?.workingDir, user: newest?.config?.user, labels: newest?.config?.labels,
            layers: manifest.imageLayers.map { Inspection.Layer(digest: $0, mediaType: .dockerLayerGzip, size: -1) },
            layersSize: -1, diffIDs: nil)
        return Inspection(
            source: source.name, names: entry.names + entry.aliases, digest: entry.descriptor.digest,
            mediaType: entry.descriptor.mediaType, platforms: nil, absent: nil, images: [image])
    }

    /// Reads and decodes an image config; `nil` for configs of other types (artifacts).
    ///
    /// Decoded leniently: `inspect` shows what is there, so a config without `rootfs` (ORAS and
    /// other artifact tools write `{"architecture","os"}` only) is shown, not refused. The bytes
    /// are still digest-checked.
    private func readConfig(_ descriptor: Descriptor) async throws -> ConfigSummary? {
        guard descriptor.mediaType.isImageConfig else { return nil }
        let context = "config \(descriptor.digest) in \(source.name)"
        let stream = try VerifyingStream(try await source.blob(descriptor), expected: descriptor, context: context)
        let bytes = try await stream.readAll(limit: DocumentLimits.maximumDocumentSize, context: context)
        return try JSONDocument.decode(ConfigSummary.self, from: bytes, context: context)
    }

    /// The parts of an image config `inspect` shows, every one optional.
    struct ConfigSummary: Decodable {
        var architecture: String?
        var os: String?
        var variant: String?
        var created: String?
        var config: ImageConfig.Runtime?
        var rootfs: ImageConfig.RootFS?

        var platform: Platform? {
            guard let os, let architecture else { return nil }
            return Platform(os: os, architecture: architecture, variant: variant)
        }
    }

    static func describe(_ p: Platform) -> String {
        [p.os, p.architecture, p.variant].compactMap { $0 }.joined(separator: "/")
    }
}
