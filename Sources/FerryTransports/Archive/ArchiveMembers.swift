import FerrySpec
import FerryStreams

/// The members of a tar — a `docker save` archive or an `oci-archive:` — readable by name, with
/// links resolved inside the archive: one member table for both transports.
///
/// A bundle split into parts (``SplitBundle``) is indexed across its parts, never joined.
/// An uncompressed tar is indexed once (``TarIndex``) and members are read in place, in parallel.
/// A compressed one (gzip, zstd, xz, bzip2 around the whole tar), or a pipe, is walked once
/// (``StreamedMemberWalk``) to learn every member's name, kind and link target and its first
/// bytes, and to keep the small top-level files (`manifest.json`, `index.json`, `oci-layout`,
/// `repositories`) and small JSON members (configs, manifests) — by a copy with
/// ``readingOnce(path:name:offer:)``, which also hands each possible layer to the copy as it
/// passes. After that, every ``scan(_:_:)`` and every ``open(_:)`` decompresses the archive from
/// its start up to the members it needs (a pipe refuses). Nothing is ever unpacked to a
/// temporary file.
struct ArchiveMembers: Sendable {
    /// The top-level files read during the first pass over a compressed archive.
    static let capturedFiles: Set<String> = [
        DockerSaveManifest.fileName, OCILayout.indexFileName, OCILayout.layoutFileName, "repositories", BundleDelta.fileName,
    ]
    /// The largest top-level file kept from the first pass.
    static let captureLimit = DocumentLimits.maximumDocumentSize

    let path: String
    let name: String
    /// Set for an uncompressed tar.
    let index: TarIndex?
    /// Every member of a compressed tar by normalised name (a later duplicate wins, as on extraction).
    let streamed: [String: TarEntry]
    /// Small top-level files and small JSON members (configs, manifests) of a compressed tar,
    /// from the first pass, at most ``captureBudget`` bytes of JSON in all.
    private let captured: [String: [UInt8]]
    /// The first bytes of every regular member of a compressed tar, to sniff layer compression.
    private let prefixes: [String: [UInt8]]
    /// The digests of members a one-pass copy read to their end while the archive was opened.
    let digests: [String: Digest]
    /// The largest JSON member kept from the first pass, and the total kept.
    static let smallJSONLimit = 256 * 1024
    static let captureBudget = 16 << 20

    /// Whether members are reached by decompressing the archive from its start.
    var isStreamed: Bool { index == nil }
    /// Whether the archive is a pipe (or terminal), which the walk that opened it used up.
    let isOneShot: Bool

    /// Refuses to read a pipe a second time.
    private func checkReadable(_ wanted: @autoclosure () -> String) throws(TransportError) {
        guard isOneShot else { return }
        throw TransportError(
            .unsupported,
            "\(name) is a pipe, read once already; \(wanted()) was not kept from that pass (only a copy reads a pipe in one pass: write the archive to a file to inspect or verify it)"
        )
    }

    init(path: String, name: String) throws {
        if let manifest = SplitBundle.manifestPath(for: path) {
            self.init(path: path, name: name, index: try SplitBundle.open(manifest, name: name), walk: nil)
            return
        }
        let isStream = FileSystem.isStream(path)
        guard isStream || FileSystem.size(of: path) != nil else {
            throw TransportError(.unreadable, "\(name): no such file")
        }
        var plainIndex: TarIndex?
        do {
            // A pipe is never indexed: reading its headers would use it up.
            plainIndex = isStream ? nil : try TarIndex(path: path)
        } catch {
            guard error.code == .unsupported else { throw TransportError(.invalidInput, "\(name): not a readable tar archive: \(error.message)") }
        }
        guard let plainIndex else {
            var walk = StreamedMemberWalk(jsonLimit: Self.smallJSONLimit)
            do {
                let reader = try TarReader(path: path)
                while let entry = try reader.nextEntry() {
                    _ = try walk.record(entry, from: reader, archive: name)
                }
            } catch let error as StreamError {
                throw TransportError(.invalidInput, "\(name): not a readable tar archive: \(error.message)")
            }
            self.init(path: path, name: name, index: nil, walk: walk)
            return
        }
        self.init(path: path, name: name, index: plainIndex, walk: nil)
    }

