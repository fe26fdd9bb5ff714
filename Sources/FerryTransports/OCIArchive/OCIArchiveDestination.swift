#if canImport(Glibc)
import Glibc
#endif
import FerrySpec
import FerryStreams

/// Writes an OCI image layout as one tar file (`oci-archive:PATH[:NAME]`).
///
/// Blobs are gathered in a layout directory next to the target, then written into the archive in a
/// fixed order with deterministic headers, so the same images give the same archive bytes. The
/// archive replaces `PATH` atomically in ``commit()``; until then `PATH` is untouched, and the
/// working directory is removed whatever happens.
///
/// Writing to an archive that exists adds to it, as writing to a layout directory does: its
/// images and blobs are kept (verified on the way), and a name given again moves to the new
/// image. A file at `PATH` that is not an OCI archive is refused, never replaced.
public final class OCIArchiveDestination: ImageDestination {
    /// The archive file.
    public let path: String
    public let name: String
    public var capabilities: DestinationCapabilities { staging.capabilities }
    /// The staging directory (removed when this destination goes).
    private let work: WorkDirectory
    private var workDirectory: String { work.path }
    private let staging: OCILayoutDestination
    private let durable: Bool

    /// Prepares to write the archive at `path`.
    /// - Throws: ``TransportError`` when `path` is a directory or a file other than an OCI
    ///   archive, or the working directory cannot be made.
    public init(path: String, durable: Bool = true) throws {
        self.path = path
        self.name = "oci-archive:\(path)"
        self.durable = durable
        guard FileSystem.kind(of: path) != .directory else {
            throw TransportError(.invalidInput, "\(name): is a directory; an oci-archive is one tar file")
        }
        // Refused now, before anything is copied; read again under the lock in commit().
        _ = try Self.existingArchive(at: path, name: name)
        WorkDirectory.removeStale(nextTo: path)
        work = try WorkDirectory(nextTo: path)
        staging = try OCILayoutDestination(path: work.path, durable: false)
    }

    public func hasBlob(_ descriptor: Descriptor) async throws -> Bool {
        try await staging.hasBlob(descriptor)
    }

    public func putBlob(_ blob: sending VerifyingStream) async throws -> (digest: Digest, size: Int64) {
        try await staging.putBlob(blob)
    }

    public func discardBlob(_ digest: Digest) async throws {
        try await staging.discardBlob(digest)
    }

    public func putDocument(_ document: RawDocument) async throws {
        try await staging.putDocument(document)
    }

    public func addEntry(_ descriptor: Descriptor, names: [String]) async throws {
        try await staging.addEntry(descriptor, names: names)
    }

    /// Writes the archive — the images of the one already at ``path`` with this copy's added —
    /// and renames it over ``path``, holding a lock on the directory around it so that two
    /// copies to one archive take turns instead of one dropping the other's images.
    public func commit() async throws {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        try await FileLock.withExclusiveLock(on: directory.isEmpty ? "/" : directory) {
            if let existing = try Self.existingArchive(at: path, name: name) {
                try await Self.stage(existing, into: workDirectory, staging: staging, name: name)
            }
            try await staging.commit()
            try await writeArchive()
        }
        FileSystem.removeTree(workDirectory)
    }

    /// How the whole archive is compressed, from the file name: `.tar.gz`/`.tgz` gzip,
    /// `.tar.zst`/`.tar.zstd` zstd, anything else plain (what skopeo writes). Ferry and skopeo
    /// (1.9 decompresses an oci-archive it opens) read all three.
    public var archiveCompression: LayerCompression { ArchiveFileCompression.of(path) }

    private func writeArchive() async throws {
        let output = try AtomicFileWriter(path: path, durable: durable)
        guard archiveCompression != .none else {
            let tar = try TarWriter(into: output)
            try await writeMembers(to: tar)
            try output.commit()
            return
        }
        // The tar is laid out beside the staged layout, then compressed into place (the
        // compressors are deterministic, so the archive still is).
        let plain = workDirectory + "/.archive.tar"
        let tar = try TarWriter(path: plain)
        try await writeMembers(to: tar)
        let stream = try compressed(try FileByteStream(path: plain), format: archiveCompression)
        while let chunk = try await stream.next() { try output.write(chunk) }
        try output.commit()
    }

    /// The layout's members in a fixed order: `oci-layout`, `index.json`, then every blob.
    private func writeMembers(to tar: TarWriter) async throws {
        try tar.addFile(OCILayout.layoutFileName, bytes: try FileSystem.readFile(workDirectory + "/" + OCILayout.layoutFileName, limit: 64 * 1024))
        try tar.addFile(OCILayout.indexFileName, bytes: try FileSystem.readFile(workDirectory + "/" + OCILayout.indexFileName, limit: DocumentLimits.maximumDocumentSize))
        try tar.addDirectory("blobs")
        for algorithm in try FileSystem.contents(of: workDirectory + "/blobs") where !algorithm.hasPrefix(".") {
            try tar.addDirectory("blobs/\(algorithm)")
            for blob in try FileSystem.contents(of: workDirectory + "/blobs/" + algorithm) where !blob.hasPrefix(".") {
                let file = workDirectory + "/blobs/\(algorithm)/\(blob)"
                guard let size = FileSystem.size(of: file) else { continue }
                try await tar.addFile("blobs/\(algorithm)/\(blob)", size: size, copyingFile: file)
            }
        }
        try tar.finish()
    }
}
