import FerrySigning
import FerrySpec
import FerryStreams

/// Reads a `dir:PATH` image, as skopeo writes it: one image (or one list with its instances).
///
/// The directory stores no digest for `manifest.json`; the source computes it when it opens —
/// for a signed schema 1 manifest over the JWS payload (formats.md §6.2), as a registry would
/// report it — so the entry's descriptor is what a registry would have given.
public struct DirectorySource: ImageSource {
    /// The directory.
    public let root: String
    public let name: String
    private let files: LayoutDirectory
    private let top: Descriptor
    private let manifestBytes: [UInt8]

    /// Opens the directory at `path`.
    /// - Throws: ``TransportError`` when the directory or `manifest.json` is missing or not a
    ///   manifest, or the `version` file names a version Ferry does not read.
    public init(path: String) throws {
        root = path
        name = "dir:\(path)"
        files = try LayoutDirectory(root: path, name: name)
        if files.exists(DirectoryTransport.versionFileName) {
            let version = String(decoding: try files.read(DirectoryTransport.versionFileName, limit: 4096), as: UTF8.self)
            guard version.hasPrefix(DirectoryTransport.versionPrefix) else {
                throw TransportError(.invalidInput, "\(name): version file says \"\(version.prefix(60))\"; Ferry reads \"Directory Transport Version: 1.x\"")
            }
        }
        guard files.exists(DirectoryTransport.manifestFileName) else {
            throw TransportError(.invalidInput, "\(name) is not a dir: image: \(DirectoryTransport.manifestFileName) is missing")
        }
        manifestBytes = try files.read(DirectoryTransport.manifestFileName, limit: DocumentLimits.maximumDocumentSize)
        guard let mediaType = RawDocument.detectMediaType(of: manifestBytes) else {
            throw TransportError(
                .invalidInput, "\(name): \(DirectoryTransport.manifestFileName) is not a manifest or index Ferry knows (no schemaVersion 1 or 2)")
        }
        let context = "\(name): \(DirectoryTransport.manifestFileName)"
        let digest = mediaType.isSchema1 ? try Schema1Signing.digest(of: manifestBytes, context: context) : try DigestHasher.digest(manifestBytes)
        top = Descriptor(mediaType: mediaType, digest: digest, size: Int64(manifestBytes.count))
    }

    public func entries() async throws -> [SourceEntry] {
        [SourceEntry(descriptor: top, names: [])]
    }

    public func document(_ descriptor: Descriptor) async throws -> [UInt8] {
        if descriptor.digest == top.digest { return manifestBytes }
        let instance = DirectoryTransport.instanceManifestFileName(descriptor.digest)
        let file = files.exists(instance) ? instance : DirectoryTransport.blobFileName(descriptor.digest)
        guard files.exists(file) else {
            throw TransportError(.notFound, "\(descriptor.mediaType) \(descriptor.digest) is missing from \(name) (\(file))")
        }
        return try files.read(file, limit: DocumentLimits.maximumDocumentSize)
    }

    public func blob(_ descriptor: Descriptor) async throws -> sending any ByteStream {
        let file = DirectoryTransport.blobFileName(descriptor.digest)
        guard files.exists(file) else {
            throw TransportError(.notFound, "blob \(descriptor.digest) (\(descriptor.mediaType)) is missing from \(name) (\(file))")
        }
        return try files.open(file)
    }
}
