import FerrySpec
import FerryStreams

/// Reads a `docker save` archive (`docker-archive:PATH[:REF|:@N]`) in any of its variants:
/// legacy (Docker ≤ 24, containers/image), Docker 25+ (with an OCI layout inside), BuildKit and
/// containerd exports (Docker 29+, compressed layers under `blobs/`), and any of them wrapped
/// whole in gzip, zstd, xz or bzip2 (formats.md §5).
///
/// There is one entry per `manifest.json` item, in its order (`@N` selects by position). Its
/// names are the item's `RepoTags` as written; its aliases the same names fully qualified and in
/// familiar form, so `busybox:latest` and `docker.io/library/busybox:latest` both select it. Its
/// manifest is the archive's own stored OCI manifest when there is one for the same config,
/// otherwise a Docker schema 2 manifest synthesised from the members' content (see
/// ``DockerManifestSynthesis`` for the rule, including zstd layers). The manifest's digest is
/// stable: the same archive always gives the same one.
///
/// The path `-` (or `/dev/stdin`, or any pipe) reads standard input: a copy reads it in its one
/// pass; anything else can learn what it holds but not read its blobs again.
///
/// Cost: an uncompressed archive is indexed once and its blobs are read in place, in parallel.
/// A compressed archive is never unpacked to a temporary file, and opening it reads nothing: a
/// copy reads it once, front to back (``OnePassImageSource``), keeping the small members and
/// landing each layer in the destination as it passes. Anything else that asks what it holds
/// (``entries()``, an inspection, a verification) reads it once to learn its members, and each
/// blob is then served in one more pass in archive order (``SequentialImageSource``).
/// Everything the source keeps in memory is small: the member table, the manifests, and a
/// digest → member map.
///
/// Opening checks that `manifest.json` is there, parses (≤ 1 MiB), and that every member it names
/// is a safe name (no absolute paths, no `..`) that resolves, through symbolic and hard links
/// inside the archive, to a regular file. Blobs are not verified here: the engine verifies every
/// blob against its digest as it copies. `LayerSources` is read but never followed: a layer it
/// marks foreign is served from the archive's bytes, and ``notes`` says so.
public struct DockerArchiveSource: ImageSource {
    /// The archive file.
    public let path: String
    public let name: String
    private let contents: ArchiveContents<DockerArchiveOpened>

    var members: ArchiveMembers {
        get throws { try contents.opened().members }
    }

    var catalog: DockerArchiveCatalog {
        get throws { try contents.opened().catalog }
    }

    /// Opens the archive at `path` and works out what it holds — now for an uncompressed archive,
    /// on first use for a compressed one.
    /// - Throws: ``TransportError`` naming the archive, and the member when there is one, when the
    ///   file is missing, is not a tar, is truncated, has no `manifest.json`, or names a member
    ///   that is unsafe or missing (for a compressed archive, from the first use).
    public init(path: String) throws {
        self.name = "docker-archive:\(path)"
        self.path = path == Self.standardInput ? "/dev/stdin" : path
        let isStream = FileSystem.isStream(self.path)
        guard isStream || FileSystem.size(of: self.path) != nil else {
            throw TransportError(.unreadable, "\(name): no such file")
        }
        let (opened, name) = (self.path, self.name)
        contents = try ArchiveContents(deferred: isStream || ArchiveMembers.isCompressed(path: self.path)) {
            try DockerArchiveOpened.open(path: opened, name: name)
        }
    }

    /// The path that stands for standard input: `docker save app | ferry copy docker-archive:- oci:app`.
    public static let standardInput = "-"

    public func entries() async throws -> [SourceEntry] { try catalog.entries }

    /// Manifests the archive's stored index names but does not hold (a containerd export keeps
    /// only the platforms the engine had): Ferry copies what is present and says what is not.
    public var absentManifests: [Descriptor] { (try? catalog.absentManifests) ?? [] }

    /// One sentence naming the absent manifests, when there are any, and one per image whose
    /// `LayerSources` marks layers foreign (their bytes from the archive are copied; see
    /// ``DockerLayerSourceFinding``).
    public var notes: [String] {
        absentManifestNotes + DockerLayerSourceFinding.notes((try? catalog.layerSourceFindings) ?? [], source: name)
    }

    private var absentManifestNotes: [String] {
        absentManifests.isEmpty ? [] : [SparseIndex.note(source: name, absent: absentManifests)]
    }

    public func document(_ descriptor: Descriptor) async throws -> [UInt8] {
        if let bytes = try catalog.documents[descriptor.digest] { return bytes }
        let member = try locate(descriptor)
        return try members.read(member, limit: DocumentLimits.maximumDocumentSize)
    }

    public func blob(_ descriptor: Descriptor) async throws -> sending any ByteStream {
        if let bytes = try catalog.documents[descriptor.digest] { return MemoryByteStream(bytes) }
        // A config kept from the first pass over a compressed archive comes from memory
        // (``ArchiveMembers/open(_:)``); the caller still verifies the bytes.
        return try members.open(try locate(descriptor))
    }

    /// The member holding a blob: the one `manifest.json` names for it, else the OCI layout's
    /// `blobs/<alg>/<hex>`.
    func locate(_ descriptor: Descriptor) throws -> String {
        let members = try members
        if let member = try catalog.blobMembers[descriptor.digest] { return member }
        let inLayout = DockerArchiveCatalog.layoutMember(descriptor.digest)
        guard members.contains(inLayout) else {
            throw TransportError(
                .notFound, "blob \(descriptor.digest) (\(descriptor.mediaType)) is not in \(name) (no member names it, and there is no \(inLayout))")
        }
        return try members.regularFile(inLayout, role: "blob \(descriptor.digest)").member
    }
}

extension DockerArchiveSource {
    /// Once while not read yet (compressed, or on a pipe); then in one pass over the blobs when
    /// it is compressed; else in any order.
    public var capabilities: SourceCapabilities {
        if awaitsOnePass { return SourceCapabilities(readOrder: .once(self)) }
        if prefersSequentialReads { return SourceCapabilities(readOrder: .sequential(self)) }
        return SourceCapabilities()
    }
}

extension DockerArchiveSource: OnePassImageSource {
    /// A compressed archive nothing has read yet.
    public var awaitsOnePass: Bool { contents.isUnread }

    public func readOnce(offering land: (BlobOffer, sending any ByteStream) async throws -> Digest?) async throws {
        try await contents.readOnce(path: path, name: name, offering: land)
    }

    public func member(holding blob: Descriptor) -> String? {
        try? locate(blob)
    }
}
