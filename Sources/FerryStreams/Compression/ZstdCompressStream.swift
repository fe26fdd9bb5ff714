import CZstd

/// Compresses a stream into a single zstd frame.
///
/// Single-threaded (no `ZSTD_c_nbWorkers`), so the same input, level and libzstd version give
/// the same bytes on every run, however the input is chunked. The frame carries a content
/// checksum (`ZSTD_c_checksumFlag` 1, as the `zstd` tool writes by default) so readers can detect
/// corruption; the content size is not recorded because it is not known in advance.
///
/// Owns one `ZSTD_CCtx`, freed in `deinit`. Not thread-safe: one task pulls it.
public final class ZstdCompressStream: ByteStream {
    /// The level used when none is given, as `zstd` uses.
    public static let defaultLevel = 3

    private let upstream: any ByteStream
    private let cctx: OpaquePointer
    private let output: UnsafeMutableBufferPointer<UInt8>
    private var input: [UInt8] = []
    private var inputOffset = 0
    private var upstreamEnded = false
    private var frameEnded = false
    private var finished = false

    /// Creates the stage. The corresponding C functions are `ZSTD_createCCtx` and
    /// `ZSTD_CCtx_setParameter` (`ZSTD_c_compressionLevel`, `ZSTD_c_checksumFlag`).
    /// - Parameters:
    ///   - upstream: the bytes to compress.
    ///   - level: a zstd level (1...19 usual, up to `ZSTD_maxCLevel()`); 3 by default.
    ///   - chunkSize: the size of the chunks returned (the last may be shorter).
    /// - Throws: ``StreamError`` with code `unsupported` for a level libzstd rejects, `library` if
    ///   libzstd cannot set up its context.
    public init(_ upstream: any ByteStream, level: Int = ZstdCompressStream.defaultLevel, chunkSize: Int = 1 << 20) throws(StreamError) {
        guard level >= Int(ZSTD_minCLevel()), level <= Int(ZSTD_maxCLevel()) else {
            throw StreamError(.unsupported, "zstd compression level \(level) is outside \(ZSTD_minCLevel())...\(ZSTD_maxCLevel())")
        }
        guard let cctx = ZSTD_createCCtx() else {
            throw StreamError(.library, "zstd compression: ZSTD_createCCtx failed")
        }
        for (parameter, value, name) in [
            (ZSTD_c_compressionLevel, Int32(level), "compressionLevel"),
            (ZSTD_c_checksumFlag, 1, "checksumFlag"),
        ] {
            let result = ZSTD_CCtx_setParameter(cctx, parameter, value)
            guard ZSTD_isError(result) == 0 else {
                ZSTD_freeCCtx(cctx)
                throw StreamError(.library, "zstd compression: ZSTD_CCtx_setParameter(\(name)) failed: \(zstdMessage(result))")
            }
        }
        self.upstream = upstream
        self.cctx = cctx
        self.output = .allocate(capacity: max(1, chunkSize))
    }

    deinit {
        ZSTD_freeCCtx(cctx)
        output.deallocate()
    }

    public func next() async throws -> [UInt8]? {
        guard !finished else { return nil }
        var filled = 0
        do {
            while filled < output.count, !frameEnded {
                if inputOffset == input.count, !upstreamEnded {
                    if let chunk = try await upstream.next() {
                        input = chunk
                        inputOffset = 0
                    } else {
                        upstreamEnded = true
                    }
                    continue
                }
                let directive = upstreamEnded ? ZSTD_e_end : ZSTD_e_continue
                let result = compressStep(filled: &filled, directive: directive)
                guard ZSTD_isError(result) == 0 else {
                    throw StreamError(.library, "zstd compression: ZSTD_compressStream2 failed: \(zstdMessage(result))")
                }
                if upstreamEnded, result == 0 { frameEnded = true }
            }
        } catch {
            finished = true
            throw error
        }
        if filled == 0 {
            finished = true
            return nil
        }
        return Array(output[0..<filled])
    }

    /// One `ZSTD_compressStream2` call over the unread input into the free part of the output buffer.
    private func compressStep(filled: inout Int, directive: ZSTD_EndDirective) -> Int {
        input.withUnsafeBytes { source in
            var inBuffer = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: inputOffset)
            var outBuffer = ZSTD_outBuffer(dst: UnsafeMutableRawPointer(output.baseAddress!), size: output.count, pos: filled)
            let result = ZSTD_compressStream2(cctx, &outBuffer, &inBuffer, directive)
            inputOffset = inBuffer.pos
            filled = outBuffer.pos
            return result
        }
    }
}
