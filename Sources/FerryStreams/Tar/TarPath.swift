/// Member names of tar archives, made safe to use as relative paths.
public enum TarPath {
    /// The canonical relative form of a tar member name.
    ///
    /// Strips leading `./`, a trailing `/` (directories), collapses repeated `/` and drops `.`
    /// components: `./blobs//sha256/./ab` becomes `blobs/sha256/ab`.
    /// - Throws: ``StreamError`` with code `unsafePath`, naming the member, when the name is
    ///   empty (or only `.` and `/`), absolute (leading `/`), contains a NUL byte, or has a `..`
    ///   component — any of which could point outside the directory the archive describes.
    public static func normalize(_ name: String) throws(StreamError) -> String {
        let shown = name.debugDescription
        guard !name.isEmpty else {
            throw StreamError(.unsafePath, "tar member \(shown): empty name")
        }
        guard !name.utf8.contains(0) else {
            throw StreamError(.unsafePath, "tar member \(shown): name contains a NUL byte")
        }
        guard !name.hasPrefix("/") else {
            throw StreamError(.unsafePath, "tar member \(shown): absolute name")
        }
        var components: [Substring] = []
        for component in name.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..": throw StreamError(.unsafePath, "tar member \(shown): \"..\" component leaves the archive root")
            default: components.append(component)
            }
        }
        guard !components.isEmpty else {
            throw StreamError(.unsafePath, "tar member \(shown): names no file (only \".\" and \"/\")")
        }
        return components.joined(separator: "/")
    }

    /// Resolves `.` and `..` in a link target already joined to the link's directory, refusing a
    /// target that leaves the archive's root.
    /// - Parameters:
    ///   - link: the link member's name, for the message.
    ///   - archive: the archive's name or path, for the message.
    /// - Throws: ``StreamError`` with code `unsafePath` when the target climbs above the root.
    public static func resolveLinkTarget(_ joined: String, link: String, archive: String) throws(StreamError) -> String {
        var parts: [Substring] = []
        for component in joined.split(separator: "/") {
            switch component {
            case ".": continue
            case "..":
                guard !parts.isEmpty else {
                    throw StreamError(.unsafePath, "\(archive): symbolic link \(link.debugDescription) points outside the archive")
                }
                parts.removeLast()
            default: parts.append(component)
            }
        }
        return parts.joined(separator: "/")
    }
}