    private init(path: String, name: String, index: TarIndex?, walk: StreamedMemberWalk?) {
        self.path = path
        self.name = name
        self.index = index
        isOneShot = FileSystem.isStream(path)
        streamed = walk?.entries ?? [:]
        captured = walk?.captured ?? [:]
        prefixes = walk?.prefixes ?? [:]
        digests = walk?.digests ?? [:]
    }

    /// Whether the archive at `path` is compressed as a whole (gzip, zstd, xz, bzip2), from its
    /// first bytes: such an archive is reached only by decompressing it from its start.
    static func isCompressed(path: String) -> Bool {
        guard let prefix = try? FileSystem.readRange(path, offset: 0, length: CompressionSniffer.prefixLength) else { return false }
        return CompressionSniffer.detect(prefix) != .none
    }

    /// Reads a compressed archive once, front to back, offering each member that may be a layer
    /// to `offer` (see ``OnePassImageSource/readOnce(offering:)``) and keeping the small files
    /// (JSON members up to ``DocumentLimits/maximumDocumentSize``, within ``captureBudget``).
    /// `kept` is told of each top-level file kept (``capturedFiles``) as soon as it passes.
    static func readingOnce(
        path: String, name: String, kept: (String, [UInt8]) throws -> Void = { _, _ in }, offer: (BlobOffer, sending any ByteStream) async throws -> Digest?
    ) async throws -> ArchiveMembers {
        guard FileSystem.isStream(path) || FileSystem.size(of: path) != nil else {
            throw TransportError(.unreadable, "\(name): no such file")
        }
        var walk = StreamedMemberWalk(jsonLimit: DocumentLimits.maximumDocumentSize)
        let reader: TarReader
        do {
            reader = try TarReader(path: path)
        } catch {
            throw TransportError(.invalidInput, "\(name): not a readable tar archive: \(error.message)")
        }
        while true {
            let candidate: (key: String, head: [UInt8])?
            let entry: TarEntry
            do {
                guard let next = try reader.nextEntry() else { break }
                entry = next
                candidate = try walk.record(entry, from: reader, archive: name)
            } catch let error as StreamError {
                throw TransportError(.invalidInput, "\(name): not a readable tar archive: \(error.message)")
            }
            if candidate == nil, let key = try? TarPath.normalize(entry.name), capturedFiles.contains(key), let bytes = walk.captured[key] {
                try kept(key, bytes)
            }
            guard let (key, head) = candidate, let size = walk.entries[key]?.size else { continue }
            let format = CompressionSniffer.detect(head)
            guard StreamedMemberWalk.mayBeLayer(size: size, format: format, head: head) else { continue }
            let offered = BlobOffer(member: key, size: size, format: format, namedDigest: StreamedMemberWalk.namedDigest(key))
            if let digest = try await offer(offered, PeekableStream(replaying: head, then: PassingMember(reader: reader))) {
                walk.recordDigest(digest, of: key)
            }
        }
        return ArchiveMembers(path: path, name: name, index: nil, walk: walk)
    }

    /// The bytes of a member already in memory from the first pass over a compressed archive.
    func cached(_ member: String) -> [UInt8]? { captured[member] }

    /// The first bytes of a member, when known without reading it again.
    func cachedPrefix(_ member: String) -> [UInt8]? {
        captured[member].map { Array($0.prefix(CompressionSniffer.prefixLength)) } ?? prefixes[member]
    }

    /// Every member, normalised and sorted; unsafe names are listed as written.
    func allMembers() -> [(name: String, isRegular: Bool)] {
        if let index {
            return index.members.map { ((try? TarPath.normalize($0.name)) ?? $0.name, $0.kind == .regular) }.sorted { $0.0 < $1.0 }
        }
        return streamed.map { ($0.key, $0.value.kind == .regular) }.sorted { $0.0 < $1.0 }
    }

