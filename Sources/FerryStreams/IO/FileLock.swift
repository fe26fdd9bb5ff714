#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Advisory locks (`flock`) on files and directories, which the kernel drops when the process
/// that holds them ends, however it ends (a `SIGKILL` included).
///
/// Ferry uses them two ways: a writer of a layout holds its directory locked while it rewrites
/// `index.json`, so that writers of one layout take turns; and every temporary file or working
/// directory is locked by the process filling it, so that a later run can tell a leftover of a
/// killed run (unlocked) from the work of a copy still running (locked).
public enum FileLock {
    /// Runs `body` while holding an exclusive lock on `path` (a file or a directory), waiting for
    /// other holders in short sleeps (so a waiting task can be cancelled).
    /// - Throws: ``StreamError`` (`io`) naming `path` when it cannot be opened or locked, or what
    ///   `body` throws.
    public static func withExclusiveLock<T>(
        on path: String,
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async throws -> T {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StreamError.posix("cannot open \(path) to lock it", errno: errno) }
        defer { close(fd) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw StreamError.posix("cannot lock \(path)", errno: errno)
            }
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        return try await body()
    }

    /// Locks an open file exclusively without waiting.
    /// - Returns: `false` when another open file (in this process or another) holds a lock on it.
    public static func tryLock(_ descriptor: Int32) -> Bool {
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            if errno != EINTR { return false }
        }
        return true
    }

    /// Whether `descriptor` is still the file at `path` (same device and inode, not replaced or
    /// removed): a file locked just after it was created may have been taken for a leftover and
    /// removed in between by another process's cleanup.
    static func isStillAt(_ descriptor: Int32, path: String) -> Bool {
        var open = stat()
        var named = stat()
        guard fstat(descriptor, &open) == 0, lstat(path, &named) == 0 else { return false }
        return open.st_dev == named.st_dev && open.st_ino == named.st_ino
    }
}
