import FerrySpec
import FerryStreams

/// The members of a `docker save` tar, readable by name, with links resolved inside the archive.
///
/// An uncompressed tar is indexed once (``TarIndex``) and members are read in place, in parallel.
/// A compressed one (gzip, zstd, xz, bzip2 around the whole tar) is walked once at open to learn
/// every member's name, kind and link target and its first bytes, and to keep the small
/// top-level files (`manifest.json`, `index.json`, `oci-layout`) and small JSON members (configs,
/// manifests); after that, every ``scan(_:_:)`` and every
/// ``open(_:)`` decompresses the archive from its start up to the members it needs. Nothing is
/// ever unpacked to a temporary file.
struct DockerArchiveMembers: Sendable {
    /// The top-level files read during the first pass over a compressed archive.
    static let capturedFiles: Set<String> = [DockerSaveManifest.fileName, OCILayout.indexFileName, OCILayout.layoutFileName]
    /// The largest top-level file kept from the first pass.
    static let captureLimit = DocumentLimits.maximumDocumentSize

    let path: String
    let name: String
    /// Set for an uncompressed tar.
    private let index: TarIndex?
    /// Every member of a compressed tar by normalised name (a later duplicate wins, as on extraction).
    private let streamed: [String: TarEntry]
    /// Small top-level files and small JSON members (configs, manifests) of a compressed tar,
    /// from the first pass, at most ``captureBudget`` bytes of JSON in all.
    private let captured: [String: [UInt8]]
    /// The first bytes of every regular member of a compressed tar, to sniff layer compression.
    private let prefixes: [String: [UInt8]]
    /// The largest JSON member kept from the first pass, and the total kept.
    static let smallJSONLimit = 256 * 1024
    static let captureBudget = 16 << 20

    /// Whether members are reached by decompressing the archive from its start.
    var isStreamed: Bool { index == nil }

    init(path: String, name: String) throws {
        self.path = path
        self.name = name
        guard FileSystem.size(of: path) != nil else {
            throw TransportError(.notFound, "\(name): no such file")
        }
        var plainIndex: TarIndex?
        do {
            plainIndex = try TarIndex(path: path)
        } catch {
            guard error.code == .unsupported else { throw TransportError(.invalidInput, "\(name): not a readable tar archive: \(error.message)") }
        }
        index = plainIndex
        var entries: [String: TarEntry] = [:]
        var small: [String: [UInt8]] = [:]
        var heads: [String: [UInt8]] = [:]
        var budget = Self.captureBudget
        if plainIndex == nil {
            do {
                let reader = try TarReader(path: path)
                while let entry = try reader.nextEntry() {
                    guard let key = try? TarPath.normalize(entry.name) else { continue }
                    entries[key] = entry
                    guard entry.kind == .regular else { continue }
                    if Self.capturedFiles.contains(key), entry.size <= Int64(Self.captureLimit) {
                        small[key] = try Self.readAll(reader, limit: Self.captureLimit, context: "\(name): member \(key)")
                        continue
                    }
                    var head: [UInt8] = []
                    while head.count < CompressionSniffer.prefixLength, let chunk = try reader.readChunk(max: CompressionSniffer.prefixLength - head.count) {
                        head += chunk
                    }
                    heads[key] = head
                    if entry.size <= Int64(min(Self.smallJSONLimit, budget)), head.first == UInt8(ascii: "{") {
                        let rest = try Self.readAll(reader, limit: Self.smallJSONLimit, context: "\(name): member \(key)")
                        small[key] = head + rest
                        budget -= head.count + rest.count
                    }
                }
            } catch let error as StreamError {
                throw TransportError(.invalidInput, "\(name): not a readable tar archive: \(error.message)")
            }
        }
        streamed = entries
        captured = small
        prefixes = heads
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
            return try FileSystem.readRange(index.path, offset: found.dataOffset, length: Int(found.size))
        }
        if let bytes = captured[member] { return bytes }
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
                    let chunk = try FileSystem.readRange(index.path, offset: offset, length: length)
                    offset += Int64(length)
                    return chunk
                }
            }
            return
        }
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
    func open(_ member: String) throws -> any ByteStream {
        if let index {
            return try index.data(of: try index.regularFile(named: member))
        }
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

    private static func readAll(_ reader: TarReader, limit: Int, context: String) throws -> [UInt8] {
        try readAll({ try reader.readChunk() }, limit: limit, context: context)
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
