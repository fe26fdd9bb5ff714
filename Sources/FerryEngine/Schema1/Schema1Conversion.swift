import FerrySpec
import FerryStreams
import FerryTransports

/// The step that turns Docker schema 1 source images into schema 2 / OCI images before a copy is
/// planned (formats.md §6.3), when the options ask for a format or the destination cannot hold
/// schema 1.
///
/// Each non-empty layer is read once here — verified against its `blobSum`, its compression
/// sniffed, decompressed and hashed — to learn its size, media type and DiffID; the copy then
/// moves the layer bytes verbatim (gzip stays gzip). The config is built from `history[0]`
/// exactly as containers/image builds it. Signatures are checked and reported; with
/// ``CopyOptions/requireSignature`` a missing or bad one stops the copy.
struct Schema1Conversion: Sendable {
    let source: any ImageSource
    let capabilities: DestinationCapabilities
    let options: CopyOptions

    /// What the step found and made.
    struct Result: Sendable {
        var source: Schema1ConvertedSource
        /// schema 1 digest → converted manifest digest.
        var digestMap: [Digest: Digest]
        var signatures: [Digest: Schema1SignatureStatus]
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
        var result = Result(source: Schema1ConvertedSource(base: source, converted: [], generated: [:]), digestMap: [:], signatures: [:])
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
            let learned = try await inspectLayers(Array(Set(manifest.imageLayers)), format: format)
            let layers = manifest.imageLayers.compactMap { learned[$0]?.0 }
            let diffIDs = manifest.imageLayers.compactMap { learned[$0]?.1 }
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
        result.source = Schema1ConvertedSource(base: source, converted: converted, generated: generated)
        return result
    }

    /// Reads the layers in parallel (a sliding window of ``CopyOptions/parallelism``).
    private func inspectLayers(_ digests: [Digest], format: ManifestFormat) async throws -> [Digest: (Descriptor, Digest)] {
        try await withThrowingTaskGroup(of: (Digest, Descriptor, Digest).self) { group in
            var pending = digests.makeIterator()
            for _ in 0..<max(1, options.parallelism) {
                guard let next = pending.next() else { break }
                group.addTask { let (d, id) = try await self.inspectLayer(next, format: format); return (next, d, id) }
            }
            var found: [Digest: (Descriptor, Digest)] = [:]
            while let (digest, descriptor, diffID) = try await group.next() {
                found[digest] = (descriptor, diffID)
                if let next = pending.next() {
                    group.addTask { let (d, id) = try await self.inspectLayer(next, format: format); return (next, d, id) }
                }
            }
            return found
        }
    }

    /// Reads one layer through verify → sniff → decompress → hash: its descriptor (size, media
    /// type from the sniffed compression) and DiffID.
    private func inspectLayer(_ blobSum: Digest, format: ManifestFormat) async throws -> (Descriptor, Digest) {
        let context = "layer \(blobSum) from \(source.name)"
        let probe = Descriptor(mediaType: .dockerLayerGzip, digest: blobSum, size: 0)
        let verified = try VerifyingStream(try await source.blob(probe), expectedDigest: blobSum, context: context)
        let (found, sniffed) = try await CompressionSniffer.sniff(verified)
        guard let compression = found.layerCompression else {
            throw StreamError(.unsupported, "\(context): is \(found.rawValue)-compressed, which a layer cannot be")
        }
        let plain = try VerifyingStream(try decompressed(sniffed, format: compression, context: context), computing: .sha256, context: "\(context): uncompressed content")
        _ = try await plain.drain()
        guard let diffID = plain.result?.digest, let size = verified.result?.size else {
            throw StreamError(.io, "\(context): the stream ended without a digest")
        }
        let mediaType = try format.layerMediaType(compression)
        return (Descriptor(mediaType: mediaType, digest: blobSum, size: size), diffID)
    }
}
