#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FileSystem {
    /// Creates a fresh, private working directory next to `path` (`.NAME.ferry-XXXXXX` in the same
    /// directory), so that a file assembled in it can be renamed over `path` on the same file system.
    /// - Throws: ``StreamError`` (`io`) naming `path` when the directory cannot be made.
    public static func makeWorkDirectory(nextTo path: String) throws(StreamError) -> String {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let base = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
        var template = Array("\(directory.isEmpty ? "/" : directory)/.\(base).ferry-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw StreamError.posix("cannot create a working directory next to \(path)", errno: errno)
        }
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
