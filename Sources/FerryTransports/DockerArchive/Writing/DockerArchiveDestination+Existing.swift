import FerrySpec
import FerryStreams
import Synchronization

extension DockerArchiveDestination {
    /// Opens the archive already at `path`, whose images the new archive keeps, or `nil` when
    /// there is none (or an empty file).
    /// - Throws: ``TransportError`` when `path` is something else than a docker-archive: it is
    ///   not replaced, since that would drop what it holds.
    static func existingArchive(at path: String, name: String) throws -> DockerArchiveSource? {
        guard FileSystem.exists(path), FileSystem.size(of: path) != 0 else { return nil }
        do {
            return try DockerArchiveSource(path: path)
        } catch let error as TransportError {
            throw TransportError(
                .invalidInput,
                "\(name): a file is there that is not a docker-archive Ferry can add to (\(error.message)); refusing to replace it: remove it or write elsewhere"
            )
        }
    }

    /// Stages every image of the existing archive — its manifest, config and layers, each
    /// verified — so the rewritten archive keeps them.
    /// - Returns: its images with their names, in the archive's order.
    /// - Throws: ``TransportError`` when an image there cannot be kept in a docker-archive
    ///   (rather than dropping it), or a blob does not match its digest.
    func stageExisting(_ existing: DockerArchiveSource) async throws -> [(digest: Digest, names: [String])] {
        var kept: [(digest: Digest, names: [String])] = []
        for entry in try await existing.entries() {
            let descriptor = entry.descriptor
            let label = entry.names.first ?? descriptor.digest.description
            let bytes = try await existing.document(descriptor)
            guard try DigestHasher.digest(bytes, algorithm: descriptor.digest.knownAlgorithm ?? .sha256) == descriptor.digest else {
                throw TransportError(
                    .invalidInput,
                    "\(name): image \(label) of the archive already there does not match its digest \(descriptor.digest); refusing to replace the archive")
            }
            do {
                try await putDocument(RawDocument(bytes: bytes, mediaType: descriptor.mediaType, digest: descriptor.digest))
            } catch let error as TransportError {
                throw TransportError(
                    .unsupported,
                    "\(name): image \(label) of the archive already there cannot be kept (\(error.message)); refusing to drop it: write elsewhere, or remove the archive first"
                )
            }
            guard let manifest = manifests.withLock({ $0[descriptor.digest] }) else { continue }
            for blob in [manifest.config] + manifest.layers where !(try await staging.hasBlob(blob)) {
                let stream = try await existing.blob(blob)
                _ = try await staging.putBlob(
                    try VerifyingStream(stream, expected: blob, context: "\(name): blob \(blob.digest.short) of the archive already there"))
            }
            kept.append((descriptor.digest, entry.names))
        }
        return kept
    }

    /// `kept` images followed by `added` ones: a name given again moves to the added image, and
    /// an image in both is listed once, with the names of both.
    static func merging(kept: [(digest: Digest, names: [String])], added: [(digest: Digest, names: [String])]) -> [(digest: Digest, names: [String])] {
        let addedNames = Set(added.flatMap(\.names))
        var result = added
        var before: [(digest: Digest, names: [String])] = []
        for item in kept {
            let names = item.names.filter { !addedNames.contains($0) }
            if let i = result.firstIndex(where: { $0.digest == item.digest }) {
                result[i].names = names + result[i].names
            } else {
                before.append((item.digest, names))
            }
        }
        return before + result
    }
}
