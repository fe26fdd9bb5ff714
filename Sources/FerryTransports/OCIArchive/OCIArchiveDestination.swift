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
        _ = try await BundlePacker.pack(workDirectory, to: path, delta: nil, splitSize: nil, durable: durable)
    }
}
