import FerryStreams

/// An `oci-archive:` is an OCI layout read through the member table.
extension ArchiveMembers: LayoutFiles {
    func exists(_ relative: String) -> Bool { contains(relative) }

    /// Lists the members under `blobs/`. In a compressed archive only regular files are listed
    /// (and a missing `blobs/` cannot be told from an empty one).
    func blobEntries() throws -> [LayoutBlobEntry] {
        guard let index else {
            let names = streamed.filter { $0.key.hasPrefix("blobs/") && $0.value.kind == .regular }.map(\.key)
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
