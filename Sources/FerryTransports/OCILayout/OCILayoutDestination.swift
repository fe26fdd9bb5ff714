import FerrySpec
import FerryStreams

/// Writes into an OCI image layout directory (`oci:PATH[:REF]`), creating it if needed.
///
/// Writing into an existing layout adds to it: blobs already there are kept, `index.json` keeps
/// its other entries, and a name given again moves to the new image (the old entry stays,
/// without that name). `oci-layout` is written before the first blob, blobs land by atomic rename
/// after verification, and `index.json` is replaced atomically and last, in ``commit()``, so
/// readers see the old layout or the new one, and a copy cut short at any point can be rerun.
/// Temporary files that killed runs left are removed when a destination is opened, except the
/// downloads of large blobs, which are kept under names of their own for the next copy to
/// continue (``OCILayout/smallestKeptDownload``) and removed when a copy commits; several
/// destinations may write one layout at once (processes or tasks): each commit merges its
/// entries into the `index.json` it reads under a lock.
public final class OCILayoutDestination: ImageDestination {
    /// The layout directory.
    public let root: String
    public let name: String
    /// Any OCI or Docker schema 2 manifest or index; not Docker schema 1, which an OCI layout
    /// cannot describe (its descriptors would have no config).
    public let capabilities = DestinationCapabilities(acceptedManifestTypes: DestinationCapabilities.schema2Types, isOCIImageLayout: true)
    private let durable: Bool
    private let state = Locked<[(Descriptor, [String])]>([])
    /// Blobs this destination created (they were not in the layout before), which
    /// ``discardBlob(_:)`` may remove.
    private let createdBlobs = Locked<Set<Digest>>([])
    /// This writer's token among the layout's writers, which keeps ``discardBlob(_:)`` from
    /// removing a blob another writer relies on.
    private let writers: LayoutWriters

    /// Opens (or prepares to create) a layout at `path`.
    /// - Parameters:
    ///   - durable: `fsync` every file before it is renamed into place (default `true`).
    /// - Throws: ``TransportError`` when `path` exists but is neither empty nor a layout.
    public init(path: String, durable: Bool = true) throws {
        self.root = path
        self.name = "oci:\(path)"
        self.durable = durable
        self.writers = LayoutWriters(root: path)
        switch FileSystem.kind(of: path) {
        case .missing:
            break
        case .directory, .symlink:
            OCILayout.removeStaleTemporaryFiles(path)
            let layoutPath = path + "/" + OCILayout.layoutFileName
            if FileSystem.exists(layoutPath) {
                try OCILayout.checkLayoutFile(try FileSystem.readFile(layoutPath, limit: 64 * 1024), path: layoutPath)
                let indexPath = path + "/" + OCILayout.indexFileName
                if FileSystem.exists(indexPath) {
                    // Read now to refuse early; read again under the lock in commit().
                    do {
                        _ = try JSONDocument.decode(
                            ImageIndex.self, from: try FileSystem.readFile(indexPath, limit: DocumentLimits.maximumDocumentSize), context: indexPath)
                    } catch let error as SpecError {
                        throw TransportError(.invalidInput, "\(name): cannot add to this layout: \(error.message)")
                    }
                }
            } else if !(try FileSystem.contents(of: path).isEmpty || OCILayout.holdsOnlyPartialCopy(path)) {
                // Empty, or what a first copy cut short before `oci-layout` left (by an older
                // Ferry, which wrote it last) is taken: the rerun finishes the job.
                throw TransportError(
                    .invalidInput,
                    "\(name): the directory exists, is not empty and is not an OCI layout (no \(OCILayout.layoutFileName)); refusing to write into it")
            }
        default:
            throw TransportError(.invalidInput, "\(name): exists and is not a directory")
        }
    }

    public func hasBlob(_ descriptor: Descriptor) async throws -> Bool {
        try await writers.announce()
        let path = root + "/" + OCILayout.blobPath(descriptor.digest)
        // Blobs land only after verification, so a regular file of the right size is the blob.
        return FileSystem.kind(of: path) == .regular && FileSystem.size(of: path) == descriptor.size
    }

    public func putBlob(_ blob: sending VerifyingStream) async throws -> (digest: Digest, size: Int64) {
        try prepareLayout()
        try await writers.announce()
        if let expected = blob.expectedDescriptor, expected.size >= OCILayout.smallestKeptDownload, expected.digest.knownAlgorithm != nil {
            try FileSystem.createDirectory(root + "/blobs/" + expected.digest.algorithm)
            if let partial = try PartialFile.claim(path: root + "/" + OCILayout.partialBlobPath(expected.digest), largest: expected.size, durable: durable) {
                return try await put(blob, through: partial)
            }
            // Another writer is filling it: this one writes a temporary file of its own.
        }
        let writer = try AtomicFileWriter(path: root + "/blobs/.incoming", durable: durable)
        return try await land(blob, write: writer.write, commit: writer.commit(renamingTo:))
    }

