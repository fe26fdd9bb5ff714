/// Pure conversions of manifests and indexes between OCI and Docker schema 2 (formats.md §2.2).
///
/// Config and layer bytes never change here; the caller gives the new layer descriptors when it
/// recompressed layers. The result is a new document to encode; its digest is new.
extension ImageManifest {
    /// This manifest in `format`, with `layers` replacing the layer descriptors (same count, same order).
    ///
    /// - Throws: ``SpecError`` (`unsupported`) converting to Docker schema 2 an artifact (a config
    ///   that is not an image config), a zstd or encrypted layer, or a layer type Docker has no name for.
    public func converted(to format: ManifestFormat, layers newLayers: [Descriptor]? = nil, context: String) throws(SpecError) -> ImageManifest {
        let layers = newLayers ?? self.layers
        guard layers.count == self.layers.count else {
            throw SpecError(.invalidDocument, "\(context): \(layers.count) layers given for a manifest of \(self.layers.count)")
        }
        var result = self
        result.schemaVersion = 2
        result.mediaType = format.manifestMediaType
        switch format {
        case .oci:
            if config.mediaType.isImageConfig { result.config.mediaType = .ociConfig }
            result.layers = try layers.map { (layer: Descriptor) throws(SpecError) -> Descriptor in
                var l = layer
                if let compression = layer.mediaType.layerCompression {
                    l.mediaType = try ManifestFormat.oci.layerMediaType(compression, foreign: layer.mediaType.isForeignLayer)
                }
                return l
            }
        case .v2s2:
            guard config.mediaType.isImageConfig else {
                throw SpecError(
                    .unsupported,
                    "\(context): config type \(config.mediaType) is not an image config; an artifact cannot be a Docker schema 2 image (keep --format oci)")
            }
            if artifactType != nil {
                throw SpecError(.unsupported, "\(context): artifactType \(artifactType!) cannot be expressed in Docker schema 2")
            }
            result.config = Descriptor(mediaType: .dockerConfig, digest: config.digest, size: config.size, urls: config.urls)
            result.layers = try layers.map { (layer: Descriptor) throws(SpecError) -> Descriptor in
                guard !layer.mediaType.isEncryptedLayer, let compression = layer.mediaType.layerCompression else {
                    throw SpecError(.unsupported, "\(context): layer \(layer.digest) of type \(layer.mediaType) has no Docker schema 2 equivalent")
                }
                return Descriptor(
                    mediaType: try ManifestFormat.v2s2.layerMediaType(compression, foreign: layer.mediaType.isForeignLayer),
                    digest: layer.digest, size: layer.size, urls: layer.urls)
            }
            // Docker schema 2 has no annotations, subject or artifactType.
            result.annotations = nil
            result.subject = nil
            result.artifactType = nil
        }
        return result
    }
}

extension ImageIndex {
    /// This index in `format`, with `manifests` replacing the entries (already converted children).
    ///
    /// - Throws: ``SpecError`` (`unsupported`) converting to a Docker manifest list an entry that
    ///   is not a Docker manifest (an index cannot nest in a manifest list).
    public func converted(to format: ManifestFormat, manifests newManifests: [Descriptor], context: String) throws(SpecError) -> ImageIndex {
        var result = self
        result.schemaVersion = 2
        result.mediaType = format.indexMediaType
        result.manifests = newManifests
        if format == .v2s2 {
            for entry in newManifests where entry.mediaType != .dockerManifest {
                throw SpecError(.unsupported, "\(context): entry \(entry.digest) of type \(entry.mediaType) cannot be listed in a Docker manifest list")
            }
            result.manifests = newManifests.map { Descriptor(mediaType: $0.mediaType, digest: $0.digest, size: $0.size, urls: $0.urls, platform: $0.platform) }
            result.annotations = nil
            result.subject = nil
            result.artifactType = nil
        }
        return result
    }
}
