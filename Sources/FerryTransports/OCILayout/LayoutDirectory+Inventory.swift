import FerryStreams

extension LayoutDirectory {
    /// Lists `blobs/` two levels deep without following symlinks; symlinks are resolved only to
    /// classify them.
    func blobEntries() throws -> [LayoutBlobEntry] {
        let blobs = root + "/blobs"
        guard FileSystem.kind(of: blobs) == .directory else {
            throw TransportError(.notFound, "\(name): blobs/ is missing")
        }
        var entries: [LayoutBlobEntry] = []
        for algorithm in try FileSystem.contents(of: blobs) {
            let relative = "blobs/" + algorithm
            guard FileSystem.kind(of: root + "/" + relative) == .directory else {
                entries.append(LayoutBlobEntry(path: relative, kind: classify(relative, misplacedIfDirectory: false, misplacedIfFile: true)))
                continue
            }
            for file in try FileSystem.contents(of: root + "/" + relative) {
                let path = relative + "/" + file
                entries.append(LayoutBlobEntry(path: path, kind: classify(path, misplacedIfDirectory: true, misplacedIfFile: false)))
            }
        }
        return entries.sorted { $0.path < $1.path }
    }

    private func classify(_ relative: String, misplacedIfDirectory: Bool, misplacedIfFile: Bool) -> LayoutBlobEntry.Kind {
        let path = root + "/" + relative
        switch FileSystem.kind(of: path) {
        case .regular: return .regular
        case .directory: return .misplaced
        case .symlink:
            guard let resolved = FileSystem.canonicalPath(path), resolved.hasPrefix(canonicalRoot + "/") else {
                return .symlinkOutside(target: FileSystem.canonicalPath(path) ?? "(dangling)")
            }
            return FileSystem.kind(of: resolved) == .regular && !misplacedIfFile ? .symlinkInside : .misplaced
        case .missing, .other: return .special
        }
    }
}
