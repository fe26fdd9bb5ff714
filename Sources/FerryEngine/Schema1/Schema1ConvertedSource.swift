import FerrySpec
import FerryStreams
import FerryTransports

/// A source whose schema 1 entries have been replaced by converted images: it serves the new
/// manifests and configs from memory and everything else (the layers) from the original source.
struct Schema1ConvertedSource: ImageSource {
    let base: any ImageSource
    let converted: [SourceEntry]
    /// New manifests and configs by digest.
    let generated: [Digest: [UInt8]]

    var name: String { base.name }

    func entries() async throws -> [SourceEntry] { converted }

    func document(_ descriptor: Descriptor) async throws -> [UInt8] {
        if let bytes = generated[descriptor.digest] { return bytes }
        return try await base.document(descriptor)
    }

    func blob(_ descriptor: Descriptor) async throws -> sending any ByteStream {
        if let bytes = generated[descriptor.digest] { return MemoryByteStream(bytes) }
        return try await base.blob(descriptor)
    }
}
