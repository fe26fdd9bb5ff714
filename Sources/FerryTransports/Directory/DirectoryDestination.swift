import FerrySpec
import FerryStreams
import Synchronization

/// Writes a `dir:PATH` image as skopeo does: blobs under their digest's hex, the top manifest as
/// `manifest.json`, list instances as `<hex>.manifest.json`, and `version`.
///
/// It holds one image and stores any manifest type verbatim, schema 1 included. Writing into a
/// directory that already holds a `dir:` image replaces that image's manifest (blobs of the same
/// digest are kept); any other non-empty directory is refused. `manifest.json` and `version` are
/// written last, in ``commit()``.
public final class DirectoryDestination: ImageDestination {
    /// The directory.
    public let root: String
    public let name: String
    public let capabilities = DestinationCapabilities(holdsSeveralImages: false)
    private let durable: Bool
    private let state = Mutex<(documents: [Digest: [UInt8]], top: Descriptor?)>(([:], nil))
    /// Blobs this destination created, which ``discardBlob(_:)`` may remove.
    private let createdBlobs = Mutex<Set<Digest>>([])

    /// Prepares to write at `path`.
    /// - Throws: ``TransportError`` when `path` is a file, or a non-empty directory without a
    ///   `version` file (not a `dir:` image: Ferry will not write into it).
    public init(path: String, durable: Bool = true) throws {
        root = path
        name = "dir:\(path)"
        self.durable = durable
        switch FileSystem.kind(of: path) {
        case .missing:
            break
        case .directory, .symlink:
            if !FileSystem.exists(path + "/" + DirectoryTransport.versionFileName), !(try FileSystem.contents(of: path).isEmpty) {
                throw TransportError(.invalidInput, "\(name): the directory is not empty and holds no dir: image (no version file); refusing to write into it")
            }
        default:
            throw TransportError(.invalidInput, "\(name): exists and is not a directory")
        }
    }

    public func hasBlob(_ descriptor: Descriptor) async throws -> Bool {
        let path = root + "/" + DirectoryTransport.blobFileName(descriptor.digest)
        return FileSystem.kind(of: path) == .regular && FileSystem.size(of: path) == descriptor.size
    }

    public func putBlob(_ blob: sending VerifyingStream) async throws -> (digest: Digest, size: Int64) {
        try FileSystem.createDirectory(root)
        let writer = try AtomicFileWriter(path: root + "/.incoming", durable: durable)
        while let chunk = try await blob.next() {
            try Task.checkCancellation()
            try writer.write(chunk)
        }
        guard let result = blob.result else {
            throw StreamError(.io, "\(name): blob stream ended without a digest")
        }
        let path = root + "/" + DirectoryTransport.blobFileName(result.digest)
        if !FileSystem.exists(path) { createdBlobs.withLock { _ = $0.insert(result.digest) } }
        try writer.commit(renamingTo: path)
        return result
    }

    public func discardBlob(_ digest: Digest) async throws {
        guard createdBlobs.withLock({ $0.remove(digest) }) != nil else { return }
        FileSystem.removeFile(root + "/" + DirectoryTransport.blobFileName(digest))
    }

    public func putDocument(_ document: RawDocument) async throws {
        state.withLock { $0.documents[document.digest] = document.bytes }
    }

    public func addEntry(_ descriptor: Descriptor, names: [String]) async throws {
        try state.withLock { state throws(TransportError) in
            guard state.top == nil else {
                throw TransportError(.unsupported, "\(name) holds one image")
            }
            state.top = descriptor
        }
    }

    public func commit() async throws {
        let (documents, top) = state.withLock { ($0.documents, $0.top) }
        guard let top, let topBytes = documents[top.digest] else {
            throw TransportError(.invalidArgument, "\(name): nothing to write (no image was added)")
        }
        try FileSystem.createDirectory(root)
        for (digest, bytes) in documents where digest != top.digest {
            try AtomicFileWriter.write(bytes, to: root + "/" + DirectoryTransport.instanceManifestFileName(digest), durable: durable)
        }
        try AtomicFileWriter.write(topBytes, to: root + "/" + DirectoryTransport.manifestFileName, durable: durable)
        try AtomicFileWriter.write(DirectoryTransport.versionFileBytes, to: root + "/" + DirectoryTransport.versionFileName, durable: durable)
    }
}
