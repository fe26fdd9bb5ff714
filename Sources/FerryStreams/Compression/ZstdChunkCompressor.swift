internal import CZstd

/// Compresses one chunk into one complete zstd frame (with its content size and a content
/// checksum), the unit of work of ``ParallelCompressStream`` for zstd layers.
///
/// Frames are independent, so chunks compress on every core at once and the output does not depend
/// on how many there are. The cost is matches that cannot cross a chunk boundary: with 2 MiB chunks
/// the output is about 2% larger than skopeo's single-frame zstd on the corpus image (docs/performance.md).
public struct ZstdChunkCompressor: ChunkCompressor, Hashable {
    /// The chunk size zstd layers use (as gzip's: it bounds memory with several layers in flight).
    public static let chunkSize = 2 << 20

    /// The level used when none is given, as the `zstd` tool uses.
    public static let defaultLevel = 3

    /// The zstd level.
    public let level: Int

    /// - Throws: ``StreamError`` `unsupported` for a level libzstd does not have.
    public init(level: Int = ZstdChunkCompressor.defaultLevel) throws(StreamError) {
        guard level >= Int(ZSTD_minCLevel()), level <= Int(ZSTD_maxCLevel()) else {
            throw StreamError(.unsupported, "zstd compression level \(level) is outside \(ZSTD_minCLevel())...\(ZSTD_maxCLevel())")
        }
        self.level = level
    }

    /// The corresponding C functions are `ZSTD_createCCtx`, `ZSTD_CCtx_setParameter` and `ZSTD_compress2`.
    public func member(_ chunk: [UInt8]) throws(StreamError) -> [UInt8] {
        guard let cctx = ZSTD_createCCtx() else {
            throw StreamError(.library, "zstd compression: ZSTD_createCCtx failed")
        }
        defer { ZSTD_freeCCtx(cctx) }
        for (parameter, value) in [(ZSTD_c_compressionLevel, Int32(level)), (ZSTD_c_checksumFlag, 1)] {
            let result = ZSTD_CCtx_setParameter(cctx, parameter, value)
            guard ZSTD_isError(result) == 0 else {
                throw StreamError(.library, "zstd compression: ZSTD_CCtx_setParameter failed: \(String(cString: ZSTD_getErrorName(result)))")
            }
        }
        let bound = ZSTD_compressBound(chunk.count)
        var result = 0
        let frame = [UInt8](unsafeUninitializedCapacity: bound) { out, count in
            result = chunk.withUnsafeBytes { ZSTD_compress2(cctx, out.baseAddress, bound, $0.baseAddress, $0.count) }
            count = ZSTD_isError(result) == 0 ? result : 0
        }
        guard ZSTD_isError(result) == 0 else {
            throw StreamError(.library, "zstd compression of \(chunk.count) bytes failed: \(String(cString: ZSTD_getErrorName(result)))")
        }
        return frame
    }
}
