internal import CZstd

/// Decompresses a zstd stream as it is pulled: any number of frames, skippable frames ignored
/// (zstd:chunked layers carry their metadata in them).
///
/// The window is capped at 2^27 bytes (128 MiB, `ZSTD_d_windowLogMax` 27, what `zstd -d` accepts
/// without `--long`), so a hostile frame cannot make the reader allocate more. A stream that ends
/// inside a frame is corrupt. Frame content checksums, when present, are checked by libzstd.
///
/// Owns one `ZSTD_DCtx`, freed in `deinit`. Not thread-safe: one task pulls it.
public final class ZstdDecompressStream: ByteStream {
    /// The largest window accepted, as a power of two.
    public static let windowLogMax: Int32 = 27

    private let upstream: any ByteStream
    private let context: String
    private let dctx: OpaquePointer
    private let output: UnsafeMutableBufferPointer<UInt8>
    private var input: [UInt8] = []
    private var inputOffset = 0
    private var upstreamEnded = false
    private var sawInput = false
    /// The last hint from `ZSTD_decompressStream`: 0 once a frame is complete and flushed.
    private var pending = 0
    private var finished = false

    /// Creates the stage. The corresponding C functions are `ZSTD_createDCtx` and
    /// `ZSTD_DCtx_setParameter(ZSTD_d_windowLogMax)`.
    /// - Parameters:
    ///   - upstream: the compressed bytes.
    ///   - context: what the bytes are, for messages.
    ///   - chunkSize: the size of the chunks returned (the last may be shorter).
    /// - Throws: ``StreamError`` with code `library` if libzstd cannot set up its context.
    public init(_ upstream: any ByteStream, context: String, chunkSize: Int = 1 << 20) throws(StreamError) {
        guard let dctx = ZSTD_createDCtx() else {
            throw StreamError(.library, "\(context): ZSTD_createDCtx failed")
        }
        let result = ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, Self.windowLogMax)
        guard ZSTD_isError(result) == 0 else {
            ZSTD_freeDCtx(dctx)
            throw StreamError(.library, "\(context): ZSTD_DCtx_setParameter(windowLogMax) failed: \(zstdMessage(result))")
        }
        self.dctx = dctx
        self.upstream = upstream
        self.context = context
        self.output = .allocate(capacity: max(1, chunkSize))
    }

    deinit {
        ZSTD_freeDCtx(dctx)
        output.deallocate()
    }

    public func next() async throws -> [UInt8]? {
        guard !finished else { return nil }
        var filled = 0
        do {
            while filled < output.count {
                if inputOffset == input.count, !upstreamEnded {
                    if let chunk = try await upstream.next() {
                        input = chunk
                        inputOffset = 0
                        sawInput = sawInput || !chunk.isEmpty
                    } else {
                        upstreamEnded = true
                    }
                    continue
                }
                if inputOffset == input.count, pending == 0 {
                    break  // every frame is complete and flushed
                }
                let before = filled
                let beforeOffset = inputOffset
                let result = decompressStep(filled: &filled)
                guard ZSTD_isError(result) == 0 else {
                    throw StreamError(.corruptData, "\(context): corrupt zstd data: \(zstdMessage(result))")
                }
                pending = result
                if filled == before, inputOffset == beforeOffset, inputOffset == input.count, upstreamEnded {
                    throw StreamError(.corruptData, "\(context): zstd data is truncated (ends inside a frame)")
                }
            }
            if upstreamEnded, inputOffset == input.count, !sawInput {
                throw StreamError(.corruptData, "\(context): empty input, not a zstd stream")
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

    /// One `ZSTD_decompressStream` call over the unread input into the free part of the output buffer.
    private func decompressStep(filled: inout Int) -> Int {
        input.withUnsafeBytes { source in
            var inBuffer = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: inputOffset)
            var outBuffer = ZSTD_outBuffer(dst: UnsafeMutableRawPointer(output.baseAddress!), size: output.count, pos: filled)
            let result = ZSTD_decompressStream(dctx, &outBuffer, &inBuffer)
            inputOffset = inBuffer.pos
            filled = outBuffer.pos
            return result
        }
    }
}

/// libzstd's name for the error in `result`.
func zstdMessage(_ result: Int) -> String {
    guard let name = ZSTD_getErrorName(result) else { return "zstd error \(result)" }
    return String(cString: name)
}
