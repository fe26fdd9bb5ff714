import FerrySpec
import FerryStreams

/// Reads an OCI image layout stored as one tar file (`oci-archive:PATH`), optionally compressed,
/// split into parts (``SplitBundle``), or on standard input (`oci-archive:-`).
///
/// The archive's members are read through the member table it shares with `docker-archive:`
/// (``ArchiveMembers``). An uncompressed archive is indexed when it opens and its blobs are read
/// in place, in parallel. A compressed archive or a pipe is read by a copy once, front to back
/// (``OnePassImageSource``): the small files and JSON blobs are kept, every other blob is landed
/// in the destination as it passes. Anything else that asks what it holds reads it once to learn
/// its members, and its blobs are then served in one more pass in archive order
/// (``SequentialImageSource``). Nothing is unpacked to a temporary file.
public struct OCIArchiveSource: ImageSource {
    /// The archive file.
    public let path: String
    public let name: String
    private let contents: ArchiveContents<OCIArchiveOpened>

    var reader: LayoutReader {
        get throws { try contents.opened().reader }
    }

    var members: ArchiveMembers {
        get throws { try contents.opened().members }
    }

    /// Opens the archive at `path` — now for an uncompressed archive, on first use for a
    /// compressed one or a pipe.
    /// - Throws: ``TransportError`` when the file is missing, is not a tar, or does not hold a
    ///   layout (for a compressed archive or a pipe, from the first use).
    public init(path: String) throws {
        self.name = "oci-archive:\(path)"
        self.path = path == Self.standardInput ? "/dev/stdin" : path
        let isStream = FileSystem.isStream(self.path)
        let split = SplitBundle.manifestPath(for: self.path) != nil
        guard isStream || split || FileSystem.size(of: self.path) != nil else {
            throw TransportError(.unreadable, "\(name): no such file")
        }
        let deferred = isStream || (!split && ArchiveMembers.isCompressed(path: self.path))
        let (opened, name) = (self.path, self.name)
        contents = try ArchiveContents(deferred: deferred) { try OCIArchiveOpened.open(path: opened, name: name) }
    }

    /// The path that stands for standard input: `ssh far cat site.tar | ferry sync oci-archive:- …`.
    public static let standardInput = "-"

    /// Reads the archive now if nothing has, so that a file that is not an OCI archive is refused
    /// at once.
    public func open() throws { _ = try contents.opened() }

    public func entries() async throws -> [SourceEntry] { try reader.entries() }

    /// What this archive relies on its destination having, when it is a delta bundle
    /// (`ferry-delta.json`, written by `ferry sync --have`); `nil` for a complete one.
    /// - Throws: ``TransportError`` (`invalidInput`) when the record is there but unreadable.
    public func bundleDelta() throws -> BundleDelta? { try reader.bundleDelta() }

    public func document(_ descriptor: Descriptor) async throws -> [UInt8] { try reader.document(descriptor) }

    public func blob(_ descriptor: Descriptor) async throws -> sending any ByteStream { try reader.blob(descriptor) }

    /// The member a blob of the layout is stored as.
    static func member(_ digest: Digest) -> String { "blobs/\(digest.algorithm)/\(digest.encoded)" }
}

extension OCIArchiveSource {
    /// Once while not read yet (compressed, or on a pipe); then in one pass over the blobs when
    /// it is compressed; else in any order.
    public var capabilities: SourceCapabilities {
        if awaitsOnePass { return SourceCapabilities(readOrder: .once(self)) }
        if prefersSequentialReads { return SourceCapabilities(readOrder: .sequential(self)) }
        return SourceCapabilities()
    }
}

extension OCIArchiveSource: OnePassImageSource {
    /// A compressed archive or a pipe nothing has read yet.
    public var awaitsOnePass: Bool { contents.isUnread }

    public func readOnce(offering land: (BlobOffer, sending any ByteStream) async throws -> Digest?) async throws {
        try await contents.readOnce(path: path, name: name, offering: land)
    }

    /// Reads the archive in one pass as ``readOnce(offering:)`` does, telling `index` of the
    /// entries `index.json` names as soon as it passes — before the blobs, in the bundles Ferry
    /// writes — so that a sync knows where to land them.
    public func readOnce(index: ([SourceEntry]) throws -> Void, offering land: (BlobOffer, sending any ByteStream) async throws -> Digest?) async throws {
        try await contents.readOnce(path: path, name: name, index: index, offering: land)
    }

    public func member(holding blob: Descriptor) -> String? {
        let member = Self.member(blob.digest)
        return (try? members.contains(member)) == true ? member : nil
    }
}

extension OCIArchiveSource: SequentialImageSource {
    /// A compressed archive, read already to learn its members: one more pass serves every blob.
    public var prefersSequentialReads: Bool { (try? members.isStreamed && !members.isOneShot) ?? false }

    public func forEachBlob(_ blobs: [Descriptor], _ body: (Descriptor, sending any ByteStream) async throws -> Void) async throws {
        let members = try members
        var byMember: [String: Descriptor] = [:]
        for blob in blobs where members.cached(Self.member(blob.digest)) == nil {
            byMember[Self.member(blob.digest)] = blob
        }
        try await members.scanInOrder(Set(byMember.keys)) { member, stream in
            guard let descriptor = byMember[member] else { return }
            try await body(descriptor, stream)
        }
    }
}
