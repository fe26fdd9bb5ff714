#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that it appears complete or not at all: bytes go to a temporary file in the
/// destination's directory, which is renamed over the final name only by ``commit()``.
///
/// Dropping the writer without `commit()` removes the temporary file, so a failed or cancelled
/// write leaves nothing behind under the final name. The temporary file is locked (`flock`) while
/// the writer lives: one left by a killed process is unlocked, and a later run removes it
/// (``FileSystem/removeStaleTemporaryFiles(in:prefix:)``) without touching a running copy's.
public final class AtomicFileWriter {
    /// The final path.
    public let path: String
    /// The temporary path next to it.
    public let temporaryPath: String
    private var descriptor: Int32
    private var committed = false
    private let durable: Bool
    private var buffer: [UInt8] = []
    private static let bufferLimit = 1 << 20
    /// Bytes written so far.
    private var bytesWritten: Int64 = 0
    /// Writeback of a durable writer's data, started as it grows.
    private var writeback = Writeback()

    /// Creates the temporary file.
    /// - Parameters:
    ///   - path: the final path.
    ///   - durable: `fsync` before the rename, so the content survives a power loss.
    /// - Throws: ``StreamError`` with code `io` naming the path.
    public init(path: String, durable: Bool = true, permissions: mode_t = 0o644) throws(StreamError) {
        self.path = path
        self.durable = durable
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let base = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
        // The temporary file is locked while this writer lives, so that a cleanup by another
        // run (``FileSystem/removeStaleTemporaryFiles(in:prefix:)``) leaves it alone; if such a
        // cleanup took it between its creation and the lock, a fresh one is made.
        while true {
            var template = Array("\(directory.isEmpty ? "/" : directory)/.\(base)\(Self.temporaryMarker)XXXXXX".utf8CString)
            let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard fd >= 0 else { throw StreamError.posixWrite("cannot create a temporary file for \(path)", errno: errno) }
            let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            guard FileLock.tryLock(fd), FileLock.isStillAt(fd, path: temporary) else {
                close(fd)
                continue
            }
            fchmod(fd, permissions)
            self.descriptor = fd
            self.temporaryPath = temporary
            return
        }
    }

    /// What separates the final name from the random suffix in a temporary file's name
    /// (`.NAME.tmp-XXXXXX`).
    public static let temporaryMarker = ".tmp-"

    /// The temporary file's descriptor, for writers that write to it directly (such as a tar
    /// writer); mix with ``write(_:)`` only after flushing nothing is buffered.
    public var fileDescriptor: Int32 { descriptor }

    deinit {
        if !committed { unlink(temporaryPath) }
        if descriptor >= 0 { close(descriptor) }
    }

    /// Appends bytes.
    public func write(_ bytes: [UInt8]) throws(StreamError) {
        if buffer.isEmpty && bytes.count >= Self.bufferLimit {
            try writeOut(bytes)
            return
        }
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.bufferLimit {
            try writeOut(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }

    private func writeOut(_ bytes: [UInt8]) throws(StreamError) {
        try FileSystem.writeAll(bytes, to: descriptor, what: temporaryPath)
        bytesWritten += Int64(bytes.count)
        startWriteback()
    }

    /// For data written to ``fileDescriptor`` directly (by a tar writer): starts writeback of what
    /// was written since the last call, as ``write(_:)`` does for its own data.
    public func startWritebackOfDirectWrites() {
        let offset = lseek(descriptor, 0, SEEK_CUR)
        guard offset > bytesWritten else { return }
        bytesWritten = Int64(offset)
        startWriteback()
    }

    private func startWriteback() {
        if durable { writeback.written(upTo: bytesWritten, of: descriptor) }
    }

    /// Flushes, optionally syncs, and renames the temporary file to the final path.
    /// - Throws: ``StreamError`` with code `io`; the temporary file is removed.
    public func commit() throws(StreamError) {
        try commit(renamingTo: path)
    }

    /// Flushes, optionally syncs, and renames the temporary file to `finalPath`, a name learnt only
    /// once the content was complete (a blob named by its computed digest). `finalPath` must be on
    /// the same file system as ``path``.
    public func commit(renamingTo finalPath: String) throws(StreamError) {
        if !buffer.isEmpty {
            try writeOut(buffer)
            buffer = []
        }
        if durable && fsync(descriptor) != 0 {
            throw StreamError.posixWrite("cannot sync \(temporaryPath)", errno: errno)
        }
        // Renamed while still open, so still locked: closed first, the file would look like a
        // leftover to another run's cleanup for a moment.
        guard rename(temporaryPath, finalPath) == 0 else {
            throw StreamError.posixWrite("cannot rename \(temporaryPath) to \(finalPath)", errno: errno)
        }
        committed = true
        let closed = close(descriptor)
        descriptor = -1
        guard closed == 0 else {
            throw StreamError.posixWrite("cannot close \(finalPath)", errno: errno)
        }
    }

    /// Writes `bytes` to `path` atomically in one call.
    public static func write(_ bytes: [UInt8], to path: String, durable: Bool = true) throws(StreamError) {
        let writer = try AtomicFileWriter(path: path, durable: durable)
        try writer.write(bytes)
        try writer.commit()
    }
}
