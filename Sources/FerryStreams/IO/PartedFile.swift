import FerrySpec

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One file stored as numbered parts (a bundle split for media, ``BundleParts``), read in place
/// as if the parts were joined: by offset, in parallel, never joined on disk.
public struct PartedFile: Sendable {
    /// One part: its path and the offset of its first byte in the whole.
    public struct Part: Sendable, Hashable {
        public var path: String
        public var size: Int64
        public var digest: Digest
        public var offset: Int64
    }

    /// The parts, in order.
    public let parts: [Part]
    /// The parts manifest's path, for messages.
    public let manifestPath: String
    /// The whole's size.
    public var size: Int64 { parts.last.map { $0.offset + $0.size } ?? 0 }

    /// Opens the parts a parts manifest lists (beside it), checking that each is there with its
    /// size; ``verify()`` checks their contents.
    /// - Throws: ``StreamError`` (`notFound`, `sizeMismatch`) naming the first missing or short part.
    public init(manifestPath: String, manifest: BundleParts) throws(StreamError) {
        let directory = manifestPath.lastIndex(of: "/").map { String(manifestPath[...$0]) } ?? ""
        var parts: [Part] = []
        var offset: Int64 = 0
        for part in manifest.parts {
            let path = directory + part.name
            guard let size = FileSystem.size(of: path) else {
                throw StreamError(.notFound, "\(manifestPath): part \(part.name) is missing (\(path))")
            }
            guard size == part.size else {
                throw StreamError(
                    .sizeMismatch,
                    "\(manifestPath): part \(part.name) is \(size) bytes, the parts manifest says \(part.size)\(size < part.size ? " (truncated)" : "")")
            }
            parts.append(Part(path: path, size: size, digest: part.digest, offset: offset))
            offset += size
        }
        self.parts = parts
        self.manifestPath = manifestPath
    }

    /// Hashes every part and compares it with the parts manifest.
    /// - Throws: ``StreamError`` (`digestMismatch`) naming the first corrupt part.
    public func verify() throws(StreamError) {
        for part in parts {
            let hasher = try DigestHasher(part.digest.knownAlgorithm ?? .sha256)
            var offset: Int64 = 0
            while offset < part.size {
                let length = Int(min(8 << 20, part.size - offset))
                hasher.update(try FileSystem.readRange(part.path, offset: offset, length: length))
                offset += Int64(length)
            }
            let actual = hasher.finalize()
            guard actual == part.digest else {
                throw StreamError(
                    .digestMismatch,
                    "\(manifestPath): part \(Self.fileName(part.path)) is corrupt: its SHA-256 is \(actual), the parts manifest says \(part.digest)")
            }
        }
    }

    private static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// The bytes `[offset, offset + length)` of the whole.
    public func read(offset: Int64, length: Int) throws(StreamError) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(length)
        var at = offset
        var left = Int64(length)
        while left > 0 {
            guard let part = parts.last(where: { $0.offset <= at }), at < part.offset + part.size else {
                throw StreamError(.corruptData, "\(manifestPath): ends at \(size) bytes, before offset \(at)")
            }
            let take = min(left, part.offset + part.size - at)
            result += try FileSystem.readRange(part.path, offset: at - part.offset, length: Int(take))
            at += take
            left -= take
        }
        return result
    }

    /// A stream of the bytes `[offset, offset + length)` of the whole, crossing parts.
    public func stream(offset: Int64, length: Int64, chunkSize: Int = 1 << 20) -> any ByteStream {
        PartedFileStream(file: self, offset: offset, remaining: length, chunkSize: chunkSize)
    }
}

/// Reads a range of a ``PartedFile`` front to back, one part at a time, each through one open
/// ``FileByteStream`` (not an open per chunk).
final class PartedFileStream: ByteStream {
    private let file: PartedFile
    private var offset: Int64
    private var remaining: Int64
    private let chunkSize: Int
    /// The part being read, over what of the range it holds.
    private var current: FileByteStream?

    init(file: PartedFile, offset: Int64, remaining: Int64, chunkSize: Int) {
        self.file = file
        self.offset = offset
        self.remaining = remaining
        self.chunkSize = chunkSize
    }

    func next() async throws -> [UInt8]? {
        while remaining > 0 {
            if current == nil {
                guard let part = file.parts.last(where: { $0.offset <= offset }), offset < part.offset + part.size else {
                    throw StreamError(.corruptData, "\(file.manifestPath): ends \(remaining) bytes early, at offset \(offset)")
                }
                let length = min(remaining, part.offset + part.size - offset)
                current = try FileByteStream(path: part.path, offset: offset - part.offset, length: length, chunkSize: chunkSize)
            }
            guard let chunk = try await current?.next() else {
                current = nil
                continue
            }
            offset += Int64(chunk.count)
            remaining -= Int64(chunk.count)
            return chunk
        }
        return nil
    }
}

/// The bytes of a ``PartedFile`` as libarchive reads them (``TarReader``): front to back, with
/// skips done as seeks, so indexing a split tar reads its headers only.
final class PartedArchiveInput: ArchiveReadSource {
    private let file: PartedFile
    private var offset: Int64 = 0
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private(set) var failure: StreamError?

    init(_ file: PartedFile, chunkSize: Int = 1 << 20) {
        self.file = file
        buffer = .allocate(capacity: chunkSize)
    }

    deinit { buffer.deallocate() }

    func read() throws(StreamError) -> UnsafeBufferPointer<UInt8> {
        if let failure { throw failure }
        guard offset < file.size else { return UnsafeBufferPointer(rebasing: buffer[0..<0]) }
        do {
            let length = Int(min(Int64(buffer.count), file.size - offset))
            let bytes = try file.read(offset: offset, length: length)
            _ = buffer.initialize(from: bytes)
            offset += Int64(bytes.count)
            return UnsafeBufferPointer(rebasing: buffer[0..<bytes.count])
        } catch {
            failure = error
            throw error
        }
    }

    func skip(_ request: Int64) -> Int64 {
        let step = max(0, min(request, file.size - offset))
        offset += step
        return step
    }
}
