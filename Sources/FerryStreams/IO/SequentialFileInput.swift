#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file front to back with `read(2)`, so it works on pipes and terminals as well as on
/// regular files, and can look at the first bytes before handing the whole stream on.
///
/// Owns its file descriptor, closed in `deinit`. Not thread-safe.
final class SequentialFileInput {
    /// The path, for messages.
    let path: String
    private let descriptor: Int32
    /// Bytes read by ``peek(_:)`` and not yet returned by ``next(max:)``.
    private var pending: [UInt8] = []
    private var ended = false

    /// Opens `path` for reading.
    /// - Throws: ``StreamError`` `notFound` or `io` naming the path.
    init(path: String) throws(StreamError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StreamError.posix("cannot open \(path)", errno: errno) }
        self.path = path
        self.descriptor = fd
    }

    deinit { close(descriptor) }

    /// The first `count` bytes (fewer when the input is shorter), which ``next(max:)`` still returns.
    func peek(_ count: Int) throws(StreamError) -> [UInt8] {
        while pending.count < count, let chunk = try readRaw(max: count - pending.count) {
            pending += chunk
        }
        return Array(pending.prefix(count))
    }

    /// The next bytes, at most `max`, or `nil` at the end of the input.
    func next(max: Int) throws(StreamError) -> [UInt8]? {
        if !pending.isEmpty {
            defer { pending = [] }
            return pending
        }
        return try readRaw(max: max)
    }

    /// Reads straight into `buffer`; returns how many bytes (0 at the end of the input).
    func read(into buffer: UnsafeMutableBufferPointer<UInt8>) throws(StreamError) -> Int {
        if !pending.isEmpty {
            let count = min(buffer.count, pending.count)
            _ = buffer.initialize(from: pending.prefix(count))
            pending.removeFirst(count)
            return count
        }
        guard !ended else { return 0 }
        let n = try Self.read(descriptor, buffer.baseAddress, buffer.count, path: path)
        if n == 0 { ended = true }
        return n
    }

    private func readRaw(max: Int) throws(StreamError) -> [UInt8]? {
        guard !ended else { return nil }
        let fd = descriptor
        let wanted = Swift.max(1, max)
        var failure: StreamError?
        let path = self.path
        let chunk = [UInt8](unsafeUninitializedCapacity: wanted) { buffer, initialized in
            do throws(StreamError) {
                initialized = try Self.read(fd, buffer.baseAddress, wanted, path: path)
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        if chunk.isEmpty {
            ended = true
            return nil
        }
        return chunk
    }

    private static func read(_ fd: Int32, _ buffer: UnsafeMutablePointer<UInt8>?, _ count: Int, path: String) throws(StreamError) -> Int {
        var n: Int
        repeat {
            n = Glibc.read(fd, buffer, count)
        } while n < 0 && errno == EINTR
        if n < 0 { throw StreamError.posix("cannot read \(path)", errno: errno) }
        return n
    }
}

/// The bytes of a ``SequentialFileInput`` as libarchive reads them through `archive_read_open`:
/// one buffer at a time, libarchive's own filters detecting any compression.
final class PlainArchiveInput: ArchiveReadSource {
    private let input: SequentialFileInput
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private(set) var failure: StreamError?

    init(_ input: SequentialFileInput, chunkSize: Int = 1 << 20) {
        self.input = input
        buffer = .allocate(capacity: max(1, chunkSize))
    }

    deinit { buffer.deallocate() }

    func read() throws(StreamError) -> UnsafeBufferPointer<UInt8> {
        if let failure { throw failure }
        do {
            let count = try input.read(into: buffer)
            return UnsafeBufferPointer(rebasing: buffer[0..<count])
        } catch {
            failure = error
            throw error
        }
    }
}

/// Bytes libarchive reads through `archive_read_open`, one buffer at a time (``TarReader``).
protocol ArchiveReadSource: AnyObject {
    /// The next bytes, valid until the next call; empty at the end.
    func read() throws(StreamError) -> UnsafeBufferPointer<UInt8>
    /// The error that ended reading, reported in place of libarchive's message.
    var failure: StreamError? { get }
    /// Skips up to `request` bytes without reading them; returns how many (0: cannot skip, so
    /// libarchive reads through instead).
    func skip(_ request: Int64) -> Int64
}

extension ArchiveReadSource {
    func skip(_ request: Int64) -> Int64 { 0 }
}
