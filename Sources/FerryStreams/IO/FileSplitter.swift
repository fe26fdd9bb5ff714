import FerrySpec

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a file into numbered parts of at most a given size whose concatenation is the file
/// (`cat NAME.0* > NAME` joins them), hashing each part on the way.
///
/// Works from the end: the last part is copied out and the file truncated before it, and so on,
/// so the disk holds at most one part more than the file at any time; the file itself becomes
/// the first part. Each part appears whole (written under a temporary name, then renamed).
public enum FileSplitter {
    /// One part written.
    public struct Part: Sendable, Hashable {
        public var path: String
        public var size: Int64
        public var digest: Digest
    }

    /// Splits the file at `path` into parts of at most `partSize` bytes at `partPath(1)`,
    /// `partPath(2)`, …; `path` is gone afterwards (it is the first part).
    /// - Throws: ``StreamError`` (`io`, `writeFailed`) naming the file; parts already written
    ///   stay, and `path` keeps what was not split off yet.
    public static func split(_ path: String, partSize: Int64, durable: Bool, partPath: (Int) -> String) throws(StreamError) -> [Part] {
        guard partSize > 0 else { throw StreamError(.unsupported, "a part size must be at least 1 byte") }
        guard let size = FileSystem.size(of: path) else { throw StreamError(.notFound, "\(path): no such file") }
        let count = max(1, Int((size + partSize - 1) / partSize))
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw StreamError.posix("cannot open \(path)", errno: errno) }
        defer { close(fd) }
        var parts: [Part] = []
        for number in stride(from: count, through: 2, by: -1) {
            let start = Int64(number - 1) * partSize
            let length = min(partSize, size - start)
            let target = partPath(number)
            let writer = try AtomicFileWriter(path: target, durable: durable)
            let digest = try copy(from: fd, path: path, offset: start, length: length) { chunk throws(StreamError) in try writer.write(chunk) }
            try writer.commit()
            parts.append(Part(path: target, size: length, digest: digest))
            guard ftruncate(fd, off_t(start)) == 0 else { throw StreamError.posixWrite("cannot truncate \(path)", errno: errno) }
        }
        let firstLength = min(partSize, size)
        let digest = try copy(from: fd, path: path, offset: 0, length: firstLength) { _ throws(StreamError) in }
        if durable && fsync(fd) != 0 { throw StreamError.posixWrite("cannot sync \(path)", errno: errno) }
        guard rename(path, partPath(1)) == 0 else {
            throw StreamError.posixWrite("cannot rename \(path) to \(partPath(1))", errno: errno)
        }
        parts.append(Part(path: partPath(1), size: firstLength, digest: digest))
        return parts.reversed()
    }

    /// Reads `length` bytes of `fd` from `offset`, handing each chunk to `sink`; the SHA-256.
    private static func copy(
        from fd: Int32, path: String, offset: Int64, length: Int64, _ sink: ([UInt8]) throws(StreamError) -> Void
    ) throws(StreamError) -> Digest {
        let hasher = try DigestHasher(.sha256)
        var done: Int64 = 0
        while done < length {
            let wanted = Int(min(8 << 20, length - done))
            var failure: Int32 = 0
            let at = offset + done
            let chunk = [UInt8](unsafeUninitializedCapacity: wanted) { buffer, initialized in
                var filled = 0
                while filled < wanted {
                    let n = pread(fd, buffer.baseAddress! + filled, wanted - filled, off_t(at) + off_t(filled))
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 {
                        failure = n < 0 ? errno : EIO
                        break
                    }
                    filled += n
                }
                initialized = filled
            }
            if failure != 0 { throw StreamError.posix("cannot read \(path)", errno: failure) }
            hasher.update(chunk)
            try sink(chunk)
            done += Int64(chunk.count)
        }
        return hasher.finalize()
    }
}
