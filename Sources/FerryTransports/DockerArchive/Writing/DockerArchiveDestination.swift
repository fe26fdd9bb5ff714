#if canImport(Glibc)
import Glibc
#endif
import FerrySpec
import FerryStreams

/// Writes a `docker load`-compatible archive (`docker-archive:PATH[:NAME]`) in the legacy layout
/// (formats.md §5.2), which every `docker load` since 1.10, both of Docker 29's image stores,
/// skopeo and podman read.
///
/// Several images and names can go into one archive: each ``addEntry(_:names:)`` adds a
/// `manifest.json` item, and layers shared between images are stored once. Writing to an
/// archive that exists adds to it: its images are kept (verified on the way; a name given again
/// moves to the new image), and an image there that a docker-archive cannot hold, or a file that
/// is not a docker-archive, is refused rather than dropped. Blobs are verified
/// and staged in a working directory next to `PATH`; ``commit()`` then writes the archive in a
/// fixed order with deterministic headers (see ``DockerLegacyArchiveWriter``) to a temporary file
/// that replaces `PATH` atomically. Until then `PATH` is untouched, and the working directory is
/// removed whatever happens.
///
/// The archive keeps only configs and layers, so the manifest's own bytes are not stored: a
/// Docker schema 2 manifest is what the engine should hand over, but an OCI image manifest is
/// taken as well. Layers must be plain tars — `docker load` checks each one against its DiffID —
/// so a manifest whose layer media types are compressed is refused, as is an index.
///
/// A foreign layer (a non-distributable media type with URLs) is stored with its bytes like any
/// other, and its item in `manifest.json` gets a `LayerSources` entry for its DiffID holding the
/// foreign descriptor — the source's, from before the engine decompressed the layer (see
/// ``layerTranscoded(from:to:)``) — as `docker save` writes, so that `docker load` and a later
/// `docker push` keep pointing at the URLs (``DockerForeignLayerSources``).
public final class DockerArchiveDestination: ImageDestination {
    /// The archive file.
    public let path: String
    public let name: String
    /// Docker schema 2 manifests with uncompressed layers; one platform per image.
    public let capabilities = DestinationCapabilities(
        acceptedManifestTypes: [.dockerManifest], acceptedLayerCompressions: [LayerCompression.none],
        holdsSeveralImages: true, holdsIndexes: false,
        preferredManifestFormat: .v2s2, preferredLayerCompression: LayerCompression.none)
    /// The staging directory (removed when this destination goes).
    private let work: WorkDirectory
    private var workDirectory: String { work.path }
    let staging: OCILayoutDestination
    private let durable: Bool
    /// Which `docker save` layout is written.
    public let layout: Layout

    /// The two layouts `docker save` has written.
    public enum Layout: String, Sendable, CaseIterable {
        /// Docker ≤ 24: `<config>.json`, `<id>/layer.tar`, `manifest.json`, `repositories`.
        case legacy
        /// Docker 25+: an OCI image layout plus `manifest.json` and `repositories`; also a valid
        /// `oci-archive:`.
        case docker25
    }
    let manifests = Locked<[Digest: ImageManifest]>([:])
    private let items = Locked<[(digest: Digest, names: [String])]>([])
    private let foreignOriginals = Locked<DockerForeignLayerSources>(DockerForeignLayerSources())
    private let untagged = Locked<[String]>([])

