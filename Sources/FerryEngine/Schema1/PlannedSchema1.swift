import FerrySpec
import FerryStreams
import FerryTransports

/// A Docker schema 1 manifest the copy keeps verbatim (the destination holds schema 1 and no
/// format was asked for), with the layers it names.
struct PlannedSchema1: Sendable {
    /// The descriptor the source gave it (digest over the signed payload).
    var descriptor: Descriptor
    var original: RawDocument
    /// Each distinct `blobSum`. Schema 1 records no sizes, so `size` is `-1`: the copy verifies
    /// the digest and learns the size as the bytes pass.
    var layers: [Descriptor]
}

extension CopyPlanner {
    /// Plans a verbatim schema 1 copy, or throws when the copy would need a conversion the
    /// ``Schema1Conversion`` step did not make (a schema 1 manifest inside an index).
    func planSchema1(_ descriptor: Descriptor, _ document: RawDocument, context: String) throws -> PlannedSchema1 {
        guard options.format == nil, capabilities.accepts(descriptor.mediaType) else {
            throw EngineError(
                .unsupported,
                "\(context): a Docker schema 1 manifest inside an index cannot be converted; copy it to a dir: destination as it is, or copy the instance alone"
            )
        }
        let (envelope, _) = try Schema1Conversion.checkSignatures(document, options: options, context: context)
        let manifest = try Schema1Manifest(decoding: envelope.payload, context: context)
        var seen = Set<Digest>()
        let layers = manifest.fsLayers.filter { seen.insert($0).inserted }.map {
            Descriptor(mediaType: .dockerLayerGzip, digest: $0, size: -1)
        }
        return PlannedSchema1(descriptor: descriptor, original: document, layers: layers)
    }
}