    /// Writes a blob through its kept download (``PartialFile``): what an earlier run left is
    /// compared as the blob passes, the rest appended. On a digest or size mismatch the file is
    /// removed; when it held bytes from an earlier run, those may be what was wrong, so the error
    /// asks for another try (``PartialDownloadDiscarded``), which reads the blob whole.
    private func put(_ blob: sending VerifyingStream, through partial: PartialFile) async throws -> (digest: Digest, size: Int64) {
        do {
            return try await land(blob, write: partial.take, commit: partial.commit(renamingTo:))
        } catch let error as StreamError where error.code == .digestMismatch || error.code == .sizeMismatch {
            partial.discard()
            guard partial.keptLength > 0 else { throw error }
            throw PartialDownloadDiscarded(path: partial.path, keptLength: partial.keptLength, underlying: error)
        }
    }

    /// Passes the verified blob to `write`, then, once it verified, renames what was written to
    /// the blob's path with `commit`.
    private func land(
        _ blob: sending VerifyingStream, write: ([UInt8]) throws(StreamError) -> Void, commit: (String) throws(StreamError) -> Void
    ) async throws -> (digest: Digest, size: Int64) {
        while let chunk = try await blob.next() {
            try Task.checkCancellation()
            try write(chunk)
        }
        guard let result = blob.result else {
            throw StreamError(.io, "\(name): blob stream ended without a digest")
        }
        try FileSystem.createDirectory(root + "/blobs/" + result.digest.algorithm)
        let path = root + "/" + OCILayout.blobPath(result.digest)
        if !FileSystem.exists(path) { createdBlobs.withLock { _ = $0.insert(result.digest) } }
        try commit(path)
        return result
    }

    public func keptPrefix(of descriptor: Descriptor) -> KeptBlobPrefix? {
        guard descriptor.size >= OCILayout.smallestKeptDownload, descriptor.digest.knownAlgorithm != nil else { return nil }
        let path = root + "/" + OCILayout.partialBlobPath(descriptor.digest)
        guard FileSystem.kind(of: path) == .regular, let length = FileSystem.size(of: path), length > 0, length <= descriptor.size else { return nil }
        return KeptBlobPrefix(path: path, length: length)
    }

    /// Removes a blob this copy landed but does not need — unless another writer of the layout
    /// may rely on it (see ``LayoutWriters``): then it stays, unreferenced.
    public func discardBlob(_ digest: Digest) async throws {
        guard createdBlobs.withLock({ $0.remove(digest) }) != nil else { return }
        try await writers.removeIfUnused(digest, root: root)
    }

    public func putDocument(_ document: RawDocument) async throws {
        try prepareLayout()
        let writer = try openWriter(for: document.digest)
        try writer.write(document.bytes)
        try writer.commit()
    }

    public func addEntry(_ descriptor: Descriptor, names: [String]) async throws {
        state.withLock { $0.append((descriptor, names)) }
    }

    /// Writes `index.json` with this copy's entries added, under an exclusive lock on the
    /// layout's `blobs/` directory (made with `mkdir`, so never replaced, unlike the files):
    /// `index.json` is read again under the lock, so entries that another writer committed since
    /// this destination was opened are kept.
    public func commit() async throws {
        try prepareLayout()
        let added = state.withLock { $0 }
        try await FileLock.withExclusiveLock(on: root + "/blobs") {
            let indexPath = root + "/" + OCILayout.indexFileName
            var index = ImageIndex(manifests: [])
            if FileSystem.exists(indexPath) {
                do {
                    index = try JSONDocument.decode(
                        ImageIndex.self, from: try FileSystem.readFile(indexPath, limit: DocumentLimits.maximumDocumentSize), context: indexPath)
                } catch let error as SpecError {
                    throw TransportError(.invalidInput, "\(name): cannot add to this layout: \(error.message)")
                }
            }
            index.manifests = LayoutIndexEntries.adding(added, to: index.manifests)
            index.mediaType = .ociIndex
            try AtomicFileWriter.write(try JSONDocument.encode(index), to: indexPath, durable: durable)
        }
        // What this copy relies on is named by index.json now, which discards respect.
        writers.leave()
        // Downloads kept by copies cut short that no copy continued: this one finished.
        OCILayout.removeUnheldPartialBlobs(root)
    }

    /// Creates `blobs/` and `oci-layout` before anything else lands, so that a copy cut short is
    /// already a layout (without `index.json`) that the rerun adds to.
    private func prepareLayout() throws {
        let layoutPath = root + "/" + OCILayout.layoutFileName
        try FileSystem.createDirectory(root + "/blobs")
        guard !FileSystem.exists(layoutPath) else { return }
        try AtomicFileWriter.write(OCILayout.layoutFileBytes, to: layoutPath, durable: durable)
    }

    private func openWriter(for digest: Digest) throws -> AtomicFileWriter {
        let directory = root + "/blobs/" + digest.algorithm
        try FileSystem.createDirectory(directory)
        return try AtomicFileWriter(path: directory + "/" + digest.encoded, durable: durable)
    }
}
