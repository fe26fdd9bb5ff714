#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file-system questions Ferry asks, answered with POSIX calls and errors that name the path.
public enum FileSystem {
    /// What is at a path, without following a final symlink.
    public enum Kind: Sendable, Equatable {
        case missing, regular, directory, symlink, other
    }

    /// What is at `path` (`lstat`).
    public static func kind(of path: String) -> Kind {
        var st = stat()
        guard lstat(path, &st) == 0 else { return .missing }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    /// Size of the regular file at `path` (following symlinks), or `nil`.
    public static func size(of path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(st.st_size)
    }

    /// Whether `path` (following symlinks, so `/dev/stdin` too) is a pipe, socket or terminal:
    /// something that can be read once, front to back, and not sized or read again.
    public static func isStream(_ path: String) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        let type = st.st_mode & S_IFMT
        return type == S_IFIFO || type == S_IFSOCK || type == S_IFCHR
    }

    /// Writes all of `bytes` to an open file descriptor, retrying short and interrupted writes.
    /// - Parameter what: the file, for the message (`cannot write WHAT`).
    /// - Throws: ``StreamError`` with code `io` and the system's reason.
    public static func writeAll(_ bytes: [UInt8], to descriptor: Int32, what: @autoclosure () -> String) throws(StreamError) {
        var failure: Int32 = 0
        bytes.withUnsafeBytes { raw in
            var written = 0
            while written < raw.count {
                let n = write(descriptor, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                written += n
            }
        }
        if failure != 0 { throw StreamError.posixWrite("cannot write \(what())", errno: failure) }
    }

    /// Whether something exists at `path`.
    public static func exists(_ path: String) -> Bool { kind(of: path) != .missing }

    /// Creates `path` and its parents (`mkdir -p`).
    public static func createDirectory(_ path: String) throws(StreamError) {
        if kind(of: path) == .directory { return }
        var partial = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            partial += "/" + component
            if mkdir(partial, 0o755) != 0 && errno != EEXIST {
                throw StreamError.posixWrite("cannot create directory \(partial)", errno: errno)
            }
        }
        guard kind(of: path) == .directory else {
            throw StreamError(.writeFailed, "\(path) exists and is not a directory")
        }
    }

    /// The canonical absolute path (`realpath`), or `nil` if it does not resolve.
    public static func canonicalPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Names in a directory, sorted, without `.` and `..`.
    public static func contents(of directory: String) throws(StreamError) -> [String] {
        guard let dir = opendir(directory) else { throw StreamError.posix("cannot list \(directory)", errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Removes a file; a missing file is not an error.
    public static func removeFile(_ path: String) {
        unlink(path)
    }

    /// Removes a directory tree (`rm -rf`); a missing path is not an error.
    public static func removeTree(_ path: String) {
        switch kind(of: path) {
        case .missing: return
        case .directory:
            for name in (try? contents(of: path)) ?? [] { removeTree(path + "/" + name) }
            rmdir(path)
        default:
            unlink(path)
        }
    }

    /// Reads a small file whole, refusing more than `limit` bytes.
    public static func readFile(_ path: String, limit: Int) throws(StreamError) -> [UInt8] {
        guard let size = size(of: path) else {
            if kind(of: path) == .missing { throw StreamError(.notFound, "\(path) does not exist") }
            throw StreamError(.io, "\(path) is not a regular file")
        }
        guard size <= Int64(limit) else {
            throw StreamError(.sizeMismatch, "\(path): \(size) bytes is over the \(limit)-byte limit for this file")
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StreamError.posix("cannot open \(path)", errno: errno) }
        defer { close(fd) }
        var result = [UInt8](repeating: 0, count: Int(size) + 1)
        var filled = 0
        while filled < result.count {
            let n = result.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StreamError.posix("cannot read \(path)", errno: errno)
            }
            if n == 0 { break }
            filled += n
        }
        guard filled <= limit else {
            throw StreamError(.sizeMismatch, "\(path): over the \(limit)-byte limit for this file")
        }
        return Array(result[0..<filled])
    }

    /// Reads `length` bytes at `offset` of a file (a member of an uncompressed tar).
    /// - Throws: ``StreamError`` with code `corruptData` when the file ends first.
    public static func readRange(_ path: String, offset: Int64, length: Int) throws(StreamError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StreamError.posix("cannot open \(path)", errno: errno) }
        defer { close(fd) }
        var result = [UInt8](repeating: 0, count: length)
        var filled = 0
        while filled < length {
            let n = result.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + filled, length - filled, off_t(offset) + off_t(filled)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StreamError.posix("cannot read \(path)", errno: errno)
            }
            if n == 0 {
                throw StreamError(.corruptData, "\(path): ends before offset \(offset + Int64(length))")
            }
            filled += n
        }
        return result
    }
}
