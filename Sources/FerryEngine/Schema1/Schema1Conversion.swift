import FerrySigning
import FerrySpec
import FerryStreams
import FerryTransports

/// The step that turns Docker schema 1 source images into schema 2 / OCI images before a copy is
/// planned (formats.md §6.3), when the options ask for a format or the destination cannot hold
/// schema 1.
///
/// Each non-empty layer is read once here — verified against its `blobSum`, its compression
/// sniffed, decompressed and hashed — to learn its size, media type and DiffID. When the copy
/// will move the layer verbatim (gzip stays gzip: no `--compress`, the destination takes the
/// compression), the same pass lands it: the compressed bytes go to ``destination`` while a
/// child task inflates and hashes a tee of them (``TeeStream``), so each layer is read once and
/// the copy that follows only writes the config and manifest. Otherwise the pass only reads, and
/// the copy transcodes the layer from the source. The config is built from `history[0]`
/// exactly as containers/image builds it. Signatures are checked and reported; with
/// ``CopyOptions/requireSignature`` a missing or bad one stops the copy.
struct Schema1Conversion: Sendable {
    let source: any ImageSource
    /// Where layers that are copied verbatim are landed during the pass.
    let destination: any ImageDestination
    let options: CopyOptions

    private var capabilities: DestinationCapabilities { destination.capabilities }

    /// What the step found and made.
    struct Result: Sendable {
        var source: Schema1ConvertedSource
        /// schema 1 digest → converted manifest digest.
        var digestMap: [Digest: Digest]
        var signatures: [Digest: Schema1SignatureStatus]
        /// Layers already written to the destination by the pass (verified), by digest.
        var landed: [Digest: Descriptor]
    }

    /// What reading one layer found.
    private struct Inspected: Sendable {
        var descriptor: Descriptor
        var diffID: Digest
        var landed: Bool
    }

    /// Whether `entry` is a schema 1 image this copy must convert.
    func mustConvert(_ entry: SourceEntry) -> Bool {
        entry.descriptor.mediaType.isSchema1 && (options.format != nil || !capabilities.accepts(entry.descriptor.mediaType))
    }

    /// Checks a schema 1 document's signatures, throwing when ``CopyOptions/requireSignature`` is set
    /// and they are missing or invalid.
    static func checkSignatures(_ document: RawDocument, options: CopyOptions, context: String) throws -> (Schema1Envelope, Schema1SignatureStatus) {
        let envelope = try Schema1Envelope(parsing: document.bytes, context: context)
        let status = Schema1Signing.verify(envelope)
        if options.requireSignature {
            switch status {
            case .verified: break
            case .unsigned: throw EngineError(.badSignature, "\(context): the manifest is unsigned and --require-signature is set")
            case .invalid(let reason): throw EngineError(.badSignature, "\(context): \(reason)")
            }
        }
        return (envelope, status)
    }

    /// The converted source, or `nil` when no entry needs converting.
    func run(_ entries: [SourceEntry]) async throws -> Result? {
        guard entries.contains(where: mustConvert) else { return nil }
        let format = options.format ?? capabilities.preferredManifestFormat
        var converted: [SourceEntry] = []
        var generated: [Digest: [UInt8]] = [:]
        var result = Result(source: Schema1ConvertedSource(base: source, converted: [], generated: [:]), digestMap: [:], signatures: [:], landed: [:])
        var learned: [Digest: Inspected] = [:]
        for entry in entries {
            guard mustConvert(entry) else {
                converted.append(entry)
                continue
            }
            let context = "manifest \(entry.descriptor.digest) in \(source.name)"
            let document = try await GraphReader(source: source).verifiedDocument(entry.descriptor)
            let (envelope, status) = try Self.checkSignatures(document, options: options, context: context)
            result.signatures[entry.descriptor.digest] = status
            let manifest = try Schema1Manifest(decoding: envelope.payload, context: context)
            var unseen = Set<Digest>()
            let toRead = manifest.imageLayers.filter { learned[$0] == nil && unseen.insert($0).inserted }
            learned.merge(try await inspectLayers(toRead, format: format)) { $1 }
            let layers = manifest.imageLayers.compactMap { learned[$0]?.descriptor }
            let diffIDs = manifest.imageLayers.compactMap { learned[$0]?.diffID }
            let config = try manifest.imageConfig(diffIDs: diffIDs, context: context)
            let configDescriptor = Descriptor(mediaType: format.configMediaType, digest: try DigestHasher.digest(config), size: Int64(config.count))
            let image = manifest.imageManifest(format: format, config: configDescriptor, layers: layers)
            let bytes = try JSONDocument.encode(image)
            let digest = try DigestHasher.digest(bytes)
            generated[configDescriptor.digest] = config
            generated[digest] = bytes
            var descriptor = entry.descriptor
            descriptor.mediaType = format.manifestMediaType
            descriptor.digest = digest
            descriptor.size = Int64(bytes.count)
            converted.append(SourceEntry(descriptor: descriptor, names: entry.names, aliases: entry.aliases))
            result.digestMap[entry.descriptor.digest] = digest
        }
        for (digest, found) in learned where found.landed { result.landed[digest] = found.descriptor }
        result.source = Schema1ConvertedSource(base: source, converted: converted, generated: generated)
        return result
    }

