import CZlib

/// Inflates a gzip stream (RFC 1952) as it is pulled, including streams of several members.
///
/// After each member's trailer the stage reads on: more members are inflated and concatenated
/// (as `gzip -d` does; eStargz layers depend on it), and zero bytes after the last member are
/// tolerated as padding. Anything else after a member — or a stream that ends inside a member —
/// is corrupt. The gzip trailer (CRC-32 and length) of every member is checked by zlib.
///
/// Owns one zlib `z_stream`, kept at a single address for its whole life and freed in `deinit`.
/// Memory is bounded: zlib's 32 KiB window plus one output chunk of about 1 MiB.
/// Not thread-safe: one task pulls it.
public final class GzipDecompressStream: ByteStream {
    private let upstream: any ByteStream
    private let context: String
    private let stream: UnsafeMutablePointer<z_stream>
    private let output: UnsafeMutableBufferPointer<UInt8>
    private var input: [UInt8] = []
    private var inputOffset = 0
    private var upstreamEnded = false
    /// Between members: the previous one ended (or none has started yet).
    private var atMemberBoundary = true
    private var membersStarted = 0
    private var finished = false

    /// Creates the stage. The corresponding C function is `inflateInit2` (window bits 15 + 16: gzip only).
    /// - Parameters:
    ///   - upstream: the compressed bytes.
    ///   - context: what the bytes are, for messages (`layer sha256:… in app.tar`).
    ///   - chunkSize: the size of the chunks returned (the last may be shorter).
    /// - Throws: ``StreamError`` with code `library` if zlib cannot set up its state.
    public init(_ upstream: any ByteStream, context: String, chunkSize: Int = 1 << 20) throws(StreamError) {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = ferry_inflateInit2(stream, 15 + 16)
        guard status == Z_OK else {
            let text = zlibMessage(stream, status)
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw StreamError(.library, "\(context): zlib inflateInit2 failed: \(text)")
        }
        self.stream = stream
        self.upstream = upstream
        self.context = context
        self.output = .allocate(capacity: max(1, chunkSize))
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        output.deallocate()
    }

    public func next() async throws -> [UInt8]? {
        guard !finished else { return nil }
        var filled = 0
        do {
            while filled < output.count {
                if inputOffset == input.count {
                    if upstreamEnded { break }
                    if let chunk = try await upstream.next() {
                        input = chunk
                        inputOffset = 0
                    } else {
                        upstreamEnded = true
                    }
                    continue
                }
                if atMemberBoundary {
                    // Zero padding after a member is skipped; anything else starts the next member.
                    if membersStarted > 0 {
                        while inputOffset < input.count, input[inputOffset] == 0 { inputOffset += 1 }
                        if inputOffset == input.count { continue }
                        let status = inflateReset(stream)
                        guard status == Z_OK else {
                            throw StreamError(.library, "\(context): zlib inflateReset failed: \(zlibMessage(stream, status))")
                        }
                    }
                    atMemberBoundary = false
                    membersStarted += 1
                }
                let (status, progressed) = inflateStep(filled: &filled)
                switch status {
                case Z_OK:
                    continue
                case Z_BUF_ERROR where progressed:
                    continue
                case Z_STREAM_END:
                    atMemberBoundary = true
                default:
                    throw StreamError(.corruptData, "\(context): corrupt gzip data in member \(membersStarted): \(zlibMessage(stream, status))")
                }
            }
            if upstreamEnded, inputOffset == input.count {
                if membersStarted == 0 {
                    throw StreamError(.corruptData, "\(context): empty input, not a gzip stream")
                }
                if !atMemberBoundary {
                    throw StreamError(.corruptData, "\(context): gzip data is truncated (ends inside member \(membersStarted))")
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

    /// One `inflate` call over the unread input into the free part of the output buffer.
    private func inflateStep(filled: inout Int) -> (status: Int32, progressed: Bool) {
        let available = input.count - inputOffset
        let space = output.count - filled
        let status: Int32 = input.withUnsafeBufferPointer { buffer in
            // zlib never writes through next_in (it is `z_const` in zlib.h).
            stream.pointee.next_in = UnsafeMutablePointer(mutating: buffer.baseAddress! + inputOffset)
            stream.pointee.avail_in = UInt32(clamping: available)
            stream.pointee.next_out = output.baseAddress! + filled
            stream.pointee.avail_out = UInt32(clamping: space)
            let status = inflate(stream, Z_NO_FLUSH)
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

/// zlib's own message for the last failure on `stream`, or the generic text for `status`.
func zlibMessage(_ stream: UnsafeMutablePointer<z_stream>, _ status: Int32) -> String {
    if let message = stream.pointee.msg {
        return String(cString: message)
    }
    if let generic = zError(status) {
        return "\(String(cString: generic)) (\(status))"
    }
    return "zlib status \(status)"
}
