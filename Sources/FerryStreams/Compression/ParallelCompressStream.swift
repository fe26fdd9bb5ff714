import Foundation

/// Compression that uses every core on one stream: the input is cut into fixed-size chunks, each
/// chunk is compressed into a self-contained unit on a separate task by a ``ChunkCompressor``, and
/// the units are returned in order.
///
/// For gzip (``GzipChunkCompressor``: libdeflate or Intel ISA-L) the output is a multi-member gzip
/// stream (RFC 1952 §2.2), which every gzip reader in the image world reads as one (Go's
/// `compress/gzip`, containerd, Docker, skopeo, GNU gzip, zlib with a loop). For zstd
/// (``ZstdChunkCompressor``) it is a sequence of zstd frames, which the zstd format defines as
/// one stream (RFC 8878 §3.1; zstd:chunked relies on it too).
/// It is deterministic: chunk boundaries depend only on `chunkSize`, never on how the input arrives
/// or on how many cores there are, and every unit depends only on its chunk.
/// Memory: at most `workers + 1` chunks in flight, each with its compressed copy.
///
/// Which library and level a Ferry gzip level means was chosen by measurement; see
/// ``GzipChunkCompressor/init(gzipLevel:)`` and docs/performance.md.
public final class ParallelCompressStream: ByteStream {
    /// The Ferry gzip level used when none is given; see ``GzipChunkCompressor/defaultGzipLevel``.
    public static let defaultLevel = GzipChunkCompressor.defaultGzipLevel
    /// The default chunk: large enough that members cost under 0.1% in size.
    public static let defaultChunkSize = 2 << 20

    private let upstream: any ByteStream
    private let compressor: any ChunkCompressor
    private let chunkSize: Int
    private let workers: Int
    private var buffer: [UInt8] = []
    private var upstreamEnded = false
    private var producedAny = false
    private var inFlight: [Task<[UInt8], any Error>] = []

    /// Compresses with the library and level that a Ferry gzip level stands for.
    /// - Parameters:
    ///   - level: Ferry's gzip level, 1 (fastest) to 9 (smallest), as `gzip -1`…`-9`; values
    ///     outside are clamped.
    ///   - chunkSize: bytes per member (at least 64 KiB).
    ///   - workers: chunks compressed at once; defaults to the number of cores.
    public convenience init(
        _ upstream: any ByteStream, level: Int = defaultLevel, chunkSize: Int = defaultChunkSize, workers: Int = ProcessInfo.processInfo.activeProcessorCount
    ) {
        let compressor = GzipChunkCompressor.forGzipLevel(min(9, max(1, level)))
        self.init(upstream, compressor: compressor, chunkSize: chunkSize, workers: workers)
    }

    /// Compresses every chunk with `compressor`.
    /// - Parameters:
    ///   - chunkSize: bytes per member (at least 64 KiB).
    ///   - workers: chunks compressed at once; defaults to the number of cores.
    public init(
        _ upstream: any ByteStream, compressor: any ChunkCompressor, chunkSize: Int = defaultChunkSize,
        workers: Int = ProcessInfo.processInfo.activeProcessorCount
    ) {
        self.upstream = upstream
        self.compressor = compressor
        self.chunkSize = max(64 * 1024, chunkSize)
        self.workers = max(1, workers)
    }

    deinit {
        for task in inFlight { task.cancel() }
    }

    public func next() async throws -> [UInt8]? {
        // One chunk more than there are workers: while the caller hashes and writes the chunk it
        // was just given, every core still has a chunk to compress.
        while inFlight.count < workers + 1, let chunk = try await nextChunk() {
            let compressor = self.compressor
            inFlight.append(Task { try compressor.member(chunk) })
        }
        guard !inFlight.isEmpty else { return nil }
        let head = inFlight.removeFirst()
        return try await head.value
    }

    /// The next `chunkSize` bytes of input (fewer at the end), or `nil` once all is taken. An empty
    /// input gives one empty chunk, so the output is a valid gzip stream of nothing.
    private func nextChunk() async throws -> [UInt8]? {
        while buffer.count < chunkSize && !upstreamEnded {
            if let more = try await upstream.next() {
                buffer.append(contentsOf: more)
            } else {
                upstreamEnded = true
            }
        }
        if buffer.isEmpty {
            if upstreamEnded && !producedAny {
                producedAny = true
                return []
            }
            return nil
        }
        producedAny = true
        if buffer.count <= chunkSize {
            defer { buffer = [] }
            return buffer
        }
        let chunk = Array(buffer[..<chunkSize])
        buffer.removeFirst(chunkSize)
        return chunk
    }
}