    /// Whether a member (of any kind) has this name, after normalisation.
    func contains(_ member: String) -> Bool {
        if let index { return index[member] != nil }
        return (try? TarPath.normalize(member)).map { streamed[$0] != nil } ?? false
    }

    /// The regular file a reference from `manifest.json` or `index.json` names, following links.
    ///
    /// - Parameter role: what refers to it, for messages (`manifest.json item 0, Layers[1]`).
    /// - Returns: the normalised name of the regular member holding the data, and its size.
    /// - Throws: ``TransportError`` naming the reference and the problem: an unsafe name (absolute,
    ///   `..`), a missing member, a link leaving the archive, a member that is not a file.
    func regularFile(_ reference: String, role: String) throws(TransportError) -> (member: String, size: Int64) {
        let normalized: String
        do {
            normalized = try TarPath.normalize(reference)
        } catch {
            throw TransportError(.invalidInput, "\(name): \(role) refers to an unsafe member: \(error.message)")
        }
        do {
            if let index {
                let member = try index.regularFile(named: normalized)
                return (try TarPath.normalize(member.name), member.size)
            }
            return try resolveStreamed(normalized)
        } catch {
            if error.code == .notFound, !contains(normalized) {
                // The archive is there but contradicts itself: invalid input, not an unreadable source.
                throw TransportError(.invalidInput, "\(name): \(role) names member \(reference.debugDescription), which is not in the archive")
            }
            throw TransportError(.invalidInput, "\(name): \(role) (member \(reference.debugDescription)): \(error.message)")
        }
    }

    /// The bytes of a small regular member (a normalised name from ``regularFile(_:role:)``).
    func read(_ member: String, limit: Int) throws -> [UInt8] {
        if let index {
            let found = try index.regularFile(named: member)
            guard found.size <= Int64(limit) else {
                throw TransportError(.invalidInput, "\(name): member \(member) is \(found.size) bytes, over the \(limit)-byte limit for this file")
            }
            return try index.read(offset: found.dataOffset, length: Int(found.size))
        }
        if let bytes = captured[member] { return bytes }
        try checkReadable("member \(member)")
        var result: [UInt8]?
        try scan([member]) { _, reader in
            result = try Self.readAll(reader, limit: limit, context: "\(name): member \(member)")
        }
        guard let result else { throw TransportError(.notFound, "\(name): no member \(member)") }
        return result
    }

    /// Visits each of `members` (normalised regular member names) once, in archive order, handing
    /// `body` a function that returns the member's next chunk (or `nil` at its end).
    ///
    /// For a compressed archive this is one pass of decompression over the whole archive, however
    /// many members are wanted.
    func scan(_ members: Set<String>, _ body: (String, () throws -> [UInt8]?) throws -> Void) throws {
        guard !members.isEmpty else { return }
        if let index {
            for member in members.sorted() {
                let found = try index.regularFile(named: member)
                var offset = found.dataOffset
                let end = found.dataOffset + found.size
                try body(member) {
                    guard offset < end else { return nil }
                    let length = Int(min(Int64(1 << 20), end - offset))
                    let chunk = try index.read(offset: offset, length: length)
                    offset += Int64(length)
                    return chunk
                }
            }
            return
        }
        try checkReadable("member\(members.count == 1 ? "" : "s") \(members.sorted().joined(separator: ", "))")
        var remaining = members
        do {
            let reader = try TarReader(path: path)
            while !remaining.isEmpty, let entry = try reader.nextEntry() {
                guard entry.kind == .regular, let key = try? TarPath.normalize(entry.name), remaining.remove(key) != nil else { continue }
                try body(key) { try reader.readChunk() }
            }
        } catch let error as StreamError {
            throw TransportError(.invalidInput, "\(name): \(error.message)")
        }
    }

