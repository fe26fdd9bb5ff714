import FerryStreams

extension ArchiveMembers {
    /// Lists the members under `blobs/`. In a compressed archive only regular files were
    /// recorded when it was opened, so only they are listed (and a missing `blobs/` cannot be told
    /// from an empty one).
    func blobEntries() throws -> [LayoutBlobEntry] {
        guard let index else {
            let names = streamedNames.filter { $0.hasPrefix("blobs/") }
            return names.sorted().map { LayoutBlobEntry(path: $0, kind: .regular) }
        }
        var byPath: [String: LayoutBlobEntry.Kind] = [:]
        var sawBlobs = false
        for member in index.members {
            guard let path = try? TarPath.normalize(member.name), path == "blobs" || path.hasPrefix("blobs/") else { continue }
            sawBlobs = true
            let depth = path.split(separator: "/").count
            switch member.kind {
            case .directory:
                if depth >= 3 { byPath[path] = .misplaced }
            case .regular, .hardlink:
                byPath[path] = .regular
            case .symlink:
                do {
                    _ = try index.regularFile(named: path)
                    byPath[path] = depth == 3 ? .symlinkInside : .misplaced
                } catch {
                    byPath[path] = .symlinkOutside(target: member.linkTarget ?? "")
                }
            case .other:
                byPath[path] = .special
            }
        }
        guard sawBlobs else { throw TransportError(.notFound, "\(name): blobs/ is missing") }
        return byPath.keys.sorted().map { LayoutBlobEntry(path: $0, kind: byPath[$0]!) }
    }
}
