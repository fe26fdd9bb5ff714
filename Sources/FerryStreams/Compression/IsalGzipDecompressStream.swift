import CIsal

/// Inflates a gzip stream (RFC 1952) as it is pulled, including streams of several members, with
/// Intel ISA-L's `igzip` (about 2.5× zlib's speed).
///
/// After each member's trailer the stage reads on: more members are inflated and concatenated
/// (as `gzip -d` does; eStargz layers and Ferry's own chunk-parallel compressor depend on it), and
/// zero bytes after the last member are tolerated as padding. Anything else after a member — or a
/// stream that ends inside a member — is corrupt. ISA-L checks every member's trailer (CRC-32 and
/// length).
///
/// Owns one ISA-L `inflate_state` (about 100 KiB, with its own 64 KiB history), kept at a single
/// address for its whole life and freed in `deinit`. Memory is bounded: that state, one input
/// chunk, one output chunk of about 1 MiB, and at most one member header (about 200 KiB; a
/// longer one is corrupt), which is buffered whole before ISA-L sees it.
/// Not thread-safe: one task pulls it.
/// All calls to ISA-L's inflate side live in this file.
public final class IsalGzipDecompressStream: ByteStream {
    private let upstream: any ByteStream
    private let context: String
    private let state: UnsafeMutablePointer<inflate_state>
    private let output: UnsafeMutableBufferPointer<UInt8>
    private var input: [UInt8] = []
    private var inputOffset = 0
    private var upstreamEnded = false
    /// Between members: the previous one ended (or none has started yet).
    private var atMemberBoundary = true
    private var membersStarted = 0
    private var finished = false
    /// A member has started but its whole header is not buffered yet.
    private var awaitingHeader = false

    /// Creates the stage. The corresponding C function is `isal_inflate_init`, with
    /// `crc_flag = ISAL_GZIP` (gzip wrapper parsed, trailer checked).
    /// - Parameters:
    ///   - upstream: the compressed bytes.
    ///   - context: what the bytes are, for messages (`layer sha256:… in app.tar`).
    ///   - chunkSize: the size of the chunks returned (the last may be shorter).
    /// - Throws: never today (ISA-L's set-up cannot fail); typed like the other stages so that
    ///   callers need not change if it ever can.
    public init(_ upstream: any ByteStream, context: String, chunkSize: Int = 1 << 20) throws(StreamError) {
        let state = allocateZeroed(inflate_state.self)
        isal_inflate_init(state)
        state.pointee.crc_flag = UInt32(ISAL_GZIP)
        self.state = state
        self.upstream = upstream
        self.context = context
        self.output = .allocate(capacity: max(1, chunkSize))
    }

    deinit {
        state.deallocate()
        output.deallocate()
    }

    public func next() async throws -> [UInt8]? {
        guard !finished else { return nil }
        var filled = 0
        do {
            while filled < output.count {
                if atMemberBoundary {
                    // Zero padding after a member is skipped; anything else starts the next member.
                    if membersStarted > 0 {
                        while inputOffset < input.count, input[inputOffset] == 0 { inputOffset += 1 }
                    }
                    if inputOffset == input.count {
                        guard try await refill() else { break }
                        continue
                    }
                    if membersStarted > 0 {
                        isal_inflate_reset(state)
                        state.pointee.crc_flag = UInt32(ISAL_GZIP)
                    }
                    atMemberBoundary = false
                    awaitingHeader = true
                    membersStarted += 1
                }
                if awaitingHeader {
                    // ISA-L 2.30 misreads a header whose optional fields (file name, comment)
                    // arrive over several calls, so every header goes in whole, in one call.
                    let unread = input.count - inputOffset
                    guard GzipHeader.length(input[inputOffset...]) != nil else {
                        if unread > GzipHeader.maximumLength {
                            throw StreamError(.corruptData, "\(context): gzip header of member \(membersStarted) is longer than \(GzipHeader.maximumLength) bytes")
                        }
                        guard try await refill() else { break }
                        continue
                    }
                    awaitingHeader = false
                }
                let progressed = try inflateStep(filled: &filled)
                if state.pointee.block_state == ISAL_BLOCK_FINISH {
                    atMemberBoundary = true
                    continue
                }
                if filled == output.count { break }
                // ISA-L returns early only when it has used up its input (it keeps partial
                // headers and bit remainders itself); anything left over is kept and extended.
                if !progressed || inputOffset == input.count {
                    guard try await refill() else { break }
                }
            }
            // The loop stops short of a full chunk only when the upstream has nothing more to give.
            if upstreamEnded, filled < output.count {
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

    /// Appends the next upstream chunk to the unread input.
    /// - Returns: `false` once the upstream has ended.
    private func refill() async throws -> Bool {
        if upstreamEnded { return false }
        guard let chunk = try await upstream.next() else {
            upstreamEnded = true
            return false
        }
        if inputOffset == input.count {
            input = chunk
        } else {
            input = Array(input[inputOffset...]) + chunk
        }
        inputOffset = 0
        return true
    }

    /// One `isal_inflate` call over the unread input into the free part of the output buffer.
    /// - Throws: ``StreamError`` `corruptData` with ISA-L's reason when the data is not valid gzip.
    private func inflateStep(filled: inout Int) throws(StreamError) -> Bool {
        let available = input.count - inputOffset
        let space = output.count - filled
        let status: Int32 = input.withUnsafeMutableBufferPointer { buffer in
            // isal_inflate reads through next_in and never writes to it.
            state.pointee.next_in = buffer.baseAddress.map { $0 + inputOffset }
            state.pointee.avail_in = UInt32(clamping: available)
            state.pointee.next_out = output.baseAddress! + filled
            state.pointee.avail_out = UInt32(clamping: space)
            let status = isal_inflate(state)
            // The pointers are only valid inside this closure.
            state.pointee.next_in = nil
            state.pointee.next_out = nil
            return status
        }
        let consumed = Int(UInt32(clamping: available)) - Int(state.pointee.avail_in)
        let produced = Int(UInt32(clamping: space)) - Int(state.pointee.avail_out)
        inputOffset += consumed
        filled += produced
        guard status >= 0 else {
            throw StreamError(.corruptData, "\(context): corrupt gzip data in member \(membersStarted): \(Self.reason(status))")
        }
        return consumed > 0 || produced > 0
    }

    /// ISA-L's meaning of an `isal_inflate` error status.
    private static func reason(_ status: Int32) -> String {
        switch status {
        case ISAL_INVALID_BLOCK: "invalid deflate block"
        case ISAL_INVALID_SYMBOL: "invalid deflate symbol"
        case ISAL_INVALID_LOOKBACK: "back-reference beyond the start of the data"
        case ISAL_INVALID_WRAPPER: "invalid gzip header"
        case ISAL_UNSUPPORTED_METHOD: "compression method is not deflate"
        case ISAL_INCORRECT_CHECKSUM: "CRC-32 or length in the gzip trailer does not match the data"
        default: "ISA-L isal_inflate status \(status)"
        }
    }
}