    /// Reads the layers in parallel (a sliding window of ``CopyOptions/parallelism``).
    private func inspectLayers(_ digests: [Digest], format: ManifestFormat) async throws -> [Digest: Inspected] {
        let inspected = try await digests.mapConcurrently(limit: options.parallelism) { digest in
            (digest, try await self.inspectLayer(digest, format: format))
        }
        return Dictionary(inspected, uniquingKeysWith: { _, last in last })
    }

    /// Whether the copy will carry a layer of `compression` verbatim, so the pass may land it.
    private func landsVerbatim(_ compression: LayerCompression) -> Bool {
        guard !options.preserveDigests, capabilities.accepts(compression) else { return false }
        switch options.compression {
        case nil, .keep?: return true
        case .to?: return false
        }
    }

    /// Reads one layer through verify → sniff → decompress → hash: its descriptor (size, media
    /// type from the sniffed compression) and DiffID. A layer the copy carries verbatim is
    /// written to the destination in the same pass, the decompression running on a tee of the
    /// bytes in a child task.
    private func inspectLayer(_ blobSum: Digest, format: ManifestFormat) async throws -> Inspected {
        let context = "layer \(blobSum) from \(source.name)"
        let probe = Descriptor(mediaType: .dockerLayerGzip, digest: blobSum, size: 0)
        let (found, sniffed) = try await CompressionSniffer.sniff(try await source.blob(probe))
        guard let compression = found.layerCompression else {
            throw StreamError(.unsupported, "\(context): is \(found.rawValue)-compressed, which a layer cannot be")
        }
        let mediaType = try format.layerMediaType(compression)
        guard landsVerbatim(compression) else {
            let verified = try VerifyingStream(sniffed, expectedDigest: blobSum, context: context)
            let plain = try VerifyingStream(
                try decompressed(verified, format: compression, context: context), computing: .sha256, context: "\(context): uncompressed content")
            _ = try await plain.drain()
            guard let diffID = plain.result?.digest, let size = verified.result?.size else {
                throw StreamError(.io, "\(context): the stream ended without a digest")
            }
            options.diffIDCache?.record(blobSum, diffID: diffID)
            return Inspected(descriptor: Descriptor(mediaType: mediaType, digest: blobSum, size: size), diffID: diffID, landed: false)
        }
        options.progress?(.blobStarted(Descriptor(mediaType: mediaType, digest: blobSum, size: -1)))
        if let diffID = options.diffIDCache?[blobSum] {
            // Inflated before: the bytes are still verified as they land, only not inflated again.
            var raw: any ByteStream = sniffed
            if let progress = options.progress { raw = ProgressStream(raw) { progress(.blobProgress(blobSum, bytes: $0)) } }
            let (_, size) = try await destination.putBlob(try VerifyingStream(raw, expectedDigest: blobSum, context: context))
            let descriptor = Descriptor(mediaType: mediaType, digest: blobSum, size: size)
            options.progress?(.blobFinished(descriptor, skipped: false))
            return Inspected(descriptor: descriptor, diffID: diffID, landed: true)
        }
        let channel = ChunkChannel(capacity: 4)
        async let inflated = Self.diffID(of: channel, compression: compression, context: context)
        let size: Int64
        let diffID: Digest
        do {
            var raw: any ByteStream = TeeStream(sniffed, into: channel)
            if let progress = options.progress { raw = ProgressStream(raw) { progress(.blobProgress(blobSum, bytes: $0)) } }
            let verified = try VerifyingStream(raw, expectedDigest: blobSum, context: context)
            (_, size) = try await destination.putBlob(verified)
            guard channel.isFinished else {
                throw StreamError(.io, "\(context): \(destination.name) stored the layer without reading it to its end")
            }
            diffID = try await inflated
        } catch {
            channel.fail(error)
            throw error
        }
        options.diffIDCache?.record(blobSum, diffID: diffID)
        let descriptor = Descriptor(mediaType: mediaType, digest: blobSum, size: size)
        options.progress?(.blobFinished(descriptor, skipped: false))
        return Inspected(descriptor: descriptor, diffID: diffID, landed: true)
    }

    /// Inflates and hashes the chunks of `channel` (the consumer side of the tee): the DiffID.
    private static func diffID(of channel: ChunkChannel, compression: LayerCompression, context: String) async throws -> Digest {
        do {
            let plain = try VerifyingStream(
                try decompressed(ChannelByteStream(channel), format: compression, context: context), computing: .sha256,
                context: "\(context): uncompressed content")
            _ = try await plain.drain()
            guard let diffID = plain.result?.digest else {
                throw StreamError(.io, "\(context): the stream ended without a digest")
            }
            channel.consumerDone()
            return diffID
        } catch {
            channel.fail(error)
            throw error
        }
    }
}
