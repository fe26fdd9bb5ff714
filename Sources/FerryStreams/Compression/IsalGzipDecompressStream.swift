/// Inflates a gzip stream (RFC 1952) as it is pulled, including streams of several members, with
/// Intel ISA-L's `igzip` (about 2.5× zlib's speed).
///
/// After each member's trailer the stage reads on: more members are inflated and concatenated
/// (as `gzip -d` does; eStargz layers and Ferry's own chunk-parallel compressor depend on it), and
/// zero bytes after the last member are tolerated as padding. Anything else after a member — or a
/// stream that ends inside a member — is corrupt. ISA-L checks every member's trailer (CRC-32 and
/// length).
///
/// The inflating is ``IsalGzipInflater``'s: this stage pulls compressed chunks into it. Memory is
/// bounded: the inflater's state and unread input, and one output chunk of about 1 MiB.
/// Not thread-safe: one task pulls it.
public final class IsalGzipDecompressStream: ByteStream {
    private let upstream: any ByteStream
    private let inflater: IsalGzipInflater
    private let output: UnsafeMutableBufferPointer<UInt8>
    private var finished = false

    /// Creates the stage.
    /// - Parameters:
    ///   - upstream: the compressed bytes.
    ///   - context: what the bytes are, for messages (`layer sha256:… in app.tar`).
    ///   - chunkSize: the size of the chunks returned (the last may be shorter).
    /// - Throws: never today (ISA-L's set-up cannot fail); typed like the other stages so that
    ///   callers need not change if it ever can.
    public init(_ upstream: any ByteStream, context: String, chunkSize: Int = 1 << 20) throws(StreamError) {
        self.upstream = upstream
        self.inflater = IsalGzipInflater(context: context)
        self.output = .allocate(capacity: max(1, chunkSize))
    }

    deinit { output.deallocate() }

    public func next() async throws -> [UInt8]? {
        guard !finished else { return nil }
        var filled = 0
        do {
            while try inflater.inflate(into: output, filled: &filled) {
                if let chunk = try await upstream.next() {
                    inflater.feed(chunk)
                } else {
                    inflater.endInput()
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
}
