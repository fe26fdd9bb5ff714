import FerrySpec
import FerryTransports

/// The copy's rules for documents and layers, as a pure function of the options (``format``,
/// ``compression``), the destination's capabilities, and what the source says of one document
/// or layer (its media type or compression, whether the source synthesised it).
///
/// ``CopyPlanner`` asks these rules for every document and layer; the one-pass reader asks the
/// same ones (through the planner) before the plan exists.
struct CopyRules: Sendable {
    /// The manifest format asked for (`--format`), or `nil` to keep each document's own.
    var format: ManifestFormat?
    /// What was asked of layer compression (`--compress`), or `nil` for the default.
    var compression: CompressionChoice?
    /// What the destination can store and prefers.
    var capabilities: DestinationCapabilities

    /// The rules of a copy with `options` into a destination with `capabilities`.
    init(options: CopyOptions, capabilities: DestinationCapabilities) {
        self.init(format: options.format, compression: options.compression, capabilities: capabilities)
    }

    /// The rules for the given choices and destination.
    init(format: ManifestFormat?, compression: CompressionChoice?, capabilities: DestinationCapabilities) {
        self.format = format
        self.compression = compression
        self.capabilities = capabilities
    }

    /// The format a document of `mediaType` is converted to, or `nil` when it is kept verbatim:
    /// the requested format; else, for a synthesised document or one the destination cannot
    /// store, the destination's preferred format.
    func documentFormat(_ mediaType: MediaType, synthesized: Bool) -> ManifestFormat? {
        let current = ManifestFormat(mediaType)
        let target: ManifestFormat?
        if let format {
            target = format
        } else if !capabilities.accepts(mediaType) || (synthesized && capabilities.isOCIImageLayout) {
            target = capabilities.preferredManifestFormat
        } else if synthesized {
            // A docker-archive's manifest keeps the type it was made with (Docker schema 2, as
            // skopeo keeps it) in a registry or dir:; re-encoded all the same, since its layers
            // may be compressed on the way. An OCI layout gets OCI, as skopeo writes there.
            target = current ?? capabilities.preferredManifestFormat
        } else {
            target = nil
        }
        return target == current && !synthesized ? nil : target
    }

    /// The compression a layer stored as `current` is transcoded to in a manifest of `family`, or
    /// `nil` when it is copied as it is.
    func transcodeTarget(_ current: LayerCompression, synthesized: Bool, family: ManifestFormat) -> LayerCompression? {
        var target = targetCompression(current, synthesized: synthesized)
        if family == .v2s2 && target == .zstd { target = .gzip }
        return target != current || forcedRecompression(current) ? target : nil
    }

    /// The format an image's manifest will most likely be written in, before its manifest is read:
    /// a synthesised one takes the destination's native format; a stored one (guessed OCI, as
    /// Docker 25+ and containerd write them) is kept where the destination accepts it.
    func likelyFamily(synthesized: Bool) -> ManifestFormat {
        if let format { return format }
        if synthesized {
            let keeps = capabilities.accepts(MediaType.dockerManifest) && !capabilities.isOCIImageLayout
            return keeps ? .v2s2 : capabilities.preferredManifestFormat
        }
        if !capabilities.accepts(MediaType.ociManifest) { return capabilities.preferredManifestFormat }
        return .oci
    }

    /// The compression a layer stored as `current` should end up in, before the family's limits.
    func targetCompression(_ current: LayerCompression, synthesized: Bool) -> LayerCompression {
        switch compression {
        case .to(let requested, _)?:
            return requested
        case .keep?:
            return capabilities.accepts(current) ? current : capabilities.preferredLayerCompression
        case nil:
            if !capabilities.accepts(current) { return capabilities.preferredLayerCompression }
            if synthesized && current == .none { return capabilities.preferredLayerCompression }
            return current
        }
    }

    /// An explicit level asks for recompression even when the compression stays the same.
    func forcedRecompression(_ current: LayerCompression) -> Bool {
        if case .to(let requested, let level?)? = compression, requested == current, requested != .none { return level > 0 }
        return false
    }

    /// The level asked for a compression, or `nil` for its default.
    func level(for target: LayerCompression) -> Int? {
        if case .to(let requested, let level)? = compression, requested == target { return level }
        return nil
    }
}