    /// Prepares to write the archive at `path`.
    /// - Parameter durable: `fsync` the archive before it replaces `path` (default `true`).
    /// - Throws: ``TransportError`` when `path` is a directory, or the working directory cannot be made.
    public init(path: String, durable: Bool = true, layout: Layout = .legacy) throws {
        self.path = path
        self.layout = layout
        self.name = "docker-archive:\(path)"
        self.durable = durable
        guard FileSystem.kind(of: path) != .directory else {
            throw TransportError(.invalidInput, "\(name): is a directory; a docker-archive is one tar file")
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

    /// Takes an image manifest with plain-tar layers; refuses indexes, schema 1 and compressed layers.
    public func putDocument(_ document: RawDocument) async throws {
        let context = "\(name): manifest \(document.digest)"
        guard !document.mediaType.isIndex else { throw Self.indexRefusal(name) }
        let manifest: ImageManifest
        switch try document.decode(context: context) {
        case .index:
            throw Self.indexRefusal(name)
        case .schema1:
            throw TransportError(.unsupported, "\(context): Docker schema 1 manifests cannot be written to a docker-archive; convert to schema 2 first")
        case .manifest(let decoded):
            manifest = decoded
        }
        guard manifest.config.mediaType.isImageConfig else {
            throw TransportError(
                .unsupported, "\(context): config type \(manifest.config.mediaType) is not an image config; a docker-archive holds container images only")
        }
        for layer in manifest.layers where layer.mediaType.layerCompression != LayerCompression.none {
            let kind = layer.mediaType.layerCompression.map { "\($0.rawValue)-compressed" } ?? "not a plain tar"
            throw TransportError(
                .unsupported,
                "\(context): layer \(layer.digest) is \(layer.mediaType) (\(kind)); a docker-archive stores uncompressed layers whose digests equal the config's diff_ids, so layers must be decompressed before they are written"
            )
        }
        manifests.withLock { $0[document.digest] = manifest }
    }

    /// Keeps the source descriptor of a foreign layer the engine decompressed for this archive:
    /// it, not the stored plain tar, is what the layer's URLs serve.
    public func layerTranscoded(from original: Descriptor, to landed: Descriptor) async {
        foreignOriginals.withLock { $0.record(original, storedAs: landed.digest) }
    }

    public func addEntry(_ descriptor: Descriptor, names: [String]) async throws {
        guard !descriptor.mediaType.isIndex else { throw Self.indexRefusal(name) }
        guard manifests.withLock({ $0[descriptor.digest] }) != nil else {
            throw TransportError(.notFound, "\(name): entry \(descriptor.digest) was added before its manifest was stored")
        }
        var names = names
        if !names.contains(where: { DockerArchiveNames.repoTag(for: $0) != nil }) {
            // A bare tag (an OCI layout's `1.0`) is no repository name: use the image's full name
            // when the engine knows it.
            if let full = descriptor.annotations?[AnnotationKey.containerdImageName], DockerArchiveNames.repoTag(for: full) != nil {
                names = [full]
            } else {
                let given =
                    names.isEmpty
                    ? "it has no name"
                    : "\(names.map { "\"\($0)\"" }.joined(separator: ", ")) \(names.count == 1 ? "is" : "are") not a repository name with a tag"
                untagged.withLock {
                    $0.append(
                        "\(name): image \(descriptor.digest.short) is written untagged (RepoTags is empty; \(given)), so docker load gives it no name; name it with \(name):REPOSITORY:TAG"
                    )
                }
            }
        }
        items.withLock { $0.append((descriptor.digest, names)) }
    }

    /// A sentence per image written without a name.
    public var notes: [String] { untagged.withLock { $0 } }

    /// How the whole archive is compressed, from the file name: `.tar.gz`/`.tgz` gzip,
    /// `.tar.zst`/`.tar.zstd` zstd, anything else plain (what `docker save` writes).
    /// `docker load` and Ferry read all three.
    public var archiveCompression: LayerCompression { ArchiveFileCompression.of(path) }

    /// Writes the archive — the images of the one already at ``path`` with this copy's added —
    /// and renames it over ``path``, holding a lock on the directory around it so that two
    /// copies to one archive take turns instead of one dropping the other's images.
    public func commit() async throws {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        try await FileLock.withExclusiveLock(on: directory.isEmpty ? "/" : directory) {
            var kept: [(digest: Digest, names: [String])] = []
            if let existing = try Self.existingArchive(at: path, name: name) { kept = try await stageExisting(existing) }
            try await writeArchive(Self.merging(kept: kept, added: items.withLock { $0 }))
        }
        FileSystem.removeTree(workDirectory)
    }

    private func writeArchive(_ items: [(digest: Digest, names: [String])]) async throws {
        let known = manifests.withLock { $0 }
        let images = items.compactMap { item in known[item.digest].map { (manifest: $0, names: item.names) } }
        let blobs: @Sendable (Digest) -> String = { [workDirectory] in workDirectory + "/" + OCILayout.blobPath($0) }
        let foreign = foreignOriginals.withLock { $0 }
        let write: (TarWriter) async throws -> Void = { [name, layout] tar in
            switch layout {
            case .legacy: try await DockerLegacyArchiveWriter(blobs: blobs, name: name, foreign: foreign).write(images, to: tar)
            case .docker25: try await DockerOCIArchiveWriter(blobs: blobs, name: name, foreign: foreign).write(images, to: tar)
            }
        }
        let output = try AtomicFileWriter(path: path, durable: durable)
        if archiveCompression == .none {
            let tar = try TarWriter(into: output)
            try await write(tar)
            try tar.finish()
        } else {
            // The tar is laid out in the working directory, then compressed into place (the
            // compressors are deterministic, so the archive still is).
            let plain = workDirectory + "/archive.tar"
            let tar = try TarWriter(path: plain)
            try await write(tar)
            try tar.finish()
            let stream = try compressed(try FileByteStream(path: plain), format: archiveCompression)
            while let chunk = try await stream.next() { try output.write(chunk) }
        }
        try output.commit()
    }

    private static func indexRefusal(_ name: String) -> TransportError {
        TransportError(.unsupported, "\(name): docker-archive holds single-platform images; pick one with --platform")
    }
}
