#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a gzip file and inflates it with ISA-L, synchronously, one buffer at a time.
///
/// The source ``TarReader`` gives libarchive for a `.tar.gz`: libarchive's own gzip filter inflates
/// with zlib, about 2.5× slower than ISA-L. Reads through a ``SequentialFileInput``, so a pipe
/// works too. Memory: one 1 MiB input buffer, one 1 MiB output buffer and the inflater's state.
/// Owns its input, closed in `deinit`. Not thread-safe.
final class IsalGzipFileReader: ArchiveReadSource {
    /// The first two bytes of every gzip member (RFC 1952 §2.3.1).
    static let magic: [UInt8] = [0x1F, 0x8B]

    private let input: SequentialFileInput
    private let inflater: IsalGzipInflater
    private let output: UnsafeMutableBufferPointer<UInt8>
    private let inputChunk: Int
    /// The error that ended reading; ``TarReader`` reports it in place of libarchive's message.
    private(set) var failure: StreamError?

    /// Opens `path` for reading.
    /// - Throws: ``StreamError`` `notFound` or `io` naming the path.
    convenience init(path: String, chunkSize: Int = 1 << 20) throws(StreamError) {
        self.init(input: try SequentialFileInput(path: path), chunkSize: chunkSize)
    }

    /// Inflates what `input` reads (a file or a pipe, possibly already peeked at).
    init(input: SequentialFileInput, chunkSize: Int = 1 << 20) {
        self.input = input
        self.inflater = IsalGzipInflater(context: input.path)
        self.output = .allocate(capacity: max(1, chunkSize))
        self.inputChunk = max(1, chunkSize)
    }

    deinit {
        output.deallocate()
    }

    /// Whether the file at `path` starts with the gzip magic (a short or unreadable file does not).
    static func isGzip(path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var head: [UInt8] = [0, 0]
        let count = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 2, 0) }
        return count == 2 && head == magic
    }

    /// Inflates the next part of the file.
    /// - Returns: the inflated bytes, valid until the next call; empty at the end of the data.
    /// - Throws: ``StreamError`` `corruptData` for invalid or truncated gzip, `io` when the file
    ///   cannot be read; the error is also kept in ``failure``.
    func read() throws(StreamError) -> UnsafeBufferPointer<UInt8> {
        if let failure { throw failure }
        var filled = 0
        do {
            while try inflater.inflate(into: output, filled: &filled) {
                if let chunk = try readInput() {
                    inflater.feed(chunk)
                } else {
                    inflater.endInput()
                }
            }
        } catch {
            failure = error
            throw error
        }
        return UnsafeBufferPointer(rebasing: output[0..<filled])
    }

    /// The next chunk of the file, or `nil` at its end.
    private func readInput() throws(StreamError) -> [UInt8]? {
        try input.next(max: inputChunk)
    }
}