    /// Visits each of `members` once, in archive order, with a stream of its data valid during the
    /// call: one pass of decompression for a compressed archive, reads in place for a plain one.
    func scanInOrder(_ members: Set<String>, _ body: (String, sending any ByteStream) async throws -> Void) async throws {
        guard !members.isEmpty else { return }
        if let index {
            for member in members.sorted() {
                try await body(member, try index.data(of: try index.regularFile(named: member)))
            }
            return
        }
        try checkReadable("member\(members.count == 1 ? "" : "s") \(members.sorted().joined(separator: ", "))")
        var remaining = members
        let reader: TarReader
        do {
            reader = try TarReader(path: path)
        } catch {
            throw TransportError(.invalidInput, "\(name): \(error.message)")
        }
        while !remaining.isEmpty {
            let entry: TarEntry?
            do {
                entry = try reader.nextEntry()
            } catch {
                throw TransportError(.invalidInput, "\(name): \(error.message)")
            }
            guard let entry else { break }
            guard entry.kind == .regular, let key = try? TarPath.normalize(entry.name), remaining.remove(key) != nil else { continue }
            try await body(key, PassingMember(reader: reader))
        }
    }

    /// A stream of a regular member's data (a normalised name from ``regularFile(_:role:)``).
    /// A member kept from the first pass over a compressed archive comes from memory: reading it
    /// again would decompress the archive up to it.
    func open(_ member: String) throws -> any ByteStream {
        if let bytes = captured[member] { return MemoryByteStream(bytes) }
        if let index {
            return try index.data(of: try index.regularFile(named: member))
        }
        try checkReadable("member \(member)")
        let reader = try TarReader(path: path)
        while let entry = try reader.nextEntry() {
            if entry.kind == .regular, (try? TarPath.normalize(entry.name)) == member {
                return StreamedMember(reader: reader)
            }
        }
        throw TransportError(.notFound, "\(name): no member \(member)")
    }

    /// Follows hard and symbolic links among the members of a compressed archive.
    private func resolveStreamed(_ start: String) throws(StreamError) -> (member: String, size: Int64) {
        var current = start
        for _ in 0..<16 {
            guard let entry = streamed[current] else {
                throw StreamError(.notFound, "no member \(current.debugDescription)\(current == start ? "" : " (link target of \(start.debugDescription))")")
            }
            switch entry.kind {
            case .regular:
                return (current, entry.size)
            case .hardlink:
                current = try TarPath.normalize(entry.linkTarget ?? "")
            case .symlink:
                let target = entry.linkTarget ?? ""
                guard !target.hasPrefix("/") else {
                    throw StreamError(.unsafePath, "member \(entry.name.debugDescription) is an absolute symbolic link")
                }
                let directory = current.split(separator: "/").dropLast().joined(separator: "/")
                current = try TarPath.resolveLinkTarget(directory.isEmpty ? target : directory + "/" + target, link: entry.name, archive: name)
            case .directory, .other:
                throw StreamError(.notFound, "member \(entry.name.debugDescription) is a \(entry.kind.rawValue), not a regular file")
            }
        }
        throw StreamError(.notFound, "links from \(start.debugDescription) loop or nest more than 16 deep")
    }

    /// Reads chunks to the end, refusing more than `limit` bytes.
    static func readAll(_ next: () throws -> [UInt8]?, limit: Int, context: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        while let chunk = try next() {
            guard bytes.count + chunk.count <= limit else {
                throw TransportError(.invalidInput, "\(context): over the \(limit)-byte limit for this file")
            }
            bytes += chunk
        }
        return bytes
    }
}

/// The current member of a one-pass scan, handed to the engine for the duration of one call.
///
/// `@unchecked Sendable` because the region checker cannot see the hand-over's shape: the scan
/// loop does not touch the reader again until the call that received this stream returns, and the
/// receiver reads the member before returning (``SequentialImageSource/forEachBlob(_:_:)``), so
/// the reader is only ever used by one task at a time.
final class PassingMember: ByteStream, @unchecked Sendable {
    private let reader: TarReader
    init(reader: TarReader) { self.reader = reader }
    func next() async throws -> [UInt8]? { try reader.readChunk() }
}

/// One member's data in a compressed archive; keeps the reader alive while it is read.
final class StreamedMember: ByteStream {
    private let reader: TarReader
    init(reader: TarReader) { self.reader = reader }
    func next() async throws -> [UInt8]? { try reader.readChunk() }
}
