import FerrySpec
import FerryStreams

extension OCIArchiveDestination {
    /// Opens the archive already at `path`, whose images the new archive keeps, or `nil` when
    /// there is none (or an empty file).
    /// - Throws: ``TransportError`` when `path` is something else than an OCI archive: it is not
    ///   replaced, since that would drop what it holds.
    static func existingArchive(at path: String, name: String) throws -> OCIArchiveSource? {
        guard FileSystem.exists(path), FileSystem.size(of: path) != 0 else { return nil }
        do {
            let source = try OCIArchiveSource(path: path)
            try source.open()
            return source
        } catch let error as TransportError {
            throw TransportError(
                .invalidInput,
                "\(name): a file is there that is not an OCI archive Ferry can add to (\(error.message)); refusing to replace it: remove it or write elsewhere")
        }
    }

    /// Stages every blob of the existing archive (each verified against its name) and its
    /// `index.json`, so that committing the staged layout adds this copy's entries to the old ones
    /// and the rewritten archive holds both.
    static func stage(_ existing: OCIArchiveSource, into workDirectory: String, staging: OCILayoutDestination, name: String) async throws {
        for entry in try existing.blobInventory() where entry.kind == .regular {
            guard let digest = entry.digest,
                !FileSystem.exists(workDirectory + "/" + OCILayout.blobPath(digest))
            else { continue }
            let stream = try await existing.blob(Descriptor(mediaType: "application/octet-stream", digest: digest, size: 0))
            let context = "\(name): blob \(digest) of the archive already there"
            _ = try await staging.putBlob(try VerifyingStream(stream, expectedDigest: digest, context: context))
        }
        try AtomicFileWriter.write(try existing.indexBytes(), to: workDirectory + "/" + OCILayout.indexFileName, durable: false)
    }
}
