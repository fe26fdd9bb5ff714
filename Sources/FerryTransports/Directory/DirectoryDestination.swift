import FerrySpec
import FerryStreams

/// Writes a `dir:PATH` image as skopeo does: blobs under their digest's hex, the top manifest as
/// `manifest.json`, list instances as `<hex>.manifest.json`, and `version`.
///
/// It holds one image and stores any manifest type verbatim, schema 1 included. Writing into a
/// directory that already holds a `dir:` image replaces that image's manifest (blobs of the same
/// digest are kept); any other non-empty directory is refused. `version` is written before the
/// first blob and `manifest.json` last, in ``commit()``, so a copy cut short can be rerun; the
/// temporary files of killed runs are removed when a destination is opened.
public final class DirectoryDestination: ImageDestination {
    /// The directory.
    public let root: String
    public let name: String
    public let capabilities = DestinationCapabilities(holdsSeveralImages: false)
    private let durable: Bool
    private let state = Locked<(documents: [Digest: [UInt8]], top: Descriptor?)>(([:], nil))
    /// Blobs this destination created, which ``discardBlob(_:)`` may remove.
    private let createdBlobs = Locked<Set<Digest>>([])

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
            FileSystem.removeStaleTemporaryFiles(in: path)
            // Without `version`: empty, or what a first copy cut short left (blobs by hex and
            // temporary files, from an older Ferry that wrote `version` last) is taken.
            if !FileSystem.exists(path + "/" + DirectoryTransport.versionFileName), !(try FileSystem.contents(of: path).allSatisfy(Self.isPartialCopyName)) {
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
        try prepare()
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
        try prepare()
        for (digest, bytes) in documents where digest != top.digest {
            try AtomicFileWriter.write(bytes, to: root + "/" + DirectoryTransport.instanceManifestFileName(digest), durable: durable)
        }
        try AtomicFileWriter.write(topBytes, to: root + "/" + DirectoryTransport.manifestFileName, durable: durable)
    }

    /// Creates the directory and its `version` file before the first blob lands, so that a copy
    /// cut short leaves a `dir:` image (without `manifest.json`) that the rerun finishes.
    private func prepare() throws {
        try FileSystem.createDirectory(root)
        let version = root + "/" + DirectoryTransport.versionFileName
        if !FileSystem.exists(version) {
            try AtomicFileWriter.write(DirectoryTransport.versionFileBytes, to: version, durable: durable)
        }
    }

    /// A name a `dir:` copy cut short may leave: a blob (lower-case hex) or a temporary file.
    private static func isPartialCopyName(_ name: String) -> Bool {
        FileSystem.isTemporaryName(name)
            || (!name.isEmpty
                && name.utf8.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) })
    }
}
