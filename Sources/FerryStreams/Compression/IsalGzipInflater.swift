internal import CIsal

/// Inflates gzip (RFC 1952), including streams of several members, with Intel ISA-L's `igzip`
/// (about 2.5× zlib's speed): the state machine, with no I/O of its own. Input is handed in with
/// ``feed(_:)`` and ``endInput()``; ``inflate(into:filled:)`` says when it needs more. Both the
/// pulled ``IsalGzipDecompressStream`` and the synchronous ``IsalGzipFileReader`` (libarchive's
/// source for `.tar.gz` files) drive it.
///
/// After each member's trailer the stage reads on: more members are inflated and concatenated
/// (as `gzip -d` does; eStargz layers and Ferry's own chunk-parallel compressor depend on it), and
/// zero bytes after the last member are tolerated as padding. Anything else after a member — or a
/// stream that ends inside a member — is corrupt. ISA-L checks every member's trailer (CRC-32 and
/// length).
///
/// Owns one ISA-L `inflate_state` (about 100 KiB, with its own 64 KiB history), kept at a single
/// address for its whole life and freed in `deinit`. Memory: that state, the unread input, and at
/// most one member header (about 200 KiB; a longer one is corrupt), which is buffered whole
/// before ISA-L sees it. Not thread-safe: one task drives it.
/// All calls to ISA-L's inflate side live in this file.
final class IsalGzipInflater {
    private let context: String
    private let state: UnsafeMutablePointer<inflate_state>
    private var input: [UInt8] = []
    private var inputOffset = 0
    private var inputEnded = false
    /// Between members: the previous one ended (or none has started yet).
    private var atMemberBoundary = true
    private var membersStarted = 0
    /// A member has started but its whole header is not buffered yet.
    private var awaitingHeader = false

    /// The corresponding C function is `isal_inflate_init`, with `crc_flag = ISAL_GZIP` (gzip
    /// wrapper parsed, trailer checked).
    /// - Parameter context: what the bytes are, for messages (`layer sha256:… in app.tar`).
    init(context: String) {
        let state = allocateZeroed(inflate_state.self)
        isal_inflate_init(state)
        state.pointee.crc_flag = UInt32(ISAL_GZIP)
        self.state = state
        self.context = context
    }

    deinit { state.deallocate() }

    /// Appends compressed bytes to the unread input.
    func feed(_ chunk: [UInt8]) {
        if inputOffset == input.count {
            input = chunk
        } else {
            input = Array(input[inputOffset...]) + chunk
        }
        inputOffset = 0
    }

    /// Says that no more input will come: the next ``inflate(into:filled:)`` finishes or reports
    /// truncation.
    func endInput() { inputEnded = true }

    /// Inflates into `output` from `filled` on, advancing `filled`.
    /// - Returns: `true` when it stopped because it needs more input (call ``feed(_:)`` or
    ///   ``endInput()``, then call again); `false` when `output` is full or the stream has ended
    ///   (then `filled` short of `output.count` means the end).
    /// - Throws: ``StreamError`` `corruptData` naming the member for invalid or truncated gzip,
    ///   an empty input, or anything but zero padding after a member.
    func inflate(into output: UnsafeMutableBufferPointer<UInt8>, filled: inout Int) throws(StreamError) -> Bool {
        while filled < output.count {
            if atMemberBoundary {
                // Zero padding after a member is skipped; anything else starts the next member.
                if membersStarted > 0 {
                    while inputOffset < input.count, input[inputOffset] == 0 { inputOffset += 1 }
                }
                if inputOffset == input.count {
                    if inputEnded { break }
                    return true
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
                    if inputEnded { break }
                    return true
                }
                awaitingHeader = false
            }
            let progressed = try inflateStep(into: output, filled: &filled)
            if state.pointee.block_state == ISAL_BLOCK_FINISH {
                atMemberBoundary = true
                continue
            }
            if filled == output.count { break }
            // ISA-L returns early only when it has used up its input (it keeps partial
            // headers and bit remainders itself); anything left over is kept and extended.
            if !progressed || inputOffset == input.count {
                if inputEnded { break }
                return true
            }
        }
        // The loop stops short of a full output only when the input has ended.
        if inputEnded, filled < output.count {
            if membersStarted == 0 {
                throw StreamError(.corruptData, "\(context): empty input, not a gzip stream")
            }
            if !atMemberBoundary {
                throw StreamError(.corruptData, "\(context): gzip data is truncated (ends inside member \(membersStarted))")
            }
        }
        return false
    }

    /// One `isal_inflate` call over the unread input into the free part of the output buffer.
    /// - Throws: ``StreamError`` `corruptData` with ISA-L's reason when the data is not valid gzip.
    private func inflateStep(into output: UnsafeMutableBufferPointer<UInt8>, filled: inout Int) throws(StreamError) -> Bool {
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
