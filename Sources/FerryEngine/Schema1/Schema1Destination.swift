import FerrySigning
import FerrySpec
import FerryStreams
import FerryTransports

/// A destination that stores every image manifest it is given as Docker schema 1 (formats.md §6.4):
/// the engine copies a schema 2 image into it, and each manifest is rewritten — ids chained, empty
/// history items turned into the gzipped empty layer (stored here when needed), the config folded
/// into the top `v1Compatibility` — then signed with a fresh P-256 key unless unsigned was asked.
///
/// It takes one platform (schema 1 cannot be listed in an index) and passes everything else to
/// the destination it wraps.
final class Schema1Destination: ImageDestination {
    let base: any ImageDestination
    let source: any ImageSource
    let output: Schema1Output
    private let rewritten = Locked<[Digest: Descriptor]>([:])

    var name: String { base.name }

    var capabilities: DestinationCapabilities {
        var c = base.capabilities
        c.holdsIndexes = false
        return c
    }

    /// - Throws: ``EngineError`` (`unsupported`) when `base` cannot hold schema 1.
    init(base: any ImageDestination, source: any ImageSource, output: Schema1Output) throws {
        guard base.capabilities.accepts(MediaType.dockerSchema1Signed) else {
            throw EngineError(
                .unsupported, "\(base.name) cannot hold Docker schema 1 manifests; write v2s1 to a dir: destination, or choose --format oci or v2s2")
        }
        self.base = base
        self.source = source
        self.output = output
    }

    /// The schema 1 descriptor written for a schema 2 manifest digest.
    func rewrittenDescriptor(for digest: Digest) -> Descriptor? {
        rewritten.withLock { $0[digest] }
    }

    func hasBlob(_ descriptor: Descriptor) async throws -> Bool { try await base.hasBlob(descriptor) }

    func putBlob(_ blob: sending VerifyingStream) async throws -> (digest: Digest, size: Int64) { try await base.putBlob(blob) }

    func discardBlob(_ digest: Digest) async throws { try await base.discardBlob(digest) }

    func layerTranscoded(from original: Descriptor, to landed: Descriptor) async { await base.layerTranscoded(from: original, to: landed) }
    func keptPrefix(of descriptor: Descriptor) -> KeptBlobPrefix? { base.keptPrefix(of: descriptor) }

    func putDocument(_ document: RawDocument) async throws {
        let context = "manifest \(document.digest) for \(base.name)"
        guard case .manifest(let manifest) = try document.decode(context: context) else {
            throw EngineError(.unsupported, "\(context): an index cannot be written as Docker schema 1; choose one platform with --platform")
        }
        let configContext = "config \(manifest.config.digest) from \(source.name)"
        let stream = try VerifyingStream(try await source.blob(manifest.config), expected: manifest.config, context: configContext)
        let config = try await stream.readAll(limit: DocumentLimits.maximumDocumentSize, context: configContext)
        let schema1 = try manifest.schema1(
            config: config, name: "", tag: "",
            sha256: { bytes in
                (try? DigestHasher.digest(bytes)) ?? .emptySHA256
            }, context: context)
        if schema1.fsLayers.contains(.gzippedEmptyLayer) {
            let empty = Descriptor(mediaType: .dockerLayerGzip, digest: .gzippedEmptyLayer, size: Int64(Schema1Manifest.gzippedEmptyLayerBytes.count))
            if try await !base.hasBlob(empty) {
                _ = try await base.putBlob(
                    try VerifyingStream(MemoryByteStream(Schema1Manifest.gzippedEmptyLayerBytes), expected: empty, context: "the gzipped empty layer"))
            }
        }
        let payload = schema1.encodedPayload()
        let bytes: [UInt8]
        let mediaType: MediaType
        if output == .signed {
            // A fresh key per manifest: libtrust keys prove nothing, a registry only wants one.
            bytes = try Schema1Signing.sign(payload, key: try P256Key.generate())
            mediaType = .dockerSchema1Signed
        } else {
            bytes = payload
            mediaType = .dockerSchema1
        }
        let written = RawDocument(bytes: bytes, mediaType: mediaType, digest: try DigestHasher.digest(payload))
        try await base.putDocument(written)
        rewritten.withLock { $0[document.digest] = written.descriptor }
    }

    func addEntry(_ descriptor: Descriptor, names: [String]) async throws {
        try await base.addEntry(rewrittenDescriptor(for: descriptor.digest) ?? descriptor, names: names)
    }

    func commit() async throws { try await base.commit() }

    var notes: [String] { base.notes }
}
