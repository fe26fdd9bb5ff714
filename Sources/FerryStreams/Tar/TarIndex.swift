#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The members of an uncompressed tar file and where each one's data lies, read once so that
/// members can then be read in place, in parallel, with ``FileByteStream`` (formats.md §5.6).
///
/// Headers are walked with libarchive (through ``TarReader`` with no decompression filters), so
/// ustar, pax and GNU long-name headers are handled by the same code that streams archives. A
/// member's data offset is the number of bytes libarchive's tar reader has consumed right after
/// reading that member's headers (`archive_filter_bytes`), which for an uncompressed file is the
/// file offset of its first data byte. Tests check these offsets against `tar -xOf` for GNU tar
/// archives with long names and for `docker save` archives.
///
/// Costs one pass over the headers (data is skipped with seeks); holds one small record per member.
public struct TarIndex: Sendable {
    /// One member and the byte range of its data in the file.
    public struct Member: Sendable, Hashable {
        /// The header's description of the member.
        public let entry: TarEntry
        /// Offset in the file of the member's first data byte.
        public let dataOffset: Int64
        /// The member's name exactly as the archive spells it.
        public var name: String { entry.name }
        /// Bytes of data.
        public var size: Int64 { entry.size }
        /// What the member is.
        public var kind: TarEntry.Kind { entry.kind }
        /// The target of a link member.
        public var linkTarget: String? { entry.linkTarget }
    }

    /// The indexed file's path, as given (for a split file, its parts manifest).
    public let path: String
    /// The parts, when the tar is stored split (``PartedFile``).
    private let parts: PartedFile?
    /// Every member, in archive order.
    public let members: [Member]
    private let byName: [String: Int]

    /// Indexes the tar at `path`.
    ///
    /// - Throws: ``StreamError`` with code `unsupported` when the file is compressed (read it
    ///   with ``TarReader`` instead) or holds a sparse member; `corruptData` when it is not a tar
    ///   or is truncated; `notFound` or `io` when it cannot be read.
    public init(path: String) throws(StreamError) {
        let format = CompressionSniffer.detect(try Self.prefix(of: path))
        guard format == .none else {
            throw StreamError(.unsupported, "\(path): is \(format.rawValue)-compressed; members cannot be read in place, stream it with TarReader")
        }
        try self.init(path: path, parts: nil, reader: try TarReader(path: path, decompressing: false))
    }

    /// Indexes the tar stored as `parts`, without joining them.
    /// - Throws: as ``init(path:)``.
    public init(parts: PartedFile) throws(StreamError) {
        let format = CompressionSniffer.detect(try parts.read(offset: 0, length: Int(min(Int64(CompressionSniffer.prefixLength), parts.size))))
        guard format == .none else {
            throw StreamError(
                .unsupported, "\(parts.manifestPath): is \(format.rawValue)-compressed; members cannot be read in place, stream it with TarReader")
        }
        try self.init(path: parts.manifestPath, parts: parts, reader: try TarReader(parts: parts, decompressing: false))
    }

    private init(path: String, parts: PartedFile?, reader: TarReader) throws(StreamError) {
        var members: [Member] = []
        var byName: [String: Int] = [:]
        while let entry = try reader.nextEntry() {
            if reader.currentIsSparse {
                throw StreamError(
                    .unsupported, "\(path): member \(entry.name.debugDescription) is sparse; its data is not stored in one piece, stream it with TarReader")
            }
            let member = Member(entry: entry, dataOffset: reader.currentDataOffset)
            // Unsafe names stay listed but cannot be looked up; a later duplicate replaces an earlier one, as on extraction.
            if let key = try? TarPath.normalize(entry.name) { byName[key] = members.count }
            members.append(member)
        }
        self.path = path
        self.parts = parts
        self.members = members
        self.byName = byName
    }

    /// The member with this name (compared after ``TarPath/normalize(_:)``), or `nil`.
    public subscript(name: String) -> Member? {
        guard let key = try? TarPath.normalize(name), let index = byName[key] else { return nil }
        return members[index]
    }

    /// The regular file `name` refers to, following hard links and symbolic links (relative to
    /// the link's directory) within the archive, at most 16 hops.
    /// - Throws: ``StreamError`` with code `notFound` naming the member when it, or a link
    ///   target, is missing, not a regular file, leaves the archive root, or loops.
    public func regularFile(named name: String) throws(StreamError) -> Member {
        var current = name
        for _ in 0..<16 {
            guard let member = self[current] else {
                throw StreamError(
                    .notFound, "\(path): no member \(current.debugDescription)\(current == name ? "" : " (link target of \(name.debugDescription))")")
            }
            switch member.kind {
            case .regular:
                return member
            case .hardlink:
                current = member.linkTarget ?? ""
            case .symlink:
                let target = member.linkTarget ?? ""
                guard !target.hasPrefix("/") else {
                    throw StreamError(.notFound, "\(path): member \(member.name.debugDescription) is an absolute symbolic link")
                }
                let directory = ((try? TarPath.normalize(member.name)) ?? member.name).split(separator: "/").dropLast().joined(separator: "/")
                let joined = directory.isEmpty ? target : directory + "/" + target
                current = try TarPath.resolveLinkTarget(joined, link: member.name, archive: path)
            case .directory, .other:
                throw StreamError(.notFound, "\(path): member \(member.name.debugDescription) is a \(member.kind.rawValue), not a regular file")
            }
        }
        throw StreamError(.notFound, "\(path): links from \(name.debugDescription) loop or nest more than 16 deep")
    }

    /// A stream of `member`'s data, read in place from the file.
    /// - Throws: ``StreamError`` with code `notFound` or `io` when the file cannot be opened.
    public func data(of member: Member, chunkSize: Int = 1 << 20) throws(StreamError) -> any ByteStream {
        if let parts { return parts.stream(offset: member.dataOffset, length: member.size, chunkSize: chunkSize) }
        return try FileByteStream(path: path, offset: member.dataOffset, length: member.size, chunkSize: chunkSize)
    }

    /// `length` bytes of the file (or the joined parts) from `offset`.
    public func read(offset: Int64, length: Int) throws(StreamError) -> [UInt8] {
        if let parts { return try parts.read(offset: offset, length: length) }
        return try FileSystem.readRange(path, offset: offset, length: length)
    }

    /// The first bytes of the file, to sniff compression.
    private static func prefix(of path: String) throws(StreamError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StreamError.posix("cannot open \(path)", errno: errno) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: CompressionSniffer.prefixLength)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else { throw StreamError.posix("cannot read \(path)", errno: errno) }
        return Array(buffer.prefix(count))
    }
}
