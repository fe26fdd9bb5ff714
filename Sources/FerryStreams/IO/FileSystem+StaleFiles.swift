#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FileSystem {
    /// Removes the temporary files of ``AtomicFileWriter``s that died (`.NAME.tmp-XXXXXX` in
    /// `directory`, unlocked): what a killed or crashed run left. A temporary file that a living
    /// writer holds — a copy running at the same time, in this process or another — is kept.
    /// - Parameter prefix: only names starting with this (such as `.app.tar.tmp-`).
    /// - Returns: the paths removed.
    @discardableResult
    public static func removeStaleTemporaryFiles(in directory: String, prefix: String = ".") -> [String] {
        removeUnlockedFiles(in: directory) { isTemporaryName($0) && $0.hasPrefix(prefix) }
    }

    /// Removes the regular files in `directory` whose names `matches` accepts and that no living
    /// writer holds locked (``FileLock``): what killed runs left, never a running copy's file.
    /// - Returns: the paths removed.
    @discardableResult
    public static func removeUnlockedFiles(in directory: String, where matches: (String) -> Bool) -> [String] {
        var removed: [String] = []
        for name in (try? contents(of: directory)) ?? [] where matches(name) {
            let candidate = directory + "/" + name
            let fd = open(candidate, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { continue }
            if FileLock.tryLock(fd), kind(of: candidate) == .regular {
                unlink(candidate)
                removed.append(candidate)
            }
            close(fd)
        }
        return removed
    }

    /// Whether `name` has the shape of an ``AtomicFileWriter``'s temporary file:
    /// `.NAME.tmp-` and six more characters.
    public static func isTemporaryName(_ name: String) -> Bool {
        let head = name.dropLast(6)
        return name.hasPrefix(".") && head.count > AtomicFileWriter.temporaryMarker.count + 1
            && head.hasSuffix(AtomicFileWriter.temporaryMarker)
    }
}
