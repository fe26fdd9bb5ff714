/// A pull-based stream of bytes: the shape every blob takes while it moves.
///
/// One task owns a stream, pulls chunks until `nil`, and drops it. Stages (verify, decompress,
/// compress, hash) wrap another stream, so a copy is a chain built from the source outwards.
/// Chunks are never empty; their size is the producer's choice (about 1 MiB for files).
/// Memory held by a stream is bounded by its chunk size, never by the blob's size.
///
/// **Blocking I/O.** File streams (``FileByteStream``, the tar reader, the atomic writer) call
/// `read` and `write` directly from `next()`, on the concurrency pool's thread that runs the
/// task: one call per chunk of about 1 MiB, which a page cache or a disk serves in well under a
/// millisecond per chunk, far less than handing it to another thread would cost. So `next()` may
/// block its thread for one chunk's I/O. A pipe (``SequentialFileInput`` on standard input) is
/// read the same way and may block its thread for as long as the writer takes: a copy reads one
/// pipe, on one task, so it holds one pool thread. Network streams never block (the registry's
/// are fed by NIO and suspend), and work that may wait on a person or another program (a
/// credential helper) runs on a thread of its own. The pool has one thread per core, so at most
/// that many chunk reads or writes block at once, which the copy's parallelism bounds anyway.
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
