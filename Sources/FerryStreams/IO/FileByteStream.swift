#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file, or a byte range of it, in chunks with `pread`.
///
/// Ranges make members of an uncompressed tar readable in place, in parallel, without unpacking.
/// The file descriptor is owned here and closed at end of stream or in `deinit`.
public final class FileByteStream: ByteStream {
    private var descriptor: Int32
    private var offset: Int64
    private var remaining: Int64?
    private let chunkSize: Int
    private let path: String

    /// Opens `path` for reading.
    /// - Parameters:
    ///   - offset: where to start.
    ///   - length: how many bytes to read, or `nil` for up to the end of the file.
    ///   - chunkSize: the largest chunk returned.
    /// - Throws: ``StreamError`` with code `notFound` or `io` naming the path.
    public init(path: String, offset: Int64 = 0, length: Int64? = nil, chunkSize: Int = 1 << 20) throws(StreamError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StreamError.posix("cannot open \(path)", errno: errno) }
        self.descriptor = fd
        self.offset = offset
        self.remaining = length
        self.chunkSize = chunkSize
        self.path = path
    }

    deinit { closeFile() }

    private func closeFile() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
    }

    public func next() async throws -> [UInt8]? {
        guard descriptor >= 0 else { return nil }
        var wanted = chunkSize
        if let remaining {
            if remaining == 0 {
                closeFile()
                return nil
            }
            wanted = Int(min(Int64(chunkSize), remaining))
        }
        let fd = descriptor
        let at = offset
        var readError: Int32 = 0
        let chunk = [UInt8](unsafeUninitializedCapacity: wanted) { buffer, initialized in
            var filled = 0
            while filled < wanted {
                let n = pread(fd, buffer.baseAddress! + filled, wanted - filled, off_t(at) + off_t(filled))
                if n < 0 {
                    if errno == EINTR { continue }
                    readError = errno
                    break
                }
                if n == 0 { break }
                filled += n
            }
            initialized = filled
        }
        if readError != 0 {
            closeFile()
            throw StreamError.posix("cannot read \(path)", errno: readError)
        }
        if chunk.isEmpty {
            closeFile()
            if let remaining, remaining > 0 {
                throw StreamError(.corruptData, "\(path): ends \(remaining) bytes early, at offset \(offset)")
            }
            return nil
        }
        offset += Int64(chunk.count)
        if remaining != nil { remaining! -= Int64(chunk.count) }
        return chunk
    }
}

extension StreamError {
    /// An `io` (or `notFound`) error carrying the system's message for `errno`.
    public static func posix(_ what: String, errno code: Int32) -> StreamError {
        let text = String(cString: strerror(code))
        return StreamError(code == ENOENT ? .notFound : .io, "\(what): \(text)")
    }

    /// An error for a failed write, creation or rename, with the system's reason (`ENOSPC`: "No
    /// space left on device"): code `writeFailed`, whatever `errno` is.
    public static func posixWrite(_ what: String, errno code: Int32) -> StreamError {
        StreamError(.writeFailed, "\(what): \(String(cString: strerror(code)))")
    }
}
