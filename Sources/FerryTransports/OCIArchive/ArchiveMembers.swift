import FerrySpec
import FerryStreams

/// The members of a tar file, readable by name: in place and in parallel for an uncompressed tar
/// (through a ``TarIndex``), or by streaming through the archive for a compressed one, which is
/// never unpacked to a temporary file.
struct ArchiveMembers: LayoutFiles {
    let path: String
    let name: String
    /// Set for an uncompressed tar.
    let index: TarIndex?
    /// Member names of a compressed tar, normalised, from one pass at open.
    let streamedNames: Set<String>

    init(path: String, name: String) throws {
        self.path = path
        self.name = name
        if let manifest = SplitBundle.manifestPath(for: path) {
            index = try SplitBundle.open(manifest, name: name)
            streamedNames = []
            return
        }
        guard FileSystem.kind(of: path) == .regular || (FileSystem.canonicalPath(path).map { FileSystem.kind(of: $0) == .regular } ?? false) else {
            throw TransportError(.unreadable, "\(name): no such file")
        }
        var plainIndex: TarIndex?
        do {
            plainIndex = try TarIndex(path: path)
        } catch {
            guard error.code == .unsupported else { throw TransportError(.invalidInput, "\(name): \(error.message)") }
        }
        index = plainIndex
        var names = Set<String>()
        if plainIndex == nil {
            let reader = try TarReader(path: path)
            while let entry = try reader.nextEntry() {
                if entry.kind == .regular, let normalized = try? TarPath.normalize(entry.name) { names.insert(normalized) }
            }
        }
        streamedNames = names
    }

    func exists(_ relative: String) -> Bool {
        if let index { return index[relative] != nil }
        return streamedNames.contains(relative)
    }

    func read(_ relative: String, limit: Int) throws -> [UInt8] {
        if let index {
            let member = try index.regularFile(named: relative)
            guard member.size <= Int64(limit) else {
                throw StreamError(.sizeMismatch, "\(name): member \(relative) is \(member.size) bytes, over the \(limit)-byte limit")
            }
            return try index.read(offset: member.dataOffset, length: Int(member.size))
        }
        let (reader, _) = try seek(relative)
        var bytes: [UInt8] = []
        while let chunk = try reader.readChunk() {
            bytes += chunk
            guard bytes.count <= limit else {
                throw StreamError(.sizeMismatch, "\(name): member \(relative) is over the \(limit)-byte limit")
            }
        }
        return bytes
    }

    func open(_ relative: String) throws -> any ByteStream {
        if let index {
            return try index.data(of: try index.regularFile(named: relative))
        }
        let (reader, _) = try seek(relative)
        return StreamedMember(reader: reader)
    }

    /// Reads through a compressed archive up to `relative`.
    private func seek(_ relative: String) throws -> (TarReader, TarEntry) {
        let reader = try TarReader(path: path)
        while let entry = try reader.nextEntry() {
            if entry.kind == .regular, (try? TarPath.normalize(entry.name)) == relative { return (reader, entry) }
        }
        throw TransportError(.notFound, "\(name): no member \(relative)")
    }
}

/// One member's data in a compressed archive; keeps the reader alive while it is read.
final class StreamedMember: ByteStream {
    private let reader: TarReader
    init(reader: TarReader) { self.reader = reader }
    func next() async throws -> [UInt8]? { try reader.readChunk() }
}
