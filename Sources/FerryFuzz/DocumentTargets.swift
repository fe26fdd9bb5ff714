import FerrySpec

/// Manifests, indexes, image configs and schema 1 documents: what every source hands the engine.
enum DocumentTargets {
    /// The media types a document can be labelled with; the input's first byte picks one.
    static let labels: [MediaType] = [
        .ociManifest, .ociIndex, .dockerManifest, .dockerManifestList,
        .dockerSchema1, .dockerSchema1Signed, MediaType(rawValue: "application/json"),
    ]

    /// A document under a descriptor's label: decoded as copy and verify decode it, then its sizes
    /// summed as inspect and verify sum them, and converted between the two formats as copy does.
    @Sendable static func manifest(_ input: [UInt8]) {
        guard let first = input.first else { return }
        let bytes = Array(input.dropFirst())
        let label = labels[Int(first) % labels.count]
        _ = RawDocument.detectMediaType(of: bytes)
        _ = DocumentShape.contradiction(bytes, labelled: label)
        let document = RawDocument(bytes: bytes, mediaType: label, digest: .emptySHA256)
        guard let decoded = try? document.decode(context: "fuzz") else { return }
        switch decoded {
        case .manifest(let manifest):
            _ = ImageManifest.sizeProblem(config: manifest.config, layers: manifest.layers)
            _ = ByteSum.exact([manifest.config.size] + manifest.layers.map(\.size))
            for format in ManifestFormat.allCases { _ = try? manifest.converted(to: format, context: "fuzz") }
            _ = try? JSONDocument.encode(manifest)
        case .index(let index):
            _ = ByteSum.clamped(index.manifests.map(\.size))
            for format in ManifestFormat.allCases {
                _ = try? index.converted(to: format, manifests: index.manifests, context: "fuzz")
            }
            _ = index.manifests.map { $0.platform.map { String(describing: $0) } }
            _ = try? JSONDocument.encode(index)
        case .schema1:
            schema1(bytes)
        }
    }

    /// An image config blob.
    @Sendable static func config(_ input: [UInt8]) {
        guard let config = try? JSONDocument.decode(ImageConfig.self, from: input, context: "fuzz") else { return }
        _ = String(describing: config.platform)
        _ = try? JSONDocument.encode(config)
    }

    /// A Docker schema 1 manifest, signed or not: split, decoded, turned into a config as a copy
    /// to schema 2 does.
    @Sendable static func schema1(_ input: [UInt8]) {
        guard let envelope = try? Schema1Envelope(parsing: input, context: "fuzz") else { return }
        for signature in envelope.signatures { _ = signature.signingInput(payload: envelope.payload) }
        guard let manifest = try? Schema1Manifest(decoding: envelope.payload, context: "fuzz") else { return }
        _ = manifest.encodedPayload()
        let layers = manifest.imageLayers
        _ = try? manifest.imageConfig(diffIDs: layers, context: "fuzz")
    }
}
