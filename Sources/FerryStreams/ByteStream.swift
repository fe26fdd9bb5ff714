/// A pull-based stream of bytes: the shape every blob takes while it moves.
///
/// One task owns a stream, pulls chunks until `nil`, and drops it. Stages (verify, decompress,
/// compress, hash) wrap another stream, so a copy is a chain built from the source outwards.
/// Chunks are never empty; their size is the producer's choice (about 1 MiB for files).
/// Memory held by a stream is bounded by its chunk size, never by the blob's size.
public protocol ByteStream: AnyObject {
    /// The next chunk, or `nil` once the stream is exhausted.
    ///
    /// After `nil` or a thrown error, the stream must not be read again.
    func next() async throws -> [UInt8]?
}

/// A stream over bytes already in memory (documents, tests).
public final class MemoryByteStream: ByteStream {
    private var remaining: ArraySlice<UInt8>
    private let chunkSize: Int

    /// - Parameter chunkSize: the largest chunk returned, so tests can exercise chunk boundaries.
    public init(_ bytes: [UInt8], chunkSize: Int = 1 << 20) {
        remaining = bytes[...]
        self.chunkSize = max(1, chunkSize)
    }

    public func next() async throws -> [UInt8]? {
        guard !remaining.isEmpty else { return nil }
        let chunk = remaining.prefix(chunkSize)
        remaining = remaining.dropFirst(chunk.count)
        return Array(chunk)
    }
}

extension ByteStream {
    /// Reads the whole stream into memory, refusing more than `limit` bytes.
    ///
    /// For small documents only (manifests, configs, `index.json`).
    /// - Throws: ``StreamError`` with code `sizeMismatch` naming `context` when the stream is
    ///   longer than `limit`.
    public func readAll(limit: Int, context: String) async throws -> [UInt8] {
        var result: [UInt8] = []
        while let chunk = try await next() {
            guard result.count + chunk.count <= limit else {
                throw StreamError(.sizeMismatch, "\(context): more than \(limit) bytes, the limit for a document")
            }
            result.append(contentsOf: chunk)
        }
        return result
    }

    /// Reads and discards the whole stream, returning how many bytes it had.
    @discardableResult
    public func drain() async throws -> Int64 {
        var total: Int64 = 0
        while let chunk = try await next() { total += Int64(chunk.count) }
        return total
    }
}
