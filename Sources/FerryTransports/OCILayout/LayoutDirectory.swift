import FerrySpec
import FerryStreams

/// The files of a layout directory, refusing symlinks that resolve outside it.
struct LayoutDirectory: LayoutFiles {
    let root: String
    let name: String
    let canonicalRoot: String

    init(root: String, name: String) throws {
        self.root = root
        self.name = name
        guard let canonical = FileSystem.canonicalPath(root), FileSystem.kind(of: canonical) == .directory else {
            throw TransportError(.unreadable, "\(name): no such directory")
        }
        canonicalRoot = canonical
    }

    func exists(_ relative: String) -> Bool {
        FileSystem.exists(root + "/" + relative)
    }

    func read(_ relative: String, limit: Int) throws -> [UInt8] {
        try FileSystem.readFile(try safePath(relative), limit: limit)
    }

    func open(_ relative: String) throws -> any ByteStream {
        try FileByteStream(path: try safePath(relative))
    }

    /// The path to open, after checking it is a regular file inside the layout — also when a
    /// directory on the way (`blobs/sha256`) is a symlink that leaves it.
    private func safePath(_ relative: String) throws -> String {
        let path = root + "/" + relative
        switch FileSystem.kind(of: path) {
        case .regular:
            guard let resolved = FileSystem.canonicalPath(path), resolved.hasPrefix(canonicalRoot + "/") else {
                throw TransportError(
                    .invalidInput,
                    "\(name): \(relative) is outside the layout (a directory on its path is a symlink that leaves it, to \(FileSystem.canonicalPath(path) ?? "?"))"
                )
            }
            return path
        case .missing:
            throw TransportError(.notFound, "\(name): \(relative) is missing")
        case .symlink:
            guard let resolved = FileSystem.canonicalPath(path) else {
                throw TransportError(.invalidInput, "\(name): \(relative) is a dangling symlink")
            }
            guard resolved.hasPrefix(canonicalRoot + "/") else {
                throw TransportError(.invalidInput, "\(name): \(relative) is a symlink pointing outside the layout (to \(resolved))")
            }
            guard FileSystem.kind(of: resolved) == .regular else {
                throw TransportError(.invalidInput, "\(name): \(relative) does not resolve to a regular file")
            }
            return resolved
        case .directory, .other:
            throw TransportError(.invalidInput, "\(name): \(relative) is not a regular file")
        }
    }
}
