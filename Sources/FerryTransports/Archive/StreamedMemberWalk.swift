import FerrySpec
import FerryStreams

/// What one front-to-back walk over a compressed `docker save` archive learns: every member's
/// name, kind and link target, the small files kept whole, each regular member's first bytes,
/// and the digests of members someone read to the end during the walk.
///
/// ``ArchiveMembers`` walks a compressed archive once when it opens; a copy that reads the
/// archive in one pass (``OnePassImageSource``) walks it with an offer for each candidate blob.
struct StreamedMemberWalk {
    /// Every member by normalised name (a later duplicate wins, as on extraction).
    private(set) var entries: [String: TarEntry] = [:]
    /// Small top-level files and small JSON members (configs, manifests).
    private(set) var captured: [String: [UInt8]] = [:]
    /// The first bytes of every regular member.
    private(set) var prefixes: [String: [UInt8]] = [:]
    /// The digest of each member an offer read to its end.
    private(set) var digests: [String: Digest] = [:]
    /// What is left of ``ArchiveMembers/captureBudget``.
    private var budget = ArchiveMembers.captureBudget
    /// The largest JSON member kept whole.
    let jsonLimit: Int

    init(jsonLimit: Int) {
        self.jsonLimit = jsonLimit
    }

    /// Records the reader's current member, reading and keeping it when it is a small file.
    ///
    /// - Returns: the member's normalised name and first bytes when it is a regular member left
    ///   unread beyond those bytes; `nil` otherwise.
    /// - Throws: ``TransportError`` when a kept file is over its limit or the data cannot be read.
    mutating func record(_ entry: TarEntry, from reader: TarReader, archive: String) throws -> (key: String, head: [UInt8])? {
        guard let key = try? TarPath.normalize(entry.name) else { return nil }
        entries[key] = entry
        guard entry.kind == .regular else { return nil }
        if ArchiveMembers.capturedFiles.contains(key), entry.size <= Int64(ArchiveMembers.captureLimit) {
            captured[key] = try ArchiveMembers.readAll({ try reader.readChunk() }, limit: ArchiveMembers.captureLimit, context: "\(archive): member \(key)")
            return nil
        }
        var head: [UInt8] = []
        while head.count < CompressionSniffer.prefixLength, let chunk = try reader.readChunk(max: CompressionSniffer.prefixLength - head.count) {
            head += chunk
        }
        prefixes[key] = head
        if entry.size <= Int64(min(jsonLimit, budget)), head.first == UInt8(ascii: "{") {
            let rest = try ArchiveMembers.readAll({ try reader.readChunk() }, limit: jsonLimit, context: "\(archive): member \(key)")
            captured[key] = head + rest
            budget -= head.count + rest.count
            return nil
        }
        return (key, head)
    }

    /// Notes the digest of a member read to its end.
    mutating func recordDigest(_ digest: Digest, of key: String) {
        digests[key] = digest
    }

    /// Whether a member left unread may be a layer worth offering: compressed, or a plain tar
    /// (at least the two zero blocks that end every tar, in whole 512-byte blocks).
    static func mayBeLayer(size: Int64, format: CompressionFormat, head: [UInt8]) -> Bool {
        switch format {
        case .gzip, .zstd: return true
        case .bzip2, .xz: return false
        case .none: return size >= 1024 && size % 512 == 0 && head.first != UInt8(ascii: "{")
        }
    }

    /// The digest a member's name gives: `blobs/<algorithm>/<hex>` of an OCI layout.
    static func namedDigest(_ key: String) -> Digest? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "blobs" else { return nil }
        return try? Digest(parsing: "\(parts[1]):\(parts[2])")
    }
}
