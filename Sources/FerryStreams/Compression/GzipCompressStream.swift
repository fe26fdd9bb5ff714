import CZlib

/// Deflates a stream into a single gzip member (RFC 1952) with a reproducible header.
///
/// The header has MTIME 0, no file name or comment and OS 255 ("unknown", as Go writes), so the
/// same input, level and zlib version give the same bytes on every run and every platform. The
/// output does not depend on how the input is chunked.
///
/// Owns one zlib `z_stream` and its `gz_header`, each kept at a single address for its whole life
/// (zlib keeps pointers to both) and freed in `deinit`. Not thread-safe: one task pulls it.
public final class GzipCompressStream: ByteStream {
    /// The level used when none is given, as `gzip` uses.
    public static let defaultLevel = 6

    private let upstream: any ByteStream
    private let stream: UnsafeMutablePointer<z_stream>
    private let header: UnsafeMutablePointer<gz_header>
    private let output: UnsafeMutableBufferPointer<UInt8>
    private var input: [UInt8] = []
    private var inputOffset = 0
    private var upstreamEnded = false
    private var streamEnded = false
    private var finished = false

    /// Creates the stage. The corresponding C functions are `deflateInit2` (window bits 15 + 16,
    /// memory level 8, default strategy) and `deflateSetHeader`.
    /// - Parameters:
    ///   - upstream: the bytes to compress.
    ///   - level: 0 (store) to 9 (best); 6 by default.
    ///   - chunkSize: the size of the chunks returned (the last may be shorter).
    /// - Throws: ``StreamError`` with code `unsupported` for a level outside 0...9, `library` if
    ///   zlib cannot set up its state.
    public init(_ upstream: any ByteStream, level: Int = GzipCompressStream.defaultLevel, chunkSize: Int = 1 << 20) throws(StreamError) {
        guard (0...9).contains(level) else {
            throw StreamError(.unsupported, "gzip compression level \(level) is outside 0...9")
        }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = ferry_deflateInit2(stream, Int32(level), 15 + 16, 8)
        guard status == Z_OK else {
            let text = zlibMessage(stream, status)
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw StreamError(.library, "gzip compression: zlib deflateInit2 failed: \(text)")
        }
        let header = UnsafeMutablePointer<gz_header>.allocate(capacity: 1)
        var fields = gz_header()
        fields.time = 0
        fields.os = 255
        header.initialize(to: fields)
        let headerStatus = deflateSetHeader(stream, header)
        guard headerStatus == Z_OK else {
            let text = zlibMessage(stream, headerStatus)
            deflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
            header.deinitialize(count: 1)
            header.deallocate()
            throw StreamError(.library, "gzip compression: zlib deflateSetHeader failed: \(text)")
        }
        self.upstream = upstream
        self.stream = stream
        self.header = header
        self.output = .allocate(capacity: max(1, chunkSize))
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        header.deinitialize(count: 1)
        header.deallocate()
        output.deallocate()
    }

    public func next() async throws -> [UInt8]? {
        guard !finished else { return nil }
        var filled = 0
        do {
            while filled < output.count, !streamEnded {
                if inputOffset == input.count, !upstreamEnded {
                    if let chunk = try await upstream.next() {
                        input = chunk
                        inputOffset = 0
                    } else {
                        upstreamEnded = true
                    }
                    continue
                }
                let flush = upstreamEnded ? Z_FINISH : Z_NO_FLUSH
                let (status, progressed) = deflateStep(filled: &filled, flush: flush)
                switch status {
                case Z_OK:
                    continue
                case Z_BUF_ERROR where progressed:
                    continue
                case Z_STREAM_END:
                    streamEnded = true
                default:
                    throw StreamError(.library, "gzip compression: zlib deflate failed: \(zlibMessage(stream, status))")
                }
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

    /// One `deflate` call over the unread input into the free part of the output buffer.
    private func deflateStep(filled: inout Int, flush: Int32) -> (status: Int32, progressed: Bool) {
        let available = input.count - inputOffset
        let space = output.count - filled
        let status: Int32 = input.withUnsafeBufferPointer { buffer in
            // zlib never writes through next_in (it is `z_const` in zlib.h).
            stream.pointee.next_in = buffer.baseAddress.map { UnsafeMutablePointer(mutating: $0 + inputOffset) }
            stream.pointee.avail_in = UInt32(clamping: available)
            stream.pointee.next_out = output.baseAddress! + filled
            stream.pointee.avail_out = UInt32(clamping: space)
            let status = deflate(stream, flush)
            // The pointers are only valid inside this closure.
            stream.pointee.next_in = nil
            stream.pointee.next_out = nil
            return status
        }
        let consumed = Int(UInt32(clamping: available)) - Int(stream.pointee.avail_in)
        let produced = Int(UInt32(clamping: space)) - Int(stream.pointee.avail_out)
        inputOffset += consumed
        filled += produced
        return (status, consumed > 0 || produced > 0)
    }
}
