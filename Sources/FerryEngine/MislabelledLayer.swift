import FerrySpec
import FerryStreams
import FerryTransports

/// Layers whose media type names another compression than their content has: podman and skopeo
/// sometimes write uncompressed layers labelled gzip. A copy reads each layer's first bytes
/// anyway; with `--compress` the content is brought to the asked compression from what it really
/// is, without one the bytes are kept and the label corrected — so nothing Ferry writes fails
/// `ferry verify` (and `umoci unpack`) on that account.
enum MislabelledLayer {
    /// What a layer's content is, in words (`uncompressed`, `gzip`).
    static func describe(_ compression: LayerCompression) -> String {
        compression == .none ? "uncompressed" : "\(compression.rawValue)-compressed"
    }

    /// One sentence saying what was found and what the copy did about it.
    static func note(_ original: Descriptor, landed: Descriptor, source: String) -> String {
        let what = "\(source): layer \(original.digest.short) is labelled \(original.mediaType) but its content is not"
        if landed.digest == original.digest {
            return "\(what) that compression; its label is corrected to \(landed.mediaType) (the manifest's digest changes)"
        }
        return "\(what) that compression; it is recompressed to \(landed.mediaType) from what it really is, as \(landed.digest.short)"
    }
}

extension CopyOperation {
    /// Copies an image layer, sniffing its first bytes (``BlobJob/Kind/copyLayer(requested:level:family:diffID:)``).
    ///
    /// A layer a registry source shares with the destination (present there, or mounted) is not
    /// read at all: the copy between repositories stays free of layer downloads, and its label is
    /// the source's. From any other source the first bytes are read even when the destination
    /// holds the layer, so a rerun corrects the label as the first run did.
    func copyLayer(
        _ job: BlobJob, requested: LayerCompression?, level: Int?, family: ManifestFormat, raw provided: sending (any ByteStream)?
    ) async throws -> (BlobJob, Descriptor, Bool) {
        let descriptor = job.descriptor
        let context = "layer \(descriptor.digest) from \(source.name)"
        if provided == nil, !options.checkLayers, source.capabilities.isRemote, try await destination.hasBlob(descriptor) {
            options.progress?(.blobFinished(descriptor, skipped: true))
            return (job, descriptor, true)
        }
        if options.reliedOnBlobs.contains(descriptor.digest) { return try await reliedOn(job) }
        let (found, sniffed) = try await CompressionSniffer.sniff(try await rawBlob(descriptor, provided))
        // Uncompressed content is its own DiffID: the config must name this digest, as verify checks.
        if case .copyLayer(_, _, _, let diffID?) = job.kind, found.layerCompression == LayerCompression.none, diffID != descriptor.digest {
            throw EngineError(
                .invalidGraph, "\(context): is uncompressed, so its DiffID is its digest, but the config's rootfs.diff_ids names \(diffID) for it")
        }
        var diffID: Digest?
        if case .copyLayer(_, _, _, let declared) = job.kind { diffID = declared }
        guard let actual = found.layerCompression, actual != descriptor.mediaType.layerCompression else {
            // Labelled right, or compressed in a way no layer type names: an ordinary copy.
            if try await destination.hasBlob(descriptor) {
                if options.checkLayers {
                    try await LayerContentCheck.check(
                        try VerifyingStream(sniffed, expected: descriptor, context: context), mediaType: descriptor.mediaType, diffID: diffID, context: context)
                }
                options.progress?(.blobFinished(descriptor, skipped: true))
                return (job, descriptor, true)
            }
            options.progress?(.blobStarted(descriptor))
            try await putLayer(try VerifyingStream(sniffed, expected: descriptor, context: context), descriptor, diffID: diffID, context: context)
            options.progress?(.blobFinished(descriptor, skipped: false))
            return (job, descriptor, false)
        }
        let label = descriptor.mediaType.layerCompression.map(MislabelledLayer.describe) ?? "\(descriptor.mediaType)"
        if options.preserveDigests {
            throw EngineError(
                .unsupported,
                "--preserve-digests: \(context) is labelled \(label) (\(descriptor.mediaType)) but is \(MislabelledLayer.describe(actual)); correcting it changes the manifest's digest"
            )
        }
        let capabilities = destination.capabilities
        let target = requested ?? (capabilities.accepts(actual) ? actual : capabilities.preferredLayerCompression)
        var result = descriptor
        result.mediaType = try family.layerMediaType(target, foreign: descriptor.mediaType.isForeignLayer)
        options.progress?(.blobStarted(descriptor))
        defer { options.progress?(.blobFinished(descriptor, skipped: false)) }
        if target == actual {
            // The bytes are right for the destination; only the label was wrong.
            let verified = try VerifyingStream(sniffed, expected: descriptor, context: context)
            if try await destination.hasBlob(descriptor) {
                if options.checkLayers { try await LayerContentCheck.check(verified, mediaType: descriptor.mediaType, diffID: diffID, context: context) }
                return (job, result, true)
            }
            try await putLayer(verified, descriptor, diffID: diffID, context: context)
            return (job, result, false)
        }
        let destination = self.destination
        @Sendable func recompress(_ stream: sending any ByteStream) async throws -> (digest: Digest, size: Int64) {
            let plain = try decompressed(stream, format: actual, context: context)
            let output = try VerifyingStream(
                try compressed(plain, format: target, level: level), computing: .sha256, context: "\(context) recompressed to \(target.rawValue)")
            return try await destination.putBlob(output)
        }
        let verified = try VerifyingStream(sniffed, expected: descriptor, context: context)
        let (digest, size) =
            options.checkLayers
            ? try await LayerContentCheck.checking(verified, mediaType: descriptor.mediaType, diffID: diffID, context: context, recompress).result
            : try await recompress(verified)
        result.digest = digest
        result.size = size
        result.urls = nil
        return (job, result, false)
    }

    /// Writes a layer carried as it is, checked on the way with ``CopyOptions/checkLayers``.
    func putLayer(_ verified: sending VerifyingStream, _ descriptor: Descriptor, diffID: Digest?, context: String) async throws {
        guard options.checkLayers else {
            _ = try await destination.putBlob(verified)
            return
        }
        let destination = self.destination
        _ = try await LayerContentCheck.checking(verified, mediaType: descriptor.mediaType, diffID: diffID, context: context) { stream in
            try await destination.putBlob(try VerifyingStream(stream, expected: descriptor, context: context))
        }
    }
}
