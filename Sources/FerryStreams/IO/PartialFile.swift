#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A download kept across runs: a file at a fixed name (not a random temporary one) that a blob
/// fills, so that a run killed part-way leaves the bytes it received for the next run to continue
/// from, and that is renamed to the blob's final name only once the whole blob was verified.
///
/// One writer at a time: the file is locked (`flock`) while a ``PartialFile`` holds it, and
/// ``claim(path:durable:)`` gives `nil` when another writer (in this process or another) holds
/// it. The kernel drops the lock when the holder ends, however it ends.
///
/// The writer is handed the blob from its first byte (``take(_:)``). Bytes the file already holds
/// are compared, not written; where one differs, the file is cut there and written on from the
/// stream, so the renamed file is always exactly the bytes that passed, whatever the file held.
public final class PartialFile {
    /// The file's path.
    public let path: String
    /// The bytes the file held when it was claimed: what an earlier run received.
    public let keptLength: Int64
    private var descriptor: Int32
    private let durable: Bool
    /// Bytes of the blob handed to ``take(_:)`` so far.
    private var position: Int64 = 0
    /// How far the file's earlier content still agrees with the blob (it is cut here on the
    /// first difference).
    private var agreedEnd: Int64
    /// Bytes past ``agreedEnd`` not written yet; the file's own offset is at its end, where they go.
    private var buffer: [UInt8] = []
    private static let bufferLimit = 1 << 20
    private var closed = false
    private var writeback = Writeback()

    private init(path: String, descriptor: Int32, keptLength: Int64, durable: Bool) {
        self.path = path
        self.descriptor = descriptor
        self.keptLength = keptLength
        self.agreedEnd = keptLength
        self.durable = durable
    }

    /// Opens `path` (creating it, empty, when missing) and locks it.
    /// - Parameters:
    ///   - largest: the most bytes the file may hold; a longer file is emptied first.
    ///   - durable: `fsync` before ``commit(renamingTo:)`` renames it.
    /// - Returns: `nil` when another writer holds the file.
    /// - Throws: ``StreamError`` (`writeFailed`) naming the path when it cannot be created.
    public static func claim(path: String, largest: Int64, durable: Bool = true) throws(StreamError) -> PartialFile? {
        while true {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
            guard fd >= 0 else { throw StreamError.posixWrite("cannot open \(path) to keep a download in", errno: errno) }
            guard FileLock.tryLock(fd) else {
                close(fd)
                return nil
            }
            // A cleanup by another run may have removed the file between the open and the lock.
            guard FileLock.isStillAt(fd, path: path) else {
                close(fd)
                continue
            }
            var status = stat()
            guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
                close(fd)
                throw StreamError(.writeFailed, "\(path): is not a regular file; cannot keep a download in it")
            }
            var length = Int64(status.st_size)
            if length > largest {
                guard ftruncate(fd, 0) == 0 else {
                    close(fd)
                    throw StreamError.posixWrite("cannot empty \(path)", errno: errno)
                }
                length = 0
            }
            // New bytes go at the end: past what was kept, or past where it is cut.
            guard lseek(fd, off_t(length), SEEK_SET) >= 0 else {
                close(fd)
                throw StreamError.posixWrite("cannot seek in \(path)", errno: errno)
            }
            return PartialFile(path: path, descriptor: fd, keptLength: length, durable: durable)
        }
    }

    deinit {
        // What arrived stays for the next run; only the buffer's tail may be lost, never a byte
        // in the middle.
        if !closed {
            if !buffer.isEmpty { try? writeOut() }
            close(descriptor)
        }
    }

    /// The next bytes of the blob: compared with what the file holds there, or appended.
    /// - Throws: ``StreamError`` (`writeFailed`) when the file cannot be read or written.
    public func take(_ chunk: [UInt8]) throws(StreamError) {
        var rest = chunk[...]
        if position < agreedEnd {
            let overlap = Int(min(Int64(rest.count), agreedEnd - position))
            let held = try read(count: overlap, at: position)
            var same = 0
            while same < held.count && held[same] == rest[rest.startIndex + same] { same += 1 }
            position += Int64(same)
            rest = rest.dropFirst(same)
            if same < overlap { try cut(at: position) }
        }
        guard !rest.isEmpty else { return }
        position += Int64(rest.count)
        // A large chunk with nothing buffered is written as it is, without a copy.
        if buffer.isEmpty && rest.count >= Self.bufferLimit {
            try write(rest.count == chunk.count ? chunk : Array(rest))
            return
        }
        buffer.append(contentsOf: rest)
        if buffer.count >= Self.bufferLimit { try writeOut() }
    }

    /// Writes what is buffered, syncs when durable, cuts the file to the bytes that passed, and
    /// renames it to `finalPath` (on the same file system).
    public func commit(renamingTo finalPath: String) throws(StreamError) {
        try writeOut()
        if position < agreedEnd { try cut(at: position) }
        if durable && fsync(descriptor) != 0 {
            throw StreamError.posixWrite("cannot sync \(path)", errno: errno)
        }
        // Renamed while still locked, so another run's cleanup never takes it for a leftover.
        guard rename(path, finalPath) == 0 else {
            throw StreamError.posixWrite("cannot rename \(path) to \(finalPath)", errno: errno)
        }
        closed = true
        guard close(descriptor) == 0 else {
            throw StreamError.posixWrite("cannot close \(finalPath)", errno: errno)
        }
    }

    /// Removes the file: what it held is not the blob.
    public func discard() {
        guard !closed else { return }
        unlink(path)
        closed = true
        close(descriptor)
    }

    private func read(count: Int, at offset: Int64) throws(StreamError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                if n == 0 { return Array(bytes[..<done]) }
                throw StreamError.posixWrite("cannot read \(path)", errno: errno)
            }
            done += n
        }
        return bytes
    }

    /// Drops the file's content from `offset` on: it no longer agrees with the blob there.
    private func cut(at offset: Int64) throws(StreamError) {
        guard ftruncate(descriptor, off_t(offset)) == 0, lseek(descriptor, off_t(offset), SEEK_SET) >= 0 else {
            throw StreamError.posixWrite("cannot cut \(path)", errno: errno)
        }
        agreedEnd = offset
    }

    private func writeOut() throws(StreamError) {
        guard !buffer.isEmpty else { return }
        try write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Appends `bytes` at the file's end: every byte up to ``position`` is then in the file.
    private func write(_ bytes: [UInt8]) throws(StreamError) {
        try FileSystem.writeAll(bytes, to: descriptor, what: path)
        if durable { writeback.written(upTo: position, of: descriptor) }
    }
}
