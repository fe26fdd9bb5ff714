import FerrySpec

/// The `LayerSources` a written archive gives its items, as `docker save` writes them: for each
/// foreign layer (a non-distributable media type with URLs), keyed by the layer's DiffID, the
/// descriptor of the blob its URLs serve. `docker load` keeps that descriptor with the layer, and
/// `docker push` then refers to the URLs instead of uploading the bytes.
///
/// A foreign layer the engine copied as it was (a plain tar, whose digest is its DiffID) is its
/// own source. A compressed one was decompressed on the way, since the archive stores plain tars:
/// the descriptor that reaches the destination names the plain tar (without the URLs, which
/// serve the compressed bytes). Its original descriptor, recorded when the layer landed
/// (``ImageDestination/layerTranscoded(from:to:)``), is the one written.
struct DockerForeignLayerSources: Sendable {
    /// Source descriptors of foreign layers the engine decompressed, by the digest they landed as.
    private var originals: [Digest: Set<Descriptor>] = [:]

    /// Remembers where a decompressed layer came from, if it is a foreign layer with URLs.
    mutating func record(_ original: Descriptor, storedAs digest: Digest) {
        guard original.mediaType.isForeignLayer, !(original.urls ?? []).isEmpty else { return }
        originals[digest, default: []].insert(original)
    }

    /// The entries for one image with plain-tar layers (each layer's digest is its DiffID).
    func entries(for manifest: ImageManifest) -> DockerLayerSources {
        var descriptors: [Digest: Descriptor] = [:]
        for layer in manifest.layers where layer.mediaType.isForeignLayer {
            // The engine drops the URLs of a layer it transcoded (they serve the old bytes).
            let recorded = (originals[layer.digest] ?? []).filter { layer.urls == nil || $0.urls == layer.urls }
            if let original = recorded.min(by: Self.fixedOrder) {
                descriptors[layer.digest] = original
            } else if let urls = layer.urls, !urls.isEmpty {
                descriptors[layer.digest] = layer
            }
        }
        return DockerLayerSources(descriptors: descriptors)
    }

    /// The layers of an image as its OCI manifest in the archive describes them: a foreign
    /// layer whose URLs serve other bytes than the stored plain tar (it was decompressed) loses
    /// them, so no reader fetches the compressed blob in place of the tar it was promised.
    func storedLayers(of manifest: ImageManifest) -> [Descriptor] {
        let sources = entries(for: manifest)
        return manifest.layers.map { layer in
            guard case .descriptor(let source)? = sources.entry(for: layer.digest), source.digest != layer.digest else { return layer }
            var stored = layer
            stored.urls = nil
            return stored
        }
    }

    /// A fixed choice when several sources decompress to the same layer with the same URLs.
    private static func fixedOrder(_ a: Descriptor, _ b: Descriptor) -> Bool {
        (a.digest, a.mediaType.rawValue, a.size) < (b.digest, b.mediaType.rawValue, b.size)
    }
}
