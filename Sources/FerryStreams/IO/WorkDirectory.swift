#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh, private working directory next to a file being assembled (`.NAME.ferry-XXXXXX` in the
/// same directory), so that the result can be renamed over the file on the same file system.
///
/// The directory is locked (`flock`) while this value lives and removed, with everything in it,
/// when it goes. One left behind by a killed process is unlocked, and the next run writing the
/// same file removes it (``removeStale(nextTo:)``); a running copy's is never touched.
public final class WorkDirectory: Sendable {
    /// The directory.
    public let path: String
    private let descriptor: Int32

    /// What separates the file's name from the random suffix (`.NAME.ferry-XXXXXX`).
    public static let marker = ".ferry-"

    /// Creates and locks a working directory next to `file`.
    /// - Throws: ``StreamError`` (`io`) naming `file` when the directory cannot be made.
    public init(nextTo file: String) throws(StreamError) {
        let (directory, base) = Self.split(file)
        while true {
            var template = Array("\(directory)/.\(base)\(Self.marker)XXXXXX".utf8CString)
            guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
                throw StreamError.posixWrite("cannot create a working directory next to \(file)", errno: errno)
            }
            let made = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let fd = open(made, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { throw StreamError.posixWrite("cannot open \(made)", errno: errno) }
            // Another run's cleanup may have taken the new directory for a leftover before the
            // lock; then make another.
            guard FileLock.tryLock(fd), FileLock.isStillAt(fd, path: made) else {
                close(fd)
                continue
            }
            path = made
            descriptor = fd
            return
        }
    }

    deinit {
        FileSystem.removeTree(path)
        close(descriptor)
    }

    /// Removes the working directories and temporary files that runs writing `file` left when
    /// they were killed: `.NAME.ferry-*` directories and `.NAME.tmp-*` files next to it that no
    /// living process holds locked.
    /// - Returns: the paths removed.
    @discardableResult
    public static func removeStale(nextTo file: String) -> [String] {
        let (directory, base) = split(file)
        var removed = FileSystem.removeStaleTemporaryFiles(in: directory, prefix: ".\(base)\(AtomicFileWriter.temporaryMarker)")
        let prefix = ".\(base)\(marker)"
        for name in (try? FileSystem.contents(of: directory)) ?? [] where name.hasPrefix(prefix) && name.count == prefix.count + 6 {
            let candidate = directory + "/" + name
            let fd = open(candidate, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { continue }
            if FileLock.tryLock(fd) {
                FileSystem.removeTree(candidate)
                removed.append(candidate)
            }
            close(fd)
        }
        return removed
    }

    /// Whether a living process holds the working directory at `path` (it is locked).
    public static func isHeld(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return !FileLock.tryLock(fd)
    }

    private static func split(_ file: String) -> (directory: String, base: String) {
        let directory = file.lastIndex(of: "/").map { String(file[..<$0]) } ?? "."
        let base = file.lastIndex(of: "/").map { String(file[file.index(after: $0)...]) } ?? file
        return (directory.isEmpty ? "/" : directory, base)
    }
}
