import FerrySpec
import FerryStreams
import FerryTransports

extension Inspector {
    /// One image of the selected entry, verified: the entry itself when it is an image manifest;
    /// for an index, its image for `platform` (the best match, as a copy would choose), which must
    /// be given when the index holds more than one image.
    /// - Throws: ``EngineError`` (`unsupported`) naming the platforms there are when none matches
    ///   or none was given for several.
    public func image(_ selector: ImageSelector, platform: Platform?) async throws -> (manifest: RawDocument, decoded: ImageManifest) {
        let entry = try await source.entry(matching: selector)
        let graph = try await GraphReader(source: source).read(entry.descriptor)
        let described = graph.images.map { image in image.platform.map(Self.describe) ?? "unknown" }
        let context = "\(entry.descriptor.digest) in \(source.name)"
        if let platform {
            let ranked = graph.images.compactMap { image in image.platform.flatMap { platform.compatibilityRank(of: $0) }.map { (image, $0) } }
            guard let best = ranked.min(by: { $0.1 < $1.1 })?.0 else {
                throw EngineError(
                    .unsupported, "\(context): no image for platform \(Self.describe(platform)) (there are: \(described.joined(separator: ", ")))")
            }
            return (best.manifest, best.decoded)
        }
        guard graph.images.count == 1, let only = graph.images.first else {
            throw EngineError(
                .unsupported, "\(context) is an index of \(graph.images.count) images; choose one with --platform (\(described.joined(separator: ", ")))")
        }
        return (only.manifest, only.decoded)
    }

    /// The config of one image (see ``image(_:platform:)``), its bytes checked against its digest.
    public func configBytes(_ selector: ImageSelector, platform: Platform?) async throws -> [UInt8] {
        let (manifest, decoded) = try await image(selector, platform: platform)
        let context = "config \(decoded.config.digest) of \(manifest.digest) in \(source.name)"
        let stream = try VerifyingStream(try await source.blob(decoded.config), expected: decoded.config, context: context)
        return try await stream.readAll(limit: DocumentLimits.maximumDocumentSize, context: context)
    }
}
